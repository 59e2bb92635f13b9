"""α_T evaluated along the temperature profile, on all ranks (issue 19 item 6 follow-up): a
2D H2–N2 slab, `thermal_diffusion_factor = "kinetic_theory"` (α_T(T, x_A) fitted to Cantera
over 240–750 K, a UFL expression of T and x_A), heat conduction 300 → 600 K. The fit is made
from the case alone (the same numbers on every rank); Newton (SNES, MUMPS LU) stops at a
relative residual of 1e-12: 1 and 2 ranks agree to 1e-8 of the flux scale (the Newton
tolerance asked for), and so do the α_T, T and x_A met (collective min/max). A solved T
beyond the fitted range ends every rank with the same message.
"""

from mpi4py import MPI

import pytest

pytest.importorskip("cantera")

from emcd_fem.errors import EmcdResultError
from emcd_fem.pipeline.run import run_case


def _case():
    return {
        "geometry": {
            "kind": "layered_slab",
            "dim": 2,
            "width": 0.02,
            "cells_across": 4,
            "layers": [{"name": "gas", "thickness": 0.05, "cells": 8}],
        },
        "materials": {
            "gas": {
                "D": 7.8e-5,
                "c": 40.6,
                "gases": ["H2", "N2"],
                "T": 300.0,
                "thermal_conductivity": 0.05,
                "thermal_diffusion_factor": "kinetic_theory",
            }
        },
        "boundaries": {
            "left": {"type": "mole_fraction", "value": 0.1},
            "right": {"type": "mole_fraction", "value": 0.5},
        },
        "thermal": {
            "boundaries": {
                "left": {"type": "temperature", "value": 300.0},
                "right": {"type": "temperature", "value": 600.0},
            }
        },
        "discretisation": {"degree": 2},
    }


def test_alpha_along_the_profile_two_ranks_equal_one():
    comm = MPI.COMM_WORLD
    serial = run_case(_case(), None, comm=MPI.COMM_SELF).summary
    parallel = run_case(_case(), None, comm=comm).summary
    assert parallel["ranks"] == comm.size and parallel["status"] == "ok"
    report = parallel["soret"]["thermal_diffusion_factor"]["gas"]
    assert report["temperature"].startswith("local") and report["fit_temperatures"] == [240, 750]
    assert report == serial["soret"]["thermal_diffusion_factor"]["gas"]
    scale = max(abs(v) for v in serial["boundary_flux"].values())
    assert scale > 0
    for side, value in sorted(serial["boundary_flux"].items()):
        assert abs(parallel["boundary_flux"][side] - value) <= 1e-8 * scale, side
    met, met_serial = (s["soret"]["alpha_t_range"]["gas"] for s in (parallel, serial))
    assert sorted(met) == sorted(met_serial) == ["T", "alpha_t", "fit_T", "x_A"]
    for key in sorted(met):
        assert met[key] == pytest.approx(met_serial[key], rel=1e-8, abs=1e-10), key
    assert met["T"] == pytest.approx([300.0, 600.0], rel=1e-12)
    assert comm.allgather(met) == [met] * comm.size


def test_temperature_beyond_the_fit_ends_every_rank_alike():
    comm = MPI.COMM_WORLD
    case = _case()
    case["thermal"]["boundaries"]["right"]["value"] = 300.0
    case["thermal"]["source"] = 40_000.0  # W/m^3: T reaches 550 K > 375 K, the fit's top
    with pytest.raises(EmcdResultError, match="over which the kinetic_theory") as info:
        run_case(case, None, comm=comm)
    assert comm.allgather(str(info.value)) == [str(info.value)] * comm.size
