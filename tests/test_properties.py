"""Material property models: resolution of c and D, porous media, Knudsen regime guard."""

import math

import pytest

import emcd_fem as ef
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.materials.properties import MaterialModel, resolve


def test_chapman_enskog_and_ideal_gas():
    r = resolve("gas", MaterialModel(gases=("He", "Ar"), T=350.0, P=2e5))
    assert r.material.diffusivity == pytest.approx(kt.chapman_enskog("He", "Ar", 350.0, 2e5))
    assert r.material.concentration == pytest.approx(2e5 / (8.314462618 * 350.0), rel=1e-9)
    assert "knudsen_number" not in r.diagnostics  # no length scale given: no Kn
    assert not r.warnings


def test_porous_bosanquet_limits():
    base = dict(
        gases=("H2", "N2"), T=600.0, P=101325.0, porosity=0.4, tortuosity=2.0, knudsen="bosanquet"
    )
    knudsen = resolve("p", MaterialModel(pore_diameter=2e-9, **base))
    d_k = kt.knudsen_diffusivity(2e-9, 600.0, kt.gas("H2").molar_mass)
    # D_K/D_AB ≈ 0.007: Bosanquet is within 1 % of the Knudsen limit
    assert knudsen.material.diffusivity == pytest.approx(0.2 * d_k, rel=0.01)
    assert knudsen.diagnostics["graham_flux_ratio"] == pytest.approx(
        -math.sqrt(28.0134 / 2.01588), rel=1e-6
    )
    assert knudsen.warnings and "Graham" in knudsen.warnings[0]
    molecular = resolve("p", MaterialModel(pore_diameter=1e-3, **base))
    d_ab = kt.chapman_enskog("H2", "N2", 600.0, 101325.0)
    assert molecular.material.diffusivity == pytest.approx(0.2 * d_ab, rel=0.01)


def test_knudsen_guard():
    model = dict(gases=("N2", "CO2"), T=350.0, P=101325.0, D=1e-5)
    ok = resolve("m", MaterialModel(characteristic_length=1e-3, **model))
    assert ok.diagnostics["knudsen_number"] == pytest.approx(7.2e-5, rel=0.05)
    assert ok.diagnostics["regime"] == "continuum" and not ok.warnings
    slip = resolve("m", MaterialModel(characteristic_length=2e-6, **model))
    assert slip.diagnostics["regime"] == "slip" and "Kn" in slip.warnings[0]
    with pytest.raises(
        ef.AdmissibilityError, match=r"materials\.m: Knudsen number .* exceeds 0\.1"
    ):
        resolve("m", MaterialModel(characteristic_length=1e-7, **model))


def test_missing_inputs():
    with pytest.raises(ef.EmcdInputError, match="give D, or gases"):
        resolve("m", MaterialModel(c=1.0))
    with pytest.raises(ef.EmcdInputError, match="give c, or T and P"):
        resolve("m", MaterialModel(D=1.0))
    with pytest.raises(ef.EmcdInputError, match="unknown gas"):
        resolve("m", MaterialModel(gases=("Xx", "N2"), T=300.0, P=1e5))
