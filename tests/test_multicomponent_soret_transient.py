"""Transient n-species Maxwell–Stefan with thermal diffusion and a steady T.

c(T) ∂x_i/∂t + ∇·N_i = 0, −c (∇x_i + k_T,i ∇ln T) = Σ_j (x_j N_i − x_i N_j)/Đ_ij with
c = P/(R T), Đ_ij (T/T_ref)^n and T from heat conduction (solved once). References: the
steady thermal n-species solve (long-time limit), the binary transient Soret path
(``TransientModel`` with a Soret ``SpeciesTransportModel``, n = 2: the same discrete
problem), a closed vessel's thermal-diffusion equilibrium x_i' = −k_T,i (ln T)' with the
inventories ∫ c x_i dx of the start (scipy shooting) and the conservation of every ∫ c x_i dx.
"""

import numpy as np
import pytest
import ufl
from scipy.integrate import solve_ivp
from scipy.optimize import fsolve

import emcd_fem as ef
from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.march import TimeSettings, march
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_thermal import PropertyLaw, ThermalDiffusionInputs
from emcd_fem.models.multicomponent_transient import TransientMaxwellStefan
from emcd_fem.models.soret import TemperatureDependence
from emcd_fem.models.thermal import HeatConductionProblem, Temperature
from emcd_fem.models.transient import TransientModel
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.solvers.time_stepping import StepControl

SPECIES = ("H2", "N2", "CO2")
PAIRS = {("H2", "N2"): 8.33e-5, ("H2", "CO2"): 6.80e-5, ("N2", "CO2"): 1.68e-5}
ALPHA = {("N2", "H2"): 0.35, ("CO2", "H2"): 0.40, ("CO2", "N2"): 0.06}
P_ATM, T_REF, EXPONENT = 101_325.0, 300.0, 1.75
C_REF = P_ATM / (GAS_CONSTANT * T_REF)  # [mol/m^3]
L, T0, T1 = 0.01, 300.0, 400.0  # [m], [K] at x = 0 and x = L
LAW = PropertyLaw(T_REF, "power", EXPONENT, "ideal_gas", P_ATM)
START = (0.4, 0.3, 0.3)


def conduction(domain):
    heat = HeatConductionProblem(
        domain, {"gas": 0.1}, {"left": Temperature(T0), "right": Temperature(T1)}
    )
    return heat.solve().temperature


def ternary_model(domain, temperature, ends, degree=2, closed=False):
    return MaxwellStefanModel(
        domain,
        {"gas": GasMixture(SPECIES, PAIRS, C_REF)},
        ends,
        degree=degree,
        closed=closed,
        thermal=ThermalDiffusionInputs(temperature, {"gas": ALPHA}, {"gas": LAW}),
    )


def steady_settings(t_end=1e4, tolerance=1e-12):
    return TimeSettings(
        0.0,
        t_end,
        1e-3,
        adaptive=True,
        control=StepControl(rtol=1e-7, atol=1e-9, dt_max=200.0),
        stop_at_steady_state=True,
        steady_tolerance=tolerance,
    )


def uniform(values):
    return lambda p: np.outer(values, np.ones(p.shape[1]))


def test_long_time_limit_is_the_steady_thermal_solve():
    # adaptive BDF2 from a uniform gas until the change rate is < 1e-12 1/s (t_diff ≈ 5 s):
    # the fluxes then equal the steady Newton solve of the same thermal model (measured
    # 1.0e-11 of the largest flux, at t = 34 s)
    domain = layered_slab([L], dim=1, cells_per_layer=16, region_names=["gas"])
    temperature = conduction(domain)
    ends = {"left": {"H2": 0.5, "N2": 0.2, "CO2": 0.3}, "right": {"H2": 0.1, "N2": 0.3, "CO2": 0.6}}
    steady = ternary_model(domain, temperature, ends).solve()
    model = ternary_model(domain, temperature, ends)
    transient = TransientMaxwellStefan(model)
    transient.set_initial(uniform(START))
    state = transient.initial_state(0.0, 1e-3)
    assert march(transient, state, steady_settings()) == "steady_state"
    last = state.records[-1]
    scale = max(abs(q) for s in SPECIES for q in steady.boundary_flux[s].values())
    for s in SPECIES:
        for side in ("left", "right"):
            assert last.boundary_flux[s][side] == pytest.approx(
                steady.boundary_flux[s][side], abs=1e-8 * scale
            )
    for record in state.records:  # Σ N_i = 0 and every species' balance, every step
        assert max(abs(t) for t in record.total_flux.values()) < 1e-10 * scale
        assert max(record.balance.values()) < 1e-8


@pytest.mark.parametrize("scheme", ["bdf1", "bdf2"])
@pytest.mark.parametrize("dim", [1, 2])
def test_binary_equals_the_binary_transient_soret_path(scheme, dim):
    # n = 2, Σ N = 0, α_AB = α_T, c = P/(R T), D (T/300)^1.5: the binary law
    # N_A = −c D (∇x_A + (α_T/T) x_A x_B ∇T) with storage c(T) ∂x_A/∂t; fixed steps, the
    # same P1 forms up to the quadrature degree: states and fluxes to solver tolerance
    alpha, d = -0.3, 7.0e-5
    domain = layered_slab([L], dim=dim, cells_per_layer=12, region_names=["gas"], width=0.004)
    temperature = conduction(domain)
    dependence = TemperatureDependence("power", T_REF, 1.5, None, "ideal_gas", P_ATM)
    binary = SpeciesTransportModel(
        domain,
        {"gas": ef.Material(d, C_REF)},
        {"left": ef.MoleFraction(0.7), "right": ef.MoleFraction(0.2)},
        temperature=temperature,
        thermal_diffusion_factor={"gas": alpha},
        temperature_dependence={"gas": dependence},
    )

    def initial(p):
        return 0.7 - 0.5 * p[0] / L + 0.2 * np.sin(np.pi * p[0] / L)

    binary.potentials[0].interpolate(initial)
    reference = TransientModel(binary, scheme=scheme)
    settings = TimeSettings(0.0, 2.0, 0.1)
    ref_state = reference.initial_state(0.0, 0.1)
    march(reference, ref_state, settings)
    model = MaxwellStefanModel(
        domain,
        {"gas": GasMixture(("A", "B"), {("A", "B"): d}, C_REF)},
        {"left": {"A": 0.7, "B": 0.3}, "right": {"A": 0.2, "B": 0.8}},
        thermal=ThermalDiffusionInputs(
            temperature,
            {"gas": {("A", "B"): alpha}},
            {"gas": PropertyLaw(T_REF, "power", 1.5, "ideal_gas", P_ATM)},
        ),
    )
    transient = TransientMaxwellStefan(model, scheme=scheme)
    transient.set_initial(lambda p: np.vstack([initial(p), 1 - initial(p)]))
    state = transient.initial_state(0.0, 0.1)
    march(transient, state, settings)
    assert state.t == ref_state.t == 2.0
    # measured: x 1.6e-12 (BDF1, 1D) or less, fluxes 1e-11 of |q| or less
    assert np.abs(model.x.x.array - binary.potentials[0].x.array).max() < 1e-10
    scale = max(abs(q) for q in ref_state.records[-1].boundary_flux.values())
    for side in ("left", "right"):
        q = ref_state.records[-1].boundary_flux[side]
        assert state.records[-1].boundary_flux["A"][side] == pytest.approx(q, abs=1e-9 * scale)
        assert state.records[-1].boundary_flux["B"][side] == pytest.approx(-q, abs=1e-9 * scale)


def equilibrium_reference(inventory):
    """The closed slab's equilibrium x(z) with ∫ c x_i dz = inventory_i: N_i = 0, so
    x_i' = −k_T,i (ln T)' (T linear), x(0) found by fsolve (solve_ivp, rtol 1e-13)."""
    a = np.zeros((3, 3))
    for (s, t), v in ALPHA.items():
        i, j = SPECIES.index(s), SPECIES.index(t)
        a[i, j], a[j, i] = v, -v
    slope = (T1 - T0) / L

    def rhs(z, y):
        x = y[:3]
        temp = T0 + slope * z
        kt = np.array([sum(x[i] * x[j] * a[i, j] for j in range(3) if j != i) for i in range(3)])
        c = P_ATM / (GAS_CONSTANT * temp)
        return np.concatenate([-kt * slope / temp, c * x])

    def shoot(x0):
        start = np.concatenate([x0, [0.0, 0.0, 0.0]])
        sol = solve_ivp(
            rhs, (0, L), start, method="DOP853", rtol=1e-13, atol=1e-16, dense_output=True
        )
        assert sol.success
        return sol

    def miss(p):
        return shoot(np.array([p[0], p[1], 1 - p[0] - p[1]])).y[3:5, -1] - inventory[:2]

    p, info, _, _ = fsolve(miss, START[:2], xtol=1e-14, full_output=True)
    assert np.abs(info["fvec"]).max() < 1e-13 * np.max(inventory)  # (xtol's note aside)
    return shoot(np.array([p[0], p[1], 1 - p[0] - p[1]]))


def closed_vessel(cells, degree, dim=1):
    domain = layered_slab([L], dim=dim, cells_per_layer=cells, region_names=["gas"], width=0.004)
    x = ufl.SpatialCoordinate(domain.mesh)
    temperature = T0 + (T1 - T0) * x[0] / L  # prescribed: the conduction T of the slab
    model = ternary_model(domain, temperature, {}, degree=degree, closed=True)
    transient = TransientMaxwellStefan(model)
    transient.set_initial(uniform(START))
    state = transient.initial_state(0.0, 1e-3)
    initial = np.array(state.inventories[0])  # ∫ c(T) x_i dx of the start [mol/m^2]
    reason = march(transient, state, steady_settings())
    return model, state, reason, initial


def _nodal_error(model, reference):
    fractions = model.mole_fraction_fields()
    errors = []
    for k, s in enumerate(SPECIES):
        f = fractions[s]
        n = f.function_space.dofmap.index_map.size_local
        z = f.function_space.tabulate_dof_coordinates()[:n, 0]
        errors.append(np.abs(f.x.array[:n] - reference.sol(z)[k]).max())
    return max(errors)


def test_closed_vessel_conserves_and_reaches_the_thermal_equilibrium():
    model, state, reason, initial = closed_vessel(16, 2)
    assert reason == "steady_state"
    # the start: uniform x, ∫ c dz = (P L/(R ΔT)) ln(T1/T0) exactly; the FE inventory
    # integrates 1/T at degree 2p + 2 (measured 8e-15 here, 9e-13 with P1 on 8 cells)
    start = np.array(START) * P_ATM * L / (GAS_CONSTANT * (T1 - T0)) * np.log(T1 / T0)
    assert np.abs(initial - start).max() < 1e-10 * start.max()
    # every species' amount ∫ c(T) x_i dx stays the start's at every step (measured 8e-15)
    for record in state.records:
        got = np.array([record.inventory[s] for s in SPECIES])
        assert np.abs(got - initial).max() < 1e-10 * start.max()
        assert max(record.balance.values()) < 1e-10  # measured 8e-16
    # H2 (light) to the hot end, CO2 (heavy) to the cold end
    fractions = model.mole_fraction_fields()
    reference = equilibrium_reference(start)
    assert reference.y[0, -1] > START[0] > reference.y[0, 0]
    assert reference.y[2, -1] < START[2] < reference.y[2, 0]
    # P2 on 16 cells: nodal error measured 6.7e-11 (P1: O(h^2), the next test)
    assert _nodal_error(model, reference) < 1e-9
    assert set(fractions) == set(SPECIES)


def test_closed_vessel_equilibrium_converges():
    # P1 on 8, 16, 32 cells: nodal errors against the shooting reference, measured
    # 1.0e-5, 2.6e-6, 6.4e-7 (rates 2.00, 2.00)
    errors = []
    for cells in (8, 16, 32):
        model, _, reason, initial = closed_vessel(cells, 1)
        assert reason == "steady_state"
        errors.append(_nodal_error(model, equilibrium_reference(initial)))
    rates = np.log2(np.array(errors[:-1]) / errors[1:])
    assert rates.min() > 1.8, (errors, rates)


def _march_fixed(scheme, dt, t_end=1.0):
    domain = layered_slab([L], dim=1, cells_per_layer=8, region_names=["gas"])
    x = ufl.SpatialCoordinate(domain.mesh)
    ends = {"left": dict(zip(SPECIES, (0.5, 0.2, 0.3))), "right": dict(zip(SPECIES, START))}
    model = ternary_model(domain, T0 + (T1 - T0) * x[0] / L, ends)
    transient = TransientMaxwellStefan(model, scheme=scheme)

    def initial(p):  # meets the boundary data (no jump at t = 0); Σ x_i = 1
        s = p[0] / L
        line = np.outer([0.5, 0.2, 0.3], 1 - s) + np.outer(START, s)
        return line + np.outer([0.1, -0.05, -0.05], np.sin(np.pi * s))

    transient.set_initial(initial)
    state = transient.initial_state(0.0, dt)
    march(transient, state, TimeSettings(0.0, t_end, dt))
    return model.x.x.array.copy()


@pytest.mark.parametrize(("scheme", "order"), [("bdf1", 1), ("bdf2", 2)])
def test_time_convergence_with_thermal_storage(scheme, order):
    # fixed steps 0.02, 0.01, 0.005 s to t = 0.5 s (H2's fastest mode L²/(π² Đ) ≈ 0.1 s)
    # against dt = 1/2560 s on the same mesh: the c(T) storage keeps the schemes' orders
    # (BDF2 starts with one BE step). Measured rates: BDF1 1.09, 1.09; BDF2 2.12, 2.06
    reference = _march_fixed(scheme, 1.0 / 2560, 0.5)
    errors = [np.abs(_march_fixed(scheme, dt, 0.5) - reference).max() for dt in (0.02, 0.01, 0.005)]
    rates = np.log2(np.array(errors[:-1]) / errors[1:])
    assert np.all((rates > order - 0.15) & (rates < order + 0.3)), (errors, rates)
