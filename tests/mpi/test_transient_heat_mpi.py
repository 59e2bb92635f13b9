"""Transient temperature with Soret on all ranks of COMM_WORLD equals the serial run.

T and x_A are marched together (T of the new step first, then Newton for x_A). MUMPS LU
for T, Newton to 1e-12 with LU for x_A and the same step sequence leave only rounding: every
record (t, dt, species and heat flows, inventory, stored heat) agrees to 1e-10 relative.
A checkpoint written on COMM_WORLD (T included) resumes on COMM_SELF like the serial run.
"""

import copy
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem.io.checkpoint import restore_state, write_checkpoint
from emcd_fem.models.march import TimeSettings, march
from emcd_fem.models.thermal import HeatConductionProblem, Temperature
from emcd_fem.models.transient import TransientModel
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.pipeline.run import run_case

CASE = {
    "geometry": {
        "kind": "layered_slab",
        "dim": 2,
        "layers": [
            {"name": "a", "thickness": 0.4, "cells": 8},
            {"name": "b", "thickness": 0.6, "cells": 12},
        ],
        "cells_across": 4,
    },
    "materials": {
        "a": {"D": 1.0, "c": 2.0, "thermal_conductivity": 2.0, "soret_coefficient": 0.01},
        "b": {"D": 0.5, "c": 2.0, "thermal_conductivity": 0.5, "soret_coefficient": 0.02},
    },
    "boundaries": {
        "left": {"type": "mole_fraction", "value": 0.8},
        "right": {"type": "mole_fraction", "value": 0.2},
    },
    "thermal": {
        "boundaries": {
            "left": {"type": "temperature", "value": 300.0},
            "right": {"type": "convective", "coefficient": 5.0, "ambient": 320.0},
        },
        "volumetric_heat_capacity": {"a": 3.0, "b": 1.5},
        "initial_temperature": "300 + 5*y",
        "boundary_values": {"left": "300 + 40*(1 - exp(-t/0.1))"},
    },
    "time": {"t_end": 0.3, "dt": 0.01, "scheme": "bdf2", "initial": 0.5},
}


def _series(result):
    rows = []
    for r in result.solution.records:
        rows.append(
            [r.t, r.dt, r.inventory, r.heat_energy]
            + [r.boundary_flux[k] for k in sorted(r.boundary_flux)]
            + [r.heat_flow[k] for k in sorted(r.heat_flow)]
        )
    return np.array(rows)


@pytest.mark.parametrize("adaptive", [False, True])
def test_transient_temperature_serial_equals_parallel(adaptive):
    case = copy.deepcopy(CASE)
    if adaptive:
        case["time"] |= {"adaptive": True, "rtol": 1e-4, "atol": 1e-6, "dt": 1e-3}
    serial = run_case(copy.deepcopy(case), comm=MPI.COMM_SELF)
    parallel = run_case(copy.deepcopy(case), comm=MPI.COMM_WORLD)
    a, b = _series(serial), _series(parallel)
    assert a.shape == b.shape
    assert np.all(np.abs(a - b) <= 1e-10 * np.abs(a).max(axis=0))
    for result in (serial, parallel):  # both balances close every step (LU, Newton)
        assert result.summary["thermal"]["max_relative_heat_imbalance"] < 1e-10
        assert result.summary["transient"]["max_relative_imbalance"] < 1e-9


def _model(comm, contact):
    # contact: a contact resistance between the layers makes T discontinuous (DG, SIPG)
    domain = ef.layered_slab(
        [0.5, 0.5],
        region_names=["a", "b"],
        dim=2,
        cells_per_layer=6,
        width=0.25,
        cells_across=3,
        comm=comm,
    )
    heat = HeatConductionProblem(
        domain,
        {"a": 1.0, "b": 0.5},
        {"left": Temperature(300.0), "right": Temperature(340.0)},
        contact_resistance={("a", "b"): 0.1} if contact else None,
    )
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
    materials = {"a": ef.Material(0.5, 2.0), "b": ef.Material(0.5, 2.0)}
    model = SpeciesTransportModel(
        domain, materials, bcs, temperature=heat, soret={"a": 0.02, "b": 0.02}
    )
    transient = TransientModel(model, scheme="bdf2", heat_capacity={"a": 2.0, "b": 1.0})
    model.potentials[0].x.array[:] = 0.5
    transient.heat.set_initial(300.0, 0.0)
    return model, transient


@pytest.mark.parametrize("contact", [False, True])
def test_checkpoint_with_temperature_resumes_on_one_rank(tmp_path, contact):
    comm = MPI.COMM_WORLD
    path = Path(comm.bcast(str(tmp_path), root=0)) / "checkpoint.npz"
    settings = TimeSettings(0.0, 0.3, 0.01)
    _, transient = _model(comm, contact)
    state = transient.initial_state(0.0, 0.01)
    march(transient, state, TimeSettings(0.0, 0.1, 0.01))
    write_checkpoint(path, state, transient.marched, {})
    comm.Barrier()
    # on one rank: resume (potential and T) and go on; and the uninterrupted serial run
    _, transient_r = _model(MPI.COMM_SELF, contact)
    resumed = restore_state(path, transient_r.marched)
    transient_r.set_potentials(resumed.states[-1])
    march(transient_r, resumed, settings)
    _, transient_s = _model(MPI.COMM_SELF, contact)
    whole = transient_s.initial_state(0.0, 0.01)
    march(transient_s, whole, settings)
    assert len(resumed.records) == len(whole.records)
    # rounding only: 1e-10 of each quantity's scale over the run (a flow passing through
    # zero has no relative accuracy of its own)
    q_scale = max(abs(q) for r in whole.records for q in r.boundary_flux.values())
    h_scale = max(abs(q) for r in whole.records for q in r.heat_flow.values())
    for a, b in zip(resumed.records, whole.records, strict=True):
        assert a.t == pytest.approx(b.t, rel=1e-12)
        for k in b.boundary_flux:
            assert abs(a.boundary_flux[k] - b.boundary_flux[k]) <= 1e-10 * q_scale
        for k in b.heat_flow:
            assert abs(a.heat_flow[k] - b.heat_flow[k]) <= 1e-10 * h_scale
        assert a.heat_energy == pytest.approx(b.heat_energy, rel=1e-12)
