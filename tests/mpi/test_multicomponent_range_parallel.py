"""Inconsistent n-species partition coefficients are refused alike on every rank (issue 19).

The range check uses the global (all-rank) min/max of each mole fraction, so every rank
raises the same AdmissibilityError naming the interface's κ's (no rank hangs in a
collective, none reports a different number): checked by gathering the messages.
"""

from mpi4py import MPI

import pytest

import emcd_fem as ef
from emcd_fem.errors import AdmissibilityError
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_films import MaxwellStefanFilmModel

SPECIES = ("H2", "N2", "CO2")
PAIRS = {("H2", "N2"): 8.33e-5, ("H2", "CO2"): 6.80e-5, ("N2", "CO2"): 1.68e-5}


@pytest.mark.parametrize("films", [False, True])
def test_inconsistent_partitions_refused_alike_on_every_rank(films):
    comm = MPI.COMM_WORLD
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
    # κ_H2 = 2.4, κ_N2 = 2: Σ κ_k x_k,a > 1 on the b side
    partitions = {("a", "b"): {"H2": 1.8, "N2": 1.5}}
    if films:
        model = MaxwellStefanFilmModel(
            domain, mixtures, conditions, degree=2, partitions=partitions,
            films={("a", "b"): {"H2": 2.0, "N2": 5.0}},
        )  # fmt: skip
    else:
        model = MaxwellStefanModel(domain, mixtures, conditions, degree=2, partitions=partitions)
    with pytest.raises(AdmissibilityError, match=r"a\|b: κ_H2 = 2.4, κ_N2 = 2;") as error:
        model.solve()
    messages = comm.allgather(str(error.value))
    assert all(m == messages[0] for m in messages)
