"""The box mesh in blocks (``emcd_fem.mesh.box_partition``, issue 21): each rank keeps the
cells ``create_box`` generates on it, with a ghost layer from the box's structure.

The partition arithmetic is checked against brute force for simulated rank counts; the
mesh itself (built with x and z exchanged when the layers have more cells) against the
serial box cell by cell. The MPI twin (tests/mpi/test_box_partition_parallel.py) runs the
same checks on 2 ranks.
"""

import itertools
import sys
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from box_checks import (
    cell_corner_set,
    check_slab_boundaries,
    check_slab_box,
    check_slab_layers,
    measures,
    slab_flux,
)

from emcd_fem.mesh.box_partition import hexahedron_ghost_ranks, index_owner, local_range


@pytest.mark.parametrize("n, size", [(10, 1), (10, 3), (7, 7), (3, 5), (1000, 6), (97, 4)])
def test_local_range_and_owner_invert_each_other(n, size):
    ranges = [local_range(r, n, size) for r in range(size)]
    assert ranges[0][0] == 0 and ranges[-1][1] == n
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))  # contiguous
    sizes = [e - b for b, e in ranges]
    assert max(sizes) - min(sizes) <= 1
    owners = index_owner(np.arange(n), n, size)
    expected = np.concatenate([np.full(e - b, r) for r, (b, e) in enumerate(ranges)])
    assert np.array_equal(owners, expected)


def brute_force_ghosts(counts, rank, size):
    """(hexahedron, rank) pairs from every face neighbour of every hexahedron."""
    nx, ny, nz = counts
    n = nx * ny * nz
    begin, end = local_range(rank, n, size)
    owner = index_owner(np.arange(n), n, size)
    pairs = set()
    for h in range(begin, end):
        ix, iy, iz = h % nx, (h // nx) % ny, h // (nx * ny)
        for dx, dy, dz in ((1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)):
            jx, jy, jz = ix + dx, iy + dy, iz + dz
            if 0 <= jx < nx and 0 <= jy < ny and 0 <= jz < nz:
                other = int(owner[jx + nx * (jy + ny * jz)])
                if other != rank:
                    pairs.add((h - begin, other))
    return sorted(pairs)


@pytest.mark.parametrize(
    "counts, size", [((4, 3, 5), 2), ((4, 3, 5), 3), ((2, 2, 9), 4), ((3, 1, 2), 5), ((5, 4, 3), 7)]
)
def test_ghost_ranks_are_the_face_neighbours_owners(counts, size):
    """Blocks that end mid-layer, ranks with fewer hexahedra than a layer, empty ranks."""
    for rank in range(size):
        hexes, ranks = hexahedron_ghost_ranks(counts, rank, size)
        assert list(zip(hexes.tolist(), ranks.tolist())) == brute_force_ghosts(counts, rank, size)


@pytest.mark.parametrize("cell_type", ["simplex", "hypercube"])
@pytest.mark.parametrize("n_total, across", [(7, 3), (3, 4), (4, 4)])
def test_slab_box_is_the_plain_box(cell_type, n_total, across):
    """Exchanging x and z for tetrahedra keeps the cells (the 6-tetrahedron split around
    the low-high diagonal is symmetric in the axes): the same cells as DOLFINx's own box,
    corner by corner, and the same volume, surface and interior facet area."""
    from dolfinx import mesh as dmesh

    from emcd_fem.mesh.box_partition import slab_box

    ctype = dmesh.CellType.tetrahedron if cell_type == "simplex" else dmesh.CellType.hexahedron
    plain = dmesh.create_box(
        MPI.COMM_SELF, [[0.0, 0.0, 0.0], [n_total, 2.0, 3.0]], [n_total, across, across], ctype
    )
    ghost = dmesh.GhostMode.shared_facet
    built = slab_box(MPI.COMM_SELF, n_total, across, 2.0, 3.0, cell_type, ghost)
    assert cell_corner_set(built) == cell_corner_set(plain)
    assert np.allclose(measures(built), measures(plain), rtol=1e-13, atol=0.0)
    check_slab_box(MPI.COMM_WORLD, cell_type, n_total, across)


@pytest.mark.parametrize("cell_type", ["simplex", "hypercube"])
def test_layered_slab_flux_is_exact(cell_type):
    """P1/Q1 is exact on the layered slab: the series-resistance flux (LU, 1e-12)."""
    import emcd_fem as ef

    mats = [ef.Material(diffusivity=d, concentration=40.9) for d in (2e-5, 2e-6, 1e-5)]
    exact = ef.analytic.composite_slab(
        [0.3e-3, 0.4e-3, 0.3e-3], mats, ef.MoleFraction(0.9), ef.MoleFraction(0.1)
    )
    area = 1e-3 * 0.5e-3
    assert slab_flux(MPI.COMM_WORLD, cell_type, 3) / area == pytest.approx(exact.flux, rel=1e-12)


def test_slab_boundaries_are_the_located_facets():
    check_slab_boundaries(MPI.COMM_WORLD)


def test_slab_layers_from_the_cell_index():
    check_slab_layers(MPI.COMM_WORLD)
