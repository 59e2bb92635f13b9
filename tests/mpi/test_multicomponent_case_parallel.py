"""A [multicomponent] case file through run_case: 2 ranks equal 1 rank to 1e-8 (issue 19).

The demo's ternary H2/N2/CO2 gas in a 2D two-layer slab (a second, slower layer and a
3 × 10 mm cross-section), written to an output directory on every rank count: Newton stops
at rtol 1e-12 with MUMPS inside, so COMM_WORLD and COMM_SELF differ by rounding only; the
slab's exact film (summary.json → analytic) is the same on both and agrees with the run.
"""

import copy
import json
import tomllib
from pathlib import Path

from mpi4py import MPI

import pytest

from emcd_fem.pipeline.run import run_case

ROOT = Path(__file__).resolve().parents[2]
DEMO = tomllib.loads((ROOT / "demos" / "ternary_h2_n2_co2.toml").read_text())


def _case():
    data = copy.deepcopy(DEMO)
    data["geometry"] = {
        "kind": "layered_slab",
        "dim": 2,
        "width": 0.01,
        "cells_across": 4,
        "layers": [
            {"name": "capillary", "thickness": 0.05, "cells": 10},
            {"name": "plug", "thickness": 0.0359, "cells": 8},
        ],
    }
    mc = data["multicomponent"]
    slow = {
        a: {b: 0.3 * d for b, d in row.items()}
        for a, row in mc["regions"]["capillary"]["diffusivities"].items()
    }
    mc["regions"]["plug"] = mc["regions"]["capillary"] | {"diffusivities": slow}
    data["output"] = {"pictures": False}
    return data


def _run(comm, out):
    return run_case(_case(), out, comm=comm).summary


def test_multicomponent_case_two_ranks_equal_one(tmp_path_factory):
    comm = MPI.COMM_WORLD
    base = Path(comm.bcast(str(tmp_path_factory.mktemp("mc")) if comm.rank == 0 else None))
    serial = _run(MPI.COMM_SELF, base / f"serial_{comm.rank}")
    parallel = _run(comm, base / "parallel")
    assert parallel["ranks"] == comm.size
    species = serial["species"]
    scale = max(abs(q) for s in species for q in serial["boundary_flux"][s].values())
    for s in species:
        for b in sorted(serial["boundary_flux"][s]):
            got, want = parallel["boundary_flux"][s][b], serial["boundary_flux"][s][b]
            assert abs(got - want) <= 1e-8 * scale, (s, b, got, want)
        for k in (0, 1):
            assert parallel["x_range"][s][k] == pytest.approx(serial["x_range"][s][k], abs=1e-8)
    for b in sorted(serial["total_flux"]):
        assert abs(parallel["total_flux"][b]) <= 1e-12 * scale
    assert parallel["equimolar"].startswith("yes") and parallel["status"] == "ok"
    written = json.loads((base / "parallel" / "summary.json").read_text())
    assert written["boundary_flux"] == parallel["boundary_flux"]
    # the 2D slab's own reference (the exact two-layer film times the 10 mm width): the
    # same film on both rank counts, and the FE fluxes agree with it (P2: O(h^4), 1e-6)
    film = parallel["analytic"]
    assert film["cross_section"] == pytest.approx(0.01, rel=1e-14)
    for s in species:
        assert film["flux_per_area"][s] == pytest.approx(
            serial["analytic"]["flux_per_area"][s], rel=1e-12
        )
    assert film["max_relative_error"] < 1e-6 and written["analytic"] == film
