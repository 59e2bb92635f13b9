"""Species order and closing species on 2 ranks: the same answers as 1 rank (issues 19, 15).

The serial property test (tests/test_multicomponent_order.py) on the MPI communicator: a
quaternary 2D slab listed in two orders (the species of every position move), each run on
COMM_WORLD and on COMM_SELF, with a different PYTHONHASHSEED per rank under make test-mpi.
Every rank must choose the same closing species (it is chosen by abundance and name, never
by a hash order), and the fluxes agree to 1e-8 of the largest flux (Newton rtol 1e-12 with
MUMPS: ranks and orders differ by rounding only; house rule 1e-8 for Newton).
"""

import sys
from pathlib import Path

from mpi4py import MPI

import pytest

from emcd_fem.pipeline.run import run_case

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_multicomponent_order import _case, _transient_case  # the serial test's cases

ORDERS = (("H2", "N2", "CO2", "Ar"), ("Ar", "CO2", "H2", "N2"))


def _fluxes(summary):
    return {
        (s, b): q for s, row in sorted(summary["boundary_flux"].items()) for b, q in row.items()
    }


def test_orders_and_ranks_agree():
    comm = MPI.COMM_WORLD
    serial = run_case(_case(ORDERS[0], dim=2), comm=MPI.COMM_SELF).summary
    reference = _fluxes(serial)
    scale = max(abs(q) for q in reference.values())
    for order in ORDERS:
        summary = run_case(_case(order, dim=2), comm=comm).summary
        assert summary["ranks"] == comm.size
        closing = comm.allgather(summary["bootstrap"]["closing_species"])
        assert closing == [serial["bootstrap"]["closing_species"]] * comm.size
        got = _fluxes(summary)
        assert sorted(got) == sorted(reference)
        for key, want in reference.items():
            assert got[key] == pytest.approx(want, abs=1e-8 * scale), key
        for s in sorted(serial["x_range"]):
            assert summary["x_range"][s] == pytest.approx(serial["x_range"][s], abs=1e-8)


def test_transient_orders_and_ranks_agree():
    # the closed ternary tube of the serial test (a few fixed steps), two orders, 2 ranks
    # against 1: the probes' final mole fractions and the inventories by species
    comm = MPI.COMM_WORLD
    orders = (("H2", "N2", "CO2"), ("CO2", "H2", "N2"))
    serial = run_case(_transient_case(orders[0]), comm=MPI.COMM_SELF).summary
    for order in orders:
        summary = run_case(_transient_case(order), comm=comm).summary
        assert summary["bootstrap"]["closing_species"] == serial["bootstrap"]["closing_species"]
        for name, probe in sorted(serial["probes"].items()):
            for s, x in sorted(probe["final"].items()):
                assert summary["probes"][name]["final"][s] == pytest.approx(x, abs=1e-8)
        for s, inventory in sorted(serial["inventory"].items()):
            assert summary["inventory"][s]["final"] == pytest.approx(inventory["final"], rel=1e-8)
