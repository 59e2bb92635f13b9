"""Messages that gave advice for the wrong context (tester1 #6): each says what applies."""

import copy

import pytest

from emcd_fem.case import CaseError, load_case
from emcd_fem.cli import main
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.mixture import GasMixture

TERNARY = {
    "geometry": {
        "kind": "layered_slab",
        "dim": 1,
        "layers": [{"name": "gas", "thickness": 0.01, "cells": 20}],
    },
    "multicomponent": {
        "species": ["H2", "N2", "CO2"],
        "bootstrap": "zero_net_flux",
        "regions": {
            "gas": {
                "diffusivities": {"H2": {"N2": 83.8e-6}, "N2": {"CO2": 16.8e-6}},
                "c": 40.0,
            }
        },
        "boundaries": {
            "left": {"mole_fractions": {"H2": 0.4, "N2": 0.3, "CO2": 0.3}},
            "right": {"mole_fractions": {"H2": 0.1, "N2": 0.2, "CO2": 0.7}},
        },
    },
}


def test_missing_pair_in_a_case_file_gets_the_case_file_advice():
    from emcd_fem.pipeline.run import check_case

    with pytest.raises((CaseError, EmcdInputError)) as info:
        check_case(load_case(copy.deepcopy(TERNARY)))
    message = str(info.value)
    assert "multicomponent.regions.gas" in message and "('H2', 'CO2')" in message, message
    assert 'source = "kinetic_theory"' in message, message
    assert "mixture_from_kinetic_theory" not in message, message


def test_missing_pair_from_python_keeps_the_python_advice():
    with pytest.raises(EmcdInputError, match="mixture_from_kinetic_theory"):
        GasMixture(("A", "B", "C"), {("A", "B"): 1e-5, ("B", "C"): 1e-5}, 40.0)


def test_unknown_demo_is_not_called_an_invalid_case(capsys):
    code = main(["demo", "duncan_toor"])
    err = capsys.readouterr().err
    assert code == 2
    assert "invalid case" not in err, err
    assert "unknown demo 'duncan_toor'; the demos are: " in err, err
    assert "demo_duncan_toor" in err and "Did you mean 'demo_duncan_toor'?" in err, err


def test_mole_changing_interface_reaction_gets_advice_that_applies():
    data = {
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
                "equation": "A -> 2 B",
                "kind": "surface",
                "boundary": "support|skin",
                "side": "support",
                "k_f": 0.008,
            }
        ],
    }
    with pytest.raises(CaseError) as info:
        load_case(data)
    message = str(info.value)
    assert "reactions[0]" in message and "internal interface 'support|skin'" in message, message
    assert "For a surface reaction at the end of a 1D film" not in message, message
    assert "mole-balanced equation" in message, message
