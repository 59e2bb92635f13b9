"""A [multicomponent] + [time] case on 2 ranks equals 1 rank to 1e-8 (issue 19).

A closed 2D Loschmidt box (He below, Ar above, meeting in the middle), initial compositions
per region through a case file, adaptive BDF2: the time steps, the probes, the inventories
and the final fields agree. Newton stops at rtol 1e-12 with MUMPS inside and the step
control sees the same error estimates up to rounding, so COMM_WORLD and COMM_SELF take the
same steps and differ by rounding only.
"""

import copy
import tomllib
from pathlib import Path

from mpi4py import MPI

import pytest

from emcd_fem.pipeline.run import run_case

ROOT = Path(__file__).resolve().parents[2]
DEMO = tomllib.loads((ROOT / "demos" / "loschmidt.toml").read_text())


def _case():
    data = copy.deepcopy(DEMO)
    data["geometry"] = {
        "kind": "layered_slab",
        "dim": 2,
        "width": 0.05,
        "cells_across": 3,
        "layers": [
            {"name": "lower", "thickness": 0.1, "cells": 6},
            {"name": "upper", "thickness": 0.1, "cells": 6},
        ],
    }
    data["multicomponent"]["probes"] = {"bottom": [0.0, 0.025], "top": [0.2, 0.025]}
    data["time"] |= {"t_end": 1.0, "output_times": [0.5], "rtol": 1e-4, "dt_max": 0.25}
    data["time"]["checkpoint_every"] = 0  # the checkpoint at the end only (gathered)
    data["output"] = {"pictures": False}
    return data


def test_transient_multicomponent_case_two_ranks_equal_one(tmp_path_factory):
    comm = MPI.COMM_WORLD
    base = Path(comm.bcast(str(tmp_path_factory.mktemp("mct")) if comm.rank == 0 else None))
    serial = run_case(_case(), base / f"serial_{comm.rank}", comm=MPI.COMM_SELF).summary
    parallel = run_case(_case(), base / "parallel", comm=comm).summary
    assert parallel["ranks"] == comm.size and parallel["status"] == "ok"
    assert parallel["transient"]["steps"] == serial["transient"]["steps"]
    for name in ("bottom", "top"):
        for s in ("He", "Ar"):
            got = parallel["probes"][name]["final"][s]
            assert got == pytest.approx(serial["probes"][name]["final"][s], abs=1e-8)
    for s in ("He", "Ar"):
        inventory = parallel["inventory"][s]
        assert inventory["final"] == pytest.approx(serial["inventory"][s]["final"], rel=1e-8)
        assert inventory["final"] == pytest.approx(inventory["initial"], rel=1e-12)
        for k in (0, 1):
            assert parallel["x_range"][s][k] == pytest.approx(serial["x_range"][s][k], abs=1e-8)
