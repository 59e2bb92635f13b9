"""Linear solves with PETSc: defaults, user overrides, and loud failure.

Defaults: a direct LU factorisation (MUMPS) for systems up to
:data:`DIRECT_SOLVER_MAX_DOFS` unknowns, otherwise CG preconditioned with GAMG (the
operator is symmetric positive definite; hypre is not part of the PyPI PETSc). Singular
(flux-only) problems use CG + GAMG with the constant null space attached to the operator.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from petsc4py import PETSc

import dolfinx.fem.petsc
import ufl
from dolfinx import fem

from emcd_fem.errors import EmcdSolverError

#: Largest global number of unknowns solved with a direct factorisation by default.
DIRECT_SOLVER_MAX_DOFS: int = 20_000

#: Relative residual tolerance of the default iterative solver: small enough that the
#: boundary-flux error is governed by the discretisation, not the solver.
ITERATIVE_RTOL: float = 1e-10

_KSP_REASONS = {
    value: name for name, value in vars(PETSc.KSP.ConvergedReason).items() if isinstance(value, int)
}


def default_petsc_options(n_dofs: int, *, singular: bool = False) -> dict[str, Any]:
    """Default PETSc options for the SPD diffusion operator.

    Args:
        n_dofs: Global number of unknowns.
        singular: True for pure-flux problems (constant null space).

    Returns:
        A fresh options dictionary.
    """
    if n_dofs <= DIRECT_SOLVER_MAX_DOFS and not singular:
        return {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}
    return {
        "ksp_type": "cg",
        "pc_type": "gamg",
        "ksp_rtol": ITERATIVE_RTOL if not singular else 1e-12,
        "ksp_atol": 1e-50,
        "ksp_max_it": 1000,
    }


def merge_petsc_options(
    n_dofs: int, user: Mapping[str, Any] | None, *, singular: bool = False
) -> dict[str, Any]:
    """Defaults with the user's options on top.

    When the user picks the method (``ksp_type`` or ``pc_type``), the defaults of the other
    method are dropped (no stray options); the iterative tolerances are still filled in.
    """
    user = dict(user or {})
    if "ksp_type" in user or "pc_type" in user:
        options = {"ksp_rtol": ITERATIVE_RTOL, "ksp_atol": 1e-50, "ksp_max_it": 1000}
    else:
        options = default_petsc_options(n_dofs, singular=singular)
    options.update(user)
    return options


@dataclass(frozen=True)
class SolverReport:
    """What the linear solver did.

    Attributes:
        ksp_type: PETSc Krylov method.
        pc_type: PETSc preconditioner.
        iterations: Krylov iterations.
        converged_reason: PETSc converged-reason code (> 0 converged).
        reason: Name of the reason, e.g. ``CONVERGED_RTOL``.
        residual_norm: Final (preconditioned) residual norm reported by the KSP.
    """

    ksp_type: str
    pc_type: str
    iterations: int
    converged_reason: int
    reason: str
    residual_norm: float

    def as_dict(self) -> dict[str, Any]:
        """The report as plain JSON-serialisable data."""
        return dict(vars(self))


def linear_problem(
    bilinear: ufl.Form,
    linear: ufl.Form,
    solution: fem.Function,
    bcs: Sequence[fem.DirichletBC],
    *,
    prefix: str,
    petsc_options: Mapping[str, Any],
) -> dolfinx.fem.petsc.LinearProblem:
    """Compile the forms and set up a PETSc linear problem (collective).

    Raises:
        EmcdSolverError: PETSc refused the options (naming them).
    """
    try:
        return dolfinx.fem.petsc.LinearProblem(
            bilinear,
            linear,
            bcs=list(bcs),
            u=solution,
            petsc_options_prefix=prefix,
            petsc_options=dict(petsc_options),
        )
    except PETSc.Error as exc:
        given = ", ".join(f"{k} = {v!r}" for k, v in petsc_options.items())
        raise EmcdSolverError(
            f"PETSc refused the solver options ({exc}); options in effect: {given}. Check "
            "[solver.petsc_options] with `emcd check`."
        ) from exc


def attach_constant_null_space(problem: dolfinx.fem.petsc.LinearProblem) -> None:
    """Declare the constants as the (transpose) null space of the operator.

    KSP then removes the constant component from the right-hand side, and CG converges to
    a solution of the singular system; the free constant is fixed afterwards.
    """
    null_space = PETSc.NullSpace().create(constant=True, comm=problem.A.getComm())
    problem.A.setNullSpace(null_space)
    problem.A.setTransposeNullSpace(null_space)
    problem.A.setNearNullSpace(null_space)


#: A solve is accepted when its Jacobi-scaled residual (below) is at most
#: max(TRUE_RESIDUAL_FLOOR, TRUE_RESIDUAL_FACTOR * ksp_rtol) — KSP's own test may use the
#: preconditioned residual, and ``preonly`` has none at all: a Jacobi sweep "converges" to
#: a wrong answer. A backward-stable direct solve gives about 1e-14.
TRUE_RESIDUAL_FLOOR: float = 1e-6
TRUE_RESIDUAL_FACTOR: float = 1e3


def scaled_residual(problem: dolfinx.fem.petsc.LinearProblem) -> float:
    """||D⁻¹(b − A x)|| / ||x|| of the solved system, D = diag(A) (collective).

    Row scaling by the diagonal puts Dirichlet rows (unit diagonal) and diffusion rows
    (diagonal ~ c D / h) on the same footing, so the measure is the error of x that one
    Jacobi step would correct, in units of x; the null-space part is removed first.
    """
    r, diagonal = problem.b.duplicate(), problem.b.duplicate()
    try:
        problem.A.mult(problem.x, r)
        r.aypx(-1.0, problem.b)  # r = b - A x
        null_space = problem.A.getNullSpace()
        if null_space.handle:
            null_space.remove(r)
        problem.A.getDiagonal(diagonal)
        r.pointwiseDivide(r, diagonal)
        scale = problem.x.norm()
        return r.norm() / scale if scale > 0 else r.norm()
    finally:
        r.destroy()
        diagonal.destroy()


def solve_linear(problem: dolfinx.fem.petsc.LinearProblem, *, what: str) -> SolverReport:
    """Assemble and solve; raise :class:`EmcdSolverError` if the solve fails.

    Args:
        problem: The linear problem.
        what: Name of the unknown for messages, e.g. ``"mole fraction"``.

    Returns:
        The solver report.

    Note:
        Collective on the mesh communicator.
    """
    ksp = problem.solver
    try:
        problem.solve()
    except PETSc.Error as exc:
        raise EmcdSolverError(
            f"the {what} solve failed inside PETSc ({ksp.getType()}/{ksp.getPC().getType()}): "
            f"{exc}. If the problem is large, use an iterative solver (ksp_type=cg, "
            "pc_type=gamg); check that every region has a material and the data are finite."
        ) from exc
    reason = ksp.getConvergedReason()
    report = SolverReport(
        ksp_type=ksp.getType(),
        pc_type=ksp.getPC().getType(),
        iterations=ksp.getIterationNumber(),
        converged_reason=int(reason),
        reason=_KSP_REASONS.get(reason, str(reason)),
        residual_norm=float(ksp.getResidualNorm()),
    )
    if reason <= 0:
        hint = (
            "The operator is singular or its data are not finite (NaN/Inf): check every "
            "property and boundary value with `emcd check`."
            if report.reason
            in ("DIVERGED_PC_FAILED", "DIVERGED_PCSETUP_FAILED", "DIVERGED_NANORINF")
            else "Raise ksp_max_it, relax ksp_rtol, or use a direct solver (ksp_type=preonly, "
            "pc_type=lu) for small problems."
        )
        raise EmcdSolverError(
            f"the {what} solve did not converge: {report.reason} after {report.iterations} "
            f"iterations of {report.ksp_type}/{report.pc_type} (residual norm "
            f"{report.residual_norm:.3e}). {hint}"
        )
    norm = problem.x.norm()  # collective: every rank sees the same value
    residual = scaled_residual(problem) if math.isfinite(norm) else math.inf
    rtol = ksp.getTolerances()[0] if report.ksp_type != "preonly" else 0.0
    tolerance = max(TRUE_RESIDUAL_FLOOR, TRUE_RESIDUAL_FACTOR * rtol)
    if math.isfinite(norm) and not residual <= tolerance:
        raise EmcdSolverError(
            f"the {what} solve reported {report.reason} with {report.ksp_type}/"
            f"{report.pc_type}, but its scaled residual ||diag(A)^-1 (b - A x)||/||x|| is "
            f"{residual:.3e} > {tolerance:.1e}: the solution is wrong. The PETSc options do "
            "not solve the system (e.g. ksp_type = 'preonly' with a preconditioner that is "
            "not a factorisation): use pc_type = 'lu' with preonly, or a Krylov method."
        )
    if not math.isfinite(norm):
        raise EmcdSolverError(
            f"the {what} solve produced a non-finite solution (NaN or Inf) with "
            f"{report.ksp_type}/{report.pc_type}: some data (a property, a boundary value, a "
            "mesh coordinate) is not finite or not physical; check the case with `emcd check`."
        )
    return report
