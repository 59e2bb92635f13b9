"""α_T of a binary gas by the Chapman–Enskog first approximation (pure NumPy, no Cantera).

An independent cross-check of :func:`emcd_fem.materials.gas_data.thermal_diffusion_factor`
(Cantera): the same kinetic theory, written here for a binary of structureless molecules
(translational energy only) with the Lennard-Jones 12-6 potential.

Theory (Chapman & Cowling, *The Mathematical Theory of Non-uniform Gases*, 3rd ed., 1970,
ch. 9; Hirschfelder, Curtiss & Bird, *Molecular Theory of Gases and Liquids*, 1954, §7.4;
in the matrix form of Dixon-Lewis, Proc. R. Soc. A 307, 111, 1968): the perturbation of
each species' velocity distribution is expanded in Sonine polynomials; keeping the orders 0
and 1 gives, for K species, a 2K × 2K linear system L a = b with b = (0, x) whose blocks hold
the binary collision integrals through 𝒟_ij P (Chapman–Enskog binary diffusivity times the
pressure), A*, B*, C*; the thermal diffusion coefficients are D_k^T = (8/5) M_k x_k a_k / R
[kg/(m s)], the binary thermal diffusion ratio k_T = D_A^T M² / (ρ 𝒟_AB M_A M_B) and
α_T = k_T / (x_A x_B) (emcd_fem's sign: α_T > 0 drives A to the cold side). This is the
level at which thermal diffusion first appears ("first approximation" [k_T]_1); it differs
from Cantera's multicomponent transport by Cantera's internal-energy (rotational relaxation)
terms for polyatomic molecules and its tabulated collision integrals (Monchick & Mason).

Collision integrals: Ω^(1,1)* and Ω^(2,2)* from the Neufeld, Janzen & Aziz (1972) fits
(J. Chem. Phys. 57, 1100; Poling, Prausnitz & O'Connell 2001, eqs. 11-3.6 and 9-4.3),
Ω^(1,2)* and Ω^(1,3)* from the exact recurrence Ω^(l,s+1)* = Ω^(l,s)* + (T*/(s + 2))
dΩ^(l,s)*/dT* (differentiating the Ω^(1,1)* fit), so A* = Ω^(2,2)*/Ω^(1,1)*,
B* = (5 Ω^(1,2)* − 4 Ω^(1,3)*)/Ω^(1,1)*, C* = Ω^(1,2)*/Ω^(1,1)*. For the r^-12 wall (large
T*) C* → 1 − 2/(3·12) = 17/18.

Composition: at the first approximation α_T(x_A) is a ratio of a linear and a quadratic in
x_A (Hirschfelder, Curtiss & Bird eq. 8.2-50: k_T = x_A x_B (S_A x_A − S_B x_B)/(Q_A x_A² +
Q_B x_B² + Q_AB x_A x_B)), so :class:`CompositionLaw`
α_T(x) = (p0 + p1 x)/(1 + q1 x + q2 x²), fitted to α_T sampled across 0 < x < 1
(:func:`fit_composition_law`), carries the composition dependence into a run as a UFL
expression of x_A. It reproduces Cantera's α_T to ~1e-15 for monatomic pairs (He–Ar: the
same theory) and to ≲ 1e-5 for polyatomic ones (their internal-energy terms), while H2–N2's
α_T itself goes from −0.57 to −0.26 across the composition range.

Sensitivity: [k_T]_1 is proportional to 6 C*_AB − 5, which is small at low T* (≈ 0.4 at
T* = 2.5): pairs with small |α_T| (similar masses, e.g. N2–CO2) depend strongly on the
Lennard-Jones data (Poling's CO2 ε/k = 195 K against GRI-Mech's 244 K changes α_T by 40 %).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from emcd_fem.constants import BOLTZMANN, GAS_CONSTANT
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import kinetic_theory as kt

#: Neufeld et al. (1972) fit of Ω^(2,2)*(T*) (0.3 ≤ T* ≤ 100): A T*^-B + C e^(−D T*) + E e^(−F T*).
NEUFELD_22 = (1.16145, 0.14874, 0.52487, 0.77320, 2.16178, 2.43787)


@dataclass(frozen=True)
class CollisionRatios:
    """Reduced collision integrals and their ratios at one T* (Lennard-Jones 12-6).

    Attributes:
        omega11: Ω^(1,1)* [-]. omega22: Ω^(2,2)* [-].
        a_star: A* = Ω^(2,2)*/Ω^(1,1)*. b_star: B* = (5 Ω^(1,2)* − 4 Ω^(1,3)*)/Ω^(1,1)*.
        c_star: C* = Ω^(1,2)*/Ω^(1,1)*.
    """

    omega11: float
    omega22: float
    a_star: float
    b_star: float
    c_star: float


def _omega11_derivatives(t: float) -> tuple[float, float, float]:
    """Ω^(1,1)*(T*) of the Neufeld fit and its first two derivatives in T*."""
    a, b, c, d, e, f, g, h = kt.NEUFELD_11
    value = a * t**-b + c * math.exp(-d * t) + e * math.exp(-f * t) + g * math.exp(-h * t)
    first = (
        -a * b * t ** (-b - 1)
        - c * d * math.exp(-d * t)
        - e * f * math.exp(-f * t)
        - g * h * math.exp(-h * t)
    )
    second = (
        a * b * (b + 1) * t ** (-b - 2)
        + c * d**2 * math.exp(-d * t)
        + e * f**2 * math.exp(-f * t)
        + g * h**2 * math.exp(-h * t)
    )
    return value, first, second


def collision_ratios(reduced_temperature: float) -> CollisionRatios:
    """Ω^(1,1)*, Ω^(2,2)*, A*, B*, C* at T* = k_B T/ε (0.3 ≤ T* ≤ 100, the fits' range)."""
    t = float(reduced_temperature)
    if not 0.3 <= t <= 100:
        raise EmcdInputError(
            f"reduced temperature T* = {t:.3g} outside the collision-integral fits (0.3–100)"
        )
    o11, d1, d2 = _omega11_derivatives(t)
    o12 = o11 + t / 3 * d1  # Ω^(1,2)* by the recurrence (s = 1)
    o13 = o12 + t / 4 * (4 / 3 * d1 + t / 3 * d2)  # Ω^(1,3)*: (s = 2), dΩ^(1,2)*/dT*
    a, b, c, d, e, f = NEUFELD_22
    o22 = a * t**-b + c * math.exp(-d * t) + e * math.exp(-f * t)
    return CollisionRatios(o11, o22, o22 / o11, (5 * o12 - 4 * o13) / o11, o12 / o11)


def _gas(value: str | kt.Gas) -> kt.Gas:
    return value if isinstance(value, kt.Gas) else kt.gas(value)


def thermal_diffusion_factor_first(
    gas_a: str | kt.Gas,
    gas_b: str | kt.Gas,
    temperature: float,
    *,
    mole_fraction_a: float = 0.5,
) -> float:
    """α_T of A in the binary A–B [-] by the Chapman–Enskog first approximation.

    Args:
        gas_a: Species A: a built-in gas name (:data:`emcd_fem.materials.kinetic_theory.GASES`)
            or a :class:`~emcd_fem.materials.kinetic_theory.Gas` with its own Lennard-Jones
            data (σ [m], ε/k [K], M [kg/mol]).
        gas_b: Species B, likewise.
        temperature: T [K].
        mole_fraction_a: x_A, 0 < x_A < 1 (α_T depends on composition, not on pressure).

    Returns:
        α_T > 0 when A goes to the cold side (emcd_fem's convention), < 0 when to the hot.
    """
    if not (math.isfinite(temperature) and temperature > 0):
        raise EmcdInputError(f"temperature must be a finite number > 0 K, got {temperature!r}")
    if not 0 < mole_fraction_a < 1:
        raise EmcdInputError(f"mole_fraction_a must be in (0, 1), got {mole_fraction_a!r}")
    gases = (_gas(gas_a), _gas(gas_b))
    M = np.array([g.molar_mass for g in gases])
    x = np.array([mole_fraction_a, 1.0 - mole_fraction_a])
    avogadro = GAS_CONSTANT / BOLTZMANN
    kT = BOLTZMANN * temperature
    # 𝒟_ij P [Pa m^2/s] of every pair (i = j: the self-diffusion 6/5 A* η R T / M), A*, B*, C*
    DP, A, B, C = (np.zeros((2, 2)) for _ in range(4))
    for i in range(2):
        for j in range(2):
            r = collision_ratios(
                temperature / math.sqrt(gases[i].epsilon_over_k * gases[j].epsilon_over_k)
            )
            A[i, j], B[i, j], C[i, j] = r.a_star, r.b_star, r.c_star
            sigma = 0.5 * (gases[i].sigma + gases[j].sigma)
            if i != j:
                reduced = M[i] * M[j] / (M[i] + M[j]) / avogadro  # kg
                DP[i, j] = (
                    3
                    / 16
                    * math.sqrt(2 * math.pi * kT**3 / reduced)
                    / (math.pi * sigma**2 * r.omega11)
                )
            else:
                mass = M[i] / avogadro
                viscosity = (
                    5 / 16 * math.sqrt(math.pi * mass * kT) / (math.pi * sigma**2 * r.omega22)
                )
                DP[i, i] = 1.2 * GAS_CONSTANT * temperature * viscosity * A[i, i] / M[i]
    L = np.zeros((4, 4))
    s = 16 * temperature / 25
    for i in range(2):  # order 0 × order 0 (the diffusion block; zero diagonal)
        j = 1 - i
        L[i, j] = s * x[j] * (M[j] * x[j] / (DP[i, j] * M[i]) + x[i] / DP[i, j])
    for j in range(2):  # order 0 × order 1 (couples diffusion to heat flux: 6/5 C* − 1)
        for i in range(2):
            L[i, 2 + j] = (
                -1.6
                * temperature
                * x[i]
                * x[j]
                * M[i]
                * (1.2 * C[j, i] - 1)
                / ((M[j] + M[i]) * DP[j, i])
            )
        L[j, 2 + j] -= L[:2, 2 + j].sum()
    L[2:, :2] = L[:2, 2:].T
    for j in range(2):  # order 1 × order 1 (the heat-conduction block)
        total = 0.0
        for i in range(2):
            scale = DP[i, j] * (M[i] + M[j]) ** 2
            L[2 + i, 2 + j] = (
                s * x[j] * x[i] * M[i] * M[j] / scale * (13.75 - 3 * B[i, j] - 4 * A[i, j])
            )
            total += (
                x[i]
                / scale
                * (7.5 * M[j] ** 2 + M[i] ** 2 * (6.25 - 3 * B[i, j]) + 4 * A[i, j] * M[i] * M[j])
            )
        L[2 + j, 2 + j] -= s * x[j] * total
    a = np.linalg.solve(L, np.concatenate([np.zeros(2), x]))
    thermal = 1.6 / GAS_CONSTANT * M * x * a[:2]  # D_k^T [kg/(m s)] (independent of P)
    mean = float(x @ M)
    density_over_p = mean / (GAS_CONSTANT * temperature)  # ρ / P
    k_t = thermal[0] * mean**2 / (density_over_p * DP[0, 1] * M[0] * M[1])
    return float(k_t / (x[0] * x[1]))


#: Largest |α_T(law) − α_T(sample)| accepted when fitting a :class:`CompositionLaw` [-]
#: (the fits reach 1e-15 to 5e-6 for gas pairs; 1e-4 is ~0.1–1 % of typical |α_T|).
FIT_TOLERANCE: float = 1e-4
#: Mole fractions at which α_T is sampled for the fit (Cantera needs 0 < x_A < 1).
FIT_SAMPLES: tuple[float, ...] = tuple(float(v) for v in np.linspace(0.01, 0.99, 33))


@dataclass(frozen=True)
class CompositionLaw:
    """α_T of a binary as a function of x_A: (p0 + p1 x)/(1 + q1 x + q2 x²) [-].

    Attributes:
        coefficients: (p0, p1, q1, q2).
        fit_error: Largest |law − sample| over the fitted samples [-].
        samples: The (x_A, α_T) pairs the law was fitted to.
    """

    coefficients: tuple[float, float, float, float]
    fit_error: float = 0.0
    samples: tuple[tuple[float, float], ...] = ()

    def __call__(self, x: float | np.ndarray) -> float | np.ndarray:
        """α_T at mole fraction(s) x_A (any number; the fit covers 0 ≤ x_A ≤ 1)."""
        p0, p1, q1, q2 = self.coefficients
        return (p0 + p1 * x) / (1 + q1 * x + q2 * x * x)


def fit_composition_law(
    alpha_of_x: Callable[[float], float], samples: tuple[float, ...] = FIT_SAMPLES
) -> CompositionLaw:
    """The :class:`CompositionLaw` through α_T sampled at ``samples`` (linear least squares).

    Args:
        alpha_of_x: x_A → α_T [-] (e.g. Cantera's, at fixed T and P).
        samples: Mole fractions in (0, 1).

    Raises:
        EmcdInputError: the law misses a sample by more than :data:`FIT_TOLERANCE`, or its
            denominator vanishes on 0 ≤ x_A ≤ 1.
    """
    x = np.asarray(samples, dtype=float)
    alpha = np.array([alpha_of_x(float(v)) for v in x])
    # α (1 + q1 x + q2 x²) = p0 + p1 x: linear in (p0, p1, q1, q2)
    matrix = np.column_stack([np.ones_like(x), x, -alpha * x, -alpha * x * x])
    solution = np.linalg.lstsq(matrix, alpha, rcond=None)[0]
    coefficients = tuple(float(c) for c in solution)
    law = CompositionLaw(coefficients)  # type: ignore[arg-type]
    error = float(np.abs(law(x) - alpha).max())
    grid = np.linspace(0.0, 1.0, 1001)
    denominator = 1 + coefficients[2] * grid + coefficients[3] * grid**2
    if not error <= FIT_TOLERANCE or denominator.min() <= 0:
        raise EmcdInputError(
            f"α_T(x_A) does not follow the Chapman–Enskog form (p0 + p1 x)/(1 + q1 x + q2 x²) "
            f"(largest misfit {error:.3g} > {FIT_TOLERANCE:g}); give thermal_diffusion_factor "
            "as a number"
        )
    pairs = tuple((float(a), float(b)) for a, b in zip(x, alpha, strict=True))
    return CompositionLaw(coefficients, error, pairs)  # type: ignore[arg-type]


#: Target of the α_T(T, x_A) fit [-]: the polynomial degree in ln T is raised until the
#: misfit to the samples falls below this (or stops improving); polyatomic pairs level off
#: at ~2e-6 (the rational form in x_A itself), monatomic ones reach 1e-8.
TEMPERATURE_FIT_TARGET: float = 2e-6
#: Polynomial degrees in ln T tried, in order.
TEMPERATURE_DEGREES: tuple[int, ...] = (2, 4, 6, 8, 10)
#: Mole fractions of the α_T(T, x_A) fit's samples (and of its check, between them).
_X_SAMPLES = np.linspace(0.01, 0.99, 17)
_X_CHECK = np.linspace(0.005, 0.995, 23)


@dataclass(frozen=True)
class TemperatureCompositionLaw:
    """α_T of a binary as a function of T and x_A [-], fitted over a temperature range.

    α_T(T, x) = (P0(τ) + P1(τ) x)/(1 + Q1(τ) x + Q2(τ) x²), τ = (ln T − centre)/half_width
    ∈ [−1, 1] on the fitted range, each of P0, P1, Q1, Q2 a polynomial in τ (power basis,
    lowest degree first): kinetic theory's composition form at every T, with coefficients
    that follow T* = k_B T/ε through the collision integrals.

    Attributes:
        coefficients: (P0, P1, Q1, Q2), each a tuple of degree + 1 power-basis coefficients.
        centre: Mid value of ln(T / 1 K) over the range [-]. half_width: Half its span [-].
        fit_error: Largest |law − α_T| over the samples and the check points between them.
        temperatures: (T_min, T_max) of the fit [K]; outside it the law is not used.
    """

    coefficients: tuple[tuple[float, ...], ...]
    centre: float
    half_width: float
    fit_error: float
    temperatures: tuple[float, float]

    @property
    def degree(self) -> int:
        """Polynomial degree in τ."""
        return len(self.coefficients[0]) - 1

    def __call__(self, temperature: float | np.ndarray, x: float | np.ndarray) -> np.ndarray:
        """α_T at T [K] and mole fraction(s) x_A (NumPy broadcasting)."""
        tau = (np.log(temperature) - self.centre) / self.half_width
        p0, p1, q1, q2 = (np.polynomial.polynomial.polyval(tau, c) for c in self.coefficients)
        return (p0 + p1 * x) / (1 + q1 * x + q2 * x * x)

    def at(self, temperature: float) -> CompositionLaw:
        """The composition law at one T [K] (used as the whole law when T_min = T_max)."""
        tau = (math.log(temperature) - self.centre) / self.half_width
        values = [float(np.polynomial.polynomial.polyval(tau, c)) for c in self.coefficients]
        return CompositionLaw(tuple(values))  # type: ignore[arg-type]


def fit_temperature_law(
    alpha_of: Callable[[float, float], float], temperatures: tuple[float, float]
) -> TemperatureCompositionLaw:
    """The :class:`TemperatureCompositionLaw` through α_T(T, x_A) on T_min ≤ T ≤ T_max.

    Samples α_T at Chebyshev temperatures (in ln T) × 17 mole fractions, fits all
    coefficients at once by linear least squares (α (1 + Q1 x + Q2 x²) = P0 + P1 x, Chebyshev
    basis in τ), raising the degree until the misfit, measured at the samples and at points
    between them in both T and x_A, is below :data:`TEMPERATURE_FIT_TARGET`.

    Args:
        alpha_of: (T [K], x_A) → α_T [-] (e.g. Cantera's).
        temperatures: (T_min, T_max) [K], 0 < T_min ≤ T_max.

    Raises:
        EmcdInputError: the best misfit exceeds :data:`FIT_TOLERANCE`, or a denominator
            vanishes on the range.
    """
    cheb = np.polynomial.chebyshev
    low, high = (float(t) for t in temperatures)
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low <= high):
        raise EmcdInputError(
            f"temperature range must satisfy 0 < T_min <= T_max, got {temperatures}"
        )
    centre = 0.5 * (math.log(high) + math.log(low))
    half = max(0.5 * (math.log(high) - math.log(low)), 1e-12)
    nodes = 2 * max(TEMPERATURE_DEGREES) + 3
    tau = np.cos(np.pi * (np.arange(nodes) + 0.5) / nodes)
    tau_check = np.linspace(-1.0, 1.0, 2 * nodes + 1)
    sample = np.array([[alpha_of(math.exp(centre + half * t), x) for x in _X_SAMPLES] for t in tau])
    check = np.array(
        [[alpha_of(math.exp(centre + half * t), x) for x in _X_CHECK] for t in tau_check]
    )
    tt, xx = (g.ravel() for g in np.meshgrid(tau, _X_SAMPLES, indexing="ij"))
    a = sample.ravel()
    best = None
    for degree in TEMPERATURE_DEGREES:
        v = cheb.chebvander(tt, degree)
        matrix = np.hstack(
            [v, v * xx[:, None], -v * (a * xx)[:, None], -v * (a * xx * xx)[:, None]]
        )
        solution = np.linalg.lstsq(matrix, a, rcond=None)[0].reshape(4, degree + 1)
        coefficients = tuple(tuple(float(c) for c in cheb.cheb2poly(row)) for row in solution)
        law = TemperatureCompositionLaw(coefficients, centre, half, 0.0, (low, high))
        error = max(
            float(np.abs(law(math.exp(centre) * np.exp(half * tt), xx) - a).max()),
            float(
                np.abs(
                    law(np.exp(centre + half * tau_check)[:, None], _X_CHECK[None, :]) - check
                ).max()
            ),
        )
        grid = np.linspace(-1.0, 1.0, 201)[:, None]
        xs = np.linspace(0.0, 1.0, 101)[None, :]
        q1, q2 = (np.polynomial.polynomial.polyval(grid, c) for c in coefficients[2:])
        if (1 + q1 * xs + q2 * xs * xs).min() <= 0:
            continue
        if best is None or error < best.fit_error:
            best = TemperatureCompositionLaw(coefficients, centre, half, error, (low, high))
        if error <= TEMPERATURE_FIT_TARGET:
            break
    if best is None or not best.fit_error <= FIT_TOLERANCE:
        found = "no fit" if best is None else f"largest misfit {best.fit_error:.3g}"
        raise EmcdInputError(
            f"α_T(T, x_A) over {low:g}–{high:g} K does not follow kinetic theory's form "
            f"(p0 + p1 x)/(1 + q1 x + q2 x²) with coefficients polynomial in ln T ({found} > "
            f"{FIT_TOLERANCE:g}); give thermal_diffusion_factor as a number"
        )
    return best


__all__ = [
    "FIT_SAMPLES",
    "FIT_TOLERANCE",
    "NEUFELD_22",
    "TEMPERATURE_DEGREES",
    "TEMPERATURE_FIT_TARGET",
    "CollisionRatios",
    "CompositionLaw",
    "TemperatureCompositionLaw",
    "collision_ratios",
    "fit_composition_law",
    "fit_temperature_law",
    "thermal_diffusion_factor_first",
]
