"""Three-layer slab cases shared by the interface-invariance and rank-order tests.

Not a test module. Layer i (thicknesses 0.3/0.4/0.3 m) has c_i, D_i below; interface i
(between layers i and i+1, written ``[i, i+1]``) has the partition K_i and the film k_i;
written reversed (``flipped``) it carries K_ba = 1/K_ab, k_ba = k_ab/κ_ab (README:
"Interface coefficients"), which is the same physical problem.

As a script (``tests/test_mpi_smoke.py``): ``mpiexec -n 1 env PYTHONHASHSEED=1 python
layered_cases.py [kind[:n] ...] : -n 1 env PYTHONHASHSEED=2 ...`` solves the cases of
:data:`SCHEDULE` on COMM_WORLD and prints their boundary fluxes as JSON on rank 0.

The name sets are chosen so that, with hash seeds 1, 2 and 3, a Python ``set`` of their
region pairs iterates in different orders on different ranks (checked when the tests were
written): code that drives collectives by iterating such a set fails or hangs on them.
"""

import json
import sys
from collections.abc import Sequence

from mpi4py import MPI

THICK = (0.3, 0.4, 0.3)
CONC = (2.0, 1.0, 1.5)  # c_i [mol/m^3]
DIFF = (1.0, 0.1, 0.5)  # D_i [m^2/s]
K = (0.25, 3.0)  # partition K_{i,i+1} = c_A,i+1 / c_A,i of interface i (written [i, i+1])
FILM = (2.0, 5.0)  # film k_{i,i+1} [mol/(m^2 s)] of interface i (written [i, i+1])
CONTACT = (0.5, 1.0)  # contact resistance [m^2 K/W] of interface i
X_LEFT, X_RIGHT = 0.6, 0.1

NAME_SETS = (
    ("a", "b", "c"),
    ("p", "q", "r"),
    ("one", "two", "three"),
    ("left_x", "mid_x", "right_x"),
)
# what each kind of case has at its interfaces
KINDS = {
    "film": {"films": True, "partitions": True, "thermal": False},
    "partition": {"films": False, "partitions": True, "thermal": False},
    "thermal": {"films": False, "partitions": False, "thermal": True},
}
# name sets per kind in the rank-order tests: films (where the bug was) over all of them
SCHEDULE = {"film": NAME_SETS, "partition": NAME_SETS[:2], "thermal": NAME_SETS[:2]}


def kappa(i: int) -> float:
    """κ of interface i written [i, i+1]: x_{i+1} = κ x_i at equilibrium."""
    return K[i] * CONC[i] / CONC[i + 1]


def slab_case(
    names: Sequence[str],
    order: Sequence[int] = (0, 1),
    flipped: Sequence[bool] = (False, False),
    *,
    films: bool = True,
    partitions: bool = True,
    thermal: bool = False,
    dim: int = 1,
) -> dict:
    """The slab with layer i named names[i]; interfaces listed in ``order``, interface i
    written [i+1, i] with transformed coefficients when ``flipped[i]``."""
    case = {
        "geometry": {
            "kind": "layered_slab",
            "dim": dim,
            "cells_across": 2,
            "layers": [
                {"name": n, "thickness": t, "cells": c}
                for n, t, c in zip(names, THICK, (3, 4, 3), strict=True)
            ],
        },
        "materials": {n: {"D": d, "c": c} for n, d, c in zip(names, DIFF, CONC, strict=True)},
        "boundaries": {
            "left": {"type": "mole_fraction", "value": X_LEFT},
            "right": {"type": "mole_fraction", "value": X_RIGHT},
        },
        "interfaces": [],
        "discretisation": {"degree": 1},
    }
    for i in order:
        spec = {"materials": [names[i], names[i + 1]]}
        if partitions:
            spec["partition"] = K[i]
        if films:
            spec["film"] = FILM[i]
        if thermal:
            spec["contact_resistance"] = CONTACT[i]
        if flipped[i]:
            spec["materials"] = spec["materials"][::-1]
            if partitions:
                spec["partition"] = 1.0 / K[i]
            if films:  # without a partition x_A is continuous at equilibrium: κ = 1
                spec["film"] = FILM[i] / (kappa(i) if partitions else 1.0)
        case["interfaces"].append(spec)
    if thermal:
        for n, k in zip(names, (1.0, 0.2, 0.5), strict=True):
            case["materials"][n] |= {"thermal_conductivity": k, "soret_coefficient": 2e-3}
        case["thermal"] = {
            "boundaries": {
                "left": {"type": "temperature", "value": 400.0},
                "right": {"type": "temperature", "value": 300.0},
            }
        }
    return case


def fluxes(
    kind: str,
    names: Sequence[str],
    comm: MPI.Comm,
    order: Sequence[int] = (0, 1),
    flipped: Sequence[bool] = (False, False),
) -> dict[str, float]:
    """Boundary fluxes left/right of a 2D case solved on ``comm`` (collective)."""
    from emcd_fem.pipeline.run import run_case

    case = slab_case(names, order, flipped, dim=2, **KINDS[kind])
    summary = run_case(case, comm=comm).summary
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
