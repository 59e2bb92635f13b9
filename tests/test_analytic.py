"""The 1D exact solutions (oracles) checked against independent hand calculations."""

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem.analytic import composite_slab, slab

THICK = [0.3, 0.4, 0.3]
MATS = [ef.Material(1.0, 1.0), ef.Material(0.1, 1.0), ef.Material(0.5, 1.0)]


def test_three_layer_series_resistance():
    sol = composite_slab(THICK, MATS, ef.MoleFraction(0.9), ef.MoleFraction(0.1))
    # Σ L/(cD) = 0.3 + 4 + 0.6 = 4.9
    assert sol.flux == pytest.approx(0.8 / 4.9, rel=1e-14)
    assert sol.boundary_flux == {"left": -sol.flux, "right": sol.flux}
    # interface values from the drop across each resistance
    assert sol.mole_fraction([0.3, 0.7]) == pytest.approx(
        [0.9 - 0.3 * 0.8 / 4.9, 0.9 - 4.3 * 0.8 / 4.9], rel=1e-14
    )


def test_single_slab_linear_profile():
    sol = slab(
        2.0,
        ef.Material(diffusivity=0.5, concentration=4.0),
        ef.MoleFraction(1.0),
        ef.MoleFraction(0.0),
    )
    z = np.linspace(0, 2, 7)
    assert sol.mole_fraction(z) == pytest.approx(1 - z / 2, abs=1e-15)
    assert sol.flux == pytest.approx(4.0 * 0.5 / 2.0, rel=1e-14)


@pytest.mark.parametrize(
    "left,right",
    [
        (ef.MoleFraction(0.9), ef.MolarFlux(0.1)),
        (ef.MolarFlux(-0.1), ef.MoleFraction(0.2)),
        (ef.MoleFraction(0.9), ef.MassTransfer(2.0, 0.05)),
        (ef.MassTransfer(3.0, 0.8), ef.MassTransfer(0.5, 0.1)),
        (ef.MassTransfer(3.0, 0.8), ef.MolarFlux(0.05)),
        (ef.MolarFlux(-0.02), ef.MassTransfer(1.0, 0.3)),
    ],
)
def test_end_conditions_hold(left, right):
    """Each returned solution satisfies its own end conditions and flux constancy."""
    mats = [ef.Material(1.0, 2.0), ef.Material(0.1, 1.0), ef.Material(0.5, 1.5)]
    sol = composite_slab(THICK, mats, left, right)
    z = np.asarray(sol.positions)
    x = np.asarray(sol.mole_fractions)
    # constant flux N = −c D Δx/Δz in every layer
    per_layer = [
        -m.concentration * m.diffusivity * (x[i + 1] - x[i]) / (z[i + 1] - z[i])
        for i, m in enumerate(mats)
    ]
    assert per_layer == pytest.approx([sol.flux] * 3, rel=1e-12)
    for bc, xb, q in ((left, x[0], -sol.flux), (right, x[-1], sol.flux)):
        if isinstance(bc, ef.MoleFraction):
            assert xb == pytest.approx(bc.value, abs=1e-14)
        elif isinstance(bc, ef.MolarFlux):
            assert q == pytest.approx(bc.value, rel=1e-14)
        else:
            assert q == pytest.approx(bc.coefficient * (xb - bc.ambient), rel=1e-12)


def test_flux_flux_inventory():
    mats = [ef.Material(1.0, 2.0), ef.Material(0.1, 1.0), ef.Material(0.5, 1.5)]
    sol = composite_slab(
        THICK, mats, ef.MolarFlux(-0.1), ef.MolarFlux(0.1), inventory_mole_fraction=0.4
    )
    assert sol.flux == pytest.approx(0.1)
    # c-weighted mean by fine trapezoidal quadrature (independent of the closed form)
    z = np.linspace(0, 1, 200001)
    c = np.select([z < 0.3, z < 0.7], [2.0, 1.0], 1.5)
    cx = c * sol.mole_fraction(z)
    mean = np.trapezoid(cx, z) / np.trapezoid(c, z)
    assert mean == pytest.approx(0.4, abs=1e-5)


def test_flux_flux_rejections():
    mat = ef.Material(diffusivity=1.0, concentration=1.0)
    with pytest.raises(ef.AdmissibilityError, match="do not sum to zero"):
        slab(1.0, mat, ef.MolarFlux(0.1), ef.MolarFlux(0.1), inventory_mole_fraction=0.5)
    with pytest.raises(ef.AdmissibilityError, match="largest sustainable flux"):
        slab(1.0, mat, ef.MolarFlux(-1.5), ef.MolarFlux(1.5), inventory_mole_fraction=0.5)
    with pytest.raises(ef.EmcdInputError, match="inventory_mole_fraction"):
        slab(1.0, mat, ef.MolarFlux(-0.5), ef.MolarFlux(0.5))
    with pytest.raises(ef.AdmissibilityError, match="outside"):
        slab(1.0, mat, ef.MolarFlux(-0.5), ef.MolarFlux(0.5), inventory_mole_fraction=0.9)


def test_dirichlet_flux_bound():
    mat = ef.Material(diffusivity=1.0, concentration=2.0)
    # x_0 − q L/(cD) = 0.3 − 0.8/2 < 0
    with pytest.raises(ef.AdmissibilityError, match=r"0 <= x_0 − q"):
        slab(1.0, mat, ef.MoleFraction(0.3), ef.MolarFlux(0.8))
    slab(1.0, mat, ef.MoleFraction(0.3), ef.MolarFlux(0.6))  # exactly 0 at z = L: admissible


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: ef.MoleFraction(1.2), "mole_fraction.value"),
        (lambda: ef.MoleFraction(-0.1), "mole_fraction.value"),
        (lambda: ef.MassTransfer(0.0, 0.5), "coefficient must be > 0"),
        (lambda: ef.MassTransfer(1.0, 1.5), "ambient"),
        (lambda: ef.MolarFlux(float("nan")), "finite"),
        (lambda: ef.Material(diffusivity=0.0), "diffusivity"),
        (lambda: ef.Material(diffusivity=1.0, concentration=-1.0), "concentration"),
    ],
)
def test_bad_data_rejected(make, match):
    with pytest.raises(ef.EmcdInputError, match=match):
        make()
