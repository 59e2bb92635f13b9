"""Gas viscosity from kinetic theory (pure NumPy, SI units), for the dusty-gas model.

- Pure gas, Chapman–Enskog with the Lennard-Jones 12-6 potential:
  μ = (5/16) sqrt(π m k_B T) / (π σ² Ω_v(T*)), m = M/N_A, T* = k_B T/ε, Ω_v the Neufeld et
  al. (1972) fit of the viscosity collision integral (Poling, Prausnitz & O'Connell, *The
  Properties of Gases and Liquids*, 5th ed., 2001, eqs. 9-3.9 and 9-4.3), with the
  Lennard-Jones parameters of :data:`emcd_fem.materials.kinetic_theory.GASES`.
- Mixture, Wilke (1950): μ = Σ_i x_i μ_i / Σ_j x_j φ_ij,
  φ_ij = [1 + (μ_i/μ_j)^½ (M_j/M_i)^¼]² / [8 (1 + M_i/M_j)]^½.

Accuracy: a few per cent against measured values for the non-polar built-in gases at room
temperature (``tests/test_viscosity.py``).
"""

import math
from collections.abc import Mapping

from emcd_fem.constants import AVOGADRO, BOLTZMANN
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import kinetic_theory as kt

# Neufeld, Janzen & Aziz (1972) fit of Ω_v(T*), 0.3 <= T* <= 100.
_NEUFELD_VISCOSITY = (1.16145, 0.14874, 0.52487, 0.77320, 2.16178, 2.43787)


def viscosity_collision_integral(reduced_temperature: float) -> float:
    """Neufeld fit of the viscosity collision integral Ω_v(T*) [-]."""
    a, b, c, d, e, f = _NEUFELD_VISCOSITY
    t = reduced_temperature
    return a / t**b + c / math.exp(d * t) + e / math.exp(f * t)


def gas_viscosity(name: str, temperature: float) -> float:
    """Chapman–Enskog viscosity μ [Pa s] of a built-in gas at T [K] (pressure-free)."""
    if not (isinstance(temperature, int | float) and math.isfinite(temperature)):
        raise EmcdInputError(f"temperature must be a finite number > 0, got {temperature!r}")
    if not temperature > 0:
        raise EmcdInputError(f"temperature must be > 0 [K], got {temperature!r}")
    g = kt.gas(name)
    mass = g.molar_mass / AVOGADRO
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
    names = list(mole_fractions)
    x = [float(mole_fractions[n]) for n in names]
    if not names or any(not (math.isfinite(v) and v >= 0) for v in x) or sum(x) <= 0:
        raise EmcdInputError(
            f"mixture viscosity: mole fractions must be ≥ 0 and not all 0, got {mole_fractions}"
        )
    total = sum(x)
    x = [v / total for v in x]
    mu = [gas_viscosity(n, temperature) for n in names]
    m = [kt.gas(n).molar_mass for n in names]
    out = 0.0
    for i in range(len(names)):
        denominator = sum(
            x[j]
            * (1 + math.sqrt(mu[i] / mu[j]) * (m[j] / m[i]) ** 0.25) ** 2
            / math.sqrt(8 * (1 + m[i] / m[j]))
            for j in range(len(names))
        )
        out += x[i] * mu[i] / denominator
    return out


__all__ = ["gas_viscosity", "mixture_viscosity", "viscosity_collision_integral"]
