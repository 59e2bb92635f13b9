"""Box meshes in blocks: every rank keeps the cells DOLFINx's ``create_box`` generates on it.

``dolfinx.mesh.create_box`` builds its cells in parallel: rank r generates the hexahedra
(or the 6 tetrahedra of each hexahedron) with global indices in DOLFINx's
``MPI::local_range(r, nx ny nz, size)``, numbered x fastest, then y, then z. It then hands
them to a graph partitioner (the distributed dual graph and PT-SCOTCH), which costs about a
third of the mesh construction on 2 ranks and moves nearly every cell. The block each rank
generated is already a good partition of a box: a slab of whole z-layers (plus part of
one), cut by planes of nx ny faces. :func:`box_partitioner` keeps it and computes the ghost
layer from the box's structure: a cell is ghosted on every other rank that owns a
hexahedron sharing a face with its own (the ranks of the ±x, ±y, ±z neighbours); that
covers every cell sharing a facet with another rank's cell (the ``shared_facet`` ghost
mode) and a few cells that share only an edge with it.

The mesh (its vertices and cells) is the same as with DOLFINx's partitioner; only which
rank owns which cell differs, as it does between partitioners and rank counts anyway.
"""

from collections.abc import Callable, Sequence

from mpi4py import MPI

import numpy as np
import numpy.typing as npt
from dolfinx import mesh as dmesh

#: Cells per hexahedron of the box: DOLFINx splits each into 6 tetrahedra.
CELLS_PER_HEXAHEDRON = {"tetrahedron": 6, "hexahedron": 1}
#: Vertices of each cell.
VERTICES_PER_CELL = {"tetrahedron": 4, "hexahedron": 8}


def local_range(rank: int, n: int, size: int) -> tuple[int, int]:
    """DOLFINx's ``MPI::local_range``: the indices [begin, end) of ``rank`` among n."""
    base, extra = divmod(n, size)
    if rank < extra:
        return rank * (base + 1), rank * (base + 1) + base + 1
    return rank * base + extra, rank * base + extra + base


def index_owner(index: npt.NDArray[np.int64], n: int, size: int) -> npt.NDArray[np.int64]:
    """DOLFINx's ``MPI::index_owner``: the rank whose :func:`local_range` holds each index."""
    base, extra = divmod(n, size)
    index = np.asarray(index, dtype=np.int64)
    split = extra * (base + 1)
    if base == 0:  # fewer indices than ranks: the first n ranks hold one each
        return index
    return np.where(index < split, index // (base + 1), extra + (index - split) // base)


def hexahedron_ghost_ranks(
    counts: Sequence[int], rank: int, size: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """The other ranks owning a face neighbour of each hexahedron generated on ``rank``.

    Args:
        counts: Hexahedra along x, y and z (nx, ny, nz).
        rank: This rank.
        size: Number of ranks.

    Returns:
        (local hexahedron index, rank) pairs, sorted and unique: hexahedron i of this
        rank's block (0-based) is ghosted on that rank.
    """
    nx, ny, nz = (int(c) for c in counts)
    n = nx * ny * nz
    begin, end = local_range(rank, n, size)
    if size == 1 or begin == end:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32)
    layer = nx * ny
    # only hexahedra within one z-layer of the block's ends can touch another rank
    near = np.unique(
        np.concatenate(
            [np.arange(begin, min(end, begin + layer)), np.arange(max(begin, end - layer), end)]
        )
    )
    ix, iy, iz = near % nx, (near // nx) % ny, near // layer
    steps = (
        (ix > 0, -1),
        (ix < nx - 1, 1),
        (iy > 0, -nx),
        (iy < ny - 1, nx),
        (iz > 0, -layer),
        (iz < nz - 1, layer),
    )
    hexes, ranks = [], []
    for valid, step in steps:
        neighbour = near[valid] + step
        owner = index_owner(neighbour, n, size)
        other = owner != rank
        hexes.append(near[valid][other] - begin)
        ranks.append(owner[other])
    hexes_all, ranks_all = np.concatenate(hexes), np.concatenate(ranks)
    pairs = np.unique(hexes_all * size + ranks_all)  # sorted by hexahedron, then rank
    return pairs // size, (pairs % size).astype(np.int32)


def box_partitioner(
    comm: MPI.Comm, counts: Sequence[int], cell_type: str, ghosts: bool = True
) -> Callable:
    """The partitioner of ``create_box(comm, ..., counts, cell_type)``: cells stay put.

    Args:
        comm: The communicator given to ``create_box``.
        counts: Hexahedra along x, y and z, as given to ``create_box``.
        cell_type: ``"tetrahedron"`` or ``"hexahedron"``.
        ghosts: Add the ghost layer (``GhostMode.shared_facet``); False: none.

    Returns:
        A DOLFINx cell partition function. When DOLFINx calls it (collectively, inside
        ``create_box``) it raises RuntimeError if the cells it is given are not the block
        this module expects (another DOLFINx numbering).
    """
    from dolfinx.graph import adjacencylist

    per_hex = CELLS_PER_HEXAHEDRON[cell_type]
    corners = VERTICES_PER_CELL[cell_type]
    n_hex = int(np.prod([int(c) for c in counts]))
    rank, size = comm.rank, comm.size

    def partition(_comm, nparts, _cell_types, cells) -> object:
        if nparts != size:
            raise RuntimeError(f"box partitioner: {nparts} parts on {size} ranks")
        begin, end = local_range(rank, n_hex, size)
        n_cells = (end - begin) * per_hex
        if len(cells[0]) != n_cells * corners:
            raise RuntimeError(
                f"box partitioner: rank {rank} was given {len(cells[0]) // corners} cells, "
                f"not the {n_cells} of its block"
            )
        hexes, ranks = (
            hexahedron_ghost_ranks(counts, rank, size)
            if ghosts
            else (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32))
        )
        per_cell_hex = np.bincount(hexes, minlength=end - begin)
        sizes = 1 + np.repeat(per_cell_hex, per_hex)
        offsets = np.zeros(n_cells + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        data = np.empty(offsets[-1], dtype=np.int32)
        data[offsets[:-1]] = rank  # the owner first, then the ghost ranks
        if hexes.size:
            first = np.concatenate([[0], np.cumsum(per_cell_hex)])[:-1]
            slot = 1 + np.arange(hexes.size) - first[hexes]
            cell = hexes[:, None] * per_hex + np.arange(per_hex)[None, :]
            data[offsets[cell] + slot[:, None]] = ranks[:, None]
        return adjacencylist(data, offsets.astype(np.int32))._cpp_object

    return partition


def slab_box(
    comm: MPI.Comm,
    n_total: int,
    cells_across: int,
    width: float,
    depth: float,
    cell_type: str,
    ghost: dmesh.GhostMode,
) -> dmesh.Mesh:
    """The 3D box [0, n_total] × [0, width] × [0, depth] of ``layered_slab``, in blocks.

    Every rank keeps the block of cells ``create_box`` generates on it
    (:func:`box_partitioner`: no graph partitioning), which
    is a slab across ``create_box``'s last axis. For tetrahedra that axis is the one with
    the most cells: the box is built with x and z exchanged when the layers have more
    cells than the cross-section, and the coordinates swapped back. The 6-tetrahedron
    split of each hexahedron is the same under that exchange (the tetrahedra around the
    diagonal from the low to the high corner), so the mesh is the same set of cells as
    without it, numbered differently. Hexahedra keep DOLFINx's partitioner unless the
    last axis is already the longest.
    """
    simplex = cell_type == "simplex"
    ctype = dmesh.CellType.tetrahedron if simplex else dmesh.CellType.hexahedron
    swap = simplex and n_total > cells_across
    counts = (
        [cells_across, cells_across, n_total] if swap else [n_total, cells_across, cells_across]
    )
    upper = [depth, width, float(n_total)] if swap else [float(n_total), width, depth]
    blocks = comm.size > 1 and (simplex or counts[2] >= max(counts))
    msh = dmesh.create_box(
        comm,
        [[0.0, 0.0, 0.0], upper],
        counts,
        cell_type=ctype,
        ghost_mode=ghost,
        partitioner=box_partitioner(comm, counts, ctype.name) if blocks else None,
    )
    if swap:
        x = msh.geometry.x
        x[:, [0, 2]] = x[:, [2, 0]]
    return msh


def slab_box_columns(
    msh: dmesh.Mesh, n_total: int, cells_across: int, cell_type: str
) -> npt.NDArray[np.int64]:
    """The column along x (0 … n_total − 1) of every local cell of a :func:`slab_box`.

    From each cell's index in ``create_box`` (``original_cell_index``: the hexahedron it
    was cut from, numbered x fastest in the axes it was built with), so exact integers,
    no coordinates.
    """
    simplex = cell_type == "simplex"
    hexahedron = np.asarray(msh.topology.original_cell_index, dtype=np.int64)
    if simplex:
        hexahedron = hexahedron // CELLS_PER_HEXAHEDRON["tetrahedron"]
    if simplex and n_total > cells_across:  # built with x last (see slab_box)
        return hexahedron // (cells_across * cells_across)
    return hexahedron % n_total
