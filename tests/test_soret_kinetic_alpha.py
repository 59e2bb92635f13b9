"""``thermal_diffusion_factor = "kinetic_theory"`` in the binary Soret path (issue 19).

The run uses α_T at the local composition (a law fitted to Cantera, reported in the
summary; tests/test_soret_alpha_composition.py checks it against Cantera and an independent
ODE solve); here the report, the closeness to the run with Cantera's α_T(0.5) as a number
(x_A stays near 0.5), and the sign convention (α_T > 0 drives A
to the cold side; H2–N2 with A = H2: α_T < 0, H2 to the hot side) must be visible in the
Soret flux of a slab with equal mole fractions at both ends (no Fickian drive at all).
"""

import copy

import pytest

pytest.importorskip("cantera")

from emcd_fem.case import CaseError, load_case
from emcd_fem.materials.gas_data import thermal_diffusion_factor
from emcd_fem.pipeline.run import run_case

CASE = {
    "geometry": {
        "kind": "layered_slab",
        "dim": 1,
        "layers": [{"name": "gas", "thickness": 0.05, "cells": 20}],
    },
    "materials": {
        "gas": {
            "D": 7.8e-5,  # m^2/s, H2–N2 near 300 K
            "c": 40.6,
            "gases": ["H2", "N2"],
            "T": 300.0,
            "thermal_conductivity": 0.05,
            "thermal_diffusion_factor": "kinetic_theory",
        }
    },
    "boundaries": {
        "left": {"type": "mole_fraction", "value": 0.5},
        "right": {"type": "mole_fraction", "value": 0.5},
    },
    "thermal": {
        "boundaries": {
            "left": {"type": "temperature", "value": 280.0},
            "right": {"type": "temperature", "value": 320.0},
        }
    },
    "discretisation": {"degree": 2},
}


def test_kinetic_theory_is_local_in_composition_and_sends_h2_to_the_hot_side():
    kinetic = run_case(copy.deepcopy(CASE), None).summary
    alpha = thermal_diffusion_factor("H2", "N2", 300.0, 101325.0, mole_fraction_a=0.5)
    assert -0.45 < alpha < -0.2  # H2–N2: the lighter H2 has α_T < 0 (Cantera: −0.347)
    given = copy.deepcopy(CASE)
    given["materials"]["gas"]["thermal_diffusion_factor"] = alpha
    number = run_case(given, None).summary
    report = kinetic["soret"]["thermal_diffusion_factor"]["gas"]
    assert report["value"] == alpha and report["source"].startswith("kinetic_theory")
    assert report["gases"] == ["H2", "N2"] and report["mole_fraction_A"] == 0.5
    # the user is told that α_T follows the local composition, with the law and its misfit
    assert report["composition"].startswith("local")
    assert set(report["law"]) == {"p0", "p1", "q1", "q2"} and report["fit_error"] < 1e-5
    low, high = report["range"]
    assert -0.6 < low < high < -0.2 and high - low > 0.2  # H2–N2: −0.57 … −0.26
    assert number["soret"]["thermal_diffusion_factor"]["gas"] == {
        "value": alpha,
        "source": "given",
        "composition": "constant",
    }
    # x_A stays within a few % of 0.5 here, where α_T(x_A) is within ~3 % of α_T(0.5): the
    # two runs differ (the local law is used), but only by that much
    for side in ("left", "right"):
        ratio = kinetic["boundary_flux"][side] / number["boundary_flux"][side]
        assert 1e-5 < abs(ratio - 1) < 5e-2, ratio
    # equal ends: only the thermal part drives; α_T < 0 sends H2 (A) towards the hot right
    # end: it leaves there (outward flux > 0) and enters at the cold left end
    q = kinetic["boundary_flux"]
    assert q["right"] > 0 > q["left"]
    assert kinetic["flux_split"]["right"]["thermal"] > 0
    assert kinetic["status"] == "ok"
    assert not any("sign" in w for w in kinetic["warnings"])


def test_transient_soret_run_reports_the_kinetic_alpha():
    data = copy.deepcopy(CASE)
    data["time"] = {"t_end": 10.0, "dt": 1.0, "initial": 0.5}
    summary = run_case(data, None).summary
    alpha = thermal_diffusion_factor("H2", "N2", 300.0, 101325.0, mole_fraction_a=0.5)
    report = summary["soret"]["thermal_diffusion_factor"]["gas"]
    assert report["value"] == alpha and report["source"].startswith("kinetic_theory")
    assert summary["boundary_flux"]["right"] > 0  # H2 to the hot end, also in time


def test_kinetic_theory_needs_gases_and_t_and_cantera(monkeypatch):
    data = copy.deepcopy(CASE)
    del data["materials"]["gas"]["gases"]
    with pytest.raises(CaseError) as info:
        load_case(data)
    assert "materials.gas.thermal_diffusion_factor: 'kinetic_theory' needs gases" in str(info.value)
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "cantera" else real(name, *a)
    )
    with pytest.raises(CaseError) as info:
        load_case(copy.deepcopy(CASE))
    assert "pip install cantera" in str(info.value)
    assert "materials.gas.thermal_diffusion_factor" in str(info.value)
    data = copy.deepcopy(CASE)
    data["materials"]["gas"]["thermal_diffusion_factor"] = "kinetic"
    with pytest.raises(CaseError) as info:
        load_case(data)
    assert "materials.gas.thermal_diffusion_factor" in str(info.value)


def test_range_note_judges_the_law_over_the_solved_compositions():
    # x_A from 0.1 to 0.95: the region's mean α_T (−0.37) is inside the range typical of gas
    # pairs (0.05–0.45), but the law reaches −0.53 at x_H2 = 0.95: the note used to judge
    # the mean only and stayed silent; it now gives the law's span over the solved x_A
    data = copy.deepcopy(CASE)
    data["boundaries"]["left"]["value"], data["boundaries"]["right"]["value"] = 0.1, 0.95
    summary = run_case(data, None).summary
    assert 0.05 < abs(summary["soret"]["alpha_t"]["gas"]) < 0.45  # the mean is in range
    assert summary["soret"]["alpha_t_meaning"].startswith("region -> volume mean of alpha_T")
    (note,) = [w for w in summary["warnings"] if "alpha_T(x_A)" in w]

    def law(t, x):  # Cantera's α_T at the local T and x_A (the run's law is within 2e-6)
        return thermal_diffusion_factor("H2", "N2", t, 101325.0, mole_fraction_a=x)

    # the extremes of x_A and T are the Dirichlet ends (nodes): α_T there (x_A = 0.95 at the
    # hot 320 K end, 0.1 at the cold 280 K end), to the 3 digits shown
    assert (
        f"spans {law(320.0, 0.95):.3g} to {law(280.0, 0.1):.3g} over the solved x_A = 0.1 to 0.95"
        in note
    )
    assert "and T = 280 to 320 K" in note
    assert "region 'gas'" in note and "stronger" in note and "not a wrong input" in note
    assert not any("sign" in w for w in summary["warnings"])  # the law's sign is its own
    # x_A = 0.5 everywhere (nearly): α_T ≈ −0.35 over the solved range, no note
    plain = run_case(copy.deepcopy(CASE), None).summary
    assert not any("alpha_T" in w for w in plain["warnings"]), plain["warnings"]
