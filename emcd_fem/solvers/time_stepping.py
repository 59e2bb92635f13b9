"""Time integrators of the transient model: variable-step BDF1/BDF2 and the step control.

Pure numbers, no PETSc: the model (``emcd_fem.models.transient``) assembles
a0 u^{n+1} + a1 u^n + a2 u^{n-1} ≈ ∂u/∂t at t_{n+1} with the coefficients of
:func:`bdf_coefficients` [1/s].

Local error estimate (no extra solve): the solution u_c of the implicit step is compared
with the explicit predictor u_p, the polynomial through the last k+1 accepted states
extrapolated to t_{n+1} (k = the scheme's order). For a smooth solution both err by a
multiple of the (k+1)-th derivative: u_c − u = E_c u^{(k+1)}, u_p − u = E_p u^{(k+1)},
with E_c, E_p computed for the actual step sizes by :func:`error_constants` (exact on a
polynomial of degree k+1). Hence the estimate of the scheme's local error

    err ≈ E_c / (E_c − E_p) · (u_c − u_p)

(Milne's device; constant steps: 1/3 for BDF1, 2/11 for BDF2). The step is accepted when
max_i |err_i| / (atol + rtol |u_i|) ≤ 1, and the next step is
dt · min(growth, max(shrink, safety · ratio^(−1/(k+1)))) within [dt_min, dt_max].
The first k steps have too few states for the predictor and are taken unestimated with
the initial dt (choose it small enough for the start).
"""

import math
from dataclasses import dataclass

import numpy as np

from emcd_fem.errors import EmcdInputError, EmcdSolverError

#: Schemes by name → order.
SCHEMES = {"bdf1": 1, "bdf2": 2}


def bdf_coefficients(
    order: int, dt: float, dt_previous: float | None
) -> tuple[float, float, float]:
    """(a0, a1, a2) [1/s] of the variable-step BDF of ``order`` (1 or 2).

    BDF1 (backward Euler): (1, −1, 0)/dt. BDF2 with ω = dt/dt_previous:
    a0 = (1 + 2ω)/((1 + ω) dt), a1 = −(1 + ω)/dt, a2 = ω²/((1 + ω) dt); exact for
    quadratics in t.
    """
    if order == 1 or dt_previous is None:
        return 1.0 / dt, -1.0 / dt, 0.0
    w = dt / dt_previous
    return (1 + 2 * w) / ((1 + w) * dt), -(1 + w) / dt, w * w / ((1 + w) * dt)


def _extrapolate(times: list[float], values: list[float], t: float) -> float:
    """Lagrange polynomial through (times, values) evaluated at t."""
    total = 0.0
    for i, (ti, vi) in enumerate(zip(times, values, strict=True)):
        weight = 1.0
        for j, tj in enumerate(times):
            if j != i:
                weight *= (t - tj) / (ti - tj)
        total += weight * vi
    return total


def predictor_weights(times: list[float], t: float) -> list[float]:
    """Weights of the Lagrange extrapolation from ``times`` (oldest first) to ``t``."""
    return [
        _extrapolate(times, [1.0 if j == i else 0.0 for j in range(len(times))], t)
        for i in range(len(times))
    ]


def error_constants(order: int, steps: list[float]) -> tuple[float, float]:
    """(E_c, E_p) of the step ``steps[-1]`` after ``steps[:-1]`` (oldest first) [s^(k+1)].

    E_c: error of the BDF step on u' = p'(t), p = t^(k+1)/(k+1)! (exact past values);
    E_p: error of the extrapolation through the k+1 previous states. Both are the factors
    of u^{(k+1)} in the local errors of a smooth solution.
    """
    k = order
    times = [0.0]
    for h in steps:
        times.append(times[-1] + h)
    t_new = times[-1]
    factorial = math.factorial(k + 1)

    def p(t: float) -> float:
        return t ** (k + 1) / factorial

    def dp(t: float) -> float:
        return t**k / math.factorial(k)

    dt = steps[-1]
    a0, a1, a2 = bdf_coefficients(k, dt, steps[-2] if k == 2 else None)
    u_c = (dp(t_new) - a1 * p(times[-2]) - (a2 * p(times[-3]) if k == 2 else 0.0)) / a0
    past = times[-(k + 2) : -1]
    u_p = _extrapolate(past, [p(t) for t in past], t_new)
    return u_c - p(t_new), u_p - p(t_new)


@dataclass(frozen=True)
class StepControl:
    """User settings of the adaptive step control.

    Attributes:
        rtol: Relative tolerance [-] (> 0).
        atol: Absolute tolerance on the potential μ = x_A/H [-] (> 0).
        dt_min: Smallest step [s]; a rejected step below it is a solver failure.
        dt_max: Largest step [s].
        safety: Safety factor of the new step [-].
        growth: Largest ratio of consecutive steps [-].
        shrink: Smallest ratio of consecutive steps [-].
    """

    rtol: float = 1e-4
    atol: float = 1e-6
    dt_min: float = 1e-12
    dt_max: float = math.inf
    safety: float = 0.9
    growth: float = 2.0
    shrink: float = 0.2

    def __post_init__(self) -> None:
        for name in ("rtol", "atol", "dt_min", "dt_max"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and value > 0 and not math.isnan(value)):
                raise EmcdInputError(f"time.{name} must be a number > 0, got {value!r}")
        if self.dt_min > self.dt_max:
            raise EmcdInputError(
                f"time.dt_min = {self.dt_min:g} s exceeds time.dt_max = {self.dt_max:g} s"
            )

    def error_ratio(self, estimate: np.ndarray, solution: np.ndarray) -> float:
        """The ratio max |err| / (atol + rtol |u|) on this rank (reduce with MAX across ranks)."""
        if estimate.size == 0:
            return 0.0
        return float(np.max(np.abs(estimate) / (self.atol + self.rtol * np.abs(solution))))

    def next_step(self, dt: float, ratio: float, order: int) -> float:
        """The step after one of ``dt`` with error ratio ``ratio`` (accepted or not) [s]."""
        if ratio <= 0.0:
            factor = self.growth
        else:
            factor = self.safety * ratio ** (-1.0 / (order + 1))
        factor = min(self.growth, max(self.shrink, factor))
        return min(self.dt_max, dt * factor)

    def check_step(self, dt: float, t: float, ratio: float) -> None:
        """Raise :class:`EmcdSolverError` when a rejected step would go below dt_min."""
        if dt < self.dt_min * (1 - 1e-12):
            raise EmcdSolverError(
                f"the time step fell below time.dt_min = {self.dt_min:g} s at t = {t:.6g} s "
                f"(error ratio {ratio:.3g}): loosen time.rtol/time.atol or lower time.dt_min"
            )


__all__ = [
    "SCHEMES",
    "StepControl",
    "bdf_coefficients",
    "error_constants",
    "predictor_weights",
]
