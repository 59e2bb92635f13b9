"""The inventory-weighted start of a closed vessel on 2 ranks equals 1 rank (finding F4).

Three layers with different c and cell sizes, P2 (2D triangles, whose vertex basis
functions integrate to zero: plain mean there; 3D tetrahedra, whose vertex weights are
negative), with and without a partition: the weights are assembled with ghost updates, so
on every rank count each species' initial inventory equals the case data to 1e-12 and the
nodal start equals the serial one to rounding (1e-13).
"""

from mpi4py import MPI

import numpy as np
import pytest

from emcd_fem.materials.mixture import GasMixture
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_transient import TransientMaxwellStefan
from emcd_fem.pipeline.run import run_case

SPECIES = ("H2", "N2", "CO2")
PAIRS = {("H2", "N2"): 7.8e-5, ("H2", "CO2"): 6.5e-5, ("N2", "CO2"): 1.6e-5}
NAMES, THICK, CONC = ("a", "b", "c"), (0.004, 0.006, 0.003), (40.0, 25.0, 32.0)
START = ((0.7, 0.3, 0.0), (0.0, 0.3, 0.7), (0.2, 0.5, 0.3))
K = {"H2": 0.5, "N2": 0.8}


def _start(comm, dim, partition):
    extra = {"width": 0.003, "depth": 0.002, "cells_across": 2 if dim == 3 else 3}
    domain = layered_slab(
        list(THICK),
        region_names=list(NAMES),
        dim=dim,
        cells_per_layer=[4, 3, 5],
        comm=comm,
        **extra,
    )
    mixtures = {r: GasMixture(SPECIES, PAIRS, c, r) for r, c in zip(NAMES, CONC, strict=True)}
    model = MaxwellStefanModel(
        domain,
        mixtures,
        {},
        degree=2,
        closed=True,
        partitions={("a", "b"): K} if partition else None,
    )
    transient = TransientMaxwellStefan(model)
    transient.set_initial_by_region(
        {r: (lambda p, x=x: np.outer(x, np.ones(p.shape[1]))) for r, x in zip(NAMES, START)}
    )
    inventory = transient.initial_state(0.0, 1e-3).inventories[0]
    V = model.x.function_space
    owned = V.dofmap.index_map.size_local
    coords = V.tabulate_dof_coordinates()[:owned]
    values = model.x.x.array.reshape(-1, len(SPECIES) - 1)[:owned]
    rows = comm.allgather(np.hstack([coords, values]))
    table = np.vstack(rows)
    order = np.lexsort(np.round(table[:, :3], 12).T[::-1])
    return inventory, table[order]


@pytest.mark.parametrize("partition", [False, True], ids=["continuous", "partition"])
@pytest.mark.parametrize("dim", [2, 3])
def test_initial_state_two_ranks_equal_one(dim, partition):
    comm = MPI.COMM_WORLD
    area = 0.003 if dim == 2 else 0.003 * 0.002
    exact = np.array(
        [sum(c * x[k] * t for c, x, t in zip(CONC, START, THICK, strict=True)) for k in range(3)]
    )
    serial, serial_nodes = _start(MPI.COMM_SELF, dim, partition)
    parallel, parallel_nodes = _start(comm, dim, partition)
    assert serial == pytest.approx(exact * area, rel=1e-12)
    assert parallel == pytest.approx(exact * area, rel=1e-12)
    assert parallel_nodes.shape == serial_nodes.shape
    assert np.abs(parallel_nodes - serial_nodes).max() < 1e-13


def test_case_summary_inventory_two_ranks():
    # the case route: a 2D two-layer closed vessel (c 40 | 25, unequal cells) on all ranks;
    # summary inventory.initial and .case equal the data Σ_r c_r x_r |Ω_r| to 1e-12
    comm = MPI.COMM_WORLD
    region = {"diffusivities": {"H2": {"N2": 7.8e-5, "CO2": 6.5e-5}, "N2": {"CO2": 1.6e-5}}}
    data = {
        "geometry": {
            "kind": "layered_slab",
            "dim": 2,
            "width": 0.003,
            "cells_across": 3,
            "layers": [
                {"name": "a", "thickness": 0.004, "cells": 4},
                {"name": "b", "thickness": 0.006, "cells": 3},
            ],
        },
        "multicomponent": {
            "species": list(SPECIES),
            "regions": {
                "a": region | {"c": 40.0, "initial": dict(zip(SPECIES, START[0]))},
                "b": region | {"c": 25.0, "initial": dict(zip(SPECIES, START[1]))},
            },
        },
        "time": {"t_end": 0.02, "dt": 0.01},
        "discretisation": {"degree": 2},
        "output": {},
    }
    summary = run_case(data, None, comm=comm).summary
    assert summary["ranks"] == comm.size and summary["status"] == "ok"
    for k, s in enumerate(SPECIES):
        exact = (40.0 * START[0][k] * 0.004 + 25.0 * START[1][k] * 0.006) * 0.003
        assert summary["inventory"][s]["initial"] == pytest.approx(exact, rel=1e-12)
        assert summary["inventory"][s]["case"] == pytest.approx(exact, rel=1e-12)
