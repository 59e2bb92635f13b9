"""The memory refusal before meshing is one verdict on every rank (rank 0's machine
memory is broadcast: ranks on machines of different sizes must not disagree and hang)."""

from mpi4py import MPI

import pytest

from emcd_fem.case import load_case, mesh_budget
from emcd_fem.errors import EmcdInputError
from emcd_fem.pipeline.setup import build_domain

SLAB = {
    "geometry": {
        "kind": "layered_slab",
        "dim": 3,
        "cells_across": 40,
        "layers": [{"name": "gas", "thickness": 1.0, "cells": 40}],
    },
    "materials": {"gas": {"D": 1.0, "c": 1.0}},
    "boundaries": {"left": {"type": "mole_fraction", "value": 1.0}},
}


def test_only_rank_0_short_of_memory_refuses_on_every_rank(monkeypatch):
    # 384 000 tetrahedra need >= 115 MB at 300 B per cell: rank 0 says it has 1 MB per
    # rank, the others a real machine; every rank must raise the same error
    comm = MPI.COMM_WORLD
    real = mesh_budget.machine_memory()
    monkeypatch.setattr(mesh_budget, "machine_memory", lambda: 2.0**20 if comm.rank == 0 else real)
    with pytest.raises(EmcdInputError, match=r"would have about 3.84e\+05 cells") as caught:
        build_domain(load_case(SLAB), comm)
    messages = comm.allgather(str(caught.value))
    assert messages == [messages[0]] * comm.size
