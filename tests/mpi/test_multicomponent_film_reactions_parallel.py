"""n-species films with sources and reactions: all ranks equal the serial solve (issue 19).

A 2D two-layer slab a | b with a film and partition coefficients between the layers,
ternary A/B/C with zero net flux: given sources in a, a homogeneous A ⇌ B in b, and a
catalytic wall (A ⇌ B) on the right face (one block) or compositions at both ends. Newton
stops at a relative residual of 1e-12 with MUMPS inside, so COMM_WORLD and COMM_SELF differ
by rounding only: 1e-10 of the flux scale (the rule asks 1e-8 for Newton). The production
∫R dx and the wall fluxes are reduced over the ranks: a term lost on one rank would show.
"""

from mpi4py import MPI

import pytest

import emcd_fem as ef
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.models.multicomponent_films import MaxwellStefanFilmModel

SPECIES = ("A", "B", "C")
PAIRS = {("A", "B"): 2.0e-5, ("A", "C"): 1.0e-5, ("B", "C"): 3.0e-5}
LEFT = {"A": 0.6, "B": 0.1, "C": 0.3}
RIGHT = {"A": 0.2, "B": 0.3, "C": 0.5}


def _solve(comm, wall):
    domain = ef.layered_slab(
        [0.004, 0.006], region_names=["a", "b"], dim=2, cells_per_layer=[6, 8], comm=comm
    )
    mixtures = {
        "a": GasMixture(SPECIES, PAIRS, 40.0, "a"),
        "b": GasMixture(SPECIES, {k: 0.3 * v for k, v in PAIRS.items()}, 30.0, "b"),
    }
    reactions = [Reaction("A <=> B", regions=("b",), k_f=0.4, k_b=0.1, name="bulk")]
    conditions = {"left": LEFT}
    if wall:
        reactions.append(
            Reaction(
                "A <=> B", kind="surface", boundary="right", k_f=2.0e-3, k_b=5.0e-4, name="wall"
            )
        )
    else:
        conditions["right"] = RIGHT
    model = MaxwellStefanFilmModel(
        domain,
        mixtures,
        conditions,
        degree=2,
        films={("a", "b"): {"A": 2.0e-2, "B": 5.0e-2}},
        partitions={("a", "b"): {"A": 0.6, "B": 1.3}},
        sources={"a": {"A": -2.0, "B": 2.0}},
        reactions=reactions,
    )
    return model.solve()


@pytest.mark.parametrize("wall", [False, True])
def test_film_reactions_parallel_equals_serial(wall):
    serial = _solve(MPI.COMM_SELF, wall)
    parallel = _solve(MPI.COMM_WORLD, wall)
    scale = max(abs(v) for s in SPECIES for v in serial.boundary_flux[s].values())
    assert scale > 0
    for s in SPECIES:
        for b in sorted(serial.boundary_flux[s]):
            difference = abs(parallel.boundary_flux[s][b] - serial.boundary_flux[s][b])
            assert difference <= 1e-10 * scale, (s, b)
        assert abs(parallel.production[s] - serial.production[s]) <= 1e-10 * scale
        low_s, high_s = serial.x_range[s]
        low_p, high_p = parallel.x_range[s]
        assert abs(low_s - low_p) <= 1e-10 and abs(high_s - high_p) <= 1e-10
    assert parallel.production["A"] < 0  # the sources and the reaction consume A
    assert max(parallel.imbalance[s] for s in ("A", "B")) < 1e-10
    if wall:  # A reaches the catalytic wall and is converted there
        assert parallel.boundary_flux["A"]["right"] > 0.01 * scale
