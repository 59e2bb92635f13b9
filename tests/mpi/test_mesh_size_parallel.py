"""The largest cell diameter from the cell statistics on all ranks (issue 21; mpiexec).

The 2-rank twin of tests/test_mesh_size.py: each rank's longest owned edge, reduced with
MAX, equals the maximum of DOLFINx's ``Mesh.h`` over all ranks (1e-15 relative) and the
answer on one rank (the same mesh on COMM_SELF), and every rank gets the same number.
"""

import sys
from pathlib import Path

from mpi4py import MPI

import pytest

import emcd_fem as ef

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_mesh_size import distort, reference_h

from emcd_fem.post.integrals import mesh_size


@pytest.mark.parametrize("dim", [2, 3])
def test_longest_edge_on_all_ranks(dim):
    def build(comm):
        slab = ef.layered_slab(
            [0.3, 0.7], dim=dim, cells_per_layer=[3, 5], cells_across=4, comm=comm
        )
        return distort(slab, 0.02, dim)

    domain = build(MPI.COMM_WORLD)
    h, d = mesh_size(domain)
    assert h == pytest.approx(reference_h(domain.mesh), rel=1e-15, abs=0.0)
    assert MPI.COMM_WORLD.allgather((h, d)) == [(h, d)] * MPI.COMM_WORLD.size
    serial = build(MPI.COMM_SELF)
    assert h == pytest.approx(mesh_size(serial)[0], rel=1e-15, abs=0.0)
    assert d == pytest.approx(mesh_size(serial)[1], rel=1e-15, abs=0.0)
