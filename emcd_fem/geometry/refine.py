"""Uniform refinement of a distributed simplex mesh in DOLFINx, keeping its tags.

DOLFINx's ``refine`` keeps refined cells on their parent's rank by default and rebuilds the
ghost layer from scratch: a distributed dual graph of the *fine* cells and a halo search
over it (``create_identity_partitioner``), about 40 % of the refinement at 6 M tetrahedra
(issue 21). The ghosts follow from the coarse mesh instead: two fine cells on different
ranks can only share a facet that lies on a coarse facet between an owned and a ghost
parent, so every child of a parent with facet neighbours on other ranks is sent there as
a ghost (:func:`keep_parents_partitioner`). That layer holds every cell that DOLFINx's
``shared_facet`` layer holds, plus the siblings of those cells (about twice the ghost
cells, under 1 % of the cells at the sizes that matter); the owned cells, their numbering
and the vertex ownership are the same as with DOLFINx's default.
"""

from collections.abc import Callable
from typing import Literal

import numpy as np
from dolfinx import mesh as dmesh

from emcd_fem.errors import EmcdMeshError


def refine_with_tags(
    msh: dmesh.Mesh,
    cell_tags: dmesh.MeshTags,
    facet_tags: dmesh.MeshTags,
    *,
    ghosts: Literal["parents", "dolfinx"] = "parents",
) -> tuple[dmesh.Mesh, dmesh.MeshTags, dmesh.MeshTags]:
    """Uniformly refine a distributed mesh once, keeping cell and facet tags (collective).

    Refined cells stay on their parent's rank and get a ghost layer (every child of a
    parent with facet neighbours on another rank; :func:`keep_parents_partitioner`):
    interior-facet integrals (interfaces, films) stay valid on any number of ranks. The
    parent mesh must carry a facet-sharing ghost layer on more than one rank (what
    :func:`~emcd_fem.geometry.distribute.distribute` builds); without one DOLFINx's own
    ghost search is used. Tags of owned cells come from their parents; ghost cells get
    theirs from their owners (a scatter over the cell index map). Every facet of an owned
    cell is tagged from its parent facet, which covers all owned facets.

    Args:
        msh: The mesh (order 1, simplices).
        cell_tags: Region tags of its cells.
        facet_tags: Tags of its facets (boundaries, interfaces).
        ghosts: ``"parents"``: the ghost layer from the parents' (above); ``"dolfinx"``:
            DOLFINx's own search over the refined mesh (the minimal facet-sharing layer;
            slower, the reference of the tests).

    Returns:
        The refined mesh, its cell tags and its facet tags.

    Raises:
        EmcdMeshError: for curved (order-2) geometry, which refinement does not support.
    """
    from dolfinx import la

    if msh.geometry.cmaps[0].degree != 1:
        raise EmcdMeshError(
            "refinement of order-2 (curved) geometry is not supported: re-mesh with gmsh at a "
            "smaller size instead"
        )
    tdim = msh.topology.dim
    msh.topology.create_entities(1)
    msh.topology.create_connectivity(tdim - 1, tdim)
    ghosted = msh.comm.allreduce(msh.topology.index_map(tdim).num_ghosts) > 0
    options: dict = {"option": dmesh.RefinementOption.parent_cell_and_facet}
    if ghosts not in ("parents", "dolfinx"):
        raise ValueError(f"ghosts must be 'parents' or 'dolfinx', got {ghosts!r}")
    if ghosts == "parents" and (ghosted or msh.comm.size == 1):
        options["partitioner"] = keep_parents_partitioner(msh)
    # DOLFINx's transfer_meshtag rejects ghosted parents (0.11): map the tags by hand.
    fine, parent_cell, parent_facet = dmesh.refine(msh, **options)
    fine.topology.create_connectivity(tdim - 1, tdim)
    fine.topology.create_connectivity(tdim, tdim - 1)
    msh.topology.create_connectivity(tdim, tdim - 1)
    coarse_map, fine_map = msh.topology.index_map(tdim), fine.topology.index_map(tdim)
    n_parent = coarse_map.size_local + coarse_map.num_ghosts
    n_owned = fine_map.size_local  # parent_cell and parent_facet: owned fine cells only
    n_fine = n_owned + fine_map.num_ghosts
    # refine() returns parents in the order cells were created; the refined mesh then
    # reorders its cells: original_cell_index maps current cell -> creation index
    offset = msh.comm.exscan(len(parent_cell)) or 0  # creation indices are global
    order = np.asarray(fine.topology.original_cell_index, dtype=np.int64)[:n_owned] - offset
    parent_cell = np.asarray(parent_cell)[order]
    local_parent = np.asarray(parent_facet).reshape(-1, fine_facets_per_cell(fine))[order]
    cell_value = np.full(n_parent, -1, dtype=np.int32)
    cell_value[cell_tags.indices] = cell_tags.values
    values = la.vector(fine_map, dtype=np.int32)
    values.array[:n_owned] = cell_value[parent_cell]
    values.scatter_forward()  # ghost cells: their owner's value
    keep = values.array >= 0
    new_cells = dmesh.meshtags(
        fine, tdim, np.arange(n_fine, dtype=np.int32)[keep], values.array[keep].copy()
    )

    parent_c2f = msh.topology.connectivity(tdim, tdim - 1).array.reshape(n_parent, -1)
    fine_c2f = fine.topology.connectivity(tdim, tdim - 1).array.reshape(n_fine, -1)[:n_owned]
    facet_map = msh.topology.index_map(tdim - 1)
    n_parent_facets = facet_map.size_local + facet_map.num_ghosts
    facet_value = np.full(n_parent_facets, -1, dtype=np.int32)
    facet_value[facet_tags.indices] = facet_tags.values
    # only the children of parents with a tagged facet (a few % of the cells) are visited
    parent_tags = facet_value[parent_c2f]
    near = np.flatnonzero((parent_tags >= 0).any(axis=1)[parent_cell])
    cell_idx, local_idx = np.nonzero(local_parent[near] >= 0)
    cell_idx = near[cell_idx]
    tags = parent_tags[parent_cell[cell_idx], local_parent[cell_idx, local_idx]]
    chosen = tags >= 0
    facets, first = np.unique(fine_c2f[cell_idx[chosen], local_idx[chosen]], return_index=True)
    new_facets = dmesh.meshtags(fine, tdim - 1, facets.astype(np.int32), tags[chosen][first])
    new_cells.name, new_facets.name = cell_tags.name, facet_tags.name
    return fine, new_cells, new_facets


def keep_parents_partitioner(msh: dmesh.Mesh) -> Callable:
    """The cell partitioner of a uniform refinement of ``msh``: children stay, ghosts follow.

    DOLFINx calls it with the children of the owned cells in creation order: uniform
    refinement splits every cell into 2^tdim children, stored parent after parent. Each
    child stays on its parent's rank and is ghosted on every rank that owns a cell sharing
    a facet with its parent (read from the parent mesh's ghost layer: facets between an
    owned and a ghost cell). Collective when called (not here).

    Raises (when called):
        RuntimeError: if the number of children is not 2^tdim per owned parent cell (a
            non-uniform refinement).
    """
    from dolfinx.graph import adjacencylist

    tdim = msh.topology.dim
    children = 2**tdim
    cell_map = msh.topology.index_map(tdim)
    n_owned = cell_map.size_local
    msh.topology.create_connectivity(tdim - 1, tdim)
    f2c = msh.topology.connectivity(tdim - 1, tdim)
    offsets = np.asarray(f2c.offsets)
    shared = np.flatnonzero(np.diff(offsets) == 2)
    a, b = f2c.array[offsets[shared]], f2c.array[offsets[shared] + 1]
    owners = np.asarray(cell_map.owners, dtype=np.int64)
    a_owned = (a < n_owned) & (b >= n_owned)
    b_owned = (b < n_owned) & (a >= n_owned)
    parents = np.concatenate([a[a_owned], b[b_owned]]).astype(np.int64)
    ranks = np.concatenate([owners[b[a_owned] - n_owned], owners[a[b_owned] - n_owned]])
    size = max(msh.comm.size, 1)
    pairs = np.unique(parents * size + ranks)  # sorted by parent, then rank
    parents, ranks = pairs // size, (pairs % size).astype(np.int32)
    per_parent = np.bincount(parents, minlength=n_owned)
    first_of_parent = np.concatenate([[0], np.cumsum(per_parent)])[:-1]
    rank = msh.comm.rank

    def partition(comm, nparts, cell_types, cells) -> object:
        n_cells = cells[0].size // (tdim + 1)
        if n_cells != children * n_owned:
            raise RuntimeError(
                f"uniform refinement expected {children} children per cell, got {n_cells} "
                f"cells from {n_owned} parents"
            )
        counts = 1 + np.repeat(per_parent, children)
        starts = np.zeros(n_cells + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        data = np.empty(starts[-1], dtype=np.int32)
        data[starts[:-1]] = rank  # the owner first, then the ghost ranks
        slot = 1 + np.arange(len(parents)) - first_of_parent[parents]
        child = parents[:, None] * children + np.arange(children)[None, :]
        data[starts[child] + slot[:, None]] = ranks[:, None]
        return adjacencylist(data, starts.astype(np.int32))._cpp_object

    return partition


def fine_facets_per_cell(msh: dmesh.Mesh) -> int:
    """Number of facets of each cell of a (single cell type) mesh."""
    from dolfinx.cpp.mesh import cell_num_entities

    return cell_num_entities(msh.topology.cell_type, msh.topology.dim - 1)
