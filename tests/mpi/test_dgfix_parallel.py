"""On 2 ranks: a 1D Knudsen dead-end pore case runs against its reference (the collocation
fallback of the 1D dusty-gas reference), and a transient partition case starts from the
default x_A = 0 (tester1 #1, #3). Both against COMM_SELF runs of the same case: the fluxes
agree to 1e-8 (Newton) / 1e-10 (linear) of their scale, as the house rules ask."""

import copy
import tomllib
from pathlib import Path

from mpi4py import MPI

import pytest

from emcd_fem.pipeline.run import run_case

ROOT = Path(__file__).resolve().parents[2]
DEMO = tomllib.loads((ROOT / "demos" / "dusty_gas_dead_end.toml").read_text())


def _dead_end() -> dict:
    data = copy.deepcopy(DEMO)
    data["output"] = {"pictures": False}
    data["multicomponent"]["dusty_gas"]["media"]["pore"]["pore_diameter"] = 1e-8
    return data


def _partition() -> dict:
    return {
        "geometry": {
            "kind": "layered_slab",
            "dim": 1,
            "layers": [
                {"name": "support", "thickness": 2e-3, "cells": 8},
                {"name": "skin", "thickness": 0.5e-3, "cells": 4},
            ],
        },
        "materials": {"support": {"D": 2e-5, "c": 40.0}, "skin": {"D": 5e-6, "c": 20.0}},
        "interfaces": [{"materials": ["support", "skin"], "partition": 0.25}],
        "boundaries": {
            "left": {"type": "mole_fraction", "value": 0.8},
            "right": {"type": "mole_fraction", "value": 0.05},
        },
        "time": {"t_end": 0.5, "dt": 1e-3, "adaptive": True},
    }


def test_knudsen_dead_end_pore_runs_with_its_reference_on_all_ranks():
    summary = run_case(_dead_end(), comm=MPI.COMM_WORLD).summary
    serial = run_case(_dead_end(), comm=MPI.COMM_SELF).summary
    assert summary["status"] == "ok", summary["failures"]
    assert summary["analytic"] is not None and summary["analytic"]["max_relative_error"] < 1e-2
    q, s = summary["boundary_flux"]["H2"]["left"], serial["boundary_flux"]["H2"]["left"]
    assert q == pytest.approx(s, rel=1e-8)


def test_partition_transient_from_the_default_start_on_all_ranks():
    summary = run_case(_partition(), comm=MPI.COMM_WORLD).summary
    serial = run_case(_partition(), comm=MPI.COMM_SELF).summary
    assert summary["status"] == "ok"
    for b in ("left", "right"):
        q, s = summary["boundary_flux"][b], serial["boundary_flux"][b]
        assert q == pytest.approx(s, rel=1e-10)
