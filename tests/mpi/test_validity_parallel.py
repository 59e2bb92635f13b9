"""The "is EMCD valid here?" report on all ranks equals the serial one (issue 20: 1e-8).

The 2D free-gas case (binary Maxwell–Stefan re-solve), the porous H2/N2 pellet (dusty-gas
re-solve), the Soret slab (isothermal EMCD re-solve) and the Stefan film (ν = 1
re-solve): direct (MUMPS) solves and Newton to a relative residual of 1e-12, so serial
and parallel differ by rounding: 1e-10 of the flux scale, well inside the issue's 1e-8.
A failure of the report on one rank only ends as the same ``status = "failed"`` on every
rank, the main results kept.
"""

import sys
from pathlib import Path

from mpi4py import MPI

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from validity_cases import STEFAN, free_gas_2d, porous_pellet, soret_slab

from emcd_fem.case import load_case
from emcd_fem.pipeline.run import run_case


@pytest.mark.parametrize("name", ["free_gas_2d", "porous_pellet", "soret_slab", "stefan"])
def test_validity_report_parallel_equals_serial(name):
    data = {
        "free_gas_2d": free_gas_2d,
        "porous_pellet": lambda: porous_pellet(100e-6),
        "soret_slab": soret_slab,
    }.get(name, lambda: STEFAN)()
    case = load_case(data)
    serial = run_case(case, comm=MPI.COMM_SELF).summary["validity"]
    parallel = run_case(case, comm=MPI.COMM_WORLD).summary["validity"]
    assert parallel["status"] == serial["status"] == "ok"
    assert parallel["model"] == serial["model"]
    assert parallel["verdict"].split(":")[0] == serial["verdict"].split(":")[0]
    rows_s, rows_p = serial["boundaries"], parallel["boundaries"]
    assert sorted(rows_s) == sorted(rows_p)
    scale = max(abs(r["full_flux_A"]) for r in rows_s.values())
    for boundary in sorted(rows_s):
        for key in ("emcd_flux_A", "full_flux_A", "full_flux_B", "full_net_flux"):
            diff = rows_p[boundary][key] - rows_s[boundary][key]
            assert abs(diff) <= 1e-10 * scale, (boundary, key)
    assert abs(parallel["max_relative_deviation"] - serial["max_relative_deviation"]) <= max(
        1e-8 * serial["max_relative_deviation"], 1e-10
    )


def test_report_failing_on_one_rank_fails_on_every_rank(monkeypatch):
    from emcd_fem.errors import EmcdResultError
    from emcd_fem.pipeline import validity_run
    from emcd_fem.post import validity

    original = validity.regime_numbers

    def fails_on_the_last_rank(**kwargs):
        if MPI.COMM_WORLD.rank == MPI.COMM_WORLD.size - 1:
            raise RuntimeError("injected on one rank")
        return original(**kwargs)

    monkeypatch.setattr(validity_run.validity, "regime_numbers", fails_on_the_last_rank)
    with pytest.raises(EmcdResultError, match="injected on one rank") as caught:
        run_case(load_case(free_gas_2d()), comm=MPI.COMM_WORLD)
    summary = caught.value.result.summary
    assert summary["validity"]["status"] == "failed"
    assert summary["boundary_flux"]["left"] != 0.0  # the main results are there
