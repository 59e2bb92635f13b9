"""The restricted flux residual on all ranks of COMM_WORLD (issue 21; run under mpiexec).

The 2-rank twin of tests/test_residual_cells.py: each rank keeps its owned cells that hold
a DOF of a mole-fraction boundary, found by any rank (ghost DOFs included: cells touching
the boundary by a vertex or an edge held by another rank's facets), and the entries
accumulate through the reverse scatter as in the whole assembly. The fluxes must equal
the whole residual's to 1e-13 relative on the same partition, and the serial answer
(COMM_SELF, the same mesh) to rounding (1e-12: only the order of the sums differs).
"""

import sys
from pathlib import Path

from mpi4py import MPI

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from residual_cells_cases import CASES, build, compare

RTOL = 1e-13


@pytest.mark.parametrize("name", sorted(CASES))
def test_restricted_fluxes_equal_the_whole_residual_on_all_ranks(name):
    result = compare(build(CASES[name]))
    restricted, full = result["fluxes"]
    assert restricted == pytest.approx(full, rel=RTOL, abs=0.0)
    assert result["entries"] <= RTOL
    serial, _ = compare(build(CASES[name], MPI.COMM_SELF))["fluxes"]
    assert restricted == pytest.approx(serial, rel=1e-12, abs=1e-15)
    assert MPI.COMM_WORLD.allgather(restricted) == [restricted] * MPI.COMM_WORLD.size
