"""Maxwell–Stefan with a reacting wall on all ranks equals the serial solve (issue 19).

A 2D two-layer slab, ternary A/B/C, composition on the left, a second-order wall reaction
2 A ⇌ 2 B with Arrhenius constants on the right (the region temperature is a DG0 field read
on exterior facets, which must agree on ghosts): COMM_WORLD against COMM_SELF. Newton stops
at a relative residual of 1e-12 with a direct (MUMPS) solve inside, so the two differ by
rounding only: 1e-10 of the flux scale (tighter than the 1e-8 asked for).
"""

from mpi4py import MPI

import numpy as np

import emcd_fem as ef
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.models.multicomponent import MaxwellStefanModel

SPECIES = ("A", "B", "C")
PAIRS = {("A", "B"): 2.0e-5, ("A", "C"): 1.0e-5, ("B", "C"): 3.0e-5}


def _solve(comm):
    domain = ef.layered_slab(
        [0.004, 0.006], region_names=["a", "b"], dim=2, cells_per_layer=[6, 8], comm=comm
    )
    mixtures = {
        "a": GasMixture(SPECIES, PAIRS, 40.0, "a"),
        "b": GasMixture(SPECIES, {k: 0.5 * v for k, v in PAIRS.items()}, 30.0, "b"),
    }
    wall = Reaction(
        "2 A <=> 2 B",
        kind="surface",
        boundary="right",
        arrhenius_A=(40.0, 20.0),
        activation_energy=(2.0e4, 2.5e4),
    )
    return MaxwellStefanModel(
        domain,
        mixtures,
        {"left": {"A": 0.6, "B": 0.1, "C": 0.3}},
        degree=2,
        reactions=[wall],
        temperatures={"a": 400.0, "b": 450.0},
    ).solve()


def test_reacting_wall_parallel_equals_serial():
    serial = _solve(MPI.COMM_SELF)
    parallel = _solve(MPI.COMM_WORLD)
    scale = max(abs(v) for s in SPECIES for v in serial.boundary_flux[s].values())
    assert np.isfinite(scale) and scale > 0
    for s in SPECIES:
        for b in sorted(serial.boundary_flux[s]):
            difference = abs(parallel.boundary_flux[s][b] - serial.boundary_flux[s][b])
            assert difference <= 1e-10 * scale, (s, b)
    q = parallel.boundary_flux
    # the wall consumes A at a rate comparable to the scale, and all of it came in
    assert q["A"]["right"] > 0.1 * scale
    assert abs(q["A"]["left"] + q["A"]["right"]) < 1e-10 * scale
