"""Reacting slabs, effectiveness factors and Stefan flow: closed forms.

**First-order reversible isomerization A ⇌ B in a slab** (EMCD, c and D constant):
c D x'' = c k (x − x_eq), k = k_f + k_b [1/s], x_eq = k_b/k, m = √(k/D) [1/m]. With
u = x − x_eq:

* Dirichlet ends x(0) = x_0, x(L) = x_L: u = [u_0 sinh m(L − z) + u_L sinh mz] / sinh mL;
* x(0) = x_0 and a catalytic wall at z = L, N_A = c k_s (x − x_s,eq) (k_s = k_f,s + k_b,s
  [m/s], x_s,eq = k_b,s/k_s): u = u_0 cosh mz + β sinh mz with
  β = −[k_s (u_0 cosh mL + δ) + D m u_0 sinh mL] / (D m cosh mL + k_s sinh mL),
  δ = x_eq − x_s,eq (k_s = 0: zero flux, u = u_0 cosh m(L − z)/cosh mL).

**Effectiveness factors** of a first-order reaction with the surface held at x_s:
η = (actual consumption)/(consumption at x_s everywhere). Slab of half-thickness l
(φ = l √(k/D)): η = tanh φ/φ; infinite cylinder of radius R (φ = R √(k/D)):
η = 2 I_1(φ)/(φ I_0(φ)); sphere of radius R (φ = R √(k/D)): η = 3 (φ coth φ − 1)/φ².

**Stefan flow** (non-equimolar, 1D film 0 ≤ z ≤ L, surface reaction A → ν B at z = L so
N_B = −ν N_A): N_A = x_A (N_A + N_B) − c D dx_A/dz gives

    N_A = c D / ((1 − ν) L) · ln[(1 − (1 − ν) x_L) / (1 − (1 − ν) x_0)],

ν = 0 the Stefan tube (B stagnant), ν → 1 the EMCD limit c D (x_0 − x_L)/L; the profile is
1 − a x(z) = (1 − a x_0) exp(a N_A z/(c D)), a = 1 − ν.
"""

import math

import numpy as np
import numpy.typing as npt

from emcd_fem.errors import EmcdInputError

#: Below this |1 − ν| the Stefan closed forms use their EMCD limit's series (relative 1e-16).
_EMCD_LIMIT = 1e-8


def thiele_modulus(length: float, k: float, D: float) -> float:
    """φ = length √(k/D) [-]: length [m], k [1/s], D [m^2/s]."""
    if not (length > 0 and k >= 0 and D > 0):
        raise EmcdInputError("thiele_modulus needs length > 0, k ≥ 0 and D > 0")
    return float(length * math.sqrt(k / D))


def effectiveness_factor(shape: str, phi: float) -> float:
    """Effectiveness factor η of a first-order reaction in a slab, cylinder or sphere.

    ``"slab"`` tanh φ/φ, ``"cylinder"`` 2 I_1/(φ I_0), ``"sphere"`` 3 (φ coth φ − 1)/φ²
    (φ as defined for each shape in the module text).

    Small φ uses the series (η = 1 − φ²/3, 1 − φ²/8, 1 − φ²/15 + ...) to avoid cancellation.
    """
    if not phi >= 0:
        raise EmcdInputError(f"Thiele modulus must be ≥ 0, got {phi!r}")
    if shape == "slab":
        return 1.0 - phi**2 / 3 + 2 * phi**4 / 15 if phi < 1e-4 else math.tanh(phi) / phi
    if shape == "cylinder":
        if phi < 1e-4:
            return 1.0 - phi**2 / 8 + phi**4 / 48
        from scipy import special  # on use: the API's solve path does not load scipy

        return float(2 * special.i1e(phi) / (phi * special.i0e(phi)))
    if shape == "sphere":
        if phi < 1e-3:
            return 1.0 - phi**2 / 15 + 2 * phi**4 / 315
        return 3 * (phi / math.tanh(phi) - 1) / phi**2
    raise EmcdInputError(f"shape must be 'slab', 'cylinder' or 'sphere', got {shape!r}")


def _check_slab(L: float, k: float, D: float) -> float:
    if not (L > 0 and k > 0 and D > 0):
        raise EmcdInputError("a reacting slab needs L > 0, k > 0 and D > 0")
    return math.sqrt(k / D)


def isomerization_slab(
    z: npt.ArrayLike, L: float, x_0: float, x_L: float, k: float, D: float, x_eq: float
) -> npt.NDArray[np.float64]:
    """x_A(z) of A ⇌ B in a slab with x(0) = x_0, x(L) = x_L (module text) [-]."""
    m = _check_slab(L, k, D)
    z = np.asarray(z, dtype=float)
    u0, uL = x_0 - x_eq, x_L - x_eq
    # sinh ratios written with exponentials that cannot overflow for large mL
    s = np.exp(-m * z) * (1 - np.exp(-2 * m * (L - z))) / (1 - np.exp(-2 * m * L))
    t = np.exp(-m * (L - z)) * (1 - np.exp(-2 * m * z)) / (1 - np.exp(-2 * m * L))
    return x_eq + u0 * s + uL * t


def isomerization_slab_flux(
    z: float, c: float, L: float, x_0: float, x_L: float, k: float, D: float, x_eq: float
) -> float:
    """N_A(z) = −c D dx_A/dz [mol/(m^2 s)] of :func:`isomerization_slab`."""
    m = _check_slab(L, k, D)
    u0, uL = x_0 - x_eq, x_L - x_eq
    slope = m * (-u0 * math.cosh(m * (L - z)) + uL * math.cosh(m * z)) / math.sinh(m * L)
    return -c * D * slope


def isomerization_wall(
    z: npt.ArrayLike,
    L: float,
    x_0: float,
    k: float,
    D: float,
    x_eq: float,
    k_s: float,
    x_s_eq: float,
) -> npt.NDArray[np.float64]:
    """x_A(z) with x(0) = x_0 and a catalytic wall N_A = c k_s (x − x_s,eq) at z = L [-]."""
    m = _check_slab(L, k, D)
    if not k_s >= 0:
        raise EmcdInputError("k_s must be ≥ 0")
    z = np.asarray(z, dtype=float)
    u0, delta = x_0 - x_eq, x_eq - x_s_eq
    ch, sh = math.cosh(m * L), math.sinh(m * L)
    beta = -(k_s * (u0 * ch + delta) + D * m * u0 * sh) / (D * m * ch + k_s * sh)
    return x_eq + u0 * np.cosh(m * z) + beta * np.sinh(m * z)


def stefan_flux(c: float, D: float, L: float, x_0: float, x_L: float, nu: float) -> float:
    """N_A [mol/(m^2 s)] through a film with A → ν B at z = L (module text)."""
    a = 1.0 - nu
    if not (c > 0 and D > 0 and L > 0):
        raise EmcdInputError("stefan_flux needs c, D, L > 0")
    for x in (x_0, x_L):
        if not (0 <= x <= 1 and 1 - a * x > 0):
            raise EmcdInputError(
                f"x = {x!r} outside the Stefan model's range (0 ≤ x ≤ 1, 1 − (1 − ν) x > 0)"
            )
    if abs(a) < _EMCD_LIMIT:
        # ln(1 − a x_L) − ln(1 − a x_0) = a (x_0 − x_L) + a² (x_0² − x_L²)/2 + O(a³)
        return c * D / L * ((x_0 - x_L) + a * (x_0**2 - x_L**2) / 2)
    return c * D / (a * L) * math.log((1 - a * x_L) / (1 - a * x_0))


def stefan_profile(
    z: npt.ArrayLike, c: float, D: float, L: float, x_0: float, x_L: float, nu: float
) -> npt.NDArray[np.float64]:
    """x_A(z) of :func:`stefan_flux`: 1 − a x = (1 − a x_0) exp(a N_A z/(c D)), a = 1 − ν."""
    z = np.asarray(z, dtype=float)
    a = 1.0 - nu
    if abs(a) < _EMCD_LIMIT:
        return x_0 + (x_L - x_0) * z / L
    flux = stefan_flux(c, D, L, x_0, x_L, nu)
    return (1 - (1 - a * x_0) * np.exp(a * flux * z / (c * D))) / a


__all__ = [
    "effectiveness_factor",
    "isomerization_slab",
    "isomerization_slab_flux",
    "isomerization_wall",
    "stefan_flux",
    "stefan_profile",
    "thiele_modulus",
]
