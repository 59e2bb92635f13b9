"""Small film, partition and thermal cases for the rank-order tests (not a test module).

Used in-process by ``tests/mpi/test_rank_order.py`` and as a script by
``tests/test_mpi_smoke.py``: ``mpiexec -n 1 env PYTHONHASHSEED=1 python seeded_cases.py
[kind[:n] ...] : -n 1 env PYTHONHASHSEED=2 ...`` solves the cases on COMM_WORLD and prints
their boundary fluxes as JSON on rank 0.

The name sets are chosen so that, with hash seeds 1, 2 and 3, a Python ``set`` of their
region pairs iterates in different orders on different ranks (checked when the test was
written): code that drives collectives by iterating such a set fails or hangs on them.
"""

import json
import sys

from mpi4py import MPI

NAME_SETS = (
    ("a", "b", "c"),
    ("p", "q", "r"),
    ("one", "two", "three"),
    ("left_x", "mid_x", "right_x"),
)
# name sets per kind: films (where the bug was) over all of them, the others over two
SCHEDULE = {"film": NAME_SETS, "partition": NAME_SETS[:2], "thermal": NAME_SETS[:2]}


def case(kind: str, names: tuple[str, str, str]) -> dict:
    """A 2D three-layer slab named ``names``: films + partition, partition only, or Soret
    with heat conduction and contact resistances (every interface has a coefficient)."""
    spec = {
        "geometry": {
            "kind": "layered_slab",
            "dim": 2,
            "cells_across": 2,
            "layers": [
                {"name": n, "thickness": t, "cells": c}
                for n, t, c in zip(names, (0.3, 0.4, 0.3), (3, 4, 3), strict=True)
            ],
        },
        "materials": {
            n: {"D": d, "c": c}
            for n, d, c in zip(names, (1.0, 0.1, 0.5), (2.0, 1.0, 1.5), strict=True)
        },
        "boundaries": {
            "left": {"type": "mole_fraction", "value": 0.6},
            "right": {"type": "mole_fraction", "value": 0.1},
        },
        "interfaces": [{"materials": [a, b]} for a, b in zip(names, names[1:])],
    }
    for i, interface in enumerate(spec["interfaces"]):
        if kind == "film":
            interface |= {"film": (2.0, 5.0)[i], "partition": (0.25, 3.0)[i]}
        elif kind == "partition":
            interface["partition"] = (0.25, 3.0)[i]
        else:
            interface["contact_resistance"] = (0.5, 1.0)[i]
    if kind == "thermal":
        for n, k in zip(names, (1.0, 0.2, 0.5), strict=True):
            spec["materials"][n] |= {"thermal_conductivity": k, "soret_coefficient": 2e-3}
        spec["thermal"] = {
            "boundaries": {
                "left": {"type": "temperature", "value": 400.0},
                "right": {"type": "temperature", "value": 300.0},
            }
        }
    return spec


def fluxes(kind: str, names: tuple[str, str, str], comm: MPI.Comm) -> dict[str, float]:
    """Boundary fluxes left/right of a case solved on ``comm`` (collective)."""
    from emcd_fem.simulation import run_case

    summary = run_case(case(kind, names), comm=comm).summary
    return {n: summary["boundary_flux"][n] for n in ("left", "right")}


if __name__ == "__main__":
    world = MPI.COMM_WORLD
    # arguments: kind[:number of name sets], e.g. film:2 thermal:1 (default: SCHEDULE)
    wanted = [arg.partition(":") for arg in sys.argv[1:]] or [(k, "", "") for k in SCHEDULE]
    results = {
        f"{kind}:{'/'.join(names)}": fluxes(kind, names, world)
        for kind, _, count in wanted
        for names in SCHEDULE[kind][: int(count) if count else None]
    }
    if world.rank == 0:
        print("FLUXES " + json.dumps(results))
