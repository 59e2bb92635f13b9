"""The records of a transient march: one accepted step, and the state to continue from.

Kept apart from :mod:`emcd_fem.models.transient` (the model and its step) so that the
writers (``io.time_series``, ``io.checkpoint``) need only these plain records.
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class StepRecord:
    """One accepted step.

    Attributes:
        step: Step number (1 = the first step).
        t: Time at the end of the step [s]. dt: The step [s].
        boundary_flux: Boundary → outward flow q_Γ [mol/s] (per unit depth in 2D).
        inventory: ∫ c x_A dx [mol] at t.
        inventory_rate: d(inventory)/dt by the scheme's difference [mol/s].
        production: ∫ R_A dx [mol/s].
        balance: inventory_rate + Σ q_Γ − production [mol/s] (zero up to the solver).
        error_ratio: The error estimate / tolerance of the step (None when not estimated).
        rejected: Steps rejected before this one was accepted.
        change_rate: max |Δμ| / (dt max |μ|) [1/s] (the steady-state measure; with a
            transient T the larger of it and max |ΔT| / (dt max |T|)).
        heat_flow: Boundary → outward heat flow [W] (per unit depth in 2D) with a
            transient temperature, else None.
        heat_energy: ∫ ρ c_p T dx [J] at t (transient temperature). heat_balance:
            d(heat_energy)/dt + Σ heat_flow − ∫ Q dx [W] (zero up to the solver).
    """

    step: int
    t: float
    dt: float
    boundary_flux: dict[str, float]
    inventory: float
    inventory_rate: float
    production: float
    balance: float
    error_ratio: float | None
    rejected: int
    change_rate: float
    heat_flow: dict[str, float] | None = None
    heat_energy: float | None = None
    heat_balance: float | None = None


@dataclass
class TransientState:
    """What the march needs to continue (checkpointed by ``emcd_fem.io.checkpoint``).

    Attributes:
        t: Current time [s]. dt: Next step [s]. step: Accepted steps so far.
        times: Times of the stored states, oldest first (up to 3) [s].
        states: Per stored time, the local arrays of the block potentials.
        inventories: Per stored time, ∫ c x_A dx [mol].
        records: The accepted steps so far.

    With a transient temperature each stored state ends with the local array of T.
    """

    t: float
    dt: float
    step: int = 0
    times: list[float] = field(default_factory=list)
    states: list[list[np.ndarray]] = field(default_factory=list)
    inventories: list[float] = field(default_factory=list)
    records: list[StepRecord] = field(default_factory=list)


__all__ = ["StepRecord", "TransientState"]
