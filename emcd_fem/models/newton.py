"""Newton (PETSc SNES) solves of the composed model, and the staggered T–x_A iteration."""

import logging
from collections.abc import Callable, Sequence

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

_logger = logging.getLogger("emcd_fem")
REASONS = {v: k for k, v in vars(PETSc.SNES.ConvergedReason).items() if isinstance(v, int)}


def newton_solve(
    problem: dolfinx.fem.petsc.NonlinearProblem,
    comm: MPI.Comm,
    *,
    what: str = "the Soret (Newton) solve",
    advice: str = "reduce S_T or the temperature difference, refine the mesh, or try the "
    "other coupling scheme",
) -> tuple[int, str, list[float]]:
    """Solve with SNES, with a progress bar and ``-v`` residual lines (collective).

    ``what`` and ``advice`` name the solve and the remedy in the error message.

    Returns:
        (iterations, converged reason name, residual norm per iteration).

    Raises:
        EmcdSolverError: SNES did not converge (reason, iterations, last residual).
    """
    snes = problem.solver
    checkpoint(comm, "Newton solve")
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
    reason = snes.getConvergedReason()
    history = [float(r) for r in snes.getConvergenceHistory()[0]]
    if reason <= 0:
        raise EmcdSolverError(
            f"{what} did not converge: {REASONS.get(reason, reason)} after "
            f"{snes.getIterationNumber()} iterations, last residual "
            f"{history[-1] if history else float('nan'):.3e}; {advice}"
        )
    return snes.getIterationNumber(), REASONS.get(reason, str(reason)), history


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
) -> tuple[ThermalSolution, int, str, list[float], int, list[float]]:
    """Solve T, then Newton for the species, until the change between passes < tolerance.

    The change is the larger of max |ΔT| / max |T| and max |Δμ| (collective).

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
        if passes > 1 and change < tolerance:
            return solution, iterations, reason, history, passes, changes
    raise EmcdSolverError(
        f"the staggered T–x_A iteration did not converge in {max_passes} passes (last change "
        f"{changes[-1]:.3e} > {tolerance:g}); use coupling = 'monolithic'"
    )


__all__ = ["REASONS", "max_change", "newton_solve", "staggered"]
