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
from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class InterfaceReactionSlab:
    """Two layers with a reacting interface (:func:`interface_reaction_slab`).

    Attributes:
        x_a: x_A at the interface on layer 1's side [-].
        x_b: x_A at the interface on layer 2's side [-].
        flux_1: N_A in layer 1, along +z [mol/(m^2 s)] (= inflow at z = 0).
        flux_2: N_A in layer 2, along +z [mol/(m^2 s)] (= outflow at z = L_1 + L_2).
        consumption: flux_1 − flux_2: the A consumed at the interface [mol/(m^2 s)].
    """

    x_a: float
    x_b: float
    flux_1: float
    flux_2: float
    consumption: float

    def profile(self, z: npt.ArrayLike, lengths: tuple[float, float], x_0: float, x_L: float):
        """x_A(z) [-]: linear in each layer (x_a at the interface in layer 1, x_b in 2)."""
        z = np.asarray(z, dtype=float)
        L1, L2 = lengths
        return np.where(
            z <= L1, x_0 + (self.x_a - x_0) * z / L1, self.x_b + (x_L - self.x_b) * (z - L1) / L2
        )


def interface_reaction_slab(
    lengths: tuple[float, float],
    diffusivities: tuple[float, float],
    concentrations: tuple[float, float],
    x_0: float,
    x_L: float,
    *,
    k_s: float = 0.0,
    x_eq: float = 0.0,
    kappa: float = 1.0,
    film: float | None = None,
    side: str = "a",
    rate: Callable[[float], float] | None = None,
    bracket: tuple[float, float] = (0.0, 1.0),
) -> InterfaceReactionSlab:
    """Two-layer slab, x(0) = x_0, x(L_1 + L_2) = x_L, a surface reaction at z = L_1 (EMCD).

    Layers m = 1 (side a), 2 (side b) with c_m [mol/m^3], D_m [m^2/s], L_m [m]: the profile
    is linear in each layer, N_1 = g_1 (x_0 − x_a), N_2 = g_2 (x_b − x_L), g_m = c_m D_m/L_m.
    At the interface x_b = κ x_a (partition, κ = H_b/H_a = K c_a/c_b; κ = 1 continuous) or,
    with a film k [mol/(m^2 s)], J = k (x_a − x_b/κ). The reaction consumes
    q(s) = c_s k_s (s − x_eq) [mol/(m^2 s)] (A ⇌ B: k_s = k_f + k_b [m/s],
    x_eq = k_b/k_s), s = x_A of the reacting ``side``; with a film it sits on that side's
    face (side a: N_1 = J + q, J = N_2; side b: N_1 = J, J = N_2 + q).

    Eliminating everything but s leaves one equation N_up(s) − N_down(s) = q(s), with the
    conductances of the non-reacting path in series (1/G = 1/k + 1/(κ g_2) on side a,
    1/G' = 1/k + 1/g_1 on side b; no film: G = κ g_2, G' = g_1):

    * side a: N_up = g_1 (x_0 − s), N_down = G (s − x_L/κ), so
      s = (g_1 x_0 + G x_L/κ + c_a k_s x_eq) / (g_1 + G + c_a k_s);
    * side b: N_up = G' (x_0 − s/κ), N_down = g_2 (s − x_L), so
      s = (G' x_0 + g_2 x_L + c_b k_s x_eq) / (G'/κ + g_2 + c_b k_s).

    Then x_a, x_b and both fluxes follow. A nonlinear ``rate`` q(s) (e.g. A + A ⇌ B + B:
    q = 2 c (k_f s² − k_b (1 − s)²)) replaces the linear law: the same scalar equation is
    solved by Brent's method on ``bracket`` (to round-off, xtol 1e-15).

    Raises:
        EmcdInputError: non-positive lengths, D, c, κ or film; side not "a"/"b"; a
            bracket without a sign change.
    """
    (L1, L2), (D1, D2), (c1, c2) = lengths, diffusivities, concentrations
    if not all(v > 0 for v in (L1, L2, D1, D2, c1, c2, kappa)) or not (film is None or film > 0):
        raise EmcdInputError("interface_reaction_slab needs L, D, c, κ (and a film k) > 0")
    if side not in ("a", "b"):
        raise EmcdInputError(f"side must be 'a' or 'b', got {side!r}")
    g1, g2 = c1 * D1 / L1, c2 * D2 / L2
    inv = 0.0 if film is None else 1.0 / film
    if side == "a":
        G = 1.0 / (inv + 1.0 / (kappa * g2))

        def up(s):
            return g1 * (x_0 - s)

        def down(s):
            return G * (s - x_L / kappa)

        c_s = c1
        linear = (g1 * x_0 + G * x_L / kappa + c_s * k_s * x_eq) / (g1 + G + c_s * k_s)
    else:
        G = 1.0 / (inv + 1.0 / g1)

        def up(s):
            return G * (x_0 - s / kappa)

        def down(s):
            return g2 * (s - x_L)

        c_s = c2
        linear = (G * x_0 + g2 * x_L + c_s * k_s * x_eq) / (G / kappa + g2 + c_s * k_s)
    if rate is None:
        s = linear
        c_s * k_s * (s - x_eq)
    else:
        from scipy.optimize import brentq  # on use: the API's solve path does not load scipy

        def residual(s: float) -> float:
            return up(s) - down(s) - rate(s)

        lo, hi = bracket
        if not residual(lo) * residual(hi) < 0:
            raise EmcdInputError(f"no sign change of the interface equation on {bracket}")
        s = brentq(residual, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)
        rate(s)
    n1, n2 = up(s), down(s)
    if side == "a":
        x_a, x_b = s, x_L + n2 / g2
    else:
        x_a, x_b = x_0 - n1 / g1, s
    return InterfaceReactionSlab(float(x_a), float(x_b), float(n1), float(n2), float(n1 - n2))


__all__ = [
    "InterfaceReactionSlab",
    "effectiveness_factor",
    "interface_reaction_slab",
    "isomerization_slab",
    "isomerization_slab_flux",
    "isomerization_wall",
    "stefan_flux",
    "stefan_profile",
    "thiele_modulus",
]
