"""The gmsh import route on N ranks: the same tags as the vertex-matching route, and the
exact slab flux (issue 21)."""

import sys
from pathlib import Path

from mpi4py import MPI

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gmsh_import_reference import check_same_tags_as_before, exact_slab_flux, slab_flux


def test_same_tags_as_the_vertex_matching_route(tmp_path):
    checked = check_same_tags_as_before(MPI.COMM_WORLD, tmp_path)
    # ghost cells counted on each rank that holds them: at least every cell once
    assert checked > 0


@pytest.mark.parametrize("dim", [2, 3])
def test_same_flux_as_the_exact_slab(dim):
    # exact for P1 on layer-conforming cells; rtol 1e-10 of CG + GAMG is what is left
    assert slab_flux(MPI.COMM_WORLD, dim) == pytest.approx(exact_slab_flux(), rel=1e-10)


def test_meshing_failure_same_message_on_every_rank(monkeypatch):
    """gmsh (rank 0 only) leaves the volumes empty: every rank raises the meshing error."""
    import gmsh
    import numpy as np

    from emcd_fem.errors import EmcdMeshingError
    from emcd_fem.geometry import matrix_with_inclusions

    real = gmsh.model.mesh.generate
    monkeypatch.setattr(gmsh.model.mesh, "generate", lambda dim=3: real(min(dim, 2)))
    centers = np.array([[0.25, 0.5, 0.5], [0.75, 0.5, 0.5]])
    with pytest.raises(EmcdMeshingError) as raised:
        matrix_with_inclusions((1.0, 1.0, 1.0), centers, 0.2, kind="sphere", size=0.3)
    message = str(raised.value)
    assert (
        "at cell size 0.3 m" in message
        and "narrowest gap between two inclusions is 0.1 m" in message
    )
    assert MPI.COMM_WORLD.allgather(message) == [message] * MPI.COMM_WORLD.size
