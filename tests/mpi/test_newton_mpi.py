"""The at-scale Newton defaults and the scaled Dirichlet rows on all ranks (``make test-mpi``).

Each run on COMM_WORLD is compared with the same run on COMM_SELF. The iterative solves
(GAMG aggregates differently on each partition) leave differences at their tolerances
(KSP rtol 1e-10 per Newton step, SNES rtol 1e-12): fluxes agree to 1e-8, the Newton bound
of the parallel rule.
"""

import copy
import tomllib
from pathlib import Path

from mpi4py import MPI

import emcd_fem.solvers.nonlinear as nonlinear
from emcd_fem.pipeline.run import run_case

DEMO = Path(__file__).resolve().parents[2] / "demos" / "soret_3d.toml"
NEWTON = 1e-8


def _relative(a, b):
    scale = sum(abs(q) for q in a.values())
    return max(abs(a[k] - b[k]) for k in sorted(a)) / scale


def test_soret_3d_at_scale_defaults_serial_equals_parallel(monkeypatch):
    monkeypatch.setattr(nonlinear, "DIRECT_SOLVER_MAX_DOFS", 0)  # the at-scale defaults
    case = tomllib.loads(DEMO.read_text()) | {"output": {"pictures": False}}
    serial = run_case(copy.deepcopy(case), comm=MPI.COMM_SELF).summary
    parallel = run_case(copy.deepcopy(case), comm=MPI.COMM_WORLD).summary
    for summary in (serial, parallel):
        solver = summary["solver"]
        assert solver["sequential"] and (solver["ksp_type"], solver["pc_type"]) == (
            "gmres",
            "gamg",
        )
    assert _relative(serial["boundary_flux"], parallel["boundary_flux"]) < NEWTON


def test_soret_3d_users_field_split_serial_equals_parallel():
    """A user's field split: the one x_A–T Newton uses it on every partition (the index
    sets per rank), the single-field solves keep MUMPS (no fallback warning)."""
    case = tomllib.loads(DEMO.read_text()) | {"output": {"pictures": False}}
    case["solver"] = {
        "petsc_options": {"ksp_type": "gmres", "ksp_pc_side": "right", "pc_type": "fieldsplit"}
    }
    serial = run_case(copy.deepcopy(case), comm=MPI.COMM_SELF).summary
    parallel = run_case(copy.deepcopy(case), comm=MPI.COMM_WORLD).summary
    for summary in (serial, parallel):
        solver = summary["solver"]
        assert (solver["ksp_type"], solver["pc_type"], solver["fallback"]) == (
            "gmres",
            "fieldsplit",
            None,
        )
        assert not solver["sequential"]
        assert not [w for w in summary["warnings"] if "MUMPS" in w]
    assert _relative(serial["boundary_flux"], parallel["boundary_flux"]) < NEWTON
