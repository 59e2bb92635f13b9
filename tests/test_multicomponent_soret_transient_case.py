"""``[multicomponent]`` + ``[thermal]`` + ``[time]``: transient n-species thermal diffusion.

T is steady (solved once by conduction, or prescribed); a transient T is refused by key.
The march stopped at its steady state equals the steady case run; a closed vessel keeps
every species' amount and gathers H2 at the hot end.
"""

import copy
import subprocess
import sys
import tomllib

import pytest
from ternary_soret_cases import HOT_RIGHT, SLAB_1D, soret_case

from emcd_fem.case.base import CaseError
from emcd_fem.pipeline.run import run_case

SPECIES = ("H2", "N2", "CO2")

CASE = soret_case(
    SLAB_1D,
    HOT_RIGHT,
    """[time]
t_end = 1000.0
dt = 1e-3
adaptive = true
rtol = 1e-7
atol = 1e-9
dt_max = 200.0
stop_at_steady_state = true
steady_tolerance = 1e-12

[discretisation]
degree = 2

[output]
pictures = false
""",
    closed_start=True,
)


def data():
    return copy.deepcopy(tomllib.loads(CASE))


def steady_data():
    case = data()
    case.pop("time")
    case["multicomponent"]["regions"]["gas"].pop("initial")
    return case


def test_march_reaches_the_steady_case_run(tmp_path):
    steady = run_case(steady_data(), tmp_path / "steady").summary
    summary = run_case(data(), tmp_path / "transient").summary
    assert summary["transient"]["reason"] == "steady_state", summary["transient"]
    assert summary["status"] == "ok"
    scale = max(abs(q) for s in SPECIES for q in steady["boundary_flux"][s].values())
    for s in SPECIES:  # measured 1e-11 of the largest flux (the Python model's test)
        for b in ("left", "right"):
            got, want = summary["boundary_flux"][s][b], steady["boundary_flux"][s][b]
            assert abs(got - want) < 1e-8 * scale, (s, b)
            for part in ("fickian", "thermal"):  # the split of the same final state
                got = summary["soret"]["flux_split"][s][b][part]
                want = steady["soret"]["flux_split"][s][b][part]
                assert abs(got - want) < 1e-8 * scale, (s, b, part)
    assert summary["thermal"]["heat_flow"] == pytest.approx(steady["thermal"]["heat_flow"])
    assert (
        summary["soret"]["thermal_diffusion_factors"]
        == (steady["soret"]["thermal_diffusion_factors"])
    )
    assert "temperature" in summary["fields"]


def test_closed_vessel_case_conserves_every_species(tmp_path):
    # no composition anywhere: a closed vessel; T prescribed (the conduction T of the slab)
    case = data()
    case["multicomponent"].pop("boundaries")
    case["thermal"] = {"temperature": "300 + 100*x/0.01"}
    for key in ("stop_at_steady_state", "steady_tolerance"):  # refused for a closed vessel
        case["time"].pop(key)
    case["time"]["t_end"] = 200.0  # ≈ 30 L²/Đ_N2,CO2: at the equilibrium (1e-12 /s by 50 s)
    summary = run_case(case, tmp_path / "out").summary
    assert summary["closed"] is True and summary["status"] == "ok"
    assert summary["transient"]["t_final"] == 200.0
    for s in SPECIES:
        inventory = summary["inventory"][s]
        assert abs(inventory["final"] - inventory["initial"]) < 1e-10 * inventory["initial"]
    # the thermal-diffusion equilibrium: H2 (light) up to the hot end, CO2 (heavy) down
    # (the profile itself: tests/test_multicomponent_soret_transient.py, against shooting)
    low, high = summary["x_range"]["H2"]
    assert low < 0.4 < high and high - low > 0.02
    low, high = summary["x_range"]["CO2"]
    assert low < 0.3 < high
    assert summary["thermal"]["mode"] == "prescribed"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("volumetric_heat_capacity", {"gas": 1200.0}),
        ("initial_temperature", 300.0),
        ("boundary_values", {"left": "300 + t"}),
    ],
)
def test_transient_heat_is_refused_by_key(tmp_path, key, value):
    case = data()
    case["thermal"][key] = value
    with pytest.raises(CaseError) as info:
        run_case(case, tmp_path / "out")
    text = str(info.value)
    assert f"thermal.{key}" in text and "transient heat conduction" in text, text


def test_cli_check_accepts_thermal_with_time_and_refuses_a_transient_t(tmp_path):
    path = tmp_path / "case.toml"
    path.write_text(CASE)
    command = [sys.executable, "-m", "emcd_fem.cli", "check", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    path.write_text(CASE + "\n[thermal.volumetric_heat_capacity]\ngas = 1200.0\n")
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "thermal.volumetric_heat_capacity" in result.stderr
    assert "transient heat conduction" in result.stderr
