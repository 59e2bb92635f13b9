"""Newton (PETSc SNES) solves of the composed model, and the staggered T–x_A iteration."""

import logging
from collections.abc import Callable, Sequence
from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx.fem.petsc
import numpy as np
from dolfinx import fem

from emcd_fem import progress
from emcd_fem.agreement import checkpoint
from emcd_fem.callback_guard import guarded_callbacks
from emcd_fem.errors import EmcdSolverError
from emcd_fem.models.thermal import HeatConductionProblem, ThermalSolution
from emcd_fem.models.thermal_support import check_temperature
from emcd_fem.solvers.dirichlet_rows import ScaledDirichletRows

_logger = logging.getLogger("emcd_fem")
REASONS = {v: k for k, v in vars(PETSc.SNES.ConvergedReason).items() if isinstance(v, int)}


def newton_solve(
    problem: dolfinx.fem.petsc.NonlinearProblem,
    comm: MPI.Comm,
    *,
    what: str = "the Soret (Newton) solve",
    advice: str = "reduce S_T or the temperature difference, refine the mesh, or try the "
    "other coupling scheme",
    rows: ScaledDirichletRows | None = None,
) -> tuple[int, str, list[float]]:
    """Solve with SNES, with a progress bar and ``-v`` residual lines (collective).

    ``what`` and ``advice`` name the solve and the remedy in the error message. ``rows``:
    the problem's scaled Dirichlet rows (the data are put into the start first). An
    iterative linear method that fails (DIVERGED_LINEAR_SOLVE) is replaced by MUMPS LU and
    the solve repeated from its start, as on the linear path; the fallback is logged as a
    warning and recorded (:func:`solver_record`).

    Returns:
        (iterations, converged reason name, residual norm per iteration).

    Raises:
        EmcdSolverError: SNES did not converge (reason, iterations, last residual).
    """
    snes = problem.solver
    checkpoint(comm, "Newton solve")
    if rows is not None:
        rows.prepare()  # data into the start, s from its Jacobian: no reduction in callbacks
    start = _state(problem)
    _run(problem, comm)
    reason = snes.getConvergedReason()
    first = f"{method(snes)} stopped with {REASONS.get(reason, reason)}"
    if reason == PETSc.SNES.ConvergedReason.DIVERGED_LINEAR_SOLVE and _iterative(snes):
        # the linear path's rule: an iterative failure falls back to MUMPS, once, loudly
        _logger.warning("%s: direct (MUMPS) after %s", what, first)
        _set_state(problem, start)
        ksp = snes.getKSP()
        ksp.setType(PETSc.KSP.Type.PREONLY)
        ksp.getPC().setType(PETSc.PC.Type.LU)
        ksp.getPC().setFactorSolverType("mumps")
        problem.emcd_fallback = f"direct (MUMPS) after {first}"
        _run(problem, comm)
        reason = snes.getConvergedReason()
    history = [float(r) for r in snes.getConvergenceHistory()[0]]
    if reason <= 0:
        direct = (
            "; or solve each Newton step directly: [solver] petsc_options = { ksp_type = "
            '"preonly", pc_type = "lu", pc_factor_mat_solver_type = "mumps" }'
            if _iterative(snes)
            else ""
        )
        raise EmcdSolverError(
            f"{what} did not converge: {REASONS.get(reason, reason)} after "
            f"{snes.getIterationNumber()} iterations, last residual "
            f"{history[-1] if history else float('nan'):.3e} ({method(snes)}); {advice}{direct}"
        )
    return snes.getIterationNumber(), REASONS.get(reason, str(reason)), history


def _run(problem: dolfinx.fem.petsc.NonlinearProblem, comm: MPI.Comm) -> None:
    """problem.solve() with a progress bar and ``-v`` residual lines (collective)."""
    snes = problem.solver
    bar = progress.bar(desc="Newton", unit="it", comm=comm)
    log_residuals = comm.rank == 0 and _logger.isEnabledFor(logging.INFO)

    def monitor(_snes, iteration: int, residual: float) -> None:
        bar.set_postfix_str(f"residual {residual:.2e}")
        if log_residuals:  # -v: Newton residual lines on rank 0
            _logger.info("  Newton iteration %d, residual norm %.3e", iteration, residual)
        if iteration:
            bar.update(1)

    snes.setMonitor(monitor)
    try:
        with guarded_callbacks(snes):  # a failing callback stops Newton on every rank
            problem.solve()
    finally:
        snes.cancelMonitor()
        bar.close()


def _functions(problem: dolfinx.fem.petsc.NonlinearProblem) -> list[fem.Function]:
    return list(problem.u) if isinstance(problem.u, list | tuple) else [problem.u]


def _state(problem: dolfinx.fem.petsc.NonlinearProblem) -> list[np.ndarray]:
    return [u.x.array.copy() for u in _functions(problem)]


def _set_state(problem: dolfinx.fem.petsc.NonlinearProblem, state: list[np.ndarray]) -> None:
    for u, values in zip(_functions(problem), state, strict=True):
        u.x.array[:] = values


def _iterative(snes: PETSc.SNES) -> bool:
    return snes.getKSP().getType() != PETSc.KSP.Type.PREONLY


def method(snes: PETSc.SNES) -> str:
    """The linear method of a Newton solve, e.g. ``"gmres + fieldsplit"`` (from the solver)."""
    ksp = snes.getKSP()
    pc = ksp.getPC()
    name = pc.getType()
    if name in (PETSc.PC.Type.LU, PETSc.PC.Type.CHOLESKY):
        name = f"{name} ({pc.getFactorSolverType() or 'petsc'})"
    return f"{ksp.getType()} + {name}"


def solver_record(problem: dolfinx.fem.petsc.NonlinearProblem) -> dict[str, Any]:
    """What the Newton solve of ``problem`` used: SNES type, linear method, fallback."""
    snes = problem.solver
    return {
        "type": f"SNES {snes.getType()} ({snes.getLineSearch().getType()} line search), "
        f"{method(snes)}",
        "ksp_type": snes.getKSP().getType(),
        "pc_type": snes.getKSP().getPC().getType(),
        "fallback": getattr(problem, "emcd_fallback", None),
    }


def max_change(
    new: np.ndarray, old: np.ndarray, comm: MPI.Comm, *, relative: bool = False
) -> float:
    """Largest |new − old| (relative to max |new|) over all ranks (collective)."""
    local = np.array([np.abs(new - old).max(initial=0.0), np.abs(new).max(initial=0.0)])
    total = np.zeros_like(local)
    comm.Allreduce(local, total, op=MPI.MAX)
    return float(total[0] / total[1]) if relative and total[1] > 0 else float(total[0])


def staggered(
    heat: HeatConductionProblem,
    newton: Callable[[], tuple[int, str, list[float]]],
    potentials: Sequence[fem.Function],
    *,
    tolerance: float,
    max_passes: int,
    one_pass: bool = False,
) -> tuple[ThermalSolution, int, str, list[float], int, list[float]]:
    """Solve T, then Newton for the species, until the change between passes < tolerance.

    The change is the larger of max |ΔT| / max |T| and max |Δμ| (collective).
    ``one_pass``: stop after the first pass — the coupled solution, since T does not depend
    on x_A (the monolithic coupling's default at scale, ``solvers.nonlinear.in_sequence``).

    Returns:
        (heat solution, Newton iterations summed, last reason, last residual history,
        passes, change per pass).

    Raises:
        EmcdSolverError: no convergence in ``max_passes``.
        AdmissibilityError: T ≤ 0 K somewhere.
    """
    T = heat.temperature
    comm = T.function_space.mesh.comm
    iterations, changes = 0, []
    for passes in range(1, max_passes + 1):
        previous = [T.x.array.copy()] + [u.x.array.copy() for u in potentials]
        solution = heat.solve()
        check_temperature(solution.t_min)
        its, reason, history = newton()
        iterations += its
        change = max(
            max_change(T.x.array, previous[0], comm, relative=True),
            *(
                max_change(u.x.array, old, comm)
                for u, old in zip(potentials, previous[1:], strict=True)
            ),
        )
        changes.append(change)
        if one_pass or (passes > 1 and change < tolerance):
            return solution, iterations, reason, history, passes, changes
    raise EmcdSolverError(
        f"the staggered T–x_A iteration did not converge in {max_passes} passes (last change "
        f"{changes[-1]:.3e} > {tolerance:g}); use coupling = 'monolithic'"
    )


__all__ = ["REASONS", "max_change", "method", "newton_solve", "solver_record", "staggered"]
