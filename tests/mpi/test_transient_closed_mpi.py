"""Closed (flux-only) transient runs on all ranks equal the serial run (``make test-mpi``).

A 2D two-layer slab with a film and a partition at the interface, a first-order
isomerisation A ⇌ B, a constant molar flux into the left face and every other boundary
impermeable: no mole-fraction boundary. Run through :func:`emcd_fem.run_case` on
COMM_SELF and on COMM_WORLD with MUMPS LU (direct, to round-off) and fixed steps: only
rounding separates them, so every record (t, dt, inventory, its rate, production, flows)
agrees to 1e-10 relative, and the balance closes to 1e-10 on both.
"""

import copy

from mpi4py import MPI

import numpy as np

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
    "boundaries": {"left": {"type": "flux", "value": -0.2}},
    "reactions": [{"equation": "A <=> B", "k_f": 2.0, "k_b": 1.0}],
    "solver": {"petsc_options": {"ksp_type": "preonly", "pc_type": "lu"}},
    "time": {"t_end": 0.3, "dt": 0.01, "scheme": "bdf2", "initial": 0.2},
}


def _series(result):
    rows = []
    for r in result.solution.records:
        flows = [r.boundary_flux[k] for k in sorted(r.boundary_flux)]
        rows.append([r.t, r.dt, r.inventory, r.inventory_rate, r.production, *flows])
        scale = sum(abs(q) for q in r.boundary_flux.values()) + abs(r.production)
        assert abs(r.balance) <= 1e-10 * (scale + abs(r.inventory_rate)), (r.t, r.balance)
    return np.array(rows)


def test_closed_time_series_serial_equals_parallel():
    serial = _series(run_case(copy.deepcopy(CASE), comm=MPI.COMM_SELF))
    parallel = _series(run_case(copy.deepcopy(CASE), comm=MPI.COMM_WORLD))
    assert serial.shape == parallel.shape
    scale = np.abs(serial).max(axis=0)
    assert np.all(np.abs(serial - parallel) <= 1e-10 * np.maximum(scale, 1e-300))


THERMAL = {  # the closed fed slab with Soret in a solved (steady) T: Newton in every step
    "geometry": {
        "kind": "layered_slab",
        "dim": 2,
        "layers": [{"name": "a", "thickness": 1.0, "cells": 12}],
        "cells_across": 4,
    },
    "materials": {
        "a": {"D": 1.0, "c": 2.0, "thermal_conductivity": 0.03, "soret_coefficient": 0.012}
    },
    "boundaries": {"left": {"type": "flux", "value": -0.2}},
    "thermal": {
        "boundaries": {
            "left": {"type": "temperature", "value": 300.0},
            "right": {"type": "temperature", "value": 340.0},
        }
    },
    "solver": {"petsc_options": {"ksp_type": "preonly", "pc_type": "lu"}},
    "time": {"t_end": 0.3, "dt": 0.01, "scheme": "bdf2", "initial": 0.2},
}


def test_closed_thermal_time_series_serial_equals_parallel():
    serial = _series(run_case(copy.deepcopy(THERMAL), comm=MPI.COMM_SELF))
    parallel = _series(run_case(copy.deepcopy(THERMAL), comm=MPI.COMM_WORLD))
    assert serial.shape == parallel.shape
    scale = np.abs(serial).max(axis=0)
    # Newton to a relative residual of 1e-12 per step: 1e-8 (the Newton agreement level)
    assert np.all(np.abs(serial - parallel) <= 1e-8 * np.maximum(scale, 1e-300))
    inventory = 2.0 * 0.2 * 1.0 * 1.0 + 0.2 * 1.0 * serial[:, 0]  # c x0 V + q |left| t
    assert np.all(np.abs(parallel[:, 2] - inventory) <= 1e-12 * inventory)
