"""Gas properties from kinetic theory (pure NumPy, SI units).

- Binary diffusivity by Chapman–Enskog with the Lennard-Jones 12-6 potential:
  D_AB = (3/16) sqrt(2π (k_B T)^3 / μ_AB) / (P π σ_AB² Ω_D(T*)), μ_AB the reduced mass,
  σ_AB = (σ_A + σ_B)/2, ε_AB = sqrt(ε_A ε_B), T* = k_B T/ε_AB, Ω_D the Neufeld et al. (1972)
  fit of the diffusion collision integral (Poling, Prausnitz & O'Connell, *The Properties
  of Gases and Liquids*, 5th ed., 2001, eqs. 11-3.1 and 11-3.6). D ∝ 1/P exactly; the
  temperature dependence is T^1.5/Ω_D(T*). For hard spheres Ω_D = 1 and D ∝ T^1.5: the pure
  T^1.5 law is that limit (:func:`hard_sphere_scaling`).
- Ideal-gas concentration c = P/(R T).
- Knudsen diffusivity D_K,i = (d/3) sqrt(8 R T/(π M_i)) and the Bosanquet combination.
- Mean free path λ = k_B T/(√2 π σ² P) and the Knudsen number.

Accuracy (see ``DEVIATIONS`` and README): a few per cent below measured values for
non-polar pairs; polar molecules (H2O) are outside the Lennard-Jones model's accuracy and
raise a warning.
"""

import math
import warnings
from dataclasses import dataclass

from emcd_fem.constants import BOLTZMANN, GAS_CONSTANT
from emcd_fem.errors import EmcdInputError


@dataclass(frozen=True)
class Gas:
    """Lennard-Jones parameters and molar mass of a gas.

    Attributes:
        name: Formula, e.g. ``"N2"``.
        sigma: Collision diameter σ [m].
        epsilon_over_k: Well depth ε/k_B [K].
        molar_mass: M [kg/mol].
        polar: True where the Lennard-Jones model is inaccurate (polar molecules).
    """

    name: str
    sigma: float
    epsilon_over_k: float
    molar_mass: float
    polar: bool = False


#: Lennard-Jones parameters: Poling, Prausnitz & O'Connell (2001), Appendix B (from Svehla,
#: NASA TR R-132, 1962); molar masses: IUPAC standard atomic weights.
GASES: dict[str, Gas] = {
    g.name: g
    for g in (
        Gas("N2", 3.798e-10, 71.4, 28.0134e-3),
        Gas("O2", 3.467e-10, 106.7, 31.9988e-3),
        Gas("CO2", 3.941e-10, 195.2, 44.0095e-3),
        Gas("H2", 2.827e-10, 59.7, 2.01588e-3),
        Gas("He", 2.551e-10, 10.22, 4.002602e-3),
        Gas("Ar", 3.542e-10, 93.3, 39.948e-3),
        Gas("CH4", 3.758e-10, 148.6, 16.0425e-3),
        Gas("air", 3.711e-10, 78.6, 28.9647e-3),
        Gas("H2O", 2.641e-10, 809.1, 18.01528e-3, polar=True),
    )
}

#: Measured D_AB at 1 atm and 293.15 K [m^2/s]: CRC Handbook of Chemistry and Physics,
#: "Diffusion in gases" (after Marrero & Mason, J. Phys. Chem. Ref. Data 1, 1, 1972).
MEASURED_293K: dict[tuple[str, str], float] = {
    ("He", "Ar"): 0.726e-4,
    ("Ar", "N2"): 0.190e-4,
    ("Ar", "O2"): 0.187e-4,
    ("Ar", "CO2"): 0.148e-4,
}

# Neufeld, Janzen & Aziz (1972) fit of Ω_D(T*), valid 0.3 <= T* <= 100.
_NEUFELD = (1.06036, 0.15610, 0.19300, 0.47635, 1.03587, 1.52996, 1.76474, 3.89411)
#: The same coefficients, public (``materials.thermal_diffusion`` differentiates the fit).
NEUFELD_11 = _NEUFELD


def gas(name: str) -> Gas:
    """Look up a built-in gas; unknown names raise with the list of known ones."""
    if name not in GASES:
        import difflib

        close = difflib.get_close_matches(name, list(GASES), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise EmcdInputError(f"unknown gas {name!r}; built-in gases: {sorted(GASES)}.{hint}")
    return GASES[name]


def _positive(**values: float) -> None:
    for key, value in values.items():
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise EmcdInputError(f"{key} must be a finite number > 0, got {value!r}")


def collision_integral(reduced_temperature: float) -> float:
    """Neufeld fit of the diffusion collision integral Ω_D(T*) [-] (0.3 <= T* <= 100)."""
    a, b, c, d, e, f, g, h = _NEUFELD
    t = reduced_temperature
    return a / t**b + c / math.exp(d * t) + e / math.exp(f * t) + g / math.exp(h * t)


def chapman_enskog(gas_a: str, gas_b: str, temperature: float, pressure: float) -> float:
    """Binary diffusivity D_AB [m^2/s] of two built-in gases at T [K] and P [Pa].

    Warns for polar gases (outside the model's accuracy) and outside the fit's range
    0.3 <= T* <= 100.
    """
    _positive(temperature=temperature, pressure=pressure)
    a, b = gas(gas_a), gas(gas_b)
    for g in (a, b):
        if g.polar:
            warnings.warn(
                f"{g.name} is polar: Chapman–Enskog with Lennard-Jones parameters is outside "
                "its accuracy (errors of 10 % or more); give D measured if you can",
                stacklevel=2,
            )
    sigma = 0.5 * (a.sigma + b.sigma)
    t_star = temperature / math.sqrt(a.epsilon_over_k * b.epsilon_over_k)
    if not 0.3 <= t_star <= 100:
        warnings.warn(f"T* = {t_star:.3g} is outside the Neufeld fit (0.3–100)", stacklevel=2)
    reduced_mass = (a.molar_mass * b.molar_mass / (a.molar_mass + b.molar_mass)) / (
        GAS_CONSTANT / BOLTZMANN
    )
    kt = BOLTZMANN * temperature
    return (
        3.0
        / 16.0
        * math.sqrt(2 * math.pi * kt**3 / reduced_mass)
        / (pressure * math.pi * sigma**2 * collision_integral(t_star))
    )


def hard_sphere_scaling(d_ref: float, t_ref: float, temperature: float) -> float:
    """D at T from D at T_ref by the hard-sphere law D ∝ T^1.5 (at fixed P) [m^2/s]."""
    _positive(d_ref=d_ref, t_ref=t_ref, temperature=temperature)
    return d_ref * (temperature / t_ref) ** 1.5


def ideal_gas_concentration(temperature: float, pressure: float) -> float:
    """C = P/(R T) [mol/m^3]."""
    _positive(temperature=temperature, pressure=pressure)
    return pressure / (GAS_CONSTANT * temperature)


def knudsen_diffusivity(pore_diameter: float, temperature: float, molar_mass: float) -> float:
    """D_K = (d/3) sqrt(8 R T/(π M)) [m^2/s] for a pore of diameter d [m]."""
    _positive(pore_diameter=pore_diameter, temperature=temperature, molar_mass=molar_mass)
    return pore_diameter / 3.0 * math.sqrt(8 * GAS_CONSTANT * temperature / (math.pi * molar_mass))


def bosanquet(d_molecular: float, d_knudsen: float) -> float:
    """1/D = 1/D_AB + 1/D_K [m^2/s] (exact only for N_B = −N_A; see README)."""
    _positive(d_molecular=d_molecular, d_knudsen=d_knudsen)
    return 1.0 / (1.0 / d_molecular + 1.0 / d_knudsen)


def mean_free_path(temperature: float, pressure: float, sigma: float) -> float:
    """λ = k_B T/(√2 π σ² P) [m], σ the collision diameter [m]."""
    _positive(temperature=temperature, pressure=pressure, sigma=sigma)
    return BOLTZMANN * temperature / (math.sqrt(2) * math.pi * sigma**2 * pressure)


def mixture_sigma(gas_a: str, gas_b: str) -> float:
    """σ used for a binary mixture's mean free path: (σ_A + σ_B)/2 [m]."""
    return 0.5 * (gas(gas_a).sigma + gas(gas_b).sigma)


def graham_flux_ratio(molar_mass_a: float, molar_mass_b: float) -> float:
    """N_A/N_B = −sqrt(M_B/M_A) in the Knudsen regime (Graham's law) [-]."""
    _positive(molar_mass_a=molar_mass_a, molar_mass_b=molar_mass_b)
    return -math.sqrt(molar_mass_b / molar_mass_a)
