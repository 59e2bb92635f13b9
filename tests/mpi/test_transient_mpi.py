"""Transient runs on all ranks of COMM_WORLD equal the serial run (``make test-mpi``).

Each case is run through :func:`emcd_fem.run_case` on COMM_SELF (the serial answer) and on
COMM_WORLD. MUMPS LU and the same step sequence leave only rounding between them: every
record of the time series (t, dt, boundary flows, inventory) agrees to 1e-10 relative.
The checkpoint is keyed by DOF coordinates: written on COMM_WORLD, it resumes on COMM_SELF
and continues exactly like the serial run (1e-10).
"""

import copy
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem.io.checkpoint import restore_state, write_checkpoint
from emcd_fem.models.march import TimeSettings, march
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
    "materials": {"a": {"D": 1.0, "c": 2.0}, "b": {"D": 0.5, "c": 1.0}},
    "interfaces": [{"materials": ["a", "b"], "film": 3.0, "partition": 0.5}],
    "boundaries": {
        "left": {"type": "mole_fraction", "value": 0.8},
        "right": {"type": "mole_fraction", "value": 0.2},
    },
    "physics": {"source": 0.1},
    "time": {"t_end": 0.5, "dt": 0.01, "scheme": "bdf2", "initial": 0.2},
}


def _series(result):
    rows = []
    for r in result.solution.records:
        rows.append(
            [r.t, r.dt, r.inventory, *(r.boundary_flux[k] for k in sorted(r.boundary_flux))]
        )
    return np.array(rows)


@pytest.mark.parametrize("adaptive", [False, True])
def test_time_series_serial_equals_parallel(adaptive):
    case = copy.deepcopy(CASE)
    if adaptive:
        case["time"] |= {"adaptive": True, "rtol": 1e-4, "atol": 1e-6, "dt": 1e-3}
    serial = _series(run_case(copy.deepcopy(case), comm=MPI.COMM_SELF))
    parallel = _series(run_case(copy.deepcopy(case), comm=MPI.COMM_WORLD))
    assert serial.shape == parallel.shape
    scale = np.abs(serial).max(axis=0)
    assert np.all(np.abs(serial - parallel) <= 1e-10 * scale)


def _model(comm):
    domain = ef.layered_slab([1.0], region_names=["s"], dim=2, cells_per_layer=12, comm=comm)
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
    model = SpeciesTransportModel(domain, {"s": ef.Material(0.5, 2.0)}, bcs)
    transient = TransientModel(model, scheme="bdf2")
    model.potentials[0].x.array[:] = 0.5
    return model, transient


def test_checkpoint_from_all_ranks_resumes_on_one(tmp_path):
    comm = MPI.COMM_WORLD
    path = Path(comm.bcast(str(tmp_path), root=0)) / "checkpoint.npz"
    settings = TimeSettings(0.0, 0.3, 0.01, output_times=(0.1,))
    model, transient = _model(comm)
    state = transient.initial_state(0.0, 0.01)
    march(transient, state, TimeSettings(0.0, 0.1, 0.01))
    write_checkpoint(path, state, model.potentials, {})
    comm.Barrier()
    # on one rank: resume from the checkpoint and go on; and the uninterrupted serial run
    model_r, transient_r = _model(MPI.COMM_SELF)
    resumed = restore_state(path, model_r.potentials)
    transient_r.set_potentials(resumed.states[-1])
    march(transient_r, resumed, settings)
    _, transient_s = _model(MPI.COMM_SELF)
    whole = transient_s.initial_state(0.0, 0.01)
    march(transient_s, whole, settings)
    assert len(resumed.records) == len(whole.records)
    for a, b in zip(resumed.records, whole.records, strict=True):
        assert a.t == pytest.approx(b.t, rel=1e-12)
        for k in b.boundary_flux:
            assert a.boundary_flux[k] == pytest.approx(b.boundary_flux[k], rel=1e-10)


def test_reacting_time_series_serial_equals_parallel():
    # a second-order reaction (Newton each step) and a catalytic wall: the reacting terms
    # are in the marched residuals and in every record's production and wall outflow
    case = {
        "geometry": {
            "kind": "layered_slab",
            "dim": 2,
            "layers": [{"name": "cat", "thickness": 1.0, "cells": 12}],
            "cells_across": 4,
        },
        "materials": {"cat": {"D": 0.5, "c": 2.0}},
        "boundaries": {"left": {"type": "mole_fraction", "value": 0.9}},
        "reactions": [
            {"equation": "2 A <=> 2 B", "k_f": 2.0, "k_b": 0.5},
            {"equation": "A <=> B", "kind": "surface", "boundary": "right", "k_f": 0.3, "k_b": 0.1},
        ],
        "time": {"t_end": 0.2, "dt": 0.01, "scheme": "bdf2", "initial": 0.2},
    }
    serial = run_case(copy.deepcopy(case), comm=MPI.COMM_SELF)
    parallel = run_case(copy.deepcopy(case), comm=MPI.COMM_WORLD)
    a, b = (
        np.array([[*row, r.production] for row, r in zip(_series(s), s.solution.records)])
        for s in (serial, parallel)
    )
    assert a.shape == b.shape
    # Newton to 1e-12 on both: rounding only (1e-10 relative, as the linear cases)
    assert np.all(np.abs(a - b) <= 1e-10 * np.abs(a).max(axis=0))
    for s in (serial, parallel):  # the consumption closes every step's balance
        assert s.summary["transient"]["max_relative_imbalance"] < 1e-12
        assert abs(s.solution.records[-1].boundary_flux["right"]) > 0  # the wall counts
