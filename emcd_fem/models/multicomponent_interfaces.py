"""Partition coefficients between regions in the n-species Maxwell–Stefan model.

Interface law (docs/multicomponent.md, "Interfaces between regions"): for ``(a, b)`` and
every *independent* species k (all but the bootstrap's eliminated species e), the
equilibrium jump c_k,b = K_k c_k,a (K_k as the binary model's ``partition``: molar
concentrations of k either side; x_k,b = κ_k x_k,a with κ_k = K_k c_a/c_b) and continuity
of N_k·n. The eliminated species closes the sum on each side, x_e = 1 − Σ_k x_k, and its flux
is N_e = −Σ_k (ν_k/ν_e) N_k on both sides, so N_e·n and Σ_i ν_i N_i·n are continuous
too: the bootstrap holds at the interface. A coefficient for e as well would over-determine
the interface (Σ_i x_i = 1 on both sides plus n jump laws hold only for Σ_i κ_i x_i,a = 1),
so it is refused with that reason.

Implementation: per species the binary model's potential (:mod:`emcd_fem.materials.partition`,
:func:`~emcd_fem.materials.partition.region_solubilities`): x_k = H_k μ_k with H_k piecewise
constant, μ continuous, so one continuous vector-valued Lagrange field still carries every
jump exactly and the flux continuity is the weak form's natural interface condition.
"""

import math
from collections.abc import Mapping

import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.errors import EmcdInputError, unknown_name
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.partition import boundary_solubility, region_solubilities
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.blocks import check_films
from emcd_fem.physics.maxwell_stefan import Bootstrap

#: Region pair (a, b) → species → K_k = c_k,b / c_k,a at equilibrium.
Partitions = Mapping[tuple[str, str], Mapping[str, float]]


def check_partitions(
    domain: Domain,
    species: tuple[str, ...],
    bootstrap: Bootstrap,
    partitions: Partitions,
    what: str = "partition coefficients",
) -> dict[str, dict[tuple[str, str], float]]:
    """Independent species → {(a, b): K_k}, checked (every message names the interface).

    ``what`` names the coefficients in the messages (the same checks serve film
    coefficients: ``"film coefficients"``, symbol k).

    Raises:
        EmcdInputError: an unknown region or species, a coefficient for the eliminated
            species (over-determined), a missing species, K not finite and > 0.
    """
    e = species[bootstrap.eliminated]
    ind = [species[k] for k in bootstrap.independent]
    out: dict[str, dict[tuple[str, str], float]] = {s: {} for s in ind}
    for pair in sorted(partitions):
        a, b = pair
        for region in (a, b):
            domain.region_tag(region)  # unknown region → error with a suggestion
        given = partitions[pair]
        where = f"{what} of the interface {a}|{b}"
        symbol = "K" if what.startswith("partition") else "k"
        for s in sorted(given):
            if s not in species:
                raise EmcdInputError(f"{where}: {unknown_name('species', s, species)}")
        if e in given:
            raise EmcdInputError(
                f"{where}: species {e!r} closes the sum (the bootstrap's eliminated species: "
                f"x_{e} = 1 − Σ x_k on each side, N_{e} from the bootstrap), so it takes no "
                "interface coefficient: coefficients for all n species would over-determine "
                f"the interface (Σ x_i = 1 on both sides); give {symbol} for {ind} only (or "
                "choose the closing species: Bootstrap.closing, in a case file "
                "[multicomponent] closing_species)"
            )
        missing = [s for s in ind if s not in given]
        if missing:
            raise EmcdInputError(
                f"{where}: {symbol} missing for {missing}; give {symbol} for every species "
                f"but {e!r}, which closes the sum"
            )
        for s in ind:
            value = given[s]
            if isinstance(value, bool) or not (
                isinstance(value, int | float) and math.isfinite(value) and value > 0
            ):
                raise EmcdInputError(
                    f"{where}: {symbol} of {s!r} must be a number > 0, got {value!r}"
                )
            out[s][(a, b)] = float(value)
    return out


def check_species_films(
    domain: Domain, species: tuple[str, ...], bootstrap: Bootstrap, films: Partitions
) -> dict[tuple[str, str], np.ndarray]:
    """(a, b) → k_k [mol/(m^2 s)] of the independent species, checked (collective).

    Raises:
        EmcdInputError: as for partition coefficients (unknown or missing species, a film
            for the eliminated species, k not > 0), a pair given twice, regions that do
            not touch.
    """
    per_species = check_partitions(domain, species, bootstrap, films, what="film coefficients")
    ind = [species[k] for k in bootstrap.independent]
    out = {pair: np.array([per_species[s][pair] for s in ind]) for pair in sorted(films)}
    check_films(domain, {pair: float(k.min()) for pair, k in out.items()})
    return out


def species_solubilities(
    domain: Domain,
    mixtures: Mapping[str, GasMixture],
    species: tuple[str, ...],
    bootstrap: Bootstrap,
    partitions: Partitions,
) -> dict[str, np.ndarray]:
    """Region → H_k of the n − 1 independent species (x_k = H_k μ_k), collective.

    Pairs without coefficients keep x continuous (the binary default K = c_b/c_a).

    Raises:
        EmcdInputError: as :func:`check_partitions`, regions that do not touch, or
            coefficients inconsistent around a loop of regions (per species).
    """
    per_species = check_partitions(domain, species, bootstrap, partitions)
    ind = [species[k] for k in bootstrap.independent]
    columns = []
    for s in ind:
        try:
            columns.append(region_solubilities(domain, mixtures, per_species[s]))
        except EmcdInputError as error:
            raise EmcdInputError(f"species {s!r}: {error}") from None
    return {r: np.array([col[r] for col in columns]) for r in sorted(domain.regions)}


def boundary_potential(
    domain: Domain, name: str, x_independent: np.ndarray, solubility: Mapping[str, np.ndarray]
) -> np.ndarray:
    """μ = x/H of the independent species on a boundary (collective).

    Raises:
        EmcdInputError: the boundary touches regions with different H.
    """
    size = len(x_independent)
    h = [
        boundary_solubility(domain, name, {r: v[m] for r, v in solubility.items()})
        for m in range(size)
    ]
    return np.asarray(x_independent, float) / np.array(h)


def solubility_field(domain: Domain, solubility: Mapping[str, np.ndarray]) -> fem.Function:
    """H of the independent species as a DG0 vector field (one value per region)."""
    size = len(next(iter(solubility.values())))
    Q = fem.functionspace(domain.mesh, ("DG", 0, (size,)))
    field = fem.Function(Q, name="solubility")
    cells = domain.local_cell_tags()
    values = field.x.array.reshape(-1, size)
    for region, h in solubility.items():
        values[cells == domain.regions[region]] = h
    return field


def scaled(field: fem.Function | None, u: ufl.core.expr.Expr) -> ufl.core.expr.Expr:
    """The independent mole fractions x = H ⊙ μ (u itself without partitions)."""
    if field is None:
        return u
    return ufl.as_vector([field[m] * u[m] for m in range(field.ufl_shape[0])])


__all__ = [
    "Partitions",
    "boundary_potential",
    "check_partitions",
    "check_species_films",
    "scaled",
    "solubility_field",
    "species_solubilities",
]
