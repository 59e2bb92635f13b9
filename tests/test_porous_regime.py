"""Porous materials with unequal molar masses: Graham's law at every Knudsen number.

Under uniform pressure the dusty-gas model fixes N_A/N_B = −sqrt(M_B/M_A) whatever Kn is
(Evans, Watson & Mason 1961), so the EMCD rate of a porous H2/N2 material is furthest from
the isobaric dusty-gas rate at *low* Kn. The report must say so at Kn ≈ 0.002 (100 µm
pores), where the Kn-only regime label reads "continuum", and at Kn ≈ 8 (20 nm pores).
"""

import math

import pytest

from emcd_fem import analytic
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.materials.properties import MaterialModel, resolve

H2, N2 = kt.gas("H2").molar_mass, kt.gas("N2").molar_mass


def porous(pore_diameter, gases=("H2", "N2"), **extra):
    return resolve(
        "pellet",
        MaterialModel(
            gases=gases,
            T=600.0,
            P=101325.0,
            porosity=0.4,
            tortuosity=3.0,
            pore_diameter=pore_diameter,
            knudsen="bosanquet",
            **extra,
        ),
    )


def independent_deviation(model):
    """EMCD + Bosanquet slab rate over analytic.dusty_gas_rate − 1, x_A from 1 to 0."""
    d = model.diagnostics
    dusty = analytic.dusty_gas_rate(
        "slab",
        0.0,
        2.0e-3,
        concentration=model.material.concentration,
        d_molecular=d["D_AB_chapman_enskog"],
        d_knudsen_a=d["D_knudsen_A"],
        molar_mass_a=H2,
        molar_mass_b=N2,
        x_in=1.0,
        x_out=0.0,
        porosity_over_tortuosity=0.4 / 3.0,
    )
    emcd = model.material.concentration * model.material.diffusivity / 2.0e-3
    return emcd / dusty - 1.0


@pytest.mark.parametrize(
    "pore_diameter,knudsen,expected",
    [(100e-6, 0.002, -0.44), (20e-9, 8.0, -0.024)],
)
def test_graham_report_at_low_and_high_knudsen(pore_diameter, knudsen, expected):
    model = porous(pore_diameter)
    d = model.diagnostics
    assert d["knudsen_number"] == pytest.approx(knudsen, rel=0.2)
    assert d["graham_flux_ratio"] == pytest.approx(-math.sqrt(N2 / H2), rel=1e-12)
    assert d["dusty_gas_deviation"] == pytest.approx(independent_deviation(model), rel=1e-10)
    assert d["dusty_gas_deviation"] == pytest.approx(expected, abs=0.005)
    (warning,) = [w for w in model.warnings if "Graham" in w]
    assert f"{d['graham_flux_ratio']:.3g}" in warning
    assert f"{d['dusty_gas_deviation']:+.1%}" in warning
    assert "mole-balanced reaction" in warning and "closed end" in warning


def test_low_knudsen_is_worse_than_high():
    assert (
        porous(100e-6).diagnostics["dusty_gas_deviation"]
        < 10 * (porous(20e-9).diagnostics["dusty_gas_deviation"])
    )


def test_porous_without_pore_diameter_still_reported():
    model = resolve(
        "felt",
        MaterialModel(gases=("He", "Ar"), T=300.0, P=101325.0, porosity=0.8, tortuosity=1.5),
    )
    assert model.diagnostics["dusty_gas_deviation"] < -0.2  # molecular limit, α = 0.68
    assert any("Graham" in w for w in model.warnings)


def test_equal_masses_and_free_gas_not_reported():
    # equal molar masses: the dusty-gas model is equimolar (α = 0), nothing to report
    same = porous(100e-6, gases=("N2", "N2"))
    assert "dusty_gas_deviation" not in same.diagnostics
    assert not any("Graham" in w for w in same.warnings)
    # a free gas (not porous) at low Kn: no porous report
    free = resolve(
        "gas",
        MaterialModel(gases=("H2", "N2"), T=600.0, P=101325.0, characteristic_length=1e-3),
    )
    assert "dusty_gas_deviation" not in free.diagnostics
    assert not free.warnings


def test_emcd_check_reports_graham_for_the_porous_demo():
    from pathlib import Path

    from emcd_fem.case import load_case
    from emcd_fem.pipeline.run import check_case

    demo = Path(__file__).resolve().parent.parent / "demos" / "porous_pellet_knudsen.toml"
    report = check_case(load_case(demo))
    (name,) = [n for n, d in report["materials"].items() if "dusty_gas_deviation" in d]
    assert any(w.startswith(f"materials.{name}: porous material") for w in report["warnings"])
