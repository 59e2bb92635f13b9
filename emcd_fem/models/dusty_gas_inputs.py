"""Input checks of the dusty-gas model (every message names the culprit and the fix).

Porous media per region, boundary states (pressure and composition), reactions (any
stoichiometry: the pressure unknown carries a change in moles), the temperature and the
number of species. Collective where noted.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mpi4py import MPI

import numpy as np

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.porous import DustyGas, PorousMedium
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.multicomponent_inputs import check_compositions, check_reaction_places
from emcd_fem.physics.dusty_gas import MAX_SPECIES


@dataclass(frozen=True)
class BoundaryState:
    """The gas on an open boundary: total pressure and composition (Dirichlet data).

    Attributes:
        pressure: Total pressure p > 0 [Pa].
        mole_fractions: Species → x_i, every species, each in [0, 1], Σ = 1.
    """

    pressure: float
    mole_fractions: Mapping[str, float]


def check_gas(gas: DustyGas, temperature: float) -> tuple[str, ...]:
    """The species of the gas, checked against :data:`MAX_SPECIES`, and T > 0.

    Raises:
        EmcdInputError: not a DustyGas, more than MAX_SPECIES species, T not > 0.
    """
    if not isinstance(gas, DustyGas):
        raise EmcdInputError(
            f"dusty-gas model: gas must be an emcd_fem DustyGas, got {type(gas).__name__}"
        )
    if isinstance(temperature, bool) or not (
        isinstance(temperature, int | float) and math.isfinite(temperature) and temperature > 0
    ):
        raise EmcdInputError(f"dusty-gas model: temperature must be > 0 [K], got {temperature!r}")
    if len(gas.species) > MAX_SPECIES:
        raise EmcdInputError(
            f"dusty-gas model: {len(gas.species)} species given, at most {MAX_SPECIES} are "
            "supported (the flux law inverts an n × n matrix in closed form); lump species"
        )
    return gas.species


def check_media(domain: Domain, media: Mapping[str, PorousMedium]) -> dict[str, PorousMedium]:
    """Region → porous medium for every region, every cell tagged (collective).

    Raises:
        EmcdInputError: an unknown or missing region, a value that is not a PorousMedium,
            untagged cells.
    """
    for region in media:
        domain.region_tag(region)
    missing = sorted(set(domain.regions) - set(media))
    if missing:
        raise EmcdInputError(
            f"regions {missing} have no porous medium; give a PorousMedium for every region"
        )
    for region, medium in media.items():
        if not isinstance(medium, PorousMedium):
            raise EmcdInputError(
                f"region {region!r}: expected an emcd_fem PorousMedium, got {type(medium).__name__}"
            )
    tdim = domain.mesh.topology.dim
    n_owned = domain.mesh.topology.index_map(tdim).size_local
    local = int(np.count_nonzero(domain.local_cell_tags()[:n_owned] < 0))
    if domain.comm.allreduce(local, op=MPI.SUM):
        raise EmcdInputError("cells of the mesh belong to no region; every cell needs a region")
    return {r: media[r] for r in sorted(media)}


def check_states(
    domain: Domain, species: tuple[str, ...], states: Mapping[str, BoundaryState]
) -> dict[str, tuple[float, np.ndarray]]:
    """Boundary name → (pressure [Pa], mole fractions in species order), checked.

    Raises:
        EmcdInputError: an unknown boundary or species, a missing species, a fraction
            outside [0, 1] or not summing to 1, a pressure not > 0, no open boundary.
    """
    out = {}
    for name in sorted(states):
        state = states[name]
        if not isinstance(state, BoundaryState):
            raise EmcdInputError(
                f"boundary {name!r}: expected a BoundaryState(pressure, mole_fractions), got "
                f"{type(state).__name__}"
            )
        p = state.pressure
        if isinstance(p, bool) or not (isinstance(p, int | float) and math.isfinite(p) and p > 0):
            raise EmcdInputError(f"boundary {name!r}: pressure must be > 0 [Pa], got {p!r}")
        x = check_compositions(domain, species, {name: state.mole_fractions}, closed=True)[name]
        out[name] = (float(p), x)
    if not out:
        raise EmcdInputError(
            "dusty-gas model: give the pressure and composition on at least one boundary "
            "(BoundaryState); every other boundary is closed to every species"
        )
    return out


def check_reactions(
    domain: Domain,
    species: tuple[str, ...],
    reactions: Sequence[Reaction],
    open_boundaries: Sequence[str],
) -> list[Reaction]:
    """The reactions, checked against the gas and the domain (any Δν is allowed).

    Raises:
        EmcdInputError: not a Reaction, an unknown species, region or boundary, a surface
            reaction on an open boundary (its composition is prescribed there), or two
            reactions with the same label.
    """
    out, labels = [], set()
    for reaction in reactions:
        if not isinstance(reaction, Reaction):
            raise EmcdInputError(
                f"dusty-gas model: reactions must be emcd_fem Reaction objects, got "
                f"{type(reaction).__name__}"
            )
        label = reaction.label
        check_reaction_places(
            domain,
            reaction,
            species,
            open_boundaries,
            "a prescribed pressure and composition; a surface reaction needs a wall (a "
            "boundary without them)",
        )
        if label in labels:
            raise EmcdInputError(f"reaction {label!r} is given twice; give each reaction once")
        labels.add(label)
        out.append(reaction)
    return out


__all__ = ["BoundaryState", "check_gas", "check_media", "check_reactions", "check_states"]
