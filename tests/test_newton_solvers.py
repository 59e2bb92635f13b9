"""Default solvers of the Newton solves by size and structure (issue 21).

Below DIRECT_SOLVER_MAX_DOFS unknowns every Newton step is solved with MUMPS LU (the shipped
demos). Above it, the defaults are: GMRES + GAMG for the x_A Newton (the Jacobian is not
symmetric), and for ``coupling = "monolithic"`` T first, then the x_A Newton — the coupled
solution, since T does not depend on x_A (block-triangular Jacobian). The tests force the
at-scale defaults on the small 3D Soret demo by lowering the size threshold of
``solvers.nonlinear`` and compare with the direct monolithic solve of the same discrete
problem: the solutions differ only by the solver tolerances (SNES rtol 1e-12, KSP rtol
1e-10 per Newton step, the heat solve's accepted true residual 1e-9), so the fluxes must
agree to 1e-8 (measured ≤ 1e-14, see the asserts' comments).
"""

from pathlib import Path

import pytest

import emcd_fem.models.transport as transport
import emcd_fem.solvers.nonlinear as nonlinear
from emcd_fem.errors import EmcdSolverError
from emcd_fem.pipeline.run import run_case
from emcd_fem.solvers.defaults import DIRECT_OPTIONS, DIRECT_SOLVER_MAX_DOFS
from emcd_fem.solvers.nonlinear import in_sequence, newton_petsc_options

DEMO = Path(__file__).resolve().parents[1] / "demos" / "soret_3d.toml"
NO_PICTURES = ["output.pictures=false"]
AGREE = 1e-8  # the test's bound: the fluxes of two solves of one discrete problem


def _fluxes_agree(summary, reference):
    fluxes = reference["boundary_flux"]
    scale = sum(abs(q) for q in fluxes.values())
    return max(abs(summary["boundary_flux"][k] - q) for k, q in fluxes.items()) / scale


def test_options_by_size_and_structure():
    small = newton_petsc_options(DIRECT_SOLVER_MAX_DOFS)
    assert small["pc_type"] == "lu" and small["snes_linesearch_type"] == "bt"
    large = newton_petsc_options(DIRECT_SOLVER_MAX_DOFS + 1)
    assert (large["ksp_type"], large["pc_type"], large["ksp_pc_side"]) == ("gmres", "gamg", "right")
    assert large["mg_levels_pc_type"] == "sor"  # the linear path's smoother
    split = newton_petsc_options(10**6, split=True)
    assert split["pc_type"] == "fieldsplit" and split["pc_fieldsplit_type"] == "multiplicative"
    assert split["fieldsplit_temperature_pc_type"] == "gamg"
    assert newton_petsc_options(10**6, blocks=2)["pc_type"] == "lu"  # films: as the linear path
    # the user's method replaces the default one whole; tolerances are still filled in
    user = newton_petsc_options(10**6, {"ksp_type": "bcgs", "pc_type": "jacobi"})
    assert (user["ksp_type"], user["pc_type"], user["ksp_rtol"]) == ("bcgs", "jacobi", 1e-10)
    assert "ksp_gmres_restart" not in user and "mg_levels_pc_type" not in user
    assert "ksp_pc_side" not in user  # CG, e.g., takes left preconditioning only
    assert newton_petsc_options(10, {"snes_rtol": 1e-8})["snes_rtol"] == 1e-8
    assert in_sequence(10**6) and not in_sequence(10**6, {"pc_type": "lu"})
    assert not in_sequence(DIRECT_SOLVER_MAX_DOFS)


@pytest.fixture(scope="module")
def direct():
    """The shipped demo as it runs by default: monolithic Newton, MUMPS LU."""
    summary = run_case(DEMO, overrides=NO_PICTURES).summary
    assert summary["solver"]["pc_type"] == "lu" and not summary["solver"]["sequential"]
    return summary


def test_soret_3d_at_scale_defaults_agree_with_lu(direct, monkeypatch):
    monkeypatch.setattr(nonlinear, "DIRECT_SOLVER_MAX_DOFS", 0)
    summary = run_case(DEMO, overrides=NO_PICTURES).summary
    solver = summary["solver"]
    # the method actually used, read from the SNES object (not from the options)
    assert solver["sequential"] and solver["coupling"] == "monolithic"
    assert (solver["ksp_type"], solver["pc_type"], solver["fallback"]) == ("gmres", "gamg", None)
    assert solver["coupling_iterations"] == 1
    assert summary["balance"]["relative"] < 1e-10
    assert _fluxes_agree(summary, direct) < AGREE  # measured 7e-15


def test_soret_3d_monolithic_fieldsplit_agrees_with_lu(direct, monkeypatch):
    """The T-first fieldsplit of the monolithic Jacobian (the at-scale monolithic method)."""
    monkeypatch.setattr(nonlinear, "DIRECT_SOLVER_MAX_DOFS", 0)
    monkeypatch.setattr(transport, "in_sequence", lambda *args, **kwargs: False)
    summary = run_case(DEMO, overrides=NO_PICTURES).summary
    solver = summary["solver"]
    assert (solver["ksp_type"], solver["pc_type"]) == ("gmres", "fieldsplit")
    assert not solver["sequential"] and solver["iterations"] <= 5
    assert _fluxes_agree(summary, direct) < AGREE  # measured 6e-17


def test_iterative_failure_falls_back_to_mumps(direct):
    """A Krylov method that cannot converge: MUMPS from the start point, recorded."""
    weak = ["ksp_type='gmres'", "pc_type='none'", "ksp_max_it=1"]
    overrides = NO_PICTURES + [f"solver.petsc_options.{o}" for o in weak]
    summary = run_case(DEMO, overrides=overrides).summary
    solver = summary["solver"]
    assert solver["fallback"].startswith("direct (MUMPS) after gmres + none")
    assert "DIVERGED_LINEAR_SOLVE" in solver["fallback"]
    assert (solver["ksp_type"], solver["pc_type"]) == ("preonly", "lu")
    assert _fluxes_agree(summary, direct) < AGREE


def test_a_newton_failure_names_the_direct_option():
    weak = ["snes_max_it=1", "ksp_type='gmres'", "pc_type='jacobi'"]
    overrides = NO_PICTURES + [f"solver.petsc_options.{o}" for o in weak]
    with pytest.raises(EmcdSolverError, match='pc_type = "lu"') as info:
        run_case(DEMO, overrides=overrides)
    assert "DIVERGED_MAX_IT" in str(info.value) and "gmres + jacobi" in str(info.value)
    assert DIRECT_OPTIONS["pc_factor_mat_solver_type"] in str(info.value)
