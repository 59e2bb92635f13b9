"""Robust solves on N ranks: the same fluxes, fallbacks and refusals as on one rank.

Every decision (iterate on, fall back to MUMPS, refuse as noise) is taken from global
norms, so every rank takes it together: no hang, the same message everywhere.
"""

from mpi4py import MPI

import pytest

import emcd_fem as ef
from emcd_fem.errors import EmcdSolverError

THICK = [0.3e-3, 0.4e-3, 0.3e-3]
NAMES = ["gas1", "membrane", "gas2"]
BCS = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}


def _slab(comm):
    return ef.layered_slab(
        THICK, region_names=NAMES, dim=2, cells_per_layer=[6, 8, 6], width=0.5e-3, comm=comm
    )


def _materials(contrast):
    d = [1e-5, 1e-5 / contrast, 1e-5]
    return {n: ef.Material(di, 41.0) for n, di in zip(NAMES, d, strict=True)}


@pytest.mark.parametrize(
    "options",
    [
        {"ksp_type": "cg", "pc_type": "gamg"},
        {"ksp_type": "preonly", "pc_type": "jacobi"},  # falls back to MUMPS
        {"pc_type": "lu"},  # PETSc's own LU is serial: fails in parallel, falls back
    ],
    ids=["gamg", "preonly-jacobi", "plain-lu"],
)
def test_same_fluxes_on_one_and_n_ranks(options):
    results = []
    for comm in (MPI.COMM_SELF, MPI.COMM_WORLD):
        solution = ef.solve_emcd(_slab(comm), _materials(1e4), BCS, petsc_options=options)
        results.append(solution)
    for name in BCS:
        assert results[1].boundary_flux[name] == pytest.approx(
            results[0].boundary_flux[name], rel=1e-8
        )
    fallback = results[1].solver.fallback
    assert MPI.COMM_WORLD.allgather(fallback) == [fallback] * MPI.COMM_WORLD.size


def test_noise_refused_on_every_rank():
    with pytest.raises(EmcdSolverError, match="numerical noise"):
        ef.solve_emcd(_slab(MPI.COMM_WORLD), _materials(5e16), BCS)
