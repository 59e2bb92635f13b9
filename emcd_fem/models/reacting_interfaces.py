"""Internal interfaces that carry a surface reaction: their sides and orientation.

A surface reaction on a named internal facet group Γ (``Domain.interfaces``) consumes A
there, so the normal flux jumps: N_A·n_a + N_A·n_b = q = −Σ ν_A r_s (n_a, n_b the outward
normals of the two sides). The rate needs one mole fraction at Γ:

* a **continuous** interface (the same x_A and c on both sides: no film, equal H and c)
  uses it, and either side gives the same rate;
* where x_A **jumps** (a partition K ≠ c_b/c_a, or a film) or c does (the mass-action
  rate k c x_A uses c), the user names the ``side`` (a region) whose x_A and c drive the
  rate; with a film the reaction sits on that side's face of the film (its sink enters
  that side's equation, the film carries the rest across).

The interface is integrated as an interior-facet integral with explicit orientation: the
'+' cell of every facet is in the rate's side (the first region by name when the
interface is continuous), as the films do (``models.blocks.interface_entities``;
DOLFINx's own facet orientation would drop or flip terms).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import ufl

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.stoichiometry import Reaction, on_interface
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.blocks import film_measure


@dataclass(frozen=True)
class ReactingInterface:
    """One reacting interface, oriented.

    Attributes:
        name: The interface's name (``Domain.interfaces``).
        plus: Region on the '+' side: the rate's side.
        minus: The other region (``plus`` again for an interface inside one region).
        entities: Rows (cell+, local facet+, cell−, local facet−) of the owned facets.
        jump: True where x_A jumps across it (partition or film): ``side`` was required.
    """

    name: str
    plus: str
    minus: str
    entities: npt.NDArray[np.int32]
    jump: bool


def _facet_rows(domain: Domain, tag: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(facet rows (f, cell0, cell1), their region tags (n, 2), facets with one local cell)."""
    msh = domain.mesh
    tdim = msh.topology.dim
    msh.topology.create_connectivity(tdim - 1, tdim)
    f2c = msh.topology.connectivity(tdim - 1, tdim)
    n_owned = msh.topology.index_map(tdim - 1).size_local
    facets = domain.facet_tags.find(tag)
    facets = facets[facets < n_owned]
    cell_tag = domain.local_cell_tags()
    rows, lonely = [], 0
    for f in facets:
        cells = f2c.links(f)
        if len(cells) != 2:
            lonely += 1
            continue
        rows.append((int(f), int(cells[0]), int(cells[1])))
    array = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
    return array, cell_tag[array[:, 1:]].reshape(-1, 2), lonely


def reacting_interface(
    domain: Domain,
    name: str,
    side: str | None,
    solubility: Mapping[str, float],
    films: Mapping[tuple[str, str], float],
    concentrations: Mapping[str, float],
    label: str,
) -> ReactingInterface:
    """Check a reacting interface and orient it (collective).

    Args:
        domain: The domain (ghost mode ``shared_facet``: both cells of each facet local).
        name: The interface name.
        side: The region whose x_A drives the rate, or None (continuous interfaces only).
        solubility: Region → H [-] (x_A = H μ): unequal H on the two sides is a jump.
        films: (a, b) → k_ab of the model's films: a film is a jump.
        concentrations: Region → c [mol/m^3]: unequal c makes the rate side-dependent.
        label: The reaction's name, for messages.

    Raises:
        EmcdInputError: facets with one local cell (ghost mode), an interface with no
            facets or between more than two regions, a missing ``side`` where x_A or c
            jumps, or a ``side`` that is not one of its two regions.
    """
    rows, tags, lonely = _facet_rows(domain, domain.interfaces[name])
    name_of = {t: n for n, t in domain.regions.items()}
    local = sorted({name_of[int(t)] for t in np.unique(tags) if int(t) in name_of})
    comm = domain.comm
    regions = sorted(set().union(*comm.allgather(local)))
    lonely = comm.allreduce(lonely)
    where = f"reaction {label!r} on interface {name!r}"
    if lonely:
        raise EmcdInputError(
            f"{where}: {lonely} of its facets have one cell on their rank; interface "
            "reactions need a mesh distributed with ghost mode shared_facet"
        )
    if not regions:
        raise EmcdInputError(f"{where}: the interface has no facets on this mesh")
    if len(regions) > 2:
        raise EmcdInputError(
            f"{where}: it lies between the regions {regions}; a reacting interface must lie "
            "between two regions: split the facet group by region pair"
        )
    a, b = regions[0], regions[-1]
    film = (a, b) in films or (b, a) in films
    h_a, h_b = float(solubility[a]), float(solubility[b])
    c_a, c_b = float(concentrations[a]), float(concentrations[b])
    partition = abs(h_a - h_b) > 1e-12 * max(abs(h_a), abs(h_b))
    c_jump = abs(c_a - c_b) > 1e-12 * max(c_a, c_b)
    jump = film or partition or c_jump
    if side is not None and side not in regions:
        raise EmcdInputError(
            f"{where}: side {side!r} is not a region on this interface; give one of {regions}"
        )
    if side is None and jump:
        why = (
            "x_A jumps there (a film)"
            if film
            else f"x_A jumps there (a partition: H = {h_a:g} in {a!r}, {h_b:g} in {b!r})"
            if partition
            else f"c differs there ({c_a:g} mol/m^3 in {a!r}, {c_b:g} in {b!r}; r = k c x_A)"
        )
        raise EmcdInputError(
            f"{where}: {why}, so the rate needs the side whose composition drives it: give "
            f"side = {a!r} or side = {b!r}"
        )
    plus = side or a
    minus = b if plus == a else a
    first = tags[:, 0] == domain.regions[plus]
    stray = comm.allreduce(int(np.count_nonzero(~first & (tags[:, 1] != domain.regions[plus]))))
    if stray:  # facets inside the other region: no '+' cell on the rate's side
        raise EmcdInputError(
            f"{where}: {stray} of its facets lie inside region {minus!r}, not between "
            f"{plus!r} and {minus!r}; split the facet group so the interface separates them"
        )
    cells = np.where(first[:, None], rows[:, 1:], rows[:, :0:-1])  # '+' cell in `plus`
    tdim = domain.mesh.topology.dim
    c2f = domain.mesh.topology.connectivity(tdim, tdim - 1)
    if c2f is None:
        domain.mesh.topology.create_connectivity(tdim, tdim - 1)
        c2f = domain.mesh.topology.connectivity(tdim, tdim - 1)
    entities = [
        (
            cp,
            int(np.flatnonzero(c2f.links(cp) == f)[0]),
            cm,
            int(np.flatnonzero(c2f.links(cm) == f)[0]),
        )
        for f, (cp, cm) in zip(rows[:, 0].tolist(), cells.tolist(), strict=True)
    ]
    data = np.asarray(entities, dtype=np.int32).reshape(-1, 4)
    return ReactingInterface(name, plus, minus, data, jump)


def on_interfaces(domain: Domain, reactions: Sequence[Reaction]) -> list[Reaction]:
    """The reactions with their interfaces named as the domain names them.

    ``"b|a"`` names the interface ``"a|b"`` (``materials.stoichiometry.interface_name``);
    the reaction's ``side`` still decides the side. Other entries are returned unchanged.
    """
    return [on_interface(r, domain.interfaces) if isinstance(r, Reaction) else r for r in reactions]


def check_wall(domain: Domain, reaction: Reaction) -> None:
    """A surface reaction on an exterior boundary: the name exists and there is no side.

    Raises:
        EmcdInputError: an unknown name (a layered slab's ``"a|b"`` with a hint to name the
            interfaces), or a ``side`` on a wall.
    """
    name, label = reaction.boundary, reaction.label
    if name not in domain.boundaries and domain.slab is not None and "|" in name:
        raise EmcdInputError(
            f"reaction {label!r}: {name!r} is not an interface of this domain; build the "
            "layered slab with layered_slab(..., interfaces=True) to name its interfaces "
            "'<layer>|<next layer>'"
        )
    domain.boundary_tag(name)  # raises with the known names
    if reaction.side is not None:
        raise EmcdInputError(
            f"reaction {label!r}: side is for reactions on internal interfaces; {name!r} is "
            "an exterior boundary (remove side)"
        )


def interior_measure(
    domain: Domain,
    films: Mapping[tuple[str, str], float],
    solubility: Mapping[str, float],
    interfaces: Mapping[str, ReactingInterface],
) -> tuple[dict, ufl.Measure | None, dict[str, int]]:
    """One interior-facet measure for the films and the reacting interfaces (collective).

    DOLFINx takes one ``subdomain_data`` per integral type and form, so both share it.

    Returns:
        (the films' data as ``models.blocks.film_measure`` gives it, the dS measure or
        None, reacting interface → its subdomain id).
    """
    extra = [(n, interfaces[n].entities) for n in sorted(interfaces)]
    film_data, dS = film_measure(domain, films, solubility, extra)
    return film_data, dS, {n: len(films) + j + 1 for j, (n, _) in enumerate(extra)}


__all__ = [
    "ReactingInterface",
    "check_wall",
    "interior_measure",
    "on_interfaces",
    "reacting_interface",
]
