"""Linear solves with PETSc: defaults, user overrides, and loud failure.

Defaults: a direct LU factorisation (MUMPS) for systems up to
:data:`DIRECT_SOLVER_MAX_DOFS` unknowns, otherwise CG preconditioned with GAMG (the
operator is symmetric positive definite; hypre is not part of the PyPI PETSc). Singular
(flux-only) problems use CG + GAMG with the constant null space attached to the operator.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from petsc4py import PETSc

import dolfinx.fem.petsc
import ufl
from dolfinx import fem

from emcd_fem.errors import EmcdSolverError

logger = logging.getLogger("emcd_fem")

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
    """Compile the forms and set up a PETSc linear problem (collective)."""
    return dolfinx.fem.petsc.LinearProblem(
        bilinear,
        linear,
        bcs=list(bcs),
        u=solution,
        petsc_options_prefix=prefix,
        petsc_options=dict(petsc_options),
    )


def attach_constant_null_space(problem: dolfinx.fem.petsc.LinearProblem) -> None:
    """Declare the constants as the (transpose) null space of the operator.

    KSP then removes the constant component from the right-hand side, and CG converges to
    a solution of the singular system; the free constant is fixed afterwards.
    """
    null_space = PETSc.NullSpace().create(constant=True, comm=problem.A.getComm())
    problem.A.setNullSpace(null_space)
    problem.A.setTransposeNullSpace(null_space)
    problem.A.setNearNullSpace(null_space)


def _residual_monitor(what: str, active: bool):
    """A KSP monitor logging the residual norm (iterations 0-4, then every 10th)."""

    def monitor(ksp: PETSc.KSP, iteration: int, norm: float) -> None:
        if active and (iteration < 5 or iteration % 10 == 0):
            logger.info("  %s: iteration %d, residual norm %.3e", what, iteration, norm)

    return monitor


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
    size = problem.A.getSize()[0] if problem.A.getSize() else 0
    logger.info("%s: %d unknowns, KSP %s, PC %s", what, size, ksp.getType(), ksp.getPC().getType())
    monitored = logger.isEnabledFor(logging.INFO) and ksp.getComm().tompi4py().rank == 0
    if logger.isEnabledFor(logging.INFO):  # -v: residual lines on rank 0 (every call is
        # collective-free; other ranks' monitors do nothing)
        ksp.setMonitor(_residual_monitor(what, monitored))
    try:
        problem.solve()
    except PETSc.Error as exc:
        raise EmcdSolverError(
            f"the {what} solve failed inside PETSc ({ksp.getType()}/{ksp.getPC().getType()}): "
            f"{exc}. If the problem is large, use an iterative solver (ksp_type=cg, "
            "pc_type=gamg); check that every region has a material and the data are finite."
        ) from exc
    finally:
        if logger.isEnabledFor(logging.INFO):
            ksp.cancelMonitor()
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
        raise EmcdSolverError(
            f"the {what} solve did not converge: {report.reason} after {report.iterations} "
            f"iterations of {report.ksp_type}/{report.pc_type} (residual norm "
            f"{report.residual_norm:.3e}). Raise ksp_max_it, relax ksp_rtol, or use a direct "
            "solver (ksp_type=preonly, pc_type=lu) for small problems."
        )
    return report
