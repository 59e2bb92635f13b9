"""A finished run frees its mesh, problems and communicators (no reference cycle that
Python's collector cannot break).

A cycle through a PETSc object (the SNES holding a Python callback that refers back to the
problem owning the SNES) is invisible to ``gc``: every Newton run then kept its mesh, its
PETSc objects and its MPI communicators alive. The MPI suite ran out of MPICH context ids
after ~130 tests ("Cannot allocate context ID because of fragmentation", MPI_Abort); a
user's sweep or notebook leaks the same way. Each case below runs a different pipeline.
"""

import gc
from pathlib import Path

from mpi4py import MPI

import dolfinx
import pytest

from emcd_fem.case import load_case
from emcd_fem.pipeline.run import run_case

DEMOS = Path(__file__).resolve().parents[1] / "demos"


def _live_meshes() -> int:
    gc.collect()
    return sum(isinstance(o, dolfinx.mesh.Mesh) for o in gc.get_objects())


@pytest.mark.parametrize(
    "demo",
    [
        "slab_2d.toml",  # linear
        "membrane_films.toml",  # films
        "soret_slab_1d.toml",  # Newton (temperature + mole fraction)
        "stefan_film.toml",  # Newton (ν = 1)
        "reacting_slab.toml",  # reactions
        "membrane_startup.toml",  # transient
        "ternary_h2_n2_co2.toml",  # n species
    ],
)
def test_a_finished_run_leaves_no_mesh_alive(demo, tmp_path):
    before = _live_meshes()
    case = load_case(DEMOS / demo)
    result = run_case(case, comm=MPI.COMM_WORLD)
    assert result.summary["boundary_flux"]  # the run did solve
    del result, case
    assert _live_meshes() == before
