"""Exact and high-accuracy steady Soret (thermal-diffusion) profiles in a slab."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import Material


# -- thermal diffusion (Soret) -------------------------------------------------------------------
@dataclass(frozen=True)
class SoretSlabSolution:
    """Exact steady EMCD with thermal diffusion in a slab with a linear temperature.

    N_A = −c D (dx/dz + S_T x (1 − x) dT/dz) is constant; with G = dT/dz and k = S_T G,
    x' = k x² − k x − N/(c D), a Riccati equation with constant coefficients.

    Attributes:
        length: L [m].
        flux: N_A [mol/(m^2 s)] in +z.
        k: S_T G [1/m].
        n: N/(c D) [1/m].
        x0: x_A(0).
    """

    length: float
    flux: float
    k: float
    n: float
    x0: float

    def mole_fraction(self, z: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """x_A(z) in closed form (0 <= z <= L)."""
        return _riccati(np.asarray(z, dtype=float), self.k, self.n, self.x0)


def _riccati(z: np.ndarray, k: float, n: float, x0: float) -> np.ndarray:
    """Solution of x' = k (x² − x) − n, x(0) = x0, on the pole-free stretch from z = 0.

    With y = x − ½ and m = n + k/4 the equation is y' = k y² − m, solved in the forms that
    stay well conditioned as k → 0 (they tend to the linear profile y0 − n z):
    k m > 0, s = sqrt(m/k): y = s tanh(atanh(y0/s) − k s z) for |y0| < s, y = s coth(...)
    for |y0| > s, y = ±s (a fixed point) for |y0| = s; k m < 0, w = sqrt(−m/k):
    y = w tan(atan(y0/w) + k w z); m = 0: y = y0/(1 − k y0 z); k = 0: y = y0 − n z.
    """
    y0 = x0 - 0.5
    if k == 0.0:
        return x0 - n * z
    m = n + 0.25 * k
    if m == 0.0:
        return 0.5 + y0 / (1.0 - k * y0 * z)
    ratio = m / k
    if ratio > 0:
        s = np.sqrt(ratio)
        if abs(y0) < s:
            return 0.5 + s * np.tanh(np.arctanh(y0 / s) - k * s * z)
        if abs(y0) > s:
            return 0.5 + s / np.tanh(np.arctanh(s / y0) - k * s * z)
        return np.full_like(z, x0)
    w = np.sqrt(-ratio)
    return 0.5 + w * np.tan(np.arctan(y0 / w) + k * w * z)


def _riccati_travel(k: float, m: float, y0: float, y1: float) -> float:
    """Distance z over which y' = k y² − m carries y from y0 to y1.

    The caller guarantees that k y² − m has one sign on [y0, y1] (monotone, no fixed point
    between them). The inverse of the forms in ``_riccati`` (∫ dy/(k y² − m) in closed form).
    """
    if k == 0.0:
        return (y0 - y1) / m
    if m == 0.0:
        return (1.0 / y0 - 1.0 / y1) / k
    ratio = m / k
    if ratio > 0:
        s = np.sqrt(ratio)

        def atanh(v: float) -> float:
            # next to the fixed point (m at its edge value) v rounds to ±1 or just beyond:
            # the travel there is large but finite, never inf/NaN (brentq needs a number)
            edge = np.nextafter(1.0, 0.0)
            return float(np.arctanh(np.clip(v, -edge, edge)))

        if max(abs(y0), abs(y1)) < s:
            return float((atanh(y0 / s) - atanh(y1 / s)) / (k * s))
        return float((atanh(s / y0) - atanh(s / y1)) / (k * s))
    w = np.sqrt(-ratio)
    return float((np.arctan(y1 / w) - np.arctan(y0 / w)) / (k * w))


def soret_slab(
    length: float,
    material: Material,
    soret_coefficient: float,
    temperatures: tuple[float, float],
    mole_fractions: tuple[float, float],
) -> SoretSlabSolution:
    """Exact steady profile and flux with a linear temperature between the ends.

    Valid for every S_T, ΔT and end values in [0, 1]: the steady x_A lies between 0 and 1
    (x_A = 0 and 1 are solutions and the problem has a comparison principle) and is
    monotone (x' = k x² − k x − n vanishes only at a fixed point), so n = N/(c D) is the
    unique root of L = ∫_{x_L}^{x_0} dx / (n − k (x² − x)) with the integrand of one sign
    between the end values. That integral is in closed form (``_riccati_travel``) and
    decreases strictly from ∞ to 0 as n moves away from the extreme of k (x² − x) on the
    interval, so the root is bracketed and found by brentq on a logarithmic scale (to
    round-off; checked against an independent collocation solve, ``scipy.integrate.
    solve_bvp``, for |S_T ΔT| up to 10 in the tests). Equal end values give the constant
    profile, N = c D k x_0 (x_0 − 1).

    Args:
        length: L [m].
        material: c [mol/m^3], D [m^2/s] (constant).
        soret_coefficient: S_T [1/K]; S_T > 0 drives A towards the cold side.
        temperatures: (T(0), T(L)) [K], both > 0.
        mole_fractions: (x_A(0), x_A(L)) in [0, 1].

    Returns:
        The solution.

    Raises:
        EmcdInputError: temperatures <= 0, L <= 0 or end values outside [0, 1].
    """
    from scipy.optimize import brentq

    if min(temperatures) <= 0:
        raise EmcdInputError("temperatures must be > 0 K")
    if not length > 0:
        raise EmcdInputError(f"soret_slab: the length must be positive, got {length}")
    x0, x_l = (float(v) for v in mole_fractions)
    if not (0.0 <= x0 <= 1.0 and 0.0 <= x_l <= 1.0):
        raise EmcdInputError(f"soret_slab: end mole fractions {mole_fractions} outside [0, 1]")
    k = soret_coefficient * (temperatures[1] - temperatures[0]) / length
    cd = material.concentration * material.diffusivity
    y0, y1 = x0 - 0.5, x_l - 0.5
    if y0 == y1:
        n = k * (x0 * x0 - x0)
        return SoretSlabSolution(length=length, flux=n * cd, k=k, n=n, x0=x0)
    # decreasing profile (y0 > y1): k y² − m < 0 on [y1, y0], i.e. m > m_edge; increasing:
    # m < m_edge. ∫ grows without bound as m → m_edge and falls below L at m_edge ± Δ/L.
    lo, hi = min(y0, y1), max(y0, y1)
    candidates = [k * lo * lo, k * hi * hi] + ([0.0] if lo < 0.0 < hi else [])
    sign = 1.0 if y0 > y1 else -1.0
    m_edge = max(candidates) if sign > 0 else min(candidates)
    span = (hi - lo) / length

    def mismatch(log_t: float) -> float:
        m = m_edge + sign * span * np.exp(log_t)
        with np.errstate(divide="ignore", invalid="ignore"):  # an end at y = 0: s/y = ±inf
            return _riccati_travel(k, m, y0, y1) - length

    low = -1.0
    while mismatch(low) <= 0.0 and low > -700.0:
        low *= 2.0
    if mismatch(0.0) == 0.0:
        log_t = 0.0
    elif mismatch(low) <= 0.0:  # a boundary layer thinner than round-off: the edge value
        log_t = low
    else:
        log_t = brentq(mismatch, low, 0.0, xtol=1e-15, rtol=1e-15, maxiter=500)
    m = m_edge + sign * span * np.exp(log_t)
    n = float(m - 0.25 * k)
    return SoretSlabSolution(length=length, flux=n * cd, k=k, n=n, x0=x0)


def soret_flux_split(solution: SoretSlabSolution, material: Material, z: npt.ArrayLike) -> dict:
    """Fickian and thermal-diffusion parts of the constant flux at positions z.

    N_Fick = −c D x' = c D (n + k x (1 − x)) and N_thermal = −c D k x (1 − x) [mol/(m^2 s)];
    they add up to N at every z.
    """
    cd = material.concentration * material.diffusivity
    x = solution.mole_fraction(z)
    thermal = -cd * solution.k * x * (1.0 - x)
    return {"fickian": cd * solution.n - thermal, "thermal": thermal}


def soret_slab_numerical(
    length: float,
    conductance: Callable[[np.ndarray], np.ndarray],
    soret: Callable[[np.ndarray], np.ndarray],
    temperatures: tuple[float, float],
    mole_fractions: tuple[float, float],
) -> tuple[float, Callable[[np.ndarray], np.ndarray]]:
    """High-accuracy 1D reference with T-dependent properties and a linear temperature.

    Solves x' = −N/(c D)(T) − S_T(T) x (1 − x) T' with T(z) linear between the ends by
    shooting on N (DOP853 with rtol 1e-13, brentq to 1e-15): a numerical reference for
    the temperature-dependent problem, which has no closed form. x(L) decreases strictly
    with N (comparison principle), and a trajectory that leaves [−1, 2] is stopped and
    counted as above/below the target, so the bracket is widened until it holds the root
    whatever the strength of thermal diffusion (tested against the closed form up to
    |S_T ΔT| = 6).

    Args:
        length: L [m].
        conductance: T [K] → c(T) D(T) [mol/(m s)].
        soret: T [K] → S_T(T) [1/K].
        temperatures: (T(0), T(L)) [K].
        mole_fractions: (x_A(0), x_A(L)).

    Returns:
        (N [mol/(m^2 s)], z → x_A(z)).
    """
    from scipy.integrate import solve_ivp
    from scipy.optimize import brentq

    t0, t1 = temperatures
    gradient = (t1 - t0) / length
    target = mole_fractions[1]

    def rhs(n: float):
        def f(z, x):
            t = t0 + gradient * z
            return -n / conductance(t) - soret(t) * x * (1 - x) * gradient

        return f

    def escape(_z, x):
        return (x[0] + 1.0) * (2.0 - x[0])

    escape.terminal = True

    def shoot(n: float):
        return solve_ivp(
            rhs(n),
            (0.0, length),
            [mole_fractions[0]],
            method="DOP853",
            rtol=1e-13,
            atol=1e-15,
            dense_output=True,
            events=escape,
        )

    def mismatch(n: float) -> float:
        result = shoot(n)
        if result.status == 1:  # left [−1, 2] before z = L: beyond any target in [0, 1]
            return 3.0 if result.y[0, -1] > 0.5 else -3.0
        return float(result.y[0, -1] - target)

    cd0 = float(conductance(np.array(t0)))
    n_fick = cd0 * (mole_fractions[0] - target) / length
    span = abs(n_fick) + cd0 / length
    low, high = n_fick - span, n_fick + span
    for _ in range(200):
        f_low, f_high = mismatch(low), mismatch(high)
        if f_low >= 0 >= f_high:
            break
        if f_low < 0:
            low -= span
        if f_high > 0:
            high += span
        span *= 2.0
    flux = brentq(mismatch, low, high, xtol=1e-16 * max(abs(n_fick), 1e-30), rtol=1e-14)
    solution = shoot(flux)
    return float(flux), lambda z: solution.sol(np.asarray(z, dtype=float))[0]
