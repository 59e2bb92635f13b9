"""Values that look like a unit mistake get a note naming the key (tester h7 F3).

T = 25 "K" meant as 25 °C and D = 0.2 "m²/s" meant as cm²/s ran without a word. They are
legal (cryogenic gases, gases at low pressure), so a note, never an error; materials
without ``gases`` (nondimensional runs, condensed phases) get none.
"""

from pathlib import Path

import pytest

from emcd_fem.case import load_case
from emcd_fem.case.materials import resolve_spec

DEMOS = Path(__file__).resolve().parents[1] / "demos"


def _case(material: dict) -> dict:
    return {
        "geometry": {"kind": "layered_slab", "layers": [{"name": "gas", "thickness": 0.01}]},
        "materials": {"gas": material},
        "boundaries": {"left": {"type": "mole_fraction", "value": 0.8}},
    }


def _notes(material: dict) -> tuple[str, ...]:
    case = load_case(_case(material))
    return resolve_spec("gas", case.materials["gas"]).warnings


def test_a_celsius_temperature_is_noted():
    (note,) = _notes({"gases": ["H2", "N2"], "T": 25.0, "P": 101325.0})
    assert note.startswith("materials.gas.T = 25 K") and "298.15 K" in note


def test_a_diffusivity_in_cm2_per_s_is_noted():
    (note,) = _notes({"gases": ["H2", "N2"], "D": 0.2, "c": 40.0})
    assert note.startswith("materials.gas.D = 0.2 m^2/s") and "2e-05 m^2/s" in note


@pytest.mark.parametrize("material", [{"D": 1.0, "c": 1.0}, {"D": 5.0, "c": 1.0, "T": 20.0}])
def test_nondimensional_materials_get_no_note(material):
    assert _notes(material) == ()


def test_no_shipped_demo_gets_a_note():
    for path in sorted(DEMOS.glob("*.toml")):
        case = load_case(path)
        for name, spec in sorted(case.materials.items()):
            notes = resolve_spec(name, spec).warnings
            assert not [n for n in notes if "kelvin" in n or "cm^2/s" in n], (path.name, name)
