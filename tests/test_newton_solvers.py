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
from emcd_fem.errors import EmcdInputError, EmcdSolverError
from emcd_fem.pipeline.run import run_case
from emcd_fem.solvers.defaults import (
    DIRECT_OPTIONS,
    DIRECT_SOLVER_MAX_DOFS,
    default_petsc_options,
    merge_petsc_options,
    single_field_options,
)
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


def test_a_field_split_reaches_the_two_field_newton_only():
    """``pc_type = "fieldsplit"`` and ``fieldsplit_*`` are for the Newton on (x_A, T); the
    single-field solves (linear start, heat, x_A Newton) keep their defaults and the user's
    other options (a split there has no fields: it would fail into the MUMPS fallback)."""
    user = {
        "ksp_type": "gmres",
        "ksp_pc_side": "right",
        "pc_type": "fieldsplit",
        "pc_fieldsplit_type": "additive",
        "fieldsplit_species_pc_type": "lu",
        "ksp_rtol": 1e-9,
        "snes_rtol": 1e-11,
    }
    assert single_field_options(user) == {"ksp_rtol": 1e-9, "snes_rtol": 1e-11}
    linear = {k: v for k, v in user.items() if k != "snes_rtol"}  # as the model passes them
    assert merge_petsc_options(10**6, linear) == default_petsc_options(10**6) | {"ksp_rtol": 1e-9}
    assert merge_petsc_options(10, linear) == DIRECT_OPTIONS | {"ksp_rtol": 1e-9}
    x_a = newton_petsc_options(10**6, user)  # the x_A Newton: its own at-scale default
    assert (x_a["ksp_type"], x_a["pc_type"], x_a["snes_rtol"]) == ("gmres", "gamg", 1e-11)
    assert not any(k.startswith(("fieldsplit_", "pc_fieldsplit")) for k in x_a)
    both = newton_petsc_options(10**6, user, split=True)  # the user's split, T-first blocks
    assert (both["pc_type"], both["pc_fieldsplit_type"]) == ("fieldsplit", "additive")
    assert both["fieldsplit_species_pc_type"] == "lu"  # the user's block option wins
    assert both["fieldsplit_temperature_pc_type"] == "gamg"  # the default block solver
    # fieldsplit_* without a split: dropped from single-field solves, the rest kept
    only = {"fieldsplit_temperature_ksp_type": "cg", "ksp_type": "cg", "pc_type": "gamg"}
    assert single_field_options(only) == {"ksp_type": "cg", "pc_type": "gamg"}


def test_soret_3d_users_field_split(direct):
    """A user's field split on the demo: the one Newton uses it (read from the SNES); the
    linear start and the heat solve keep MUMPS (no fallback warning), and the fluxes are
    the direct solve's (the Newton tolerances: ≤ AGREE)."""
    split = ["ksp_type='gmres'", "ksp_pc_side='right'", "pc_type='fieldsplit'"]
    overrides = NO_PICTURES + [f"solver.petsc_options.{o}" for o in split]
    summary = run_case(DEMO, overrides=overrides).summary
    solver = summary["solver"]
    assert (solver["ksp_type"], solver["pc_type"], solver["fallback"]) == (
        "gmres",
        "fieldsplit",
        None,
    )
    assert not solver["sequential"] and solver["iterations"] <= 5
    assert not [w for w in summary["warnings"] if "MUMPS" in w or "fallback" in w]
    assert _fluxes_agree(summary, direct) < AGREE


def test_a_field_split_without_the_two_field_newton_is_refused():
    overrides = [
        *NO_PICTURES,
        "thermal.coupling='staggered'",
        "solver.petsc_options.pc_type='fieldsplit'",
    ]
    with pytest.raises(EmcdInputError, match=r"solver\.petsc_options\.pc_type.*'fieldsplit'"):
        run_case(DEMO, overrides=overrides)


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
