"""The Soret sign convention and the warning when given data contradict kinetic theory.

Convention: N_A = −c D (∇x_A + S_T x_A x_B ∇T), S_T > 0 drives A to the cold side. For
typical gas pairs the heavier species goes to the cold side, so with A = He in He–Ar
α_T < 0. The demos use α_T = −0.3 and must not warn; +0.3 must.
"""

from pathlib import Path

import pytest

from emcd_fem.case import load_case
from emcd_fem.case.soret_sign import kinetic_sign, sign_warnings
from emcd_fem.pipeline.run import check_case

DEMOS = Path(__file__).resolve().parent.parent / "demos"


def test_kinetic_sign():
    assert kinetic_sign(4.0e-3, 39.9e-3) == -1  # A lighter: S_T < 0
    assert kinetic_sign(39.9e-3, 4.0e-3) == 1
    assert kinetic_sign(28e-3, 28e-3) == 0


@pytest.mark.parametrize("demo", ["soret_composite_2d.toml", "soret_3d.toml"])
def test_he_ar_demos_have_the_kinetic_sign(demo):
    case = load_case(DEMOS / demo)
    for spec in case.materials.values():
        assert spec.gases == ["He", "Ar"] and spec.thermal_diffusion_factor < 0
    assert sign_warnings(case) == []
    # the porous insert/felt (He/Ar) carries the Graham warning, nothing about the sign
    assert not any("kinetic theory" in w for w in check_case(case).get("warnings", []))


def test_positive_alpha_with_light_a_warns():
    case = load_case(
        DEMOS / "soret_composite_2d.toml", ["materials.gas.thermal_diffusion_factor=0.3"]
    )
    (warning,) = sign_warnings(case)
    assert warning.startswith("materials.gas.thermal_diffusion_factor = +0.3 with A = He")
    assert "heavier species (Ar) to the cold side" in warning
    assert warning in check_case(case)["warnings"]


def test_gases_swapped_positive_alpha_is_fine():
    case = load_case(
        DEMOS / "soret_composite_2d.toml",
        [
            'materials.gas.gases=["Ar", "He"]',
            "materials.gas.thermal_diffusion_factor=0.3",
            'materials.insert.gases=["Ar", "He"]',
            "materials.insert.thermal_diffusion_factor=0.3",
        ],
    )
    assert sign_warnings(case) == []


def test_species_molar_masses_judge_a_soret_coefficient():
    # soret_slab_1d gives D and c directly: no gases, so [species] supplies the masses
    base = load_case(DEMOS / "soret_slab_1d.toml")
    assert sign_warnings(base) == []  # no molar masses known: not judged
    he_ar = [
        'species.A={name="He", molar_mass=4.0026e-3}',
        'species.B={name="Ar", molar_mass=39.948e-3}',
    ]
    case = load_case(DEMOS / "soret_slab_1d.toml", he_ar)  # S_T = +0.012 with A = He
    (warning,) = sign_warnings(case)
    assert "materials.gas.soret_coefficient = +0.012" in warning
    negative = load_case(
        DEMOS / "soret_slab_1d.toml", [*he_ar, "materials.gas.soret_coefficient=-0.012"]
    )
    assert sign_warnings(negative) == []
    same = load_case(
        DEMOS / "soret_slab_1d.toml",
        ['species.A={name="N2", molar_mass=28e-3}', 'species.B={name="X", molar_mass=28e-3}'],
    )
    assert sign_warnings(same) == []
