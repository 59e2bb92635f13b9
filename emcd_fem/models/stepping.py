"""One accepted time step with error control, shared by every transient model.

A model supplies four callables: ``solve(state, dt, order)`` (the implicit BDF step from
the stored states; the solution is left in the model), ``snapshot()`` (the current
solution as a stored-state entry), ``owned()`` (its owned values, concatenated) and
``stored(entry)`` (the same for a stored entry). :func:`attempt` picks the order (backward
Euler first: one step with fixed steps, two when adaptive — an incompatible start drives dt
far below h²/D, where BDF2 at step 2 flips the sign of a boundary flux), estimates the
local error — by Milne's predictor–corrector device (``emcd_fem.solvers.time_stepping``),
or by step doubling while the predictor would use the initial state, which is not smooth
when x jumps at a boundary at t = 0 — and repeats rejected steps with a smaller dt.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import numpy as np

from emcd_fem.solvers.time_stepping import StepControl, error_constants, predictor_weights


@dataclass(frozen=True)
class StepHooks:
    """How a model solves a step and exposes its solution (see the module docstring)."""

    solve: Callable[[Any, float, int], Any]
    snapshot: Callable[[], Any]
    owned: Callable[[], np.ndarray]
    stored: Callable[[Any], np.ndarray]


@dataclass(frozen=True)
class Attempt:
    """The accepted step: dt [s], order, error ratio (None if not estimated), rejections."""

    dt: float
    order: int
    ratio: float | None
    rejected: int
    landing: bool


def milne_estimate(state: Any, dt: float, order: int, hooks: StepHooks) -> np.ndarray:
    """Local error of the step from the explicit predictor through the last k + 1 states."""
    times = state.times[-(order + 1) :]
    steps = [b - a for a, b in itertools.pairwise(times)] + [dt]
    e_c, e_p = error_constants(order, steps)
    weights = predictor_weights(times, times[-1] + dt)
    entries = state.states[-(order + 1) :]
    predicted = sum(w * hooks.stored(s) for w, s in zip(weights, entries, strict=True))
    return e_c / (e_c - e_p) * (hooks.owned() - predicted)


def doubling_estimate(state: Any, dt: float, order: int, hooks: StepHooks) -> np.ndarray:
    """Local error by step doubling; the full step is solved last (its record is its own).

    Local errors C h^(p+1) give the full step's error (u_full − u_halves)/(1 − 2^(−p)).
    """
    halves = type(state)(t=state.t, dt=dt / 2, times=list(state.times), states=list(state.states))
    for _ in range(2):
        hooks.solve(halves, dt / 2, min(order, len(halves.times)))
        halves.times.append(halves.times[-1] + dt / 2)
        halves.states.append(hooks.snapshot())
    half = hooks.owned()
    hooks.solve(state, dt, order)
    return (hooks.owned() - half) / (1.0 - 2.0**-order)


def attempt(
    state: Any,
    t_stop: float,
    control: StepControl | None,
    max_order: int,
    hooks: StepHooks,
    comm: MPI.Comm,
) -> Attempt:
    """Solve the next step, not beyond ``t_stop`` [s], until accepted (collective).

    Raises:
        EmcdSolverError: the solver failed, or dt fell below ``control.dt_min``.
    """
    rejected = 0
    while True:
        dt, landing = state.dt, state.t + state.dt >= t_stop - 1e-9 * state.dt
        if landing:  # land on t_stop exactly (no sliver step left over)
            dt = t_stop - state.t
        order = max(1, min(max_order, len(state.times) - (control is not None)))
        if control is None:
            hooks.solve(state, dt, order)
            return Attempt(dt, order, None, rejected, landing)
        if state.step <= order:  # the predictor would use the initial state
            estimate = doubling_estimate(state, dt, order, hooks)
        else:
            hooks.solve(state, dt, order)
            estimate = milne_estimate(state, dt, order, hooks)
        ratio = comm.allreduce(control.error_ratio(estimate, hooks.owned()), op=MPI.MAX)
        if ratio <= 1.0:
            return Attempt(dt, order, ratio, rejected, landing)
        rejected += 1
        state.dt = control.next_step(dt, ratio, order)
        control.check_step(state.dt, state.t, ratio)


__all__ = ["Attempt", "StepHooks", "attempt", "doubling_estimate", "milne_estimate"]
