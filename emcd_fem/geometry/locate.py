"""Boundaries located by a condition on the coordinates, for meshes that do not name them.

``[geometry.boundaries]`` of a ``mesh_file`` case (or ``from_file(boundaries=...)``) maps
a name to a condition such as ``"x < 1e-9"`` (:func:`~emcd_fem.expressions.
check_condition`): the boundary is every exterior facet at whose vertices the condition
holds. The reserved condition ``"exterior"`` takes every exterior facet that no other
boundary holds (the whole exterior when the file names none). A located boundary may not
share facets with another boundary, and must find at least one facet.
"""

from collections.abc import Mapping

from mpi4py import MPI

import numpy as np
from dolfinx import mesh as dmesh

from emcd_fem.errors import EmcdInputError, EmcdMeshError
from emcd_fem.expressions import check_condition, evaluate_condition
from emcd_fem.geometry.gmsh_groups import FACET_CORNERS
from emcd_fem.mesh.domain import Domain

#: The condition that takes every exterior facet not held by another boundary.
EXTERIOR = "exterior"


def _facet_nodes(domain: Domain, facets: np.ndarray) -> np.ndarray:
    """Coordinates of the geometry nodes of each facet, shape (facets, nodes, 3)."""
    msh = domain.mesh
    fdim = msh.topology.dim - 1
    msh.topology.create_connectivity(fdim, msh.topology.dim)
    nodes = dmesh.entities_to_geometry(msh, fdim, facets.astype(np.int32))
    corners = FACET_CORNERS[msh.topology.cell_name()]  # vertices come first
    return msh.geometry.x[nodes[:, :corners]]


def locate_facets(domain: Domain, condition: str, facets: np.ndarray) -> np.ndarray:
    """The facets (local indices) at all of whose vertices ``condition`` holds."""
    if facets.size == 0:
        return facets
    points = _facet_nodes(domain, facets)
    gdim = domain.mesh.geometry.dim
    held = evaluate_condition(condition, points.reshape(-1, 3)[:, :gdim].T, gdim)
    return facets[held.reshape(points.shape[:2]).all(axis=1)]


def _extent(domain: Domain) -> str:
    x = domain.mesh.geometry.x
    comm = domain.comm
    gdim = domain.mesh.geometry.dim
    low = [
        comm.allreduce(float(x[:, i].min()) if x.size else np.inf, op=MPI.MIN) for i in range(gdim)
    ]
    high = [
        comm.allreduce(float(x[:, i].max()) if x.size else -np.inf, op=MPI.MAX) for i in range(gdim)
    ]
    return ", ".join(f"{'xyz'[i]} in [{low[i]:.6g}, {high[i]:.6g}]" for i in range(gdim))


def add_located_boundaries(domain: Domain, where: Mapping[str, str]) -> Domain:
    """A copy of ``domain`` with boundaries located by conditions (collective).

    Args:
        domain: The domain (its facet tags hold the file's boundaries and interfaces).
        where: Boundary name → condition on x, y, z [m], or ``"exterior"``. Conditions
            are applied in the given order; ``"exterior"`` last.

    Raises:
        EmcdMeshError: a name the mesh already uses, a condition that selects no exterior
            facet, or one that shares facets with another boundary (naming both).
    """
    msh = domain.mesh
    comm = domain.comm
    fdim = msh.topology.dim - 1
    msh.topology.create_connectivity(fdim, msh.topology.dim)
    exterior = dmesh.exterior_facet_indices(msh.topology)
    n_facets = msh.topology.index_map(fdim).size_local + msh.topology.index_map(fdim).num_ghosts
    owner = np.full(n_facets, -1, dtype=np.int64)
    owner[domain.facet_tags.indices] = domain.facet_tags.values
    taken = set(domain.regions) | set(domain.boundaries) | set(domain.interfaces)
    names_of = {tag: name for name, tag in {**domain.boundaries, **domain.interfaces}.items()}
    used = [*domain.boundaries.values(), *domain.interfaces.values(), 0]
    next_tag = comm.allreduce(max([*used, *domain.facet_tags.values.tolist()]), op=MPI.MAX) + 1
    added: dict[str, int] = {}
    ordered = [n for n in where if where[n] != EXTERIOR] + [
        n for n in where if where[n] == EXTERIOR
    ]
    for name in ordered:  # every rank, before any facet search: one verdict for all
        if where[name] != EXTERIOR:
            try:
                check_condition(where[name], msh.geometry.dim)
            except EmcdInputError as exc:
                raise EmcdInputError(f"geometry.boundaries.{name}: {exc}") from None
    for name in ordered:
        condition = where[name]
        if name in taken:
            raise EmcdMeshError(
                f"geometry.boundaries.{name}: the mesh already has a physical group {name!r}; "
                "choose another name"
            )
        if condition == EXTERIOR:
            chosen = exterior[owner[exterior] < 0]
        else:
            chosen = locate_facets(domain, condition, exterior)
        clash = owner[chosen]
        clash_tags = np.unique(clash[clash >= 0])
        all_clash = sorted(set().union(*comm.allgather(set(clash_tags.tolist()))))
        count = comm.allreduce(int(chosen.size), op=MPI.SUM)
        if all_clash:
            shared = {t: comm.allreduce(int(np.sum(clash == t)), op=MPI.SUM) for t in all_clash}
            listed = ", ".join(f"{shared[t]} with '{names_of[t]}'" for t in all_clash)
            raise EmcdMeshError(
                f"geometry.boundaries.{name} = {condition!r} selects {count} exterior facets, "
                f"of which {listed}: a facet takes one condition only; narrow the condition "
                "(e.g. add 'and y > ...')"
            )
        if count == 0:
            raise EmcdMeshError(
                f"geometry.boundaries.{name} = {condition!r} selects no exterior facet (a "
                f"facet is selected when the condition holds at all its vertices); the mesh spans "
                f"{_extent(domain)}"
            )
        owner[chosen] = next_tag
        names_of[next_tag] = name
        added[name] = next_tag
        next_tag += 1
    indices = np.flatnonzero(owner >= 0).astype(np.int32)
    facet_tags = dmesh.meshtags(msh, fdim, indices, owner[indices].astype(np.int32))
    facet_tags.name = domain.facet_tags.name
    return Domain(
        mesh=msh,
        cell_tags=domain.cell_tags,
        facet_tags=facet_tags,
        regions=domain.regions,
        boundaries={**domain.boundaries, **added},
        interfaces=domain.interfaces,
        layout=domain.layout,
        excluded=domain.excluded,
    )
