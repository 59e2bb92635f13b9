"""The ``[time]`` section: a transient run (c ∂x_A/∂t + ∇·N_A = R_A) and its checks."""

from typing import Literal

from pydantic import ConfigDict, Field

from emcd_fem.case.base import Section as _Section


class InitialFrom(_Section):
    """Start from a previous transient run's final state (its checkpoint; steady runs: none).

    A steady run writes no checkpoint: to start from a steady state, run the case with
    [time] stop_at_steady_state = true first and start from that run's directory.
    """

    model_config = ConfigDict(populate_by_name=True)
    from_: str = Field(
        alias="from",
        description="Result directory of an earlier transient `emcd run` of this geometry "
        "(same kind, dimension and degree; `emcd check` looks at it).",
    )


class Time(_Section):
    """Transient run: time span, scheme, step control, outputs in time, checkpoints."""

    t_start: float = Field(default=0.0, description="Start time [s].")
    t_end: float = Field(description="End time [s] (> t_start).")
    dt: float = Field(description="Fixed step, or the first step when adaptive [s] (> 0).")
    scheme: Literal["bdf1", "bdf2"] = Field(
        default="bdf2",
        description="`bdf1` (backward Euler, order 1) or `bdf2` (variable-step BDF2, order 2, "
        "backward-Euler start).",
    )
    adaptive: bool = Field(
        default=False,
        description="Adapt dt to the local error estimate (implicit step vs explicit "
        "predictor, Milne's device) with rtol/atol.",
    )
    rtol: float = Field(default=1e-4, description="Relative tolerance of the step error [-].")
    atol: float = Field(
        default=1e-6, description="Absolute tolerance of the step error on μ = x_A/H [-]."
    )
    dt_min: float | None = Field(
        default=None, description="Smallest adaptive step [s] (default 1e-12 (t_end − t_start))."
    )
    dt_max: float | None = Field(
        default=None, description="Largest adaptive step [s] (default t_end − t_start)."
    )
    output_times: list[float] = Field(
        default_factory=list,
        description="Times [s] at which the fields are written (in [t_start, t_end]; the "
        "final state is always written).",
    )
    initial: float | str | InitialFrom = Field(
        default=0.0,
        description='Initial x_A: a number, an expression of x, y, z [m], or `{from = "DIR"}` '
        "(a previous transient run's final state). Across a partition interface without a "
        "film x_A jumps, so there the only consistent uniform start is 0 (the default); "
        'other starts need `{from = "DIR"}`.',
    )
    boundary_values: dict[str, str] = Field(
        default_factory=dict,
        description="Boundary → its mole_fraction or flux value as an expression of t [s], "
        'e.g. `left = "0.8*(1 - exp(-t/10))"`.',
    )
    stop_at_steady_state: bool = Field(
        default=False,
        description="Stop when max |Δμ| / (dt max |μ|) < steady_tolerance (reported); "
        "refused in a closed (flux-only) run without [[reactions]].",
    )
    steady_tolerance: float = Field(
        default=1e-6, description="Relative change per unit time of a steady state [1/s]."
    )
    checkpoint_every: int = Field(
        default=10, description="Write a checkpoint every this many steps (0: only at the end)."
    )
    resume: str | None = Field(
        default=None,
        description="Continue the checkpoint in this output directory (`emcd run --resume "
        "DIR` sets it).",
    )
    checkpoint_seconds: float | None = Field(
        default=None, description="Also write a checkpoint when this much wall time passed [s]."
    )
