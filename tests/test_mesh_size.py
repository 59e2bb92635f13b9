"""The largest cell diameter from the domain's cell statistics (issue 21).

``post.integrals.mesh_size`` (the range tolerance of ``post.admissibility``) takes h, the
longest edge of any straight simplex, from ``Domain.cell_statistics`` (NumPy, the pass the
domain volume and the mesh report already make) instead of DOLFINx's ``Mesh.h`` over all
cells. The reference is ``Mesh.h`` itself (largest vertex distance per cell), on built-in
and gmsh meshes with randomly moved nodes, 2D and 3D: equal to 1e-15 relative (the same
sums of squares, rounding apart). Curved and hypercube cells keep ``Mesh.h``. The 2-rank
twin: tests/mpi/test_mesh_size_parallel.py.
"""

from mpi4py import MPI

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem.geometry import annulus, gmsh_layered_slab
from emcd_fem.mesh.simplices import edge_squares, simplex_quality
from emcd_fem.post.integrals import mesh_size


def distort(domain: ef.Domain, amount: float, seed: int) -> ef.Domain:
    """Every node moved by up to ``amount`` per coordinate, from its own position (the
    same shift on any number of ranks)."""
    x = domain.mesh.geometry.x
    dim = domain.mesh.geometry.dim
    key = np.round(x[:, :dim] * 1e6).astype(np.int64) @ np.array([7919, 104729, 1299709][:dim])
    rng = np.random.default_rng(seed)
    table = rng.uniform(-amount, amount, size=(4096, dim))
    x[:, :dim] += table[key % 4096]
    return domain


def reference_h(msh) -> float:
    """max over cells and ranks of DOLFINx's Mesh.h (the previous computation)."""
    tdim = msh.topology.dim
    cells = np.arange(msh.topology.index_map(tdim).size_local, dtype=np.int32)
    return msh.comm.allreduce(float(msh.h(tdim, cells).max(initial=0.0)), op=MPI.MAX)


def builders():
    yield (
        "slab2d",
        lambda: distort(
            ef.layered_slab([0.3, 0.7], dim=2, cells_per_layer=[3, 5], cells_across=4), 0.02, 1
        ),
    )
    yield (
        "slab3d",
        lambda: distort(
            ef.layered_slab([0.3, 0.7], dim=3, cells_per_layer=[3, 5], cells_across=3), 0.02, 2
        ),
    )
    yield "gmsh2d", lambda: distort(gmsh_layered_slab([0.4, 0.6], size=0.1, dim=2), 0.01, 3)
    yield (
        "gmsh3d",
        lambda: distort(
            gmsh_layered_slab([0.4, 0.6], size=0.25, dim=3, width=0.5, depth=0.5), 0.01, 4
        ),
    )


@pytest.mark.parametrize("name, build", list(builders()))
def test_longest_edge_is_the_largest_cell_diameter(name, build):
    domain = build()
    h, d = mesh_size(domain)
    expected = reference_h(domain.mesh)
    assert h == pytest.approx(expected, rel=1e-15, abs=0.0)
    assert d == mesh_size(domain.mesh)[1]  # the bounding box: the same reductions
    assert domain.cell_statistics.longest_edge == h


def test_curved_and_hypercube_cells_keep_mesh_h():
    curved = annulus([0.5, 1.0], size=0.2, order=2)
    assert curved.cell_statistics is None
    assert mesh_size(curved) == mesh_size(curved.mesh)
    boxes = ef.layered_slab([0.3, 0.7], dim=3, cell_type="hypercube", cells_per_layer=[2, 3])
    assert mesh_size(boxes) == mesh_size(boxes.mesh)
    assert mesh_size(boxes)[0] == pytest.approx(
        np.sqrt((0.7 / 3) ** 2 + 0.5**2 + 0.5**2), rel=1e-15
    )  # the diagonal of the largest box (second layer: 0.7 / 3 by 0.5 by 0.5)


def test_edge_squares_of_a_known_tetrahedron():
    corners = np.array([[0, 0, 0], [3, 0, 0], [0, 4, 0], [0, 0, 12]], dtype=float)
    total, longest = edge_squares(corners[:, :, None])
    assert longest == 4**2 + 12**2  # the edge (0, 4, 0)–(0, 0, 12)
    assert total[0] == 9 + 16 + 144 + 25 + 153 + 160
    assert simplex_quality(corners[:, :, None], edges_sq=total)[0] == pytest.approx(
        simplex_quality(corners[:, :, None])[0], rel=0.0, abs=0.0
    )
