"""A transient run across a partition interface (no film) starts from the default x_A = 0.

μ = x_A/H is continuous in a film-free block while x_A jumps by the partition coefficient,
so x_A = 0 everywhere is the one uniform state consistent with every partition: it is the
clean start-up state and the documented default (tester1 #3: it was refused). Other uniform
starts are refused with a message that says which start is consistent.
"""

import pytest

from emcd_fem.errors import EmcdInputError
from emcd_fem.pipeline.run import run_case

L1, D1, C1 = 2e-3, 2e-5, 40.0  # support [m, m^2/s, mol/m^3]
L2, D2, C2 = 0.5e-3, 5e-6, 20.0  # skin
K, X0, XL = 0.25, 0.8, 0.05  # c_skin x_skin = K c_support x_support at the interface


def _case(time: dict | None) -> dict:
    data = {
        "geometry": {
            "kind": "layered_slab",
            "dim": 1,
            "layers": [
                {"name": "support", "thickness": L1, "cells": 8},
                {"name": "skin", "thickness": L2, "cells": 4},
            ],
        },
        "materials": {"support": {"D": D1, "c": C1}, "skin": {"D": D2, "c": C2}},
        "interfaces": [{"materials": ["support", "skin"], "partition": K}],
        "boundaries": {
            "left": {"type": "mole_fraction", "value": X0},
            "right": {"type": "mole_fraction", "value": XL},
        },
    }
    if time is not None:
        data["time"] = time
    return data


def _exact_flux() -> float:
    """Steady N_A [mol/(m^2 s)]: series resistances with x_skin = (K C1/C2) x_support."""
    g1, g2, jump = C1 * D1 / L1, C2 * D2 / L2, K * C1 / C2
    x_i = (g1 * X0 + g2 * XL) / (g1 + g2 * jump)
    return g1 * (X0 - x_i)


def test_default_start_marches_to_the_steady_partition_flux():
    time = {"t_end": 20.0, "dt": 1e-3, "adaptive": True}
    summary = run_case(_case(time)).summary  # no `initial`: x_A = 0
    assert summary["status"] == "ok"
    # P1 is exact for the piecewise-linear steady profile, and t_end is ~100 diffusion
    # times L1^2/D1 = 0.2 s: the transient has decayed below round-off of the flux
    assert -summary["boundary_flux"]["left"] == pytest.approx(_exact_flux(), rel=1e-9)
    assert summary["boundary_flux"]["right"] == pytest.approx(_exact_flux(), rel=1e-9)
    assert summary["transient"]["max_relative_imbalance"] < 1e-12


def test_explicit_zero_start_is_accepted_and_others_are_refused_with_the_consistent_value():
    time = {"t_end": 1e-3, "dt": 1e-3, "initial": 0.0}
    assert run_case(_case(time)).summary["status"] == "ok"
    for start in (0.3, "0.1 + x"):
        with pytest.raises(EmcdInputError) as info:
            run_case(_case(time | {"initial": start}))
        message = str(info.value)
        assert "time.initial" in message and "partition" in message, message
        assert "only uniform start consistent with every partition is 0" in message, message
        assert 'initial = {from = "DIR"}' in message, message
