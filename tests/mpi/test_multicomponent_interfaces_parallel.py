"""n-species interfaces on all ranks equal the serial solve (issue 19).

A 2D two-layer slab, ternary H2/N2/CO2 with per-species partition coefficients, and with
a film as well (blocks on submeshes, interior-facet terms with '+' in the pair's first
region): COMM_WORLD against COMM_SELF. Newton stops at a relative residual of 1e-12 with
a direct (MUMPS) solve inside, so the two differ by rounding only: 1e-10 of the flux scale.
The film facets are counted over the ranks: a facet dropped on the partition boundary
would show as a different film flux.
"""

from mpi4py import MPI

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.models.march import TimeSettings, march
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_films import MaxwellStefanFilmModel
from emcd_fem.models.multicomponent_transient import TransientMaxwellStefan

SPECIES = ("H2", "N2", "CO2")
PAIRS = {("H2", "N2"): 8.33e-5, ("H2", "CO2"): 6.80e-5, ("N2", "CO2"): 1.68e-5}
K = {"H2": 0.6, "N2": 1.3}
FILM = {"H2": 2.0, "N2": 5.0}


def _solve(comm, films):
    domain = ef.layered_slab(
        [0.004, 0.006], region_names=["a", "b"], dim=2, cells_per_layer=[6, 8], comm=comm
    )
    mixtures = {
        "a": GasMixture(SPECIES, PAIRS, 40.0, "a"),
        "b": GasMixture(SPECIES, {k: 0.3 * v for k, v in PAIRS.items()}, 30.0, "b"),
    }
    conditions = {
        "left": {"H2": 0.5, "N2": 0.2, "CO2": 0.3},
        "right": {"H2": 0.1, "N2": 0.3, "CO2": 0.6},
    }
    partitions = {("b", "a"): {s: 1 / k for s, k in K.items()}}
    if films:
        model = MaxwellStefanFilmModel(
            domain, mixtures, conditions, degree=2, partitions=partitions, films={("a", "b"): FILM}
        )
    else:
        model = MaxwellStefanModel(domain, mixtures, conditions, degree=2, partitions=partitions)
    return model, model.solve()


@pytest.mark.parametrize("films", [False, True])
def test_multicomponent_interfaces_parallel_equals_serial(films):
    _, serial = _solve(MPI.COMM_SELF, films)
    model, parallel = _solve(MPI.COMM_WORLD, films)
    scale = max(abs(v) for s in SPECIES for v in serial.boundary_flux[s].values())
    assert scale > 0
    for s in SPECIES:
        for b in sorted(serial.boundary_flux[s]):
            difference = abs(parallel.boundary_flux[s][b] - serial.boundary_flux[s][b])
            assert difference <= 1e-10 * scale, (s, b)
    for b in sorted(serial.total_flux):
        assert abs(parallel.total_flux[b] - serial.total_flux[b]) <= 1e-10 * scale
    assert max(parallel.imbalance.values()) < 1e-10
    for s in SPECIES:
        low_s, high_s = serial.x_range[s]
        low_p, high_p = parallel.x_range[s]
        assert abs(low_s - low_p) <= 1e-10 and abs(high_s - high_p) <= 1e-10
    if films:  # the flux through the film, every species, = the flux leaving on the right
        for s in SPECIES:
            through = model.film_flux["a|b"][s]
            assert abs(through - parallel.boundary_flux[s]["right"]) <= 1e-9 * scale


def _march_films(comm):
    domain = ef.layered_slab(
        [0.004, 0.006], region_names=["a", "b"], dim=2, cells_per_layer=[4, 6], comm=comm
    )
    mixtures = {
        "a": GasMixture(SPECIES, PAIRS, 40.0, "a"),
        "b": GasMixture(SPECIES, {k: 0.3 * v for k, v in PAIRS.items()}, 30.0, "b"),
    }
    model = MaxwellStefanFilmModel(
        domain,
        mixtures,
        {"left": {"H2": 0.5, "N2": 0.2, "CO2": 0.3}},
        degree=2,
        partitions={("a", "b"): K},
        films={("a", "b"): FILM},
    )
    transient = TransientMaxwellStefan(model)
    start = {
        "a": lambda p: np.outer([0.3, 0.3, 0.4], np.ones(p.shape[1])),
        "b": lambda p: np.outer([0.1, 0.3, 0.6], np.ones(p.shape[1])),
    }
    transient.set_initial_by_region(start)
    state = transient.initial_state(0.0, 0.05)
    march(transient, state, TimeSettings(0.0, 0.5, 0.05))  # 10 fixed BDF2 steps
    return state.records


def test_transient_films_parallel_equals_serial():
    # per-block storage and starts on submeshes, the film terms, fixed steps: Newton to
    # rtol 1e-12 each step with MUMPS, so 2 ranks = 1 rank to 1e-8 (the Newton rule)
    serial = _march_films(MPI.COMM_SELF)
    parallel = _march_films(MPI.COMM_WORLD)
    assert len(serial) == len(parallel) == 10
    for one, two in zip(serial, parallel, strict=True):
        scale = max(abs(v) for s in SPECIES for v in one.boundary_flux[s].values())
        for s in SPECIES:
            assert abs(one.boundary_flux[s]["left"] - two.boundary_flux[s]["left"]) <= 1e-8 * scale
            assert two.inventory[s] == pytest.approx(one.inventory[s], rel=1e-10)
        assert max(two.balance.values()) < 1e-8
