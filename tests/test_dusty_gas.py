"""Isobaric binary dusty-gas reference (Graham's law) against Bosanquet/EMCD and an ODE solve.

The closed form is checked three ways: (1) M_A = M_B reduces it to the Bosanquet EMCD rate of
``concentric_shells`` (round-off); (2) a shooting-free boundary-value solve of
d/dr(r^k c D_A(x) dx/dr) = 0 with scipy's solve_bvp (tol 1e-10), independent of the
integral; (3) the Knudsen limit D_AB → ∞ gives the Knudsen rate of A for any masses.
"""

import numpy as np
import pytest
from scipy.integrate import solve_bvp

import emcd_fem as ef
from emcd_fem.analytic import concentric_shells, dusty_gas_rate
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import kinetic_theory as kt

C, D_AB, D_K = 20.3, 1.7e-4, 5.3e-6  # mol/m^3, m^2/s (H2-N2, 600 K), m^2/s (20 nm pores)
M_H2, M_N2 = kt.gas("H2").molar_mass, kt.gas("N2").molar_mass


def test_equal_masses_is_bosanquet_emcd():
    eps_tau = 0.4 / 3.0
    d_eff = eps_tau * kt.bosanquet(D_AB, D_K)
    for kind in ("cylinder", "sphere"):
        emcd = concentric_shells(
            kind,
            [1e-3, 1.5e-3],
            [ef.Material(d_eff, C)],
            ef.MoleFraction(0.9),
            ef.MoleFraction(0.1),
        ).rate
        dgm = dusty_gas_rate(
            kind,
            1e-3,
            1.5e-3,
            concentration=C,
            d_molecular=D_AB,
            d_knudsen_a=D_K,
            molar_mass_a=0.028,
            molar_mass_b=0.028,
            x_in=0.9,
            x_out=0.1,
            porosity_over_tortuosity=eps_tau,
        )
        assert dgm == pytest.approx(emcd, rel=1e-13)


@pytest.mark.parametrize("kind, k", [("slab", 0), ("cylinder", 1), ("sphere", 2)])
@pytest.mark.parametrize("masses", [(M_H2, M_N2), (M_N2, M_H2)])
def test_against_a_boundary_value_solve(kind, k, masses):
    r_in, r_out, x_in, x_out = 1e-3, 1.5e-3, 0.05, 0.95
    alpha = 1 - np.sqrt(masses[0] / masses[1])

    def d_a(x):
        return 1.0 / (1.0 / D_K + (1.0 - alpha * x) / D_AB)

    def rhs(r, y):  # y = (x, r^k c D_A dx/dr)
        return np.vstack([y[1] / (r**k * C * d_a(y[0])), np.zeros_like(r)])

    r = np.linspace(r_in, r_out, 200)
    guess = np.vstack([x_in + (x_out - x_in) * (r - r_in) / (r_out - r_in), np.zeros_like(r)])
    ode = solve_bvp(rhs, lambda a, b: [a[0] - x_in, b[0] - x_out], r, guess, tol=1e-10)
    assert ode.success
    flux_constant = ode.sol(r_in)[1]  # r^k c D_A dx/dr = -r^k N_r
    measure = {"slab": 1.0, "cylinder": 2 * np.pi, "sphere": 4 * np.pi}[kind]
    expected = -measure * flux_constant
    rate = dusty_gas_rate(
        kind,
        r_in,
        r_out,
        concentration=C,
        d_molecular=D_AB,
        d_knudsen_a=D_K,
        molar_mass_a=masses[0],
        molar_mass_b=masses[1],
        x_in=x_in,
        x_out=x_out,
    )
    assert rate == pytest.approx(expected, rel=1e-8)
    # and it is not the EMCD rate: |α| = 0.73 (or 2.7) changes it by several per cent
    emcd = (
        concentric_shells(
            kind,
            [r_in, r_out],
            [ef.Material(kt.bosanquet(D_AB, D_K), C)],
            ef.MoleFraction(x_in),
            ef.MoleFraction(x_out),
        ).rate
        if kind != "slab"
        else C * kt.bosanquet(D_AB, D_K) * (x_in - x_out) / (r_out - r_in)
    )
    assert abs(rate / emcd - 1) > 0.01


def test_knudsen_limit():
    rate = dusty_gas_rate(
        "sphere",
        1e-3,
        1.5e-3,
        concentration=C,
        d_molecular=1e6,
        d_knudsen_a=D_K,
        molar_mass_a=M_H2,
        molar_mass_b=M_N2,
        x_in=0.9,
        x_out=0.1,
    )
    knudsen = concentric_shells(
        "sphere", [1e-3, 1.5e-3], [ef.Material(D_K, C)], ef.MoleFraction(0.9), ef.MoleFraction(0.1)
    ).rate
    assert rate == pytest.approx(knudsen, rel=1e-10)


def test_bad_input_names_the_culprit():
    good = dict(
        concentration=C,
        d_molecular=D_AB,
        d_knudsen_a=D_K,
        molar_mass_a=M_H2,
        molar_mass_b=M_N2,
        x_in=0.9,
        x_out=0.1,
    )
    with pytest.raises(EmcdInputError, match="x_in"):
        dusty_gas_rate("sphere", 1e-3, 2e-3, **(good | {"x_in": 1.2}))
    with pytest.raises(EmcdInputError, match="d_knudsen_a"):
        dusty_gas_rate("sphere", 1e-3, 2e-3, **(good | {"d_knudsen_a": 0.0}))
    with pytest.raises(EmcdInputError, match="kind"):
        dusty_gas_rate("cube", 1e-3, 2e-3, **good)
