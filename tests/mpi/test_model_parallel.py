"""The composed model's richest combination on all ranks equals the serial solve.

Film + partition + solved T with a contact resistance + Soret + source, on a 2D two-layer
slab: COMM_WORLD against COMM_SELF. Newton stops at a relative residual of 1e-12 with a
direct (MUMPS) solve inside, so the two differ by rounding only: 1e-10 of the flux scale
(as tests/mpi/test_rank_order.py).
"""

from mpi4py import MPI

import emcd_fem as ef
from emcd_fem.models.thermal import HeatConductionProblem, Temperature
from emcd_fem.models.transport import SpeciesTransportModel


def _solve(comm):
    domain = ef.layered_slab(
        [0.4, 0.6], region_names=["a", "b"], dim=2, cells_per_layer=[8, 12], comm=comm
    )
    heat = HeatConductionProblem(
        domain,
        {"a": 1.0, "b": 0.5},
        {"left": Temperature(300.0), "right": Temperature(400.0)},
        contact_resistance={("a", "b"): 0.2},
        degree=2,
    )
    solution = SpeciesTransportModel(
        domain,
        {"a": ef.Material(1.0, 2.0), "b": ef.Material(0.5, 1.0)},
        {"left": ef.MoleFraction(0.8), "right": ef.MoleFraction(0.2)},
        films={("a", "b"): 3.0},
        partitions={("a", "b"): 0.5},
        source=0.1,
        temperature=heat,
        soret={"a": 0.01, "b": -0.006},
        degree=2,
    ).solve()
    values = dict(solution.boundary_flux)
    values["film"] = solution.film_flux[("a", "b")]
    values["x_min"], values["x_max"] = solution.x_min, solution.x_max
    return values, solution.balance


def test_richest_combination_parallel_equals_serial():
    serial, _ = _solve(MPI.COMM_SELF)
    parallel, balance = _solve(MPI.COMM_WORLD)
    scale = max(abs(serial[k]) for k in ("left", "right"))
    for key in ("left", "right", "film"):
        assert abs(parallel[key] - serial[key]) <= 1e-10 * scale, key
    for key in ("x_min", "x_max"):
        assert abs(parallel[key] - serial[key]) <= 1e-10, key
    assert balance < 1e-12
