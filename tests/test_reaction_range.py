"""Reactions and the range check: no false maximum-principle warning (tester's cases).

Surface reactions (on a wall or an internal interface) pull x_A towards their equilibrium
composition x_eq = k_b/(k_f + k_b) (A <=> B), which may lie outside the range of the
boundary data; the exact solution then leaves that range, so an excursion is no
discretisation error and must not be reported as one. Reference for the interface case:
``analytic.reactions.interface_reaction_slab`` (piecewise linear, exact for P1 with the
interface on a node: the nodal values agree to solver round-off).
"""

import logging

import pytest

from emcd_fem.analytic.reactions import interface_reaction_slab
from emcd_fem.case import load_case
from emcd_fem.pipeline.run import run_case


def _case(layers, left, right, reaction):
    return {
        "geometry": {"kind": "layered_slab", "dim": 1, "layers": layers},
        "materials": {layer["name"]: mat for layer, mat in zip(layers, MATS, strict=False)},
        "boundaries": {
            "left": {"type": "mole_fraction", "value": left},
            **({"right": {"type": "mole_fraction", "value": right}} if right is not None else {}),
        },
        "reactions": [reaction],
    }


MATS = [{"D": 2e-5, "c": 40.0}, {"D": 5e-6, "c": 40.0}]


def _run_quiet(data, caplog):
    with caplog.at_level(logging.WARNING, logger="emcd_fem"):
        summary = run_case(load_case(data)).summary
    assert summary["status"] == "ok"
    assert not any("maximum principle" in w for w in summary.get("warnings", []))
    assert not any("maximum principle" in r.getMessage() for r in caplog.records)
    return summary


def test_interface_reaction_below_the_data_range_does_not_warn(caplog):
    layers = [
        {"name": "s", "thickness": 0.002, "cells": 8},
        {"name": "m", "thickness": 0.0005, "cells": 4},
    ]
    reaction = {
        "equation": "A <=> B",
        "kind": "surface",
        "boundary": "s|m",
        "k_f": 0.008,
        "k_b": 0.002,
    }
    summary = _run_quiet(_case(layers, 0.8, 0.7, reaction), caplog)
    # the exact interface value 0.566667 lies below the data range [0.7, 0.8] (x_eq = 0.2)
    ref = interface_reaction_slab(
        (0.002, 0.0005), (2e-5, 5e-6), (40.0, 40.0), 0.8, 0.7, k_s=0.01, x_eq=0.2, kappa=1.0
    )
    assert ref.x_a < 0.7 - 0.1  # the reference itself leaves the data range
    # P1 with the interface on a node is exact: x_min is the interface value to round-off
    assert summary["x_min"] == pytest.approx(ref.x_a, abs=1e-10)


def test_wall_reaction_below_the_data_does_not_warn(caplog):
    layers = [{"name": "s", "thickness": 0.002, "cells": 8}]
    reaction = {
        "equation": "2 A <=> 2 B",
        "kind": "surface",
        "boundary": "right",
        "k_f": 0.008,
        "k_b": 0.002,
    }
    summary = _run_quiet(_case(layers, 0.6, None, reaction), caplog)
    assert summary["x_min"] < 0.6 - 1e-3  # the wall pulls x_A below the only datum
