"""n-species Maxwell–Stefan on all ranks equals the serial solve (issue 19).

A 2D two-layer slab, ternary H2/N2/CO2 with an exchange reaction in one layer, with zero
net flux and a stagnant species:
COMM_WORLD against COMM_SELF. Newton stops at a relative residual of 1e-12 with a direct
(MUMPS) solve inside, so the two differ by rounding only: 1e-10 of the flux scale.
"""

from mpi4py import MPI

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.physics import maxwell_stefan as ms

SPECIES = ("H2", "N2", "CO2")
PAIRS = {("H2", "N2"): 8.33e-5, ("H2", "CO2"): 6.80e-5, ("N2", "CO2"): 1.68e-5}


def _solve(comm, bootstrap):
    domain = ef.layered_slab(
        [0.4, 0.6], region_names=["a", "b"], dim=2, cells_per_layer=[6, 8], comm=comm
    )
    mixtures = {
        "a": GasMixture(SPECIES, PAIRS, 40.0, "a"),
        "b": GasMixture(SPECIES, {k: 0.3 * v for k, v in PAIRS.items()}, 30.0, "b"),
    }
    conditions = {
        "left": {"H2": 0.5, "N2": 0.2, "CO2": 0.3},
        "right": {"H2": 0.1, "N2": 0.3, "CO2": 0.6},
    }
    # an exchange reaction in region a (Σ ν_i R_i = 0 for both bootstraps: CO2 not produced)
    sources = {"a": {"H2": -1e-3, "N2": 1e-3}}
    solution = MaxwellStefanModel(
        domain, mixtures, conditions, bootstrap, degree=2, sources=sources
    ).solve()
    local = solution.mole_fractions["N2"].x.array
    n_owned = solution.mole_fractions["N2"].function_space.dofmap.index_map.size_local
    x_min = comm.allreduce(float(local[:n_owned].min()), op=MPI.MIN)
    return solution, x_min


@pytest.mark.parametrize("kind", ["stagnant", "zero_net_flux"])
def test_multicomponent_parallel_equals_serial(kind):
    bootstrap = ms.zero_net_flux(3) if kind == "zero_net_flux" else ms.stagnant(3, 2)
    serial, serial_min = _solve(MPI.COMM_SELF, bootstrap)
    parallel, parallel_min = _solve(MPI.COMM_WORLD, bootstrap)
    scale = max(abs(v) for s in SPECIES for v in serial.boundary_flux[s].values())
    for s in SPECIES:
        for b in sorted(serial.boundary_flux[s]):
            difference = abs(parallel.boundary_flux[s][b] - serial.boundary_flux[s][b])
            assert difference <= 1e-10 * scale, (s, b)
    for b in sorted(serial.total_flux):
        assert abs(parallel.total_flux[b] - serial.total_flux[b]) <= 1e-10 * scale
    assert abs(parallel_min - serial_min) <= 1e-10
    assert max(parallel.imbalance.values()) < 1e-10
    for s in SPECIES:
        assert abs(parallel.production[s] - serial.production[s]) <= 1e-12 * scale
    assert np.isfinite(scale) and scale > 0
