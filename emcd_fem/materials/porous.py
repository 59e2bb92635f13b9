"""Porous media and the gas of the dusty-gas model (data only: no UFL, no PETSc; SI units).

The dusty-gas model (Mason & Malinauskas, *Gas Transport in Porous Media: The Dusty-Gas
Model*, 1983) treats the pore walls as a further, immobile species. Its coefficients for a
medium of porosity ε, tortuosity τ and mean pore diameter d at temperature T:

- effective molecular diffusivities D^e_ij = (ε/τ) Đ_ij(p), with the free-gas Đ_ij ∝ 1/p
  (Chapman–Enskog): Đ_ij(p) = Đ_ij(p_ref) p_ref/p, so c Đ_ij = c_ref Đ_ij(p_ref) does not
  depend on the pressure. A :class:`DustyGas` holds Đ_ij at the reference concentration
  c_ref = p_ref/(R T) of its :class:`~emcd_fem.materials.mixture.GasMixture`;
- effective Knudsen diffusivities D^e_iK = (ε/τ) (d/3) sqrt(8 R T/(π M_i));
- the viscous (Darcy) permeability B_0 = (ε/τ) d²/32 of the same capillary model (the
  Poiseuille permeability d²/32 of one pore, with the ε/τ factor that also scales D^e_ij and
  D^e_iK, as in Mason & Malinauskas ch. 2), or a given Darcy permeability [m^2] of the
  medium (used as given);
- the gas viscosity μ [Pa s] (given: the model takes one value, composition-independent).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from emcd_fem.errors import EmcdInputError, unknown_name
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.materials.mixture import GasMixture, mixture_from_kinetic_theory


def _number(where: str, key: str, value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EmcdInputError(f"{where}: {key} must be a finite number ({what}), got {value!r}")
    return float(value)


@dataclass(frozen=True)
class PorousMedium:
    """Pore structure of one region for the dusty-gas model.

    Attributes:
        porosity: ε in (0, 1] [-].
        tortuosity: τ ≥ 1 [-].
        pore_diameter: Mean pore diameter d > 0 [m] (Knudsen diffusivities, default B_0).
        permeability: Darcy permeability B_0 > 0 of the medium [m^2], or None for the
            capillary model (ε/τ) d²/32.
        name: Name used in messages (e.g. the region or material name).
    """

    porosity: float
    tortuosity: float
    pore_diameter: float
    permeability: float | None = None
    name: str = "porous medium"

    def __post_init__(self) -> None:
        where = f"porous medium {self.name!r}"
        eps = _number(where, "porosity", self.porosity, "ε in (0, 1]")
        if not 0 < eps <= 1:
            raise EmcdInputError(
                f"{where}: porosity must be in (0, 1] (the open volume fraction), got {eps!r}"
            )
        tau = _number(where, "tortuosity", self.tortuosity, "τ ≥ 1")
        if not tau >= 1:
            raise EmcdInputError(
                f"{where}: tortuosity must be ≥ 1 (path length over straight length), got {tau!r}"
            )
        d = _number(where, "pore_diameter", self.pore_diameter, "d > 0 [m]")
        if not d > 0:
            raise EmcdInputError(f"{where}: pore_diameter must be > 0 [m], got {d!r}")
        if self.permeability is not None:
            b0 = _number(where, "permeability", self.permeability, "B_0 > 0 [m^2]")
            if not b0 > 0:
                raise EmcdInputError(
                    f"{where}: permeability must be > 0 [m^2] (or omitted for (ε/τ) d²/32), "
                    f"got {b0!r}"
                )

    @property
    def porosity_over_tortuosity(self) -> float:
        """ε/τ [-]."""
        return float(self.porosity) / float(self.tortuosity)

    @property
    def viscous_permeability(self) -> float:
        """B_0 [m^2]: the given permeability, else (ε/τ) d²/32."""
        if self.permeability is not None:
            return float(self.permeability)
        return self.porosity_over_tortuosity * float(self.pore_diameter) ** 2 / 32.0

    def knudsen_diffusivity(self, temperature: float, molar_mass: float) -> float:
        """Effective Knudsen diffusivity D^e_K = (ε/τ) (d/3) sqrt(8 R T/(π M)) [m^2/s].

        Args:
            temperature: T [K].
            molar_mass: M [kg/mol].
        """
        free = kt.knudsen_diffusivity(float(self.pore_diameter), temperature, molar_mass)
        return self.porosity_over_tortuosity * free


@dataclass(frozen=True)
class DustyGas:
    """The gas of a dusty-gas model: species, Đ_ij at a reference state, M_i and μ.

    Attributes:
        mixture: Species and free-gas Maxwell–Stefan diffusivities Đ_ij [m^2/s] at the
            mixture's concentration c_ref = p_ref/(R T) [mol/m^3] (Đ_ij ∝ 1/p elsewhere).
        molar_masses: Species → M_i [kg/mol] > 0, for every species.
        viscosity: Dynamic viscosity μ > 0 [Pa s].
    """

    mixture: GasMixture
    molar_masses: Mapping[str, float]
    viscosity: float
    _masses: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.mixture, GasMixture):
            raise EmcdInputError(
                f"dusty gas: mixture must be an emcd_fem GasMixture, got "
                f"{type(self.mixture).__name__}"
            )
        species = self.mixture.species
        where = f"dusty gas {self.mixture.name!r}"
        for s in self.molar_masses:
            if s not in species:
                raise EmcdInputError(
                    f"{where}: molar_masses: {unknown_name('species', s, species)}"
                )
        missing = [s for s in species if s not in self.molar_masses]
        if missing:
            raise EmcdInputError(f"{where}: molar_masses: give M_i [kg/mol] for {missing}")
        masses = []
        for s in species:
            m = _number(where, f"molar_masses.{s}", self.molar_masses[s], "M > 0 [kg/mol]")
            if not m > 0:
                raise EmcdInputError(f"{where}: molar_masses.{s} must be > 0 [kg/mol], got {m!r}")
            masses.append(m)
        mu = _number(where, "viscosity", self.viscosity, "μ > 0 [Pa s]")
        if not mu > 0:
            raise EmcdInputError(f"{where}: viscosity must be > 0 [Pa s], got {mu!r}")
        object.__setattr__(self, "_masses", np.array(masses))

    @property
    def species(self) -> tuple[str, ...]:
        """Species names, in order."""
        return self.mixture.species

    @property
    def masses(self) -> np.ndarray:
        """M_i in species order [kg/mol]."""
        return self._masses.copy()

    def molecular_conductance(self) -> np.ndarray:
        """c_ref Đ_ij (free gas, pressure-independent) as an n × n array [mol/(m s)]."""
        return self.mixture.concentration * self.mixture.matrix


def dusty_gas_from_kinetic_theory(
    species: Sequence[str], temperature: float, pressure: float, viscosity: float
) -> DustyGas:
    """A dusty gas of built-in gases: Chapman–Enskog Đ_ij at (T, p), built-in M_i.

    Args:
        species: Built-in gas names (:data:`emcd_fem.materials.kinetic_theory.GASES`).
        temperature: T [K].
        pressure: Reference pressure p_ref [Pa] of the Đ_ij (any: c Đ_ij is the same).
        viscosity: μ [Pa s].
    """
    mixture = mixture_from_kinetic_theory(species, temperature, pressure, name="gas")
    masses = {s: kt.gas(s).molar_mass for s in mixture.species}
    return DustyGas(mixture, masses, viscosity)


__all__ = ["DustyGas", "PorousMedium", "dusty_gas_from_kinetic_theory"]
