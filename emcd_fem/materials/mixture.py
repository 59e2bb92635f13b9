"""Ideal-gas mixtures for n-species Maxwell–Stefan transport (pure Python/NumPy, SI units).

A :class:`GasMixture` holds the species of one region, the Maxwell–Stefan (binary)
diffusivity Đ_ij of every pair and the total molar concentration c. Đ_ij = Đ_ji: a pair
may be given either way round, or both ways with the same value; every pair must be given.
:func:`mixture_from_kinetic_theory` fills the pairs from Chapman–Enskog
(:mod:`emcd_fem.materials.kinetic_theory`) and c = p/(R T).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from emcd_fem.errors import EmcdInputError, unknown_name
from emcd_fem.materials.kinetic_theory import chapman_enskog, ideal_gas_concentration

#: Relative tolerance for a pair given both ways round (Đ_ij and Đ_ji) to count as equal.
SYMMETRY_TOLERANCE: float = 1e-12


#: The end of the missing-pair message from Python (a case file says its own key instead).
MISSING_PAIR_ADVICE: str = "(or use mixture_from_kinetic_theory)"


@dataclass(frozen=True)
class GasMixture:
    """Species, pair diffusivities and concentration of an ideal-gas mixture in one region.

    Attributes:
        species: Species names (at least 2, distinct), e.g. ``("H2", "N2", "CO2")``.
        diffusivities: Pair (i, j) → Maxwell–Stefan diffusivity Đ_ij [m^2/s], > 0, for
            every unordered pair of ``species``.
        concentration: Total molar concentration c [mol/m^3], > 0 (uniform: isothermal,
            isobaric ideal gas, c = p/(R T)).
        name: Name used in messages (e.g. the material's name).
    """

    species: tuple[str, ...]
    diffusivities: Mapping[tuple[str, str], float]
    concentration: float = 1.0
    name: str = "mixture"
    _matrix: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        where = f"material {self.name!r}"
        species = tuple(self.species)
        object.__setattr__(self, "species", species)
        if len(species) < 2 or len(set(species)) != len(species):
            raise EmcdInputError(
                f"{where}: species must be at least 2 distinct names, got {list(species)}"
            )
        c = self.concentration
        if not isinstance(c, int | float) or not math.isfinite(c) or c <= 0:
            raise EmcdInputError(f"{where}: concentration must be a finite number > 0, got {c!r}")
        index = {s: k for k, s in enumerate(species)}
        n = len(species)
        matrix = np.full((n, n), np.nan)
        for pair, value in self.diffusivities.items():
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise EmcdInputError(f"{where}: diffusivity keys are species pairs, got {pair!r}")
            for s in pair:
                if s not in index:
                    raise EmcdInputError(
                        f"{where}: diffusivity {pair!r}: {unknown_name('species', s, species)}"
                    )
            a, b = index[pair[0]], index[pair[1]]
            if a == b:
                raise EmcdInputError(f"{where}: diffusivity {pair!r} pairs a species with itself")
            if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
                raise EmcdInputError(
                    f"{where}: diffusivity Đ{pair!r} must be a finite number > 0 [m^2/s], "
                    f"got {value!r}"
                )
            old = matrix[a, b]
            if not np.isnan(old) and abs(old - value) > SYMMETRY_TOLERANCE * max(old, value):
                raise EmcdInputError(
                    f"{where}: diffusivity of pair {pair!r} given both ways round with different"
                    f" values ({old!r} and {value!r}); Đ_ij = Đ_ji: give the pair once"
                )
            matrix[a, b] = matrix[b, a] = float(value)
        missing = [
            (species[i], species[j])
            for i in range(n)
            for j in range(i + 1, n)
            if np.isnan(matrix[i, j])
        ]
        if missing:
            raise EmcdInputError(
                f"{where}: missing Maxwell–Stefan diffusivity for pair(s) {missing}; give Đ_ij "
                f"[m^2/s] for every pair of species {MISSING_PAIR_ADVICE}"
            )
        np.fill_diagonal(matrix, np.inf)
        object.__setattr__(self, "_matrix", matrix)

    @property
    def matrix(self) -> np.ndarray:
        """Đ_ij as an n × n symmetric array [m^2/s] (diagonal = inf, never used)."""
        return self._matrix.copy()

    def pair(self, a: str, b: str) -> float:
        """Đ_ab [m^2/s] of two different species (either order)."""
        index = {s: k for k, s in enumerate(self.species)}
        for s in (a, b):
            if s not in index:
                raise unknown_name("species", s, self.species)
        return float(self._matrix[index[a], index[b]])


def mixture_from_kinetic_theory(
    species: Sequence[str], temperature: float, pressure: float, *, name: str = "mixture"
) -> GasMixture:
    """A mixture of built-in gases with Chapman–Enskog Đ_ij and c = p/(R T).

    Args:
        species: Built-in gas names (see :data:`emcd_fem.materials.kinetic_theory.GASES`).
        temperature: T [K].
        pressure: p [Pa].
        name: Name used in messages.
    """
    names = tuple(species)
    pairs = {
        (a, b): chapman_enskog(a, b, temperature, pressure)
        for k, a in enumerate(names)
        for b in names[k + 1 :]
    }
    return GasMixture(names, pairs, ideal_gas_concentration(temperature, pressure), name)


__all__ = ["MISSING_PAIR_ADVICE", "SYMMETRY_TOLERANCE", "GasMixture", "mixture_from_kinetic_theory"]
