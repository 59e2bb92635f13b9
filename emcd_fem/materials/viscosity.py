"""Gas viscosity from kinetic theory (pure NumPy, SI units): the dusty-gas model's μ.

- Pure gas, Chapman–Enskog with the Lennard-Jones 12-6 potential:
  μ = (5/16) sqrt(π m k_B T) / (π σ² Ω_v(T*)), m = M/N_A, T* = k_B T/ε, Ω_v the Neufeld,
  Janzen & Aziz (1972) fit of the viscosity collision integral (Poling, Prausnitz &
  O'Connell, *The Properties of Gases and Liquids*, 5th ed., 2001, eqs. 9-3.9 and 9-4.3).
  Non-polar gases: within about 2 % of measured values at 300 K.
- Mixture: Wilke's rule μ = Σ_i x_i μ_i / Σ_j x_j Φ_ij,
  Φ_ij = [1 + (μ_i/μ_j)^½ (M_j/M_i)^¼]² / [8 (1 + M_i/M_j)]^½ (Poling et al. eq. 9-5.13),
  a few per cent for non-polar pairs.
"""

import math
from collections.abc import Mapping

from emcd_fem.constants import BOLTZMANN, GAS_CONSTANT
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.kinetic_theory import gas

# Neufeld, Janzen & Aziz (1972) fit of Ω_v(T*), valid 0.3 <= T* <= 100.
_NEUFELD_VISCOSITY = (1.16145, 0.14874, 0.52487, 0.77320, 2.16178, 2.43787)


def viscosity_collision_integral(reduced_temperature: float) -> float:
    """Ω_v(T*) [-] (Neufeld fit, 0.3 <= T* <= 100)."""
    a, b, c, d, e, f = _NEUFELD_VISCOSITY
    t = reduced_temperature
    return a * t**-b + c * math.exp(-d * t) + e * math.exp(-f * t)


def pure_viscosity(name: str, temperature: float) -> float:
    """Dynamic viscosity μ [Pa s] of a built-in gas at T [K] (Chapman–Enskog).

    Raises:
        EmcdInputError: an unknown gas, or T not > 0.
    """
    if not (math.isfinite(temperature) and temperature > 0):
        raise EmcdInputError(f"temperature must be a finite number > 0 [K], got {temperature!r}")
    g = gas(name)
    mass = g.molar_mass / (GAS_CONSTANT / BOLTZMANN)  # kg per molecule
    omega = viscosity_collision_integral(temperature / g.epsilon_over_k)
    return (
        5.0
        / 16.0
        * math.sqrt(math.pi * mass * BOLTZMANN * temperature)
        / (math.pi * g.sigma**2 * omega)
    )


def mixture_viscosity(mole_fractions: Mapping[str, float], temperature: float) -> float:
    """Wilke's mixture viscosity μ [Pa s] of built-in gases at T [K].

    Args:
        mole_fractions: Gas name → x_i ≥ 0 (normalised here; at least one > 0).
        temperature: T [K].
    """
    total = sum(mole_fractions.values())
    if not total > 0 or any(x < 0 for x in mole_fractions.values()):
        raise EmcdInputError(
            f"mole fractions must be ≥ 0 with a positive sum, got {mole_fractions}"
        )
    names = list(mole_fractions)
    x = {n: mole_fractions[n] / total for n in names}
    mu = {n: pure_viscosity(n, temperature) for n in names}
    m = {n: gas(n).molar_mass for n in names}

    def phi(i: str, j: str) -> float:
        top = (1.0 + math.sqrt(mu[i] / mu[j]) * (m[j] / m[i]) ** 0.25) ** 2
        return top / math.sqrt(8.0 * (1.0 + m[i] / m[j]))

    return sum(x[i] * mu[i] / sum(x[j] * phi(i, j) for j in names) for i in names if x[i] > 0)


__all__ = ["mixture_viscosity", "pure_viscosity", "viscosity_collision_integral"]
