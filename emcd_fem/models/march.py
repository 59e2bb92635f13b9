"""The time loop of a :class:`~emcd_fem.models.transient.TransientModel`.

:func:`march` advances a state from its time to ``t_end``: it lands exactly on every output
time, hands each accepted step to a callback (``emcd_fem.pipeline.transient_run`` writes
the time series, fields and checkpoints there), stops early at a steady state when asked
(max |Δμ| / (dt max |μ|) < ``steady_tolerance`` [1/s]) or when ``should_stop`` says so
(a SIGTERM: the caller then writes a checkpoint).
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from emcd_fem.errors import EmcdInputError
from emcd_fem.models.transient import StepRecord, TransientModel, TransientState
from emcd_fem.solvers.time_stepping import StepControl


@dataclass(frozen=True)
class TimeSettings:
    """Settings of a transient run.

    Attributes:
        t_start: Start time [s]. t_end: End time [s] (> t_start).
        dt: Initial (adaptive) or fixed step [s] (> 0).
        adaptive: Adapt the step to the local error estimate with ``control``.
        control: Tolerances and step bounds (``emcd_fem.solvers.time_stepping``).
        output_times: Times at which the fields are written [s], in [t_start, t_end].
        stop_at_steady_state: Stop when the change rate is below ``steady_tolerance``.
        steady_tolerance: max |Δμ| / (dt max |μ|) below which the state is steady [1/s].
    """

    t_start: float
    t_end: float
    dt: float
    adaptive: bool = False
    control: StepControl = field(default_factory=StepControl)
    output_times: Sequence[float] = ()
    stop_at_steady_state: bool = False
    steady_tolerance: float = 1e-6

    def __post_init__(self) -> None:
        values = (self.t_start, self.t_end, self.dt, self.steady_tolerance)
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise EmcdInputError("time: t_start, t_end, dt and steady_tolerance must be numbers")
        if not self.dt > 0:
            raise EmcdInputError(f"time.dt must be > 0 s, got {self.dt!r}")
        if not self.t_end > self.t_start:
            raise EmcdInputError(
                f"time.t_end = {self.t_end:g} s must exceed time.t_start = {self.t_start:g} s"
            )
        if not self.steady_tolerance > 0:
            raise EmcdInputError("time.steady_tolerance must be > 0 [1/s]")
        outside = [t for t in self.output_times if not self.t_start <= t <= self.t_end]
        if outside:
            raise EmcdInputError(
                f"time.output_times {outside} lie outside [t_start, t_end] = "
                f"[{self.t_start:g}, {self.t_end:g}] s"
            )


def march(
    transient: TransientModel,
    state: TransientState,
    settings: TimeSettings,
    *,
    on_step: Callable[[StepRecord, bool], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> str:
    """Advance ``state`` to ``settings.t_end`` (collective).

    Args:
        transient: The model.
        state: The state to advance (changed in place).
        settings: The run's settings.
        on_step: Called after every accepted step with (record, True at an output time).
        should_stop: Called after every step; True ends the march (must agree on ranks).

    Returns:
        Why the march ended: ``"t_end"``, ``"steady_state"`` or ``"interrupted"``.
    """
    control = settings.control if settings.adaptive else None
    targets = sorted({*settings.output_times, settings.t_end})
    while state.t < settings.t_end:
        target = next(t for t in targets if t > state.t)
        record = transient.step(state, target, control)
        if on_step is not None:
            on_step(record, record.t == target and target in settings.output_times)
        if settings.stop_at_steady_state and record.change_rate < settings.steady_tolerance:
            return "steady_state"
        if should_stop is not None and should_stop():
            return "interrupted"
    return "t_end"


__all__ = ["TimeSettings", "march"]
