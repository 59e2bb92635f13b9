"""Maxwell–Stefan with a mass-action reaction on all ranks equals the serial solve (issue 19).

A 2D two-layer slab, quaternary A/B/C/D with A + B ⇌ C + D in layer a only (the region
indicator must agree on ghost cells), zero net flux: COMM_WORLD against COMM_SELF. Newton
stops at a relative residual of 1e-12 with a direct (MUMPS) solve inside, so the two differ
by rounding only: 1e-10 of the flux scale (tighter than the 1e-8 asked for).
"""

from mpi4py import MPI

import numpy as np

import emcd_fem as ef
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.models.multicomponent import MaxwellStefanModel

SPECIES = ("A", "B", "C", "D")
PAIRS = {
    ("A", "B"): 2.0e-5,
    ("A", "C"): 1.0e-5,
    ("A", "D"): 4.0e-6,
    ("B", "C"): 3.0e-5,
    ("B", "D"): 1.5e-5,
    ("C", "D"): 8.0e-6,
}


def _solve(comm):
    domain = ef.layered_slab(
        [0.004, 0.006], region_names=["a", "b"], dim=2, cells_per_layer=[6, 8], comm=comm
    )
    mixtures = {
        "a": GasMixture(SPECIES, PAIRS, 40.0, "a"),
        "b": GasMixture(SPECIES, {k: 0.5 * v for k, v in PAIRS.items()}, 30.0, "b"),
    }
    conditions = {
        "left": {"A": 0.4, "B": 0.3, "C": 0.2, "D": 0.1},
        "right": {"A": 0.1, "B": 0.2, "C": 0.3, "D": 0.4},
    }
    reaction = Reaction("A + B <=> C + D", k_f=2.0, k_b=0.5, regions=("a",))
    return MaxwellStefanModel(domain, mixtures, conditions, degree=2, reactions=[reaction]).solve()


def test_reacting_multicomponent_parallel_equals_serial():
    serial = _solve(MPI.COMM_SELF)
    parallel = _solve(MPI.COMM_WORLD)
    scale = max(abs(v) for s in SPECIES for v in serial.boundary_flux[s].values())
    assert np.isfinite(scale) and scale > 0
    for s in SPECIES:
        for b in sorted(serial.boundary_flux[s]):
            difference = abs(parallel.boundary_flux[s][b] - serial.boundary_flux[s][b])
            assert difference <= 1e-10 * scale, (s, b)
        assert abs(parallel.production[s] - serial.production[s]) <= 1e-10 * scale
    # the reaction runs: A is consumed in layer a at a rate comparable to the fluxes
    assert parallel.production["A"] < -0.1 * scale
    assert max(parallel.imbalance.values()) < 1e-9
