"""Linear solves with PETSc: defaults, user overrides, checked results, loud failure.

Defaults: a direct LU factorisation (MUMPS) for systems up to :data:`DIRECT_SOLVER_MAX_DOFS`
unknowns, otherwise CG preconditioned with GAMG (the operator is symmetric positive definite;
hypre is not in the PyPI PETSc). Singular (flux-only) problems: CG + GAMG, constant null space.

Robustness (every solve of the program goes through :func:`solve_linear`):

* Dirichlet rows carry the operator's diagonal scale (mean |a_ii| of the other rows)
  instead of 1 (:class:`ScaledLinearProblem`): at physical units (c D ~ 1e-4 mol/(m s))
  rows of 1 dominate the right-hand side, and a relative tolerance then stops the
  iteration long before the fluxes are accurate.
* GAMG smooths with Richardson/SSOR (:data:`GAMG_OPTIONS`) instead of PETSc's default
  Chebyshev/Jacobi, whose 10-iteration eigenvalue estimate can fall below the largest
  eigenvalue at high diffusivity contrasts: the V-cycle then amplifies high modes and CG
  stops with DIVERGED_INDEFINITE_PC. The SSOR V-cycle is symmetric positive definite by
  construction and needs no estimate (measured on sphere cells, contrast 1e-6 … 1e6:
  16–32 iterations against 15–44 for Chebyshev/Jacobi).
* A solve is judged by its true residual r = b − A x of the assembled system in flux
  units (each entry is a nodal imbalance of the flux, like the reaction fluxes), relative
  to the flux scale F of the solution (Σ|q_Γ| of the problem when it gives one):
  ρ = ‖r‖₁ / F bounds the flux error the solver leaves. The floor of ρ in double precision
  is φ = N / F, N = 2 ε Σ_i |a_ii x_i| the rounding of the residual itself (a contrast
  K between regions costs about K ε here: 1e-8 at K = 1e8).
* A solve that fails, stalls or stops with ρ above :data:`RESIDUAL_RTOL` (and above its
  rounding floor) is retried: an iterative solve once more from its result with the
  tolerance set on the true residual, then with a direct MUMPS factorisation. The
  fallback is reported (:attr:`SolverReport.fallback`) and logged as a warning.
* If even then ρ exceeds :data:`NOISE_RTOL` for a non-uniform solution, the fluxes are
  noise (a diffusivity contrast beyond double precision, corrupt data):
  :class:`~emcd_fem.errors.EmcdSolverError`.
"""

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from petsc4py import PETSc

import dolfinx.fem.petsc
import dolfinx.la.petsc
import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.agreement import checkpoint
from emcd_fem.callback_guard import guarded_callbacks
from emcd_fem.errors import EmcdSolverError
from emcd_fem.interrupts import deferred_call
from emcd_fem.solvers.defaults import (  # re-exported: the documented public path
    DIRECT_OPTIONS,
    DIRECT_SOLVER_MAX_DOFS,
    GAMG_OPTIONS,
    ITERATIVE_RTOL,
    KSP_RTOL,
    NOISE_RTOL,
    RESIDUAL_RTOL,
    default_petsc_options,
    merge_petsc_options,
)
from emcd_fem.solvers.dirichlet_rows import scale_matrix_rows
from emcd_fem.solvers.heap import release_free_memory

logger = logging.getLogger("emcd_fem")

_ROUNDING_FACTOR = 2.0

_KSP_REASONS = {
    value: name for name, value in vars(PETSc.KSP.ConvergedReason).items() if isinstance(value, int)
}


@dataclass(frozen=True)
class SolverReport:
    """What the linear solver did.

    Attributes:
        ksp_type: PETSc Krylov method of the accepted solve.
        pc_type: PETSc preconditioner of the accepted solve.
        iterations: Krylov iterations (all attempts).
        converged_reason: PETSc converged-reason code of the accepted solve (> 0).
        reason: Name of the reason, e.g. ``CONVERGED_RTOL``.
        residual_norm: Final residual norm reported by the KSP.
        residual_flux_ratio: ρ = ‖b − A x‖₁ / F, the true residual relative to the flux
            scale F: a bound on the relative flux error left by the solver.
        rounding_floor: The value of ρ that double-precision rounding alone gives.
        flux_scale: F [flux units of the problem].
        fallback: ``None``, or what was done after the first solve was not accepted and
            why (e.g. ``"direct (MUMPS): cg/gamg stopped with DIVERGED_ITS"``).
    """

    ksp_type: str
    pc_type: str
    iterations: int
    converged_reason: int
    reason: str
    residual_norm: float
    residual_flux_ratio: float = 0.0
    rounding_floor: float = 0.0
    flux_scale: float = 0.0
    fallback: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The report as plain JSON-serialisable data."""
        return dict(vars(self))


class ScaledLinearProblem(dolfinx.fem.petsc.LinearProblem):
    """A single-block linear problem whose Dirichlet rows carry the operator's scale.

    The constrained rows read s x_i = s g_i with s the mean |a_ii| of the other rows
    (instead of 1): the system is the same, its right-hand side and residual norms are
    measured in the operator's units. Attribute :attr:`dirichlet_scale` holds s.
    """

    dirichlet_scale: float = 1.0

    def __del__(self) -> None:
        # an interrupt (SIGINT/SIGTERM) inside LinearProblem.__init__ leaves a half-built
        # object whose DOLFINx __del__ raises AttributeError ("Exception ignored ...")
        if hasattr(self, "_solver"):
            super().__del__()

    def assemble(self) -> None:
        """Assemble A (scaled Dirichlet rows) and b (collective)."""
        A, b = self.A, self.b
        A.zeroEntries()
        dolfinx.fem.petsc.assemble_matrix(A, self.a, bcs=self.bcs)
        A.assemble()
        scale = scale_matrix_rows(A, self.bcs)
        self.dirichlet_scale = scale
        dolfinx.la.petsc._zero_vector(b)
        dolfinx.fem.petsc.assemble_vector(b, self.L)
        dolfinx.fem.petsc.apply_lifting(b, [self.a], bcs=[self.bcs])
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        for bc in self.bcs:
            bc.set(b.array_w, alpha=scale)

    def solve(self) -> fem.Function:
        """Assemble and solve without any check (use :func:`solve_linear`)."""
        self.assemble()
        self.solver.solve(self.b, self.x)
        _update_solution(self)
        return self.u


def release_multigrid(ksp: PETSc.KSP) -> bool:
    """Free a GAMG preconditioner's hierarchy after a solve; the next solve rebuilds it.

    GAMG rebuilds its whole hierarchy whenever the operator has changed (every
    :func:`solve_linear` assembles it anew), so keeping it only holds memory (at 1 M
    unknowns ~10 % of the peak) through the solve's judgement, the post-processing and
    the output. A solve after the release (a retry from the same operator) sets it up again
    with the same options and gives bit-for-bit the same iterates. Other preconditioners
    (LU factors reused by later solves) are kept. Not collective beyond PETSc's own
    (every rank of the KSP calls it alike).

    Args:
        ksp: A KSP after its solve.

    Returns:
        True if a GAMG hierarchy was freed.
    """
    pc = ksp.getPC()
    if pc.getType() != "gamg":
        return False
    A, P = ksp.getOperators()
    pc.reset()  # drops the operators too: set them again for a later solve
    ksp.setOperators(A, P)
    release_free_memory()
    return True


def _update_solution(problem: dolfinx.fem.petsc.LinearProblem) -> None:
    problem.x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
    dolfinx.fem.petsc.assign(problem.x, problem.u)


def linear_problem(
    bilinear: ufl.Form,
    linear: ufl.Form,
    solution: fem.Function,
    bcs: Sequence[fem.DirichletBC],
    *,
    prefix: str,
    petsc_options: Mapping[str, Any],
) -> ScaledLinearProblem:
    """Compile the forms and set up a PETSc linear problem (collective).

    Raises:
        EmcdSolverError: PETSc refused the options (naming them).
    """
    try:
        return deferred_call(
            ScaledLinearProblem,
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


@dataclass(frozen=True)
class _Judgement:
    ratio: float  # ρ
    floor: float  # φ
    scale: float  # F
    uniform: bool

    @property
    def limit(self) -> float:
        """The largest acceptable ρ: the solver tolerance, or the rounding floor."""
        return min(max(RESIDUAL_RTOL, 4.0 * self.floor), NOISE_RTOL)

    @property
    def accepted(self) -> bool:
        return self.ratio <= self.limit or self.zero

    @property
    def zero(self) -> bool:
        """A uniform field with fluxes at the rounding level: zero fluxes, rightly."""
        return self.uniform and self.ratio <= 4.0 * self.floor

    @property
    def noise(self) -> bool:
        return self.ratio > NOISE_RTOL and not self.zero


def _judge(
    problem: dolfinx.fem.petsc.LinearProblem, flux_scale: Callable[[], float] | None
) -> _Judgement:
    """ρ, φ and F of the current solution (collective)."""
    A, b, x = problem.A, problem.b, problem.x
    r = b.duplicate()
    A.mult(x, r)
    r.aypx(-1.0, b)  # r = b − A x
    null_space = A.getNullSpace()
    if null_space.handle:  # singular: the constant part of b is not solvable (balance)
        null_space.remove(r)
    residual = r.norm(PETSc.NormType.NORM_1)
    diagonal = A.getDiagonal()
    magnitude = x.copy()
    magnitude.abs()
    diagonal.abs()
    diagonal.pointwiseMult(diagonal, magnitude)
    rounding = _ROUNDING_FACTOR * np.finfo(float).eps * diagonal.norm(PETSc.NormType.NORM_1)
    x_min, x_max = x.min()[1], x.max()[1]
    for v in (r, diagonal, magnitude):
        v.destroy()
    scale = float(flux_scale()) if flux_scale is not None else b.norm(PETSc.NormType.NORM_1)
    if not math.isfinite(residual) or not math.isfinite(scale):
        return _Judgement(math.inf, 0.0, scale, False)
    uniform = (x_max - x_min) <= 1e-10 * max(abs(x_max), abs(x_min), 1e-300)
    if scale <= 0.0:
        ratio = 0.0 if residual <= rounding else math.inf
        return _Judgement(ratio, 0.0 if rounding == 0 else math.inf, scale, uniform)
    return _Judgement(residual / scale, rounding / scale, scale, uniform)


def _direct_solve(problem: dolfinx.fem.petsc.LinearProblem) -> tuple[int, str]:
    """Solve A x = b with MUMPS LU on a fresh KSP (collective); (reason, error text)."""
    ksp = PETSc.KSP().create(problem.A.getComm())
    try:
        ksp.setOperators(problem.A)
        ksp.setType("preonly")
        pc = ksp.getPC()
        pc.setType("lu")
        pc.setFactorSolverType("mumps")
        try:
            ksp.solve(problem.b, problem.x)
        except PETSc.Error as exc:
            return -1, str(exc)
        return int(ksp.getConvergedReason()), ""
    finally:
        ksp.destroy()


def _describe(ksp_type: str, pc_type: str, reason: int, error: str, judged: _Judgement) -> str:
    if error:
        return f"{ksp_type}/{pc_type} failed inside PETSc ({error.strip()})"
    if reason <= 0:
        return f"{ksp_type}/{pc_type} stopped with {_KSP_REASONS.get(reason, reason)}"
    size = (
        f"{judged.ratio:.1e} of the flux scale"
        if math.isfinite(judged.ratio)
        else "above rounding while every flux is zero"
    )
    return (
        f"{ksp_type}/{pc_type} stopped ({_KSP_REASONS.get(reason, reason)}) with a true "
        f"residual {size} (limit {judged.limit:.1e})"
    )


def _residual_monitor(what: str, active: bool) -> Callable[[PETSc.KSP, int, float], None]:
    """A KSP monitor logging the residual norm (iterations 0-4, then every 10th)."""

    def monitor(ksp: PETSc.KSP, iteration: int, norm: float) -> None:
        if active and (iteration < 5 or iteration % 10 == 0):
            logger.info("  %s: iteration %d, residual norm %.3e", what, iteration, norm)

    return monitor


def solve_linear(
    problem: dolfinx.fem.petsc.LinearProblem,
    *,
    what: str,
    flux_scale: Callable[[], float] | None = None,
) -> SolverReport:
    """Assemble, solve, check the result against the flux scale; fall back if needed.

    Args:
        problem: The linear problem (a :class:`ScaledLinearProblem` or any DOLFINx
            ``LinearProblem``).
        what: Name of the unknown for messages, e.g. ``"mole fraction"``.
        flux_scale: Returns the flux scale F of the current solution (e.g. Σ_Γ |q_Γ|, in
            the units of the residual entries); default ‖b‖₁.

    Returns:
        The solver report (with ``fallback`` set when the first solve was not accepted).

    Raises:
        EmcdSolverError: no solve was accepted, or the result is rounding noise.

    Note:
        Collective on the mesh communicator.
    """
    ksp = problem.solver
    checkpoint(ksp.getComm().tompi4py(), "linear solve")  # before the first collective
    ksp_type, pc_type = ksp.getType(), ksp.getPC().getType()
    size = problem.A.getSize()[0] if problem.A.getSize() else 0
    logger.info("%s: %d unknowns, KSP %s, PC %s", what, size, ksp_type, pc_type)
    verbose = logger.isEnabledFor(logging.INFO)
    if verbose:  # -v: residual lines on rank 0 (the monitor is collective-free)
        ksp.setMonitor(_residual_monitor(what, ksp.getComm().tompi4py().rank == 0))
    error = ""
    try:
        with guarded_callbacks(ksp):  # a failing monitor stops the solve on every rank
            # the set-up's and assembly's freed temporaries leave the process before the
            # preconditioner is built (peak memory: emcd_fem.solvers.heap)
            if isinstance(problem, ScaledLinearProblem):
                problem.assemble()
                release_free_memory()
                ksp.solve(problem.b, problem.x)
            else:  # DOLFINx assembly (blocked problems): Dirichlet rows of 1
                release_free_memory()
                problem.solve()
    except PETSc.Error as exc:
        error = str(exc)
    finally:
        if verbose:
            ksp.cancelMonitor()
    reason = int(ksp.getConvergedReason()) if not error else -1
    iterations = ksp.getIterationNumber()
    _update_solution(problem)
    release_multigrid(ksp)  # before the judgement's assembly: not resident next to it
    judged = _judge(problem, flux_scale)
    fallback = None
    if error or reason <= 0 or not judged.accepted:
        first = _describe(ksp_type, pc_type, reason, error, judged)
        singular = bool(problem.A.getNullSpace().handle)
        if not error and reason > 0 and ksp_type != "preonly" and math.isfinite(judged.ratio):
            # once more from this solution, stopping on the true residual in flux units
            n = problem.A.getSize()[0]
            rtol, atol, dtol, max_it = ksp.getTolerances()
            ksp.setInitialGuessNonzero(True)
            norm_type = ksp.getNormType()
            ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)
            target = judged.limit * judged.scale
            ksp.setTolerances(
                rtol=1e-14, atol=0.25 * target / n**0.5, max_it=max(50, 2 * iterations)
            )
            try:
                ksp.solve(problem.b, problem.x)
                reason = int(ksp.getConvergedReason())
            except PETSc.Error as exc:
                error, reason = str(exc), -1
            finally:
                ksp.setTolerances(rtol=rtol, atol=atol, divtol=dtol, max_it=max_it)
                ksp.setNormType(norm_type)
                ksp.setInitialGuessNonzero(False)
            iterations += ksp.getIterationNumber()
            _update_solution(problem)
            release_multigrid(ksp)
            judged = _judge(problem, flux_scale)
            fallback = f"{first}; iterated on from there"
        direct_first = ksp_type == "preonly" and pc_type in ("lu", "cholesky")
        if (error or reason <= 0) or (not judged.accepted and not direct_first):
            if singular:
                raise EmcdSolverError(
                    f"the {what} solve was not accepted: {first}. This problem prescribes "
                    "fluxes on every boundary (singular operator: no direct fallback); the "
                    "default solver handles it (CG + GAMG with the constant null space): "
                    "remove [solver] petsc_options"
                )
            problem.x.zeroEntries()
            reason, direct_error = _direct_solve(problem)
            _update_solution(problem)
            judged = _judge(problem, flux_scale)
            ksp_type, pc_type, error = "preonly", "lu (mumps)", direct_error
            fallback = f"direct (MUMPS) after {first}"
            iterations += 1
            if direct_error or reason <= 0:
                raise EmcdSolverError(
                    f"the {what} solve failed: {first}, and the direct MUMPS fallback "
                    f"failed too ({direct_error or _KSP_REASONS.get(reason, reason)}); check "
                    "that every region has a material and the data are finite"
                )
        if fallback is not None:
            log = logger.warning if fallback.startswith("direct") else logger.info
            log("the %s solve was not accepted at first: %s", what, fallback)
    if judged.noise:
        raise EmcdSolverError(
            f"the {what} solution is numerical noise: the true residual of the linear "
            f"system is {judged.ratio:.1e} of the flux scale {judged.scale:.3e} (refused "
            f"above {NOISE_RTOL:g}; double-precision rounding alone gives "
            f"{judged.floor:.1e}). The fluxes are too small to be resolved next to the "
            "largest conductance of the system: typically a diffusivity (or c D) contrast "
            "beyond ~1e9 between regions, regions that are not joined (a mesh whose "
            "interface carries duplicate nodes: see the mesh warnings; its exact fluxes "
            "are zero), or data that are not finite. Check the materials and the mesh; "
            "contrasts up to 1e8 solve (fluxes then certain to ~1e-5)"
        )
    return SolverReport(
        ksp_type=ksp_type,
        pc_type=pc_type,
        iterations=iterations,
        converged_reason=int(reason),
        reason=_KSP_REASONS.get(reason, str(reason)),
        residual_norm=float(ksp.getResidualNorm()) if ksp_type != "preonly" else 0.0,
        residual_flux_ratio=float(judged.ratio),
        rounding_floor=float(judged.floor),
        flux_scale=float(judged.scale),
        fallback=fallback,
    )


__all__ = [
    "DIRECT_OPTIONS",
    "DIRECT_SOLVER_MAX_DOFS",
    "GAMG_OPTIONS",
    "ITERATIVE_RTOL",
    "KSP_RTOL",
    "NOISE_RTOL",
    "RESIDUAL_RTOL",
    "ScaledLinearProblem",
    "SolverReport",
    "attach_constant_null_space",
    "default_petsc_options",
    "linear_problem",
    "merge_petsc_options",
    "release_multigrid",
    "solve_linear",
]
