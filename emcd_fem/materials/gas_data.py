"""Gas data from Cantera (optional dependency ``cantera``, extra ``emcd_fem[gas]``).

- :func:`cantera_mixture`: a :class:`~emcd_fem.materials.mixture.GasMixture` whose Đ_ij
  are Cantera's binary diffusion coefficients (Chapman–Enskog with the mechanism's
  Lennard-Jones/Stockmayer transport data, ``binary_diff_coeffs``) at T, p, and c = p/(R T).
- :func:`thermal_diffusion_factor`: α_T of a gas pair with its sign, from Cantera's
  multicomponent transport (Chapman–Enskog kinetic theory, L-matrix solution of
  Dixon-Lewis), for a Soret run's ``thermal_diffusion_factor = "kinetic_theory"``. The
  solution holds only the two species of the pair: in the multicomponent L-matrix every
  species of the mechanism enters, even at zero mole fraction, and shifts α_T of the pair
  (H2–N2 at 400 K by 1.5 %), so the binary value needs the pure pair.

Convention (as :mod:`emcd_fem.physics.soret`): N_A = −c D (∇x_A + S_T x_A x_B ∇T),
α_T = S_T T, α_T > 0 drives A to the **cold** side. Cantera gives the thermal diffusion
coefficients D_k^T [kg/(m s)] of the diffusive mass flux j_k = … − D_k^T ∇ln T; for a binary
mixture j_A = −ρ D_AB (M_A M_B/M²)(∇x_A + k_T ∇ln T), so
k_T = D_A^T M² / (ρ D_AB M_A M_B) and α_T = k_T/(x_A x_B).

Species names are matched to the mechanism's without regard to case (``Ar`` → ``AR``).
"""

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from emcd_fem.errors import EmcdInputError, unknown_name
from emcd_fem.materials.kinetic_theory import ideal_gas_concentration
from emcd_fem.materials.mixture import GasMixture

#: Default Cantera mechanism (GRI-Mech 3.0: H2, O2, N2, CO2, CH4, AR, H2O, ...); helium is
#: added to it (:data:`HELIUM`), as GRI-Mech has none.
DEFAULT_MECHANISM: str = "gri30.yaml"

#: Helium for the default mechanism: NASA-7 thermo of a monatomic ideal gas (c_p = 5R/2) and
#: the Lennard-Jones data of the CHEMKIN transport database (ε/k = 10.2 K, σ = 2.576 Å).
HELIUM: str = """
name: HE
composition: {He: 1}
thermo:
  model: NASA7
  temperature-ranges: [200.0, 1000.0, 6000.0]
  data:
  - [2.5, 0.0, 0.0, 0.0, 0.0, -745.375, 0.928723974]
  - [2.5, 0.0, 0.0, 0.0, 0.0, -745.375, 0.928723974]
transport: {model: gas, geometry: atom, well-depth: 10.2, diameter: 2.576}
"""


def _cantera() -> Any:
    try:
        import cantera
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise EmcdInputError(
            "Cantera gas data need the optional package 'cantera': pip install 'emcd_fem[gas]'"
        ) from error
    return cantera


@functools.cache
def _solution(mechanism: str, transport_model: str) -> Any:
    ct = _cantera()
    try:
        if mechanism == DEFAULT_MECHANISM:
            species = [*ct.Species.list_from_file(mechanism), ct.Species.from_yaml(HELIUM)]
            return ct.Solution(thermo="ideal-gas", species=species, transport_model=transport_model)
        gas = ct.Solution(mechanism)
    except ct.CanteraError as error:
        raise EmcdInputError(
            f"Cantera mechanism {mechanism!r} could not be loaded: {error}"
        ) from None
    gas.transport_model = transport_model
    return gas


@functools.cache
def _pair_solution(mechanism: str, a: str, b: str) -> Any:
    """The ideal gas of exactly the species a, b (mechanism names), multicomponent transport."""
    ct = _cantera()
    gas = _solution(mechanism, "multicomponent")
    species = [gas.species(a), gas.species(b)]
    return ct.Solution(thermo="ideal-gas", species=species, transport_model="multicomponent")


def _names(gas: Any, species: Sequence[str], mechanism: str) -> list[str]:
    by_upper = {s.upper(): s for s in gas.species_names}
    out = []
    for s in species:
        if s.upper() not in by_upper:
            raise EmcdInputError(
                f"mechanism {mechanism!r}: {unknown_name('species', s, gas.species_names)}"
            )
        out.append(by_upper[s.upper()])
    return out


def _check_state(temperature: float, pressure: float) -> None:
    for key, value in (("temperature", temperature), ("pressure", pressure)):
        if not (np.isfinite(value) and value > 0):
            raise EmcdInputError(f"{key} must be a finite number > 0, got {value!r}")


def cantera_mixture(
    species: Sequence[str],
    temperature: float,
    pressure: float,
    *,
    mechanism: str = DEFAULT_MECHANISM,
    name: str = "mixture",
) -> GasMixture:
    """A mixture with Cantera's binary diffusion coefficients Đ_ij at T [K], p [Pa].

    The Chapman–Enskog binary coefficients do not depend on composition; c = p/(R T).
    The returned mixture keeps the names as given.
    """
    _check_state(temperature, pressure)
    gas = _solution(mechanism, "multicomponent")
    names = _names(gas, species, mechanism)
    gas.TPX = temperature, pressure, {names[0]: 1.0}
    d = gas.binary_diff_coeffs
    index = [gas.species_index(s) for s in names]
    given = tuple(species)
    pairs = {
        (given[a], given[b]): float(d[index[a], index[b]])
        for a in range(len(given))
        for b in range(a + 1, len(given))
    }
    return GasMixture(given, pairs, ideal_gas_concentration(temperature, pressure), name)


def thermal_diffusion_factor(
    species_a: str,
    species_b: str,
    temperature: float,
    pressure: float = 101_325.0,
    *,
    mole_fraction_a: float = 0.5,
    mechanism: str = DEFAULT_MECHANISM,
) -> float:
    """α_T of A in the binary mixture A–B [-] (> 0: A goes to the cold side).

    Args:
        species_a: Species A.
        species_b: Species B.
        temperature: T [K].
        pressure: p [Pa] (α_T of an ideal gas does not depend on it).
        mole_fraction_a: x_A, 0 < x_A < 1 (α_T depends on composition).
        mechanism: Cantera input file with transport data.
    """
    _check_state(temperature, pressure)
    if not 0 < mole_fraction_a < 1:
        raise EmcdInputError(f"mole_fraction_a must be in (0, 1), got {mole_fraction_a!r}")
    gas = _solution(mechanism, "multicomponent")
    a, b = _names(gas, (species_a, species_b), mechanism)
    if a == b:
        raise EmcdInputError(f"thermal diffusion factor needs two different species, got {a!r}")
    x_a = float(mole_fraction_a)
    gas = _pair_solution(mechanism, a, b)  # only A and B: a trace species would shift α_T
    gas.TPX = temperature, pressure, {a: x_a, b: 1.0 - x_a}
    ia, ib = gas.species_index(a), gas.species_index(b)
    m_a, m_b = gas.molecular_weights[ia], gas.molecular_weights[ib]
    d_ab = gas.binary_diff_coeffs[ia, ib]
    k_t = (
        gas.thermal_diff_coeffs[ia]
        * gas.mean_molecular_weight**2
        / (gas.density * d_ab * m_a * m_b)
    )
    return float(k_t / (x_a * (1.0 - x_a)))


__all__ = ["DEFAULT_MECHANISM", "HELIUM", "cantera_mixture", "thermal_diffusion_factor"]
