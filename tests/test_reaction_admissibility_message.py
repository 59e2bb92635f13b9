"""An interface reaction that drives x_A above 1 across a partition is refused naming the
reaction, not only the partition coefficients (tester1 #6)."""

import pytest

from emcd_fem.errors import AdmissibilityError
from emcd_fem.pipeline.run import run_case


def _case(k_f: float, k_b: float) -> dict:
    return {
        "geometry": {
            "kind": "layered_slab",
            "dim": 1,
            "layers": [
                {"name": "support", "thickness": 2e-3, "cells": 8},
                {"name": "skin", "thickness": 0.5e-3, "cells": 4},
            ],
        },
        "materials": {"support": {"D": 2e-5, "c": 40.0}, "skin": {"D": 5e-6, "c": 20.0}},
        "interfaces": [{"materials": ["support", "skin"], "partition": 0.25}],
        "boundaries": {
            "left": {"type": "mole_fraction", "value": 0.8},
            "right": {"type": "mole_fraction", "value": 0.05},
        },
        "reactions": [
            {
                "equation": "2 A <=> 2 B",
                "kind": "surface",
                "boundary": "support|skin",
                "side": "skin",
                "k_f": k_f,
                "k_b": k_b,
            }
        ],
    }


def test_reaction_pushing_x_above_one_is_named():
    with pytest.raises(AdmissibilityError) as info:
        run_case(_case(0.0289, 0.0755))  # B -> A dominates: x_A(skin face) -> 1/K c-jump
    message = str(info.value)
    assert "partition" in message, message
    assert "reactions[0] '2 A <=> 2 B'" in message, message


def test_without_the_reaction_the_same_data_are_admissible():
    assert run_case(_case(0.0, 0.0) | {"reactions": []}).summary["status"] == "ok"
