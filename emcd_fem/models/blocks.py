"""Blocks: film-free connected groups of regions, each with its own continuous unknown.

A film makes the potential μ (x_A = H μ) jump, which a continuous Lagrange space cannot
carry. Regions joined by film-free interfaces form a *block*; with films each block gets a
submesh (``dolfinx.mesh.create_submesh``) and its forms are integrated over the parent mesh
with ``entity_maps``. Without films there is one block, the whole mesh, and no submesh.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mpi4py import MPI

import numpy as np
import numpy.typing as npt
import ufl
from dolfinx import fem, la
from dolfinx import mesh as dmesh

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.partition import adjacent_regions, regions_on_boundary
from emcd_fem.mesh.domain import Domain
from emcd_fem.physics.conditions import BoundaryCondition, ZeroFlux


def connected_blocks(
    regions: Sequence[str], touching: Sequence[tuple[str, str]], films: Mapping
) -> list[list[str]]:
    """Connected sets of regions joined by interfaces without a film (sorted, deterministic)."""
    parent = {r: r for r in regions}

    def find(r: str) -> str:
        while parent[r] != r:
            r = parent[r]
        return r

    film_pairs = {tuple(sorted(p)) for p in films}
    for a, b in touching:
        if (a, b) not in film_pairs:
            parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for r in regions:
        groups.setdefault(find(r), []).append(r)
    return sorted(sorted(g) for g in groups.values())


def interface_entities(domain: Domain, first: str, second: str) -> npt.NDArray[np.int32]:
    """Integration entities of the interface between two regions.

    Rows (cell_a, local_facet_a, cell_b, local_facet_b) over owned facets, the '+' cell
    always in region ``first`` (DOLFINx's own orientation would drop or flip terms).
    """
    msh = domain.mesh
    tdim = msh.topology.dim
    msh.topology.create_connectivity(tdim - 1, tdim)
    msh.topology.create_connectivity(tdim, tdim - 1)
    f2c = msh.topology.connectivity(tdim - 1, tdim)
    c2f = msh.topology.connectivity(tdim, tdim - 1)
    tag = domain.local_cell_tags()
    ta, tb = domain.regions[first], domain.regions[second]
    rows = []
    for f in range(msh.topology.index_map(tdim - 1).size_local):
        cells = f2c.links(f)
        if len(cells) == 1:
            continue
        tags = tag[cells]
        if {int(tags[0]), int(tags[1])} != {ta, tb}:
            continue
        ca, cb = (cells[0], cells[1]) if tags[0] == ta else (cells[1], cells[0])
        la_ = int(np.flatnonzero(c2f.links(ca) == f)[0])
        lb_ = int(np.flatnonzero(c2f.links(cb) == f)[0])
        rows.append((ca, la_, cb, lb_))
    return np.asarray(rows, dtype=np.int32).reshape(-1, 4)


def check_films(
    domain: Domain, films: Mapping[tuple[str, str], float]
) -> dict[tuple[str, str], float]:
    """Validate film coefficients k_ab [mol/(m^2 s)]; returns them in sorted order (collective).

    Raises:
        EmcdInputError: a pair given twice, an unknown region, k not > 0, regions that do
            not touch, or an interface without facets.
    """
    if not films:  # nothing to check (the same on every rank: the films are input data)
        return {}
    touching = adjacent_regions(domain)
    films = dict(sorted(films.items()))  # one order on every rank (it drives collectives)
    for (a, b), k in films.items():
        if (b, a) in films:
            raise EmcdInputError(
                f"the film between {a!r} and {b!r} is given twice ({a}|{b} and {b}|{a}): "
                "give it once"
            )
        for r in (a, b):
            domain.region_tag(r)
        if isinstance(k, bool) or not (isinstance(k, int | float) and k > 0):
            raise EmcdInputError(f"film coefficient k[{a}|{b}] must be > 0, got {k!r}")
        if tuple(sorted((a, b))) not in touching:
            raise EmcdInputError(f"regions {a!r} and {b!r} do not share an interface")
    counts = np.array([len(interface_entities(domain, a, b)) for a, b in films], dtype=np.int64)
    total = np.zeros_like(counts)
    domain.comm.Allreduce(counts, total, op=MPI.SUM)
    if np.any(total == 0):
        raise EmcdInputError("a film interface has no facets on this mesh")
    return films


@dataclass
class Block:
    """One block: its regions, its Lagrange space and the maps to the parent mesh.

    Attributes:
        regions: Region names (sorted).
        space: Lagrange space of the block's potential (on a submesh when there are films).
        entity_map: Submesh → parent cell map (None when the block is the whole mesh).
        facet_tags: The domain's facet tags carried over to the block's mesh.
    """

    regions: list[str]
    space: fem.FunctionSpace
    entity_map: "dmesh.EntityMap | None"
    facet_tags: dmesh.MeshTags


def build_blocks(
    domain: Domain, films: Mapping, degree: int, shape: tuple[int, ...] = ()
) -> list[Block]:
    """One block per film-free connected group of regions (collective, deterministic).

    ``shape``: the value shape of the block spaces (``(n − 1,)`` for n species).
    """
    msh = domain.mesh
    tdim = msh.topology.dim
    element = ("Lagrange", degree, shape) if shape else ("Lagrange", degree)
    if not films:
        V = fem.functionspace(msh, element)
        return [Block(sorted(domain.regions), V, None, domain.facet_tags)]
    groups = connected_blocks(sorted(domain.regions), adjacent_regions(domain), films)
    blocks = []
    for group in groups:
        cells = np.sort(
            np.concatenate([domain.cell_tags.find(domain.regions[r]) for r in group])
        ).astype(np.int32)
        sub, cell_map, vertex_map, _ = dmesh.create_submesh(msh, tdim, cells)
        sub.topology.create_connectivity(tdim - 1, tdim)
        tags = dmesh.transfer_meshtags_to_submesh(
            entity_tag=domain.facet_tags,
            submesh=sub,
            vertex_to_parent=vertex_map,
            cell_to_parent=cell_map,
        )
        blocks.append(Block(group, fem.functionspace(sub, element), cell_map, tags))
    return blocks


def boundary_dofs(
    block: Block, tags: Sequence[tuple[str, int]]
) -> dict[str, npt.NDArray[np.int32]]:
    """Owned DOFs of each (name, facet tag) of a block, each DOF given to the first claimant.

    Membership is decided on the owning rank after gathering every rank's view, so the
    partition does not depend on the number of ranks (collective).
    """
    V = block.space
    fdim = V.mesh.topology.dim - 1
    imap = V.dofmap.index_map
    n_owned = imap.size_local
    claimed = np.zeros(n_owned, dtype=bool)
    result = {}
    for name, tag in tags:
        marker = la.vector(imap, 1)
        dofs = fem.locate_dofs_topological(V, fdim, block.facet_tags.find(tag))
        marker.array[dofs] = 1.0
        marker.scatter_reverse(la.InsertMode.add)
        mine = (marker.array[:n_owned] > 0) & ~claimed
        claimed |= mine
        result[name] = np.flatnonzero(mine).astype(np.int32)
    return result


def whole_mesh_field(
    domain: Domain, blocks: Sequence[Block], potentials: Sequence[fem.Function], name: str
) -> fem.Function:
    """The block potentials copied onto one discontinuous Lagrange field of the parent mesh.

    Exact cell by cell (same degree); jumps across films (collective).
    """
    msh = domain.mesh
    tdim = msh.topology.dim
    degree = blocks[0].space.element.basix_element.degree
    mu = fem.Function(fem.functionspace(msh, ("DG", degree)), name=name)
    for block, potential in zip(blocks, potentials, strict=True):
        if block.entity_map is None:
            mu.interpolate(potential)
            continue
        sub = potential.function_space.mesh
        sub_cells = np.arange(sub.topology.index_map(tdim).size_local, dtype=np.int32)
        parent_cells = block.entity_map.sub_topology_to_topology(sub_cells, inverse=False)
        mu.interpolate(potential, cells0=sub_cells, cells1=parent_cells)
    mu.x.scatter_forward()
    return mu


def film_measure(
    domain: Domain,
    films: Mapping[tuple[str, str], float],
    solubility: Mapping[str, float],
    extra: Sequence[tuple[str, npt.NDArray[np.int32]]] = (),
) -> tuple[dict[tuple[str, str], tuple[int, fem.Constant]], ufl.Measure | None]:
    """The films' interior-facet measure and data (collective).

    Integration entities with '+' in each film's first region (:func:`interface_entities`).

    Args:
        domain: The domain.
        films: (a, b) → k_ab [mol/(m^2 s)].
        solubility: Region → H [-].
        extra: (name, oriented rows) of further interior-facet integrals on the same
            measure (reacting interfaces): subdomain ids len(films) + 1, + 2, ... in order.

    Returns:
        ((a, b) → (dS subdomain id, k_ab H_a as a Constant), the dS measure or None).
    """
    data, film_data = [], {}
    for j, ((a, b), k) in enumerate(films.items()):
        data.append((j + 1, interface_entities(domain, a, b).ravel()))
        film_data[(a, b)] = (j + 1, fem.Constant(domain.mesh, float(k) * solubility[a]))
    for j, (_, rows) in enumerate(extra):
        data.append((len(films) + j + 1, np.asarray(rows, dtype=np.int32).ravel()))
    dS = ufl.Measure("dS", domain=domain.mesh, subdomain_data=data) if data else None
    return film_data, dS


def boundary_block(
    domain: Domain, block_of: Mapping[str, int], name: str, condition: BoundaryCondition
) -> int:
    """Index of the block a boundary lies in (a zero-flux boundary may span blocks).

    Raises:
        EmcdInputError: a boundary with data that touches regions separated by films.
    """
    blocks = sorted({block_of[r] for r in regions_on_boundary(domain, name)})
    if isinstance(condition, ZeroFlux) and blocks:
        return blocks[0]  # no term, no flux: may span blocks
    if len(blocks) != 1:
        raise EmcdInputError(
            f"boundary {name!r} touches regions separated by films; split it by region"
        )
    return blocks.pop()


__all__ = [
    "Block",
    "boundary_block",
    "boundary_dofs",
    "build_blocks",
    "check_films",
    "connected_blocks",
    "film_measure",
    "interface_entities",
    "whole_mesh_field",
]
