"""Reacting models on all ranks equal the serial solve (COMM_WORLD against COMM_SELF).

A 2D slab with a homogeneous A ⇌ B, a second-order 2 A ⇌ 2 B (Newton) and a catalytic wall,
and the 1D Stefan film: direct (MUMPS) solves and Newton to a relative residual of 1e-12,
so the two differ by rounding only: 1e-10 of the flux scale (as test_model_parallel.py).
"""

from mpi4py import MPI

import emcd_fem as ef
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.models.stefan import StefanFilm
from emcd_fem.models.transport import SpeciesTransportModel


def _solve(comm):
    domain = ef.layered_slab(
        [0.4, 0.6], region_names=["a", "b"], dim=2, cells_per_layer=[8, 12], comm=comm
    )
    solution = SpeciesTransportModel(
        domain,
        {"a": ef.Material(1.0, 2.0), "b": ef.Material(0.5, 1.0)},
        {"left": ef.MoleFraction(0.8), "bottom": ef.MoleFraction(0.3)},
        reactions=[
            Reaction("A <=> B", regions=("a",), k_f=3.0, k_b=1.0),
            Reaction("2 A <=> 2 B", regions=("b",), k_f=2.0, k_b=0.5),
            Reaction("A <=> B", kind="surface", boundary="right", k_f=0.7, k_b=0.2),
        ],
        degree=2,
    ).solve()
    values = dict(solution.boundary_flux)
    values |= {f"production_{r}": v for r, v in solution.reactions["production"].items()}
    values["x_min"], values["x_max"] = solution.x_min, solution.x_max
    return values, solution.balance


def test_reacting_model_parallel_equals_serial():
    serial, _ = _solve(MPI.COMM_SELF)
    parallel, balance = _solve(MPI.COMM_WORLD)
    scale = max(abs(v) for k, v in serial.items() if not k.startswith("x_"))
    assert sorted(serial) == sorted(parallel)
    for key in sorted(serial):
        assert abs(parallel[key] - serial[key]) <= 1e-10 * scale, key
    assert balance < 1e-10


def test_stefan_film_parallel_equals_serial():
    def solve(comm):
        domain = ef.layered_slab([1e-3], cells_per_layer=30, comm=comm)
        return StefanFilm(domain, ef.Material(1e-5, 40.0), 0.5, 0.8, k_s=0.02).solve()

    serial, parallel = solve(MPI.COMM_SELF), solve(MPI.COMM_WORLD)
    for key in ("flux_A", "net_flux", "x_wall"):
        assert abs(getattr(parallel, key) - getattr(serial, key)) <= 1e-10 * abs(
            getattr(serial, key)
        ), key


def test_reacting_case_summary_parallel_equals_serial():
    # the case route (run_case): fluxes, consumption, η and conversion of the demo with an
    # outlet added, and the Stefan demo, on all ranks = serial (direct solves: 1e-10)
    from pathlib import Path

    from emcd_fem.case import load_case

    demos = Path(__file__).resolve().parents[2] / "demos"
    reacting = load_case(demos / "reacting_slab.toml").model_dump()
    reacting["boundaries"]["right"] = {"type": "mole_fraction", "value": 0.1}
    for data in (reacting, load_case(demos / "stefan_film.toml").model_dump()):
        case = load_case(data)
        serial = ef.run_case(case, comm=MPI.COMM_SELF).summary
        parallel = ef.run_case(case, comm=MPI.COMM_WORLD).summary
        assert parallel["status"] == serial["status"] == "ok"
        scale = max(abs(q) for q in serial["boundary_flux"].values())
        for name in sorted(serial["boundary_flux"]):
            diff = parallel["boundary_flux"][name] - serial["boundary_flux"][name]
            assert abs(diff) <= 1e-10 * scale, name
        if "stefan" in serial:
            for key in ("flux_A", "net_flux", "ratio"):
                assert abs(parallel["stefan"][key] - serial["stefan"][key]) <= 1e-10 * scale
            continue
        s, p = serial["reactions"], parallel["reactions"]
        assert abs(p["production"]["catalyst"] - s["production"]["catalyst"]) <= 1e-10 * scale
        assert abs(p["conversion"] - s["conversion"]) <= 1e-10
        assert p["thiele"]["catalyst"]["phi"] == s["thiele"]["catalyst"]["phi"]
