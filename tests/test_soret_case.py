"""Thermal diffusion from case files: the [thermal] section, summary.json, pictures, errors."""

from pathlib import Path

import numpy as np
import pytest

from emcd_fem.case import CaseError
from emcd_fem.pipeline.run import run_case

DEMOS = Path(__file__).parents[1] / "demos"


def test_slab_case_matches_closed_form():
    """The theory's example from a case file: flux and thermal part vs the closed form."""
    summary = run_case(DEMOS / "soret_slab_1d.toml").summary
    reference = summary["analytic"]
    assert reference["max_relative_error"] < 1e-10  # P2, 40 cells: measured 2e-12
    assert max(reference["thermal_relative_error"].values()) < 1e-10
    assert summary["soret"]["alpha_t"]["gas"] == pytest.approx(0.012 * 306.0, rel=1e-12)
    assert any("alpha_T" in w for w in summary["warnings"])
    assert summary["thermal"]["heat_flow"]["left"] == pytest.approx(0.026 * 12 / 0.5, rel=1e-10)
    # the thermal part opposes Fick (A is pushed towards the cold left end)
    assert summary["flux_split"]["right"]["thermal"] < 0 < summary["flux_split"]["right"]["fickian"]


def test_prescribed_expression_equals_conduction():
    """T = "300 + 24*x" (parsed, not eval'd) gives the same answer as solving for it."""
    solved = run_case(DEMOS / "soret_slab_1d.toml").summary
    prescribed = run_case(
        DEMOS / "soret_slab_1d.toml",
        overrides=[
            'thermal={temperature="300 + 24*x"}',
        ],
    ).summary
    assert prescribed["thermal"]["mode"] == "prescribed"
    assert prescribed["analytic"] is not None  # linear T detected
    for name, value in solved["boundary_flux"].items():
        assert prescribed["boundary_flux"][name] == pytest.approx(value, rel=1e-12)
    # a non-linear prescribed T: no closed form is claimed
    curved = run_case(
        DEMOS / "soret_slab_1d.toml",
        overrides=['thermal={temperature="300 + 48*x**2"}'],
    ).summary
    assert curved["analytic"] is None


def test_composite_2d_balance_and_coupling_schemes():
    """Heated from below, driven left to right: species and heat balances to round-off, the
    staggered (default) and monolithic schemes agree to Newton tolerance."""
    staggered = run_case(DEMOS / "soret_composite_2d.toml", overrides=["output.pictures=false"])
    monolithic = run_case(
        DEMOS / "soret_composite_2d.toml",
        overrides=["output.pictures=false", 'thermal.coupling="monolithic"'],
    )
    s, m = staggered.summary, monolithic.summary
    assert s["balance"]["relative"] < 1e-12 and m["balance"]["relative"] < 1e-12
    assert s["thermal"]["heat_balance"] < 1e-12
    assert s["solver"]["coupling_iterations"] == 2  # one-way coupling: 2nd pass confirms
    for name, value in s["boundary_flux"].items():
        assert m["boundary_flux"][name] == pytest.approx(value, rel=1e-9, abs=1e-16)
    # non-parallel gradients: the thermal part carries a large share on the heated walls
    # (where the total flux vanishes) and little on the species-driven ends
    assert s["soret"]["thermal_share"]["bottom"] > 0.3
    assert s["soret"]["thermal_share"]["left"] < 1e-2


def test_3d_coupled_newton_iterations(tmp_path):
    """Small 3D run of the coupled T-dependent problem with a contact resistance: monolithic
    Newton converges in 3 iterations (bounded here by 5); pictures of T, x_A and the thermal
    share are written and not blank."""
    result = run_case(DEMOS / "soret_3d.toml", tmp_path / "out")
    summary = result.summary
    assert summary["solver"]["coupling"] == "monolithic"
    assert summary["solver"]["iterations"] <= 5
    assert summary["solver"]["reason"].startswith("CONVERGED")
    assert summary["balance"]["relative"] < 1e-12
    assert summary["thermal"]["heat_balance"] < 1e-10
    from PIL import Image

    for name in ("mole_fraction.png", "temperature.png", "thermal_fraction.png"):
        pixels = np.asarray(Image.open(tmp_path / "out" / name).convert("L"), dtype=float)
        assert pixels.std() > 10, name


BAD = [
    # S_T without any temperature field
    (
        "slab_1d.toml",
        ["materials.coating.soret_coefficient=0.01"],
        "materials.coating.soret_coefficient",
        "needs a temperature field",
    ),
    # conduction without k
    (
        "soret_slab_1d.toml",
        ["materials.gas.thermal_conductivity=-1.0"],
        "materials.gas.thermal_conductivity",
        "must be > 0",
    ),
    (
        "soret_composite_2d.toml",
        ["materials.insert={D=1e-5, c=40.0}"],
        "materials.insert.thermal_conductivity",
        "missing",
    ),
    (
        "soret_slab_1d.toml",
        ['thermal={temperature="300 + os(x)"}'],
        "thermal.temperature",
        "only the functions",
    ),
    (
        "soret_slab_1d.toml",
        ['thermal.temperature="300 + x"'],
        "thermal",
        "exactly one of them",
    ),
    (
        "soret_slab_1d.toml",
        ["thermal.boundaries.left.value=-3.0"],
        "thermal.boundaries.left",
        "must be > 0",
    ),
    (
        "soret_slab_1d.toml",
        ['thermal.boundaries.rihgt={type="insulated"}'],
        "thermal.boundaries.rihgt",
        "did you mean 'right'",
    ),
    (
        "soret_slab_1d.toml",
        ["thermal={temperature=-20.0}"],
        "thermal.temperature",
        "> 0 K",
    ),
    (
        "soret_composite_2d.toml",
        ['materials.gas.concentration_law="ideal_gas"', "materials.gas.P=-1.0"],
        "materials.gas.P",
        "must be > 0",
    ),
]


@pytest.mark.parametrize("case,overrides,key,message", BAD)
def test_bad_thermal_input(case, overrides, key, message):
    with pytest.raises(CaseError) as info:
        run_case(DEMOS / case, overrides=overrides)
    text = str(info.value)
    assert key in text and message in text, text


def test_temperature_below_zero_in_prescribed_field():
    from emcd_fem.errors import AdmissibilityError

    with pytest.raises(AdmissibilityError, match="reaches"):
        run_case(DEMOS / "soret_slab_1d.toml", overrides=['thermal={temperature="300 - 1000*x"}'])
