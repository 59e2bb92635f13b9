"""One order of collective operations on every rank, whatever each rank's hash seed.

`make test-mpi` starts every rank with its own PYTHONHASHSEED (MPMD form), so any code that
drives collective operations by iterating a ``set`` (or another hash-ordered container)
sees a different order on each rank: film interfaces "without facets", mismatched
reductions or hangs. Film, partition and thermal cases over several name sets (see
``tests/layered_cases.py``) must give, on COMM_WORLD, the serial (COMM_SELF) fluxes to
1e-10: direct/tight linear solves, so only rounding separates them.
"""

import sys
from pathlib import Path

from mpi4py import MPI

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from layered_cases import SCHEDULE, fluxes


def test_ranks_hash_differently():
    """The suite only catches hash-order bugs if the ranks' hash seeds differ."""
    hashes = MPI.COMM_WORLD.allgather(hash("emcd_fem rank order"))
    assert len(set(hashes)) == MPI.COMM_WORLD.size, (
        "every rank has the same hash seed: run the MPI suite as `make test-mpi` does "
        "(mpiexec -n 1 env PYTHONHASHSEED=1 ... : -n 1 env PYTHONHASHSEED=2 ...)"
    )


@pytest.mark.parametrize("kind", ["film", "partition", "thermal"])
def test_cases_on_all_ranks_match_serial(kind):
    for names in SCHEDULE[kind]:
        serial = fluxes(kind, names, MPI.COMM_SELF)
        parallel = fluxes(kind, names, MPI.COMM_WORLD)
        scale = max(abs(v) for v in serial.values())
        for side in serial:
            assert abs(parallel[side] - serial[side]) <= 1e-10 * scale, (kind, names, side)


@pytest.mark.parametrize("kind", ["film", "partition"])
def test_names_and_interface_order_do_not_matter_in_parallel(kind):
    """The invariance of tests/test_interface_invariance.py on all ranks: renamed layers,
    reordered and reversed ``[[interfaces]]`` entries give the serial fluxes to 1e-10."""
    serial = fluxes(kind, ("a", "b", "c"), MPI.COMM_SELF)
    scale = max(abs(v) for v in serial.values())
    for names, order, flipped in [
        (("zeta", "alpha", "mu"), (1, 0), (True, False)),
        (("mu", "zeta", "alpha"), (0, 1), (False, True)),
        (("alpha", "mu", "zeta"), (1, 0), (True, True)),
    ]:
        parallel = fluxes(kind, names, MPI.COMM_WORLD, order, flipped)
        for side in serial:
            assert abs(parallel[side] - serial[side]) <= 1e-10 * scale, (names, order, flipped)
