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
from emcd_fem.models.soret import SoretProblem

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


# -- coupled to heat conduction, temperature-dependent properties ----------------------------
from emcd_fem.materials import kinetic_theory as kt  # noqa: E402
from emcd_fem.models.soret import TemperatureDependence  # noqa: E402
from emcd_fem.models.thermal import HeatConductionProblem, Temperature  # noqa: E402

P_ATM = 101325.0
HE_AR = TemperatureDependence(
    diffusivity="chapman_enskog",
    reference_temperature=300.0,
    gases=("He", "Ar"),
    concentration="ideal_gas",
    pressure=P_ATM,
)


def heated_slab(cells, degree, coupling, dependence=None, t_right=400.0, **soret):
    domain = ef.layered_slab([0.5], region_names=["gas"], cells_per_layer=cells)
    heat = HeatConductionProblem(
        domain, {"gas": 0.026}, {"left": Temperature(300.0), "right": Temperature(t_right)}
    )
    material = (
        ef.Material(
            kt.chapman_enskog("He", "Ar", 300.0, P_ATM), kt.ideal_gas_concentration(300.0, P_ATM)
        )
        if dependence
        else MAT
    )
    problem = SoretProblem(
        domain,
        {"gas": material},
        BCS,
        temperature=heat,
        temperature_dependence={"gas": dependence} if dependence else None,
        coupling=coupling,
        degree=degree,
        **soret,
    )
    return problem.solve()


@pytest.mark.parametrize("coupling", ["staggered", "monolithic"])
def test_solved_temperature_matches_closed_form(coupling):
    """Constant k gives a linear T: the Riccati closed form applies (P2: 4th order, 1e-10)."""
    ref = ef.analytic.soret_slab(0.5, MAT, 0.012, (300.0, 312.0), (0.6, 0.4))
    solution = heated_slab(20, 2, coupling, t_right=312.0, soret={"gas": 0.012})
    assert solution.boundary_flux["right"] == pytest.approx(ref.flux, rel=1e-10)
    assert solution.heat.heat_flow["left"] == pytest.approx(0.026 * 12 / 0.5, rel=1e-12)
    assert solution.coupling == coupling
    if coupling == "staggered":  # one-way coupling: the second pass confirms the first
        assert solution.coupling_iterations == 2 and solution.coupling_history[-1] < 1e-10


@pytest.mark.parametrize("degree,order,finest", [(1, 2, 3e-6), (2, 4, 1e-10)])
def test_temperature_dependent_properties_converge(degree, order, finest):
    """He–Ar, 300 → 400 K, D(T) Chapman–Enskog, c = P/(RT), S_T = α_T/T with α_T = 0.3,
    against a shooting solution of the ODE (rtol 1e-13). Measured P1 rate 2.00, P2 4.00;
    staggered and monolithic agree to 1e-11."""

    def cd(t):
        t = np.atleast_1d(t).astype(float)
        return np.array(
            [
                kt.chapman_enskog("He", "Ar", v, P_ATM) * kt.ideal_gas_concentration(v, P_ATM)
                for v in t
            ]
        )

    flux, _ = ef.analytic.soret_slab_numerical(
        0.5, lambda t: cd(t)[0], lambda t: 0.3 / t, (300.0, 400.0), (0.6, 0.4)
    )
    errors = []
    for cells in (10, 20, 40):
        solution = heated_slab(
            cells, degree, "staggered", HE_AR, thermal_diffusion_factor={"gas": 0.3}
        )
        errors.append(abs(solution.boundary_flux["right"] - flux) / flux)
        assert solution.alpha_t["gas"] == pytest.approx(0.3, rel=1e-12)
        assert not solution.notes  # 0.3 is typical of gases
    rates = np.log2(np.asarray(errors[:-1]) / errors[1:])
    assert rates == pytest.approx([order, order], abs=0.1)
    assert errors[-1] < finest
    mono = heated_slab(40, degree, "monolithic", HE_AR, thermal_diffusion_factor={"gas": 0.3})
    assert mono.boundary_flux["right"] == pytest.approx(solution.boundary_flux["right"], rel=1e-10)


def test_zero_soret_recovers_linear_emcd():
    """S_T = 0 with a temperature gradient and constant c, D: the linear EMCD profile."""
    solution = heated_slab(10, 1, "staggered", soret={"gas": 0.0})
    expected = 40.9 * 2e-5 * (0.6 - 0.4) / 0.5
    assert solution.boundary_flux["right"] == pytest.approx(expected, rel=1e-12)
    coords = solution.mole_fraction.function_space.tabulate_dof_coordinates()[:, 0]
    assert solution.mole_fraction.x.array == pytest.approx(0.6 - 0.4 * coords, abs=1e-13)
    assert all(abs(v["thermal"]) < 1e-20 for v in solution.flux_split.values())


def test_theory_example_split_matches_closed_form():
    """The theory's setting: Δx_A = 0.20, ΔT = 12 K over L = 0.5 m. With the stated
    S_T = 0.012 1/K (α_T = S_T T ≈ 3.7, about ten times common gas pairs) the thermal part of
    the flux at each end equals the closed form's split at that end."""
    ref = ef.analytic.soret_slab(0.5, MAT, 0.012, (300.0, 312.0), (0.6, 0.4))
    split = ef.analytic.soret_flux_split(ref, MAT, np.array([0.0, 0.5]))
    solution, _ = solve(1, 40, 2)
    # outward normal: −1 at z = 0, +1 at z = L
    assert -solution.flux_split["left"]["thermal"] == pytest.approx(split["thermal"][0], rel=1e-10)
    assert solution.flux_split["right"]["thermal"] == pytest.approx(split["thermal"][1], rel=1e-10)
    assert solution.flux_split["right"]["fickian"] == pytest.approx(split["fickian"][1], rel=1e-5)
    fe_ratio = solution.flux_split["right"]["thermal"] / solution.flux_split["right"]["fickian"]
    assert fe_ratio == pytest.approx(split["thermal"][1] / split["fickian"][1], rel=1e-5)
    # the statement in README: the thermal part opposes Fick (A is pushed to the cold left
    # end) and is 17-18 % of the Fickian part along the slab at alpha_T ~ 3.7
    mid = ef.analytic.soret_flux_split(ref, MAT, np.linspace(0, 0.5, 11))
    assert np.all(
        (-0.181 < mid["thermal"] / mid["fickian"]) & (mid["thermal"] / mid["fickian"] < -0.17)
    )


def test_soret_needs_positive_solved_temperature():
    domain = ef.layered_slab([0.5], region_names=["gas"], cells_per_layer=4)
    heat = HeatConductionProblem(
        domain,
        {"gas": 0.026},
        {"left": Temperature(300.0), "right": ef.thermal.HeatFlux(1e3)},
    )
    problem = SoretProblem(domain, {"gas": MAT}, BCS, temperature=heat, soret={"gas": 0.01})
    with pytest.raises(ef.AdmissibilityError, match="K <= 0"):
        problem.solve()
    with pytest.raises(ef.EmcdInputError, match="either S_T"):
        SoretProblem(
            domain,
            {"gas": MAT},
            BCS,
            temperature=300.0,
            soret={"gas": 0.01},
            thermal_diffusion_factor={"gas": 0.3},
        )
    with pytest.raises(ef.EmcdInputError, match="needs reference_temperature"):
        TemperatureDependence(diffusivity="power")
    with pytest.raises(ef.EmcdInputError, match="pressure > 0"):
        TemperatureDependence(concentration="ideal_gas")
    with pytest.raises(ef.EmcdInputError, match="coupling must be"):
        SoretProblem(domain, {"gas": MAT}, BCS, temperature=heat, soret={}, coupling="loose")


def test_newton_divergence_is_a_clear_error():
    domain = ef.layered_slab([0.5], region_names=["gas"], cells_per_layer=20)
    problem = SoretProblem(
        domain,
        {"gas": MAT},
        BCS,
        temperature=300.0 + 24.0 * ufl.SpatialCoordinate(domain.mesh)[0],
        soret={"gas": 0.012},
        petsc_options={"snes_max_it": 1, "snes_stol": 0.0},  # stopped by its limit
    )
    with pytest.raises(ef.EmcdSolverError, match=r"did not converge.*last residual"):
        problem.solve()


def test_under_resolved_drift_is_flagged():
    """S_T = 10 1/K with 24 K/m on 4 cells: cell Péclet 15, the discrete x_A overshoots the
    boundary data (0.7 > 0.6): the solution says so."""
    domain = ef.layered_slab([0.5], region_names=["gas"], cells_per_layer=4)
    T = 300.0 + 24.0 * ufl.SpatialCoordinate(domain.mesh)[0]
    solution = SoretProblem(domain, {"gas": MAT}, BCS, temperature=T, soret={"gas": 10.0}).solve()
    assert solution.cell_peclet == pytest.approx(10.0 * 24.0 * 0.125 / 2, rel=1e-12)
    assert any("Péclet" in note for note in solution.notes)
    fine, _ = solve(1, 10, 1)
    assert fine.cell_peclet < 1 and not any("Péclet" in n for n in fine.notes)


def test_a_uniform_temperature_given_as_a_number_is_isothermal():
    # T = 300 K as a plain number: ∇T = 0, so the Soret part vanishes (its thermal-fraction
    # field is a constant expression) and the flux is the isothermal c D Δx/L exactly
    from emcd_fem.models.transport import SpeciesTransportModel

    domain = ef.layered_slab([1e-3], region_names=["a"], cells_per_layer=4)
    for soret in ({}, {"a": 0.01}):
        sol = SpeciesTransportModel(
            domain,
            {"a": ef.Material(1e-5, 40.0)},
            {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)},
            temperature=300.0,
            soret=soret,
        ).solve()
        assert abs(sol.boundary_flux["right"] - 40.0 * 1e-5 * 0.8 / 1e-3) < 1e-12
        assert abs(sol.thermal_fraction.x.array).max() == 0.0
