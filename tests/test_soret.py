"""Thermal diffusion (Soret) with a prescribed linear temperature: exact 1D reference.

Measured: P1 flux error falls 4x per halving (order 2: 1.1e-6 → 1.8e-8, 5 → 40 cells), P2
16x (order 4: 9.0e-9 → 2.2e-12).
"""

import numpy as np
import pytest
import ufl
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

import emcd_fem as ef
from emcd_fem.soret import SoretProblem

MAT = ef.Material(2e-5, 40.9)
BCS = {"left": ef.MoleFraction(0.6), "right": ef.MoleFraction(0.4)}


@pytest.mark.parametrize("soret,temperatures", [(0.012, (300.0, 312.0)), (-0.05, (300.0, 350.0))])
def test_riccati_closed_form_vs_ode(soret, temperatures):
    ref = ef.analytic.soret_slab(0.5, MAT, soret, temperatures, (0.6, 0.4))
    k = soret * (temperatures[1] - temperatures[0]) / 0.5

    def shoot(n):
        r = solve_ivp(
            lambda z, x: k * x * (x - 1) - n,
            (0, 0.5),
            [0.6],
            rtol=1e-13,
            atol=1e-15,
            method="DOP853",
        )
        return r.y[0, -1] - 0.4

    n = brentq(shoot, ref.n * 0.5 - 0.1, ref.n * 1.5 + 0.1, xtol=1e-15)
    assert ref.n == pytest.approx(n, rel=1e-10)
    z = np.linspace(0, 0.5, 11)
    r = solve_ivp(
        lambda z, x: k * x * (x - 1) - n,
        (0, 0.5),
        [0.6],
        rtol=1e-13,
        atol=1e-15,
        method="DOP853",
        t_eval=z,
    )
    assert ref.mole_fraction(z) == pytest.approx(r.y[0], abs=1e-10)


def solve(dim, cells, degree, soret=0.012):
    domain = ef.layered_slab(
        [0.5], region_names=["gas"], dim=dim, cells_per_layer=cells, width=0.2, depth=0.2
    )
    X = ufl.SpatialCoordinate(domain.mesh)
    problem = SoretProblem(
        domain,
        {"gas": MAT},
        BCS,
        temperature=300.0 + 24.0 * X[0],
        soret={"gas": soret},
        degree=degree,
    )
    return problem.solve(), domain


@pytest.mark.parametrize("degree,order", [(1, 2), (2, 4)])
def test_convergence_1d(degree, order):
    ref = ef.analytic.soret_slab(0.5, MAT, 0.012, (300.0, 312.0), (0.6, 0.4))
    errors = [
        abs(solve(1, n, degree)[0].boundary_flux["right"] - ref.flux) / ref.flux
        for n in (5, 10, 20)
    ]
    rates = np.log2(np.asarray(errors[:-1]) / errors[1:])
    assert rates == pytest.approx([order, order], abs=0.3)
    assert errors[-1] < (1e-7 if degree == 1 else 1e-10)


@pytest.mark.parametrize("dim", [2, 3])
def test_2d_3d_per_area_and_split(dim):
    ref = ef.analytic.soret_slab(0.5, MAT, 0.012, (300.0, 312.0), (0.6, 0.4))
    solution, domain = solve(dim, 10, 2)
    area = domain.slab.area
    assert solution.boundary_flux["right"] / area == pytest.approx(ref.flux, rel=1e-8)
    assert solution.iterations <= 5 and solution.reason.startswith("CONVERGED")
    # thermal part at x = L where x_A = 0.4 is exact: −c D S x(1−x) dT/dz · n
    thermal = -40.9 * 2e-5 * 0.012 * 0.4 * 0.6 * 24.0 * area
    assert solution.flux_split["right"]["thermal"] == pytest.approx(thermal, rel=1e-10)
    # the split integrates gradients (less accurate than the reaction flux): ~h^2
    total = sum(solution.flux_split["right"].values())
    assert total == pytest.approx(solution.boundary_flux["right"], rel=2e-4)


def test_bad_input():
    domain = ef.layered_slab([0.5], region_names=["gas"], cells_per_layer=4)
    with pytest.raises(ef.AdmissibilityError, match="temperature field reaches"):
        SoretProblem(domain, {"gas": MAT}, BCS, temperature=-10.0, soret={"gas": 0.01})
    with pytest.raises(ef.EmcdInputError, match="finite number"):
        SoretProblem(domain, {"gas": MAT}, BCS, temperature=300.0, soret={"gas": float("nan")})
    with pytest.raises(ef.EmcdInputError, match="Did you mean 'gas'"):
        SoretProblem(domain, {"gas": MAT}, BCS, temperature=300.0, soret={"gass": 0.01})


def test_thermal_fraction_and_alpha_t():
    """The theory's example: Δx = 0.2, ΔT = 12 K over 0.5 m with S_T = 0.012 1/K gives
    α_T ≈ 3.7 at ~306 K, ten times typical gases: the solution says so."""
    solution, _ = solve(1, 10, 2)
    fraction = solution.thermal_fraction.x.array
    assert fraction.min() >= 0 and fraction.max() <= 1
    # thermal/Fickian ≈ S_T x(1−x) ΔT / Δx ≈ 0.012 · 0.25 · 12 / 0.2 ≈ 0.18 in the middle
    assert 0.1 < fraction.max() < 0.2
    assert solution.alpha_t["gas"] == pytest.approx(0.012 * 306.0, rel=1e-10)
    assert solution.notes and "typical of gas pairs" in solution.notes[0]
