"""Thermal diffusion (Soret) in steady n-species Maxwell–Stefan runs (issue 19, item 6).

−c (∇x_i + k_T,i ∇ln T) = Σ_j (x_j N_i − x_i N_j)/Đ_ij, k_T,i = Σ_j x_i x_j α_ij: against
an independent scipy collocation solve of the 1D equations, the binary Soret solver (n = 2),
the isothermal n-species model (α = 0), and the sign of kinetic theory.
"""

import numpy as np
import pytest
import ufl
from scipy.integrate import solve_bvp, solve_ivp

import emcd_fem as ef
from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_thermal import (
    PropertyLaw,
    ThermalDiffusionInputs,
    pair_factors,
)
from emcd_fem.models.soret import SoretProblem, TemperatureDependence
from emcd_fem.models.thermal import HeatConductionProblem, Temperature
from emcd_fem.physics import maxwell_stefan as ms
from emcd_fem.physics.thermal_maxwell_stefan import thermal_diffusion_ratios

SPECIES = ("H2", "N2", "CO2")
PAIRS = {("H2", "N2"): 8.33e-5, ("H2", "CO2"): 6.80e-5, ("N2", "CO2"): 1.68e-5}
C = 39.6  # [mol/m^3]
L = 0.01  # [m]
X0, XL = (0.5, 0.2, 0.3), (0.1, 0.3, 0.6)
# α_ij > 0 sends i to the cold side: the heavier of each pair (kinetic-theory magnitudes)
ALPHA = {("N2", "H2"): 0.35, ("CO2", "H2"): 0.40, ("CO2", "N2"): 0.06}
T0, T1 = 300.0, 400.0  # [K] at x = 0 and x = L
P_ATM = 101_325.0
LAWS = {
    "constant": None,
    "ideal_gas_power": PropertyLaw(300.0, "power", 1.75, "ideal_gas", P_ATM),
}


def alpha_matrix(species=SPECIES, alpha=ALPHA):
    n = len(species)
    a = np.zeros((n, n))
    for (s, t), v in alpha.items():
        i, j = species.index(s), species.index(t)
        a[i, j], a[j, i] = v, -v
    return a


def bvp_reference(x0, xl, law, alpha=ALPHA, length=L, nu=(1.0, 1.0, 1.0)):
    """Independent reference: the n ODEs of the 1D relations with N_1, N_2 as parameters
    (N_3 = −(ν_1 N_1 + ν_2 N_2)/ν_3), T linear, c(T) and Đ(T) of ``law``; scipy
    collocation, tol 1e-11."""
    d_ref = GasMixture(SPECIES, PAIRS, C).matrix

    def fluxes(p):
        return np.array([p[0], p[1], -(nu[0] * p[0] + nu[1] * p[1]) / nu[2]])

    a = alpha_matrix(alpha=alpha)
    n = len(SPECIES)

    def temp(z):
        return T0 + (T1 - T0) * z / length

    def props(z):
        T = temp(z)
        if law is None:
            return np.full_like(z, C), np.ones_like(z)
        return P_ATM / (GAS_CONSTANT * T), (T / law.reference_temperature) ** law.exponent

    def rhs(z, x, p):
        N = fluxes(p)
        c, f = props(z)
        dlnT = (T1 - T0) / length / temp(z)
        dx = np.zeros_like(x)
        for i in range(n):
            kT = sum(x[i] * x[j] * a[i, j] for j in range(n) if j != i)
            ms = sum((x[j] * N[i] - x[i] * N[j]) / (d_ref[i, j] * f) for j in range(n) if j != i)
            dx[i] = -kT * dlnT - ms / c
        return dx

    def bc(xa, xb, p):
        return np.concatenate([xa - np.asarray(x0), (xb - np.asarray(xl))[:2]])

    z = np.linspace(0, length, 80)
    guess = np.outer(x0, 1 - z / length) + np.outer(xl, z / length)
    p0 = C * 3e-5 * (np.asarray(x0) - xl)[:2] / length
    sol = solve_bvp(rhs, bc, z, guess, p=p0, tol=1e-11, max_nodes=200_000)
    assert sol.success, sol.message
    return fluxes(sol.p), sol


def ternary(
    cells, degree, law, alpha=ALPHA, dim=1, temperature=None, x0=X0, xl=XL, bootstrap=None, **kw
):
    domain = layered_slab(
        [L], dim=dim, cells_per_layer=cells, region_names=["gas"], width=0.004, cells_across=2
    )
    if temperature is None:
        x = ufl.SpatialCoordinate(domain.mesh)
        temperature = T0 + (T1 - T0) * x[0] / L
    thermal = ThermalDiffusionInputs(
        temperature, {"gas": alpha}, {"gas": law} if law is not None else {}
    )
    model = MaxwellStefanModel(
        domain,
        {"gas": GasMixture(SPECIES, PAIRS, C)},
        {"left": dict(zip(SPECIES, x0)), "right": dict(zip(SPECIES, xl))},
        bootstrap,
        degree=degree,
        thermal=thermal,
        **kw,
    )
    return model, model.solve()


def right_fluxes(solution, area=1.0):
    return np.array([solution.boundary_flux[s]["right"] for s in SPECIES]) / area


@pytest.mark.parametrize("law", sorted(LAWS))
def test_ternary_slab_against_solve_bvp(law):
    reference, _ = bvp_reference(X0, XL, LAWS[law])
    _, solution = ternary(64, 2, LAWS[law])
    got = right_fluxes(solution)
    # P2 reaction fluxes converge as h^4 (test_convergence_rates): measured 1.3e-11 of the
    # largest flux at 64 cells, both laws; collocation tol 1e-11. The brief asks 1e-6; 1e-9
    # keeps a margin of 70 and still catches any O(h²) or modelling slip
    assert np.abs(got - reference).max() / np.abs(reference).max() < 1e-9
    assert abs(got.sum()) < 1e-12 * np.abs(got).max()  # Σ N_i = 0
    # the thermal term matters here: the isothermal film differs by far more than 1e-6
    iso, _ = bvp_reference(X0, XL, LAWS[law], alpha={})
    assert np.abs(iso - reference).max() / np.abs(reference).max() > 1e-2


@pytest.mark.parametrize(
    "bootstrap",
    [ms.stagnant(3, 2), ms.graham([2.016e-3, 28.013e-3, 44.010e-3])],
    ids=["stagnant_CO2", "graham"],
)
def test_other_bootstraps_against_solve_bvp(bootstrap):
    """The thermal term rides on the bootstrap elimination unchanged: Stefan tube (CO2
    stagnant) and Graham's law, c(T), Đ(T), against the collocation with the same ν."""
    law = LAWS["ideal_gas_power"]
    reference, _ = bvp_reference(X0, XL, law, nu=bootstrap.weights)
    _, solution = ternary(64, 2, law, bootstrap=bootstrap)
    got = right_fluxes(solution)
    assert np.abs(got - reference).max() / np.abs(reference).max() < 1e-9


@pytest.mark.parametrize("degree,order", [(1, 2), (2, 4)])
def test_convergence_rates(degree, order):
    reference, _ = bvp_reference(X0, XL, LAWS["ideal_gas_power"])
    cells = [4, 8, 16]
    errors = []
    for n in cells:
        _, solution = ternary(n, degree, LAWS["ideal_gas_power"])
        errors.append(np.abs(right_fluxes(solution) - reference).max())
    rates = np.log2(np.array(errors[:-1]) / errors[1:])
    assert rates.min() > order - 0.3, (errors, rates)


@pytest.mark.parametrize("dim", [1, 2])
@pytest.mark.parametrize("laws", [False, True])
def test_binary_limit_equals_binary_soret_solver(dim, laws):
    """n = 2, Σ N = 0, α_12 = α_T: the same discrete problem as SoretProblem, same T."""
    alpha, d, c = -0.3, 7.0e-5, 40.0
    domain = layered_slab([L], dim=dim, cells_per_layer=12, region_names=["gas"], width=0.004)
    heat = HeatConductionProblem(
        domain, {"gas": 0.1}, {"left": Temperature(T0), "right": Temperature(T1)}
    )
    temperature = heat.solve().temperature
    law = PropertyLaw(300.0, "power", 1.5, "ideal_gas", P_ATM) if laws else None
    dependence = (
        TemperatureDependence("power", 300.0, 1.5, None, "ideal_gas", P_ATM) if laws else None
    )
    binary = SoretProblem(
        domain,
        {"gas": ef.Material(d, c)},
        {"left": ef.MoleFraction(0.7), "right": ef.MoleFraction(0.2)},
        temperature=temperature,
        thermal_diffusion_factor={"gas": alpha},
        temperature_dependence={"gas": dependence} if laws else None,
    ).solve()
    model = MaxwellStefanModel(
        domain,
        {"gas": GasMixture(("A", "B"), {("A", "B"): d}, c)},
        {"left": {"A": 0.7, "B": 0.3}, "right": {"A": 0.2, "B": 0.8}},
        thermal=ThermalDiffusionInputs(
            temperature, {"gas": {("A", "B"): alpha}}, {"gas": law} if laws else {}
        ),
    )
    solution = model.solve()
    for b in ("left", "right"):
        q = binary.boundary_flux[b]
        assert solution.boundary_flux["A"][b] == pytest.approx(q, rel=1e-9)
        assert solution.boundary_flux["B"][b] == pytest.approx(-q, rel=1e-9)
    x_a = solution.mole_fractions["A"].x.array
    assert np.abs(x_a - binary.mole_fraction.x.array).max() < 1e-10


def test_zero_alpha_reproduces_isothermal_model():
    """α = 0: (a) constant c, Đ — T drops out, the isothermal model to solver tolerance;
    (b) uniform T = 350 K with c = P/(R T), Đ (T/T_ref)^1.75 — the isothermal model with
    those values. The same quadrature on both sides (UFL estimates a higher degree for the
    thermal form, which moves the fluxes by ~1e-9 of their size)."""
    zero = {("N2", "H2"): 0.0}
    q = {"quadrature_degree": 4}
    _, a = ternary(10, 1, None, alpha=zero, **q)
    T = 350.0
    law = LAWS["ideal_gas_power"]
    _, b = ternary(10, 1, law, alpha=zero, temperature=T, **q)
    domain = layered_slab([L], dim=1, cells_per_layer=10, region_names=["gas"])
    factor = (T / 300.0) ** 1.75
    for mixture, got in (
        (GasMixture(SPECIES, PAIRS, C), a),
        (
            GasMixture(
                SPECIES, {k: v * factor for k, v in PAIRS.items()}, P_ATM / (GAS_CONSTANT * T)
            ),
            b,
        ),
    ):
        iso = MaxwellStefanModel(
            domain,
            {"gas": mixture},
            {"left": dict(zip(SPECIES, X0)), "right": dict(zip(SPECIES, XL))},
            **q,
        ).solve()
        want = right_fluxes(iso)
        assert np.abs(right_fluxes(got) - want).max() < 1e-10 * np.abs(want).max()


def test_ratios_sum_to_zero_and_pair_order():
    x = [0.2, 0.5, 0.3]
    given = pair_factors("gas", SPECIES, ALPHA)
    assert given[(0, 1)] == -0.35 and given[(0, 2)] == -0.40 and given[(1, 2)] == -0.06
    ratios = thermal_diffusion_ratios(x, given)
    assert abs(sum(ratios)) < 1e-16
    # k_T,H2 = x_H2 (x_N2 α_H2,N2 + x_CO2 α_H2,CO2) < 0: H2 to the hot side
    assert ratios[0] == pytest.approx(0.2 * (0.5 * -0.35 + 0.3 * -0.40), rel=1e-14)
    # the same pair both ways with opposite values is one pair; inconsistent is refused
    assert pair_factors("gas", SPECIES, {("H2", "N2"): -0.3, ("N2", "H2"): 0.3}) == {(0, 1): -0.3}


def test_sign_light_species_to_the_hot_side():
    """Open at the cold end (x = 0, 300 K) only: no flux at steady state and every species
    follows d x_i/dx = −k_T,i dln T/dx; α_ij > 0 for i the heavier: H2 gathers at the
    hot end, CO2 at the cold end."""
    domain = layered_slab([L], dim=1, cells_per_layer=40, region_names=["gas"])
    x = ufl.SpatialCoordinate(domain.mesh)
    model = MaxwellStefanModel(
        domain,
        {"gas": GasMixture(SPECIES, PAIRS, C)},
        {"left": dict(zip(SPECIES, (1 / 3, 1 / 3, 1 / 3)))},
        degree=2,
        thermal=ThermalDiffusionInputs(T0 + (T1 - T0) * x[0] / L, {"gas": ALPHA}),
    )
    solution = model.solve()
    ends = {}
    for s, f in solution.mole_fractions.items():
        z = f.function_space.tabulate_dof_coordinates()[:, 0]
        ends[s] = (f.x.array[np.argmin(z)], f.x.array[np.argmax(z)])
    assert ends["H2"][1] > ends["H2"][0] + 1e-3
    assert ends["CO2"][1] < ends["CO2"][0] - 1e-3
    # N = 0: d x_i/dx = −k_T,i(x) dln T/dx, integrated from the open end
    a = alpha_matrix()

    def rhs(z, x):
        dlnT = (T1 - T0) / L / (T0 + (T1 - T0) * z / L)
        return [-sum(x[i] * x[j] * a[i, j] for j in range(3)) * dlnT for i in range(3)]

    hot = solve_ivp(rhs, (0, L), [1 / 3] * 3, rtol=1e-12, atol=1e-14, method="DOP853").y[:, -1]
    assert abs(hot.sum() - 1) < 1e-12  # Σ k_T,i = 0 keeps Σ x_i = 1
    for k, s in enumerate(SPECIES):  # P2, 40 cells: nodal error ~h^3 of a smooth profile
        assert ends[s][1] == pytest.approx(hot[k], abs=1e-8)
    for s in SPECIES:
        assert abs(solution.boundary_flux[s]["left"]) < 1e-12


def test_bad_thermal_input_names_the_culprit():
    domain = layered_slab([L], dim=1, cells_per_layer=4, region_names=["gas"])
    args = (
        domain,
        {"gas": GasMixture(SPECIES, PAIRS, C)},
        {"left": dict(zip(SPECIES, X0)), "right": dict(zip(SPECIES, XL))},
    )
    cases = [
        ({"gas": {("H2", "He"): 0.3}}, "unknown species 'He'"),
        ({"gas": {("H2", "H2"): 0.3}}, "pairs a species with itself"),
        ({"gas": {("H2", "N2"): 0.3, ("N2", "H2"): 0.3}}, "α_ji ≠ −α_ij"),
        ({"gas": {("H2", "N2"): float("nan")}}, "finite number"),
        ({"gass": {("H2", "N2"): 0.3}}, "gass"),
    ]
    for factors, match in cases:
        with pytest.raises(EmcdInputError, match=match):
            MaxwellStefanModel(*args, thermal=ThermalDiffusionInputs(300.0, factors))
    with pytest.raises(EmcdInputError, match="model = 'maxwell_stefan'"):
        MaxwellStefanModel(
            *args, model="mixture_averaged", thermal=ThermalDiffusionInputs(300.0, {})
        )
    with pytest.raises(EmcdInputError, match="> 0 K"):
        MaxwellStefanModel(*args, thermal=ThermalDiffusionInputs(-5.0, {}))
    with pytest.raises(EmcdInputError, match="'constant' or 'power'"):
        PropertyLaw(300.0, "chapman_enskog")
    closed = MaxwellStefanModel(
        domain, args[1], {}, closed=True, thermal=ThermalDiffusionInputs(300.0, {})
    )  # a closed vessel marches in time (test_multicomponent_soret_transient.py) ...
    with pytest.raises(EmcdInputError, match=r"closed vessel .* no unique steady state"):
        closed.solve()  # ... and has no steady solve


@pytest.mark.parametrize("degree", [1, 2])
def test_thermal_quadrature_is_capped(degree):
    """UFL estimates degree 16 (P1) / 28 (P2) for the rational thermal law: a 3D P2 ternary
    case took 96 s and 3.2 GB to compile; with 2p + 2 it takes 4.5 s (cold cache). The
    accuracy is the estimate's (test_ternary_slab_against_solve_bvp, rates above)."""
    model, _ = ternary(4, degree, LAWS["ideal_gas_power"])
    degrees = {i.metadata().get("quadrature_degree") for i in model.residual_form.integrals()}
    assert degrees == {2 * degree + 2}


def test_sources_with_thermal_against_solve_bvp():
    """Constant sources (∇·N_i = R_i, Σ R_i = 0) ride along: the 1D system with the fluxes as
    states, x' from the relations with thermal diffusion, N' = R, against solve_bvp."""
    law = LAWS["ideal_gas_power"]
    rates = np.array([6.0, -6.0, 0.0])  # [mol/(m^3 s)]
    d_ref = GasMixture(SPECIES, PAIRS, C).matrix
    a = alpha_matrix()

    def rhs(z, y):
        x, N = y[:3], np.vstack([y[3], y[4], -y[3] - y[4]])
        T = T0 + (T1 - T0) * z / L
        c, f = P_ATM / (GAS_CONSTANT * T), (T / 300.0) ** 1.75
        dx = [
            -sum(x[i] * x[j] * a[i, j] for j in range(3)) * (T1 - T0) / L / T
            - sum((x[j] * N[i] - x[i] * N[j]) / (d_ref[i, j] * f) for j in range(3) if j != i) / c
            for i in range(3)
        ]
        return np.vstack([*dx, np.full_like(z, rates[0]), np.full_like(z, rates[1])])

    def bc(ya, yb):
        return np.concatenate([ya[:3] - X0, (yb[:3] - XL)[:2]])

    z = np.linspace(0, L, 80)
    guess = np.vstack([np.outer(X0, 1 - z / L) + np.outer(XL, z / L), np.full((2, z.size), 0.1)])
    sol = solve_bvp(rhs, bc, z, guess, tol=1e-11, max_nodes=200_000)
    assert sol.success, sol.message
    end = sol.sol(L)[3:]
    reference = np.array([end[0], end[1], -end[0] - end[1]])  # N_i at x = L
    domain = layered_slab([L], dim=1, cells_per_layer=64, region_names=["gas"])
    x = ufl.SpatialCoordinate(domain.mesh)
    model = MaxwellStefanModel(
        domain,
        {"gas": GasMixture(SPECIES, PAIRS, C)},
        {"left": dict(zip(SPECIES, X0)), "right": dict(zip(SPECIES, XL))},
        degree=2,
        sources={"gas": dict(zip(SPECIES, rates))},
        thermal=ThermalDiffusionInputs(T0 + (T1 - T0) * x[0] / L, {"gas": ALPHA}, {"gas": law}),
    )
    solution = model.solve()
    got = right_fluxes(solution)
    assert np.abs(got - reference).max() / np.abs(reference).max() < 1e-9
    # the sources matter: H2 leaves through both ends what is made inside, R L
    out = solution.boundary_flux["H2"]["left"] + solution.boundary_flux["H2"]["right"]
    assert out == pytest.approx(rates[0] * L, rel=1e-9)
    assert rates[0] * L > 0.3 * abs(reference[0])
