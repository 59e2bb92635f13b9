"""The α_T range warning is about values the user gave, never about the program's own
kinetic-theory α_T (tester1 #6: CH4/H2O, α_T ≈ −0.003 from kinetic theory, was called
"outside the range typical of gas pairs ... check S_T", an S_T the user never gave)."""

import pytest

from emcd_fem.pipeline.run import run_case

pytest.importorskip("cantera")


def _case(alpha: float | str) -> dict:
    return {
        "geometry": {
            "kind": "layered_slab",
            "dim": 1,
            "layers": [{"name": "gas", "thickness": 0.01, "cells": 20}],
        },
        "materials": {
            "gas": {
                "D": 5.0e-5,
                "c": 40.0,
                "gases": ["CH4", "H2O"],
                "T": 350.0,
                "thermal_diffusion_factor": alpha,
            }
        },
        "boundaries": {
            "left": {"type": "mole_fraction", "value": 0.7},
            "right": {"type": "mole_fraction", "value": 0.3},
        },
        "thermal": {"temperature": "300 + 10000*x"},
        "discretisation": {"degree": 2},
    }


def _range_warnings(summary: dict) -> list[str]:
    texts = [str(w) for w in summary.get("warnings", [])]
    texts += [str(n) for n in summary.get("thermal_diffusion", {}).get("notes", [])]
    return [w for w in texts if "range typical of gas pairs" in w]


def test_kinetic_theory_alpha_is_not_blamed_on_the_user():
    summary = run_case(_case("kinetic_theory")).summary
    assert summary["status"] == "ok"
    # no advice to check an S_T the user never gave (a note that states the law's own
    # values as kinetic theory's, not a wrong input, would be fine)
    for text in _range_warnings(summary):
        assert "check S_T" not in text and "not a wrong input" in text, text


def test_a_given_alpha_of_the_same_size_is_still_warned_about():
    summary = run_case(_case(-0.003)).summary
    assert _range_warnings(summary), summary.get("warnings")
