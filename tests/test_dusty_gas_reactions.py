"""The dusty-gas model with reactions (issue 20): the dead-end pore (zero net molar flow, a
pressure difference), the reacting pellet (stoichiometric flux ratio, internal pressure
build-up) and a reaction that changes the number of moles (A → 2B, refused by EMCD).

References: ``analytic.dusty_gas_channel`` / ``dusty_gas_pellet``, the 1D dusty-gas ODEs
integrated by shooting at rtol 1e-12 (checked here against the isobaric closed form and
against each other). Gas A/B with the masses of H2 and N2 at 600 K, 1 atm, in 1 µm pores
(Kn ≈ 0.17: Knudsen, molecular and viscous terms all matter).
"""

import itertools

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem.analytic import (
    channel_coefficients,
    dusty_gas_channel,
    dusty_gas_pellet,
    dusty_gas_rate,
)
from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.porous import DustyGas, PorousMedium
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.models.dusty_gas import BoundaryState, DustyGasModel

T, P = 600.0, 101325.0
C = P / (GAS_CONSTANT * T)
M_A, M_B = 2.016e-3, 28.0e-3
D_AB = 1.7e-4  # H2-N2 at 600 K, 1 atm [m^2/s]
GAS = DustyGas(GasMixture(("A", "B"), {("A", "B"): D_AB}, C), {"A": M_A, "B": M_B}, 3.0e-5)
MEDIUM = PorousMedium(0.4, 3.0, 1e-6)
COEFFICIENTS = channel_coefficients(MEDIUM, GAS, T)
L = 1e-3
K = 50.0  # 1/s: Thiele modulus² k L²/D_eff ≈ 4
PURE_A = (P, [1.0, 0.0])


def _isomerization(c):
    return np.array([-K * c[0], K * c[0]])


# ------------------------------------------------------------------ the references


def test_open_channel_reference_is_the_isobaric_closed_form():
    ref = dusty_gas_channel(L, COEFFICIENTS, (P, [0.9, 0.1]), outlet=(P, [0.1, 0.9]))
    expected = dusty_gas_rate(
        "slab", 0.0, L, concentration=C, d_molecular=D_AB,
        d_knudsen_a=kt.knudsen_diffusivity(1e-6, T, M_A), molar_mass_a=M_A, molar_mass_b=M_B,
        x_in=0.9, x_out=0.1, porosity_over_tortuosity=0.4 / 3,
    )  # fmt: skip
    assert ref.inlet_flux[0] == pytest.approx(expected, rel=1e-9)
    assert ref.inlet_flux[1] / ref.inlet_flux[0] == pytest.approx(-np.sqrt(M_A / M_B), rel=1e-9)
    assert abs(ref.pressure_difference) < 1e-9 * P


def test_dead_end_reference_two_ways():
    # the same dead-end pore shot from the open end (channel) and from the closed end
    # (pellet, slab symmetry): two different shootings of one problem
    channel = dusty_gas_channel(L, COEFFICIENTS, PURE_A, production=_isomerization)
    pellet = dusty_gas_pellet("slab", L, COEFFICIENTS, PURE_A, _isomerization)
    assert -pellet.inlet_flux == pytest.approx(channel.inlet_flux, rel=1e-8)
    assert -pellet.pressure_difference == pytest.approx(channel.pressure_difference, rel=1e-8)
    z = np.linspace(0, L, 7)
    net = channel.profile(z)[2:].sum(axis=0)  # Σ_i N_i(z): zero, the reaction is balanced
    assert np.abs(net).max() < 1e-9 * abs(channel.inlet_flux[0])
    assert np.abs(channel.outlet_flux).max() < 1e-9 * abs(channel.inlet_flux[0])
    # the heavy product leaves slower than the light reactant enters: pressure builds up
    assert channel.pressure_difference > 0.05 * P


def test_mole_changing_references_two_ways_and_the_radial_balance():
    # A → 2B: the centre state is far from the surface one; the pellet shooting needs the
    # continuation in the reaction strength here (the direct shot misses)
    def split(c):
        return np.array([-K * c[0], 2 * K * c[0]])

    channel = dusty_gas_channel(L, COEFFICIENTS, PURE_A, production=split)
    pellet = dusty_gas_pellet("slab", L, COEFFICIENTS, PURE_A, split)
    assert -pellet.inlet_flux == pytest.approx(channel.inlet_flux, rel=1e-8)
    assert -pellet.pressure_difference == pytest.approx(channel.pressure_difference, rel=1e-8)
    from scipy.integrate import quad

    for kind, k in (("cylinder", 1), ("sphere", 2)):  # r^k N(R) = ∫ r^k R dr
        ref = dusty_gas_pellet(kind, L, COEFFICIENTS, PURE_A, split)
        made = quad(lambda r, ref=ref, k=k: split(ref.profile(r)[:2])[0] * r**k, 0, L)[0]
        assert ref.inlet_flux[0] * L**k == pytest.approx(made, rel=1e-9)


# ------------------------------------------------------------------ dead-end pore


def _dead_end(dim: int, cells: int, reactions, degree: int = 1):
    domain = ef.layered_slab(
        [L], region_names=["pore"], dim=dim, cells_per_layer=cells, width=L / 4,
        cells_across=2,
    )  # fmt: skip
    model = DustyGasModel(
        domain, {"pore": MEDIUM}, GAS, {"left": BoundaryState(*PURE_A[:1], {"A": 1.0, "B": 0.0})},
        temperature=T, reactions=reactions, degree=degree,
    )  # fmt: skip
    return model.solve(), (L / 4) ** (dim - 1)


def test_dead_end_pore_zero_net_flow_and_pressure_difference_with_convergence():
    ref = dusty_gas_channel(L, COEFFICIENTS, PURE_A, production=_isomerization)
    reaction = [Reaction("A -> B", k_f=K)]
    flux_errors, dp_errors = [], []
    for cells in (10, 20, 40):
        solution, _ = _dead_end(1, cells, reaction)
        q = solution.boundary_flux
        gross = abs(q["A"]["left"]) + abs(q["B"]["left"])
        assert abs(solution.total_flux["left"]) < 1e-10 * gross  # zero net molar flow
        assert q["B"]["left"] == pytest.approx(-q["A"]["left"], rel=1e-10)
        assert max(solution.imbalance.values()) < 1e-10
        flux_errors.append(abs(-q["A"]["left"] / ref.inlet_flux[0] - 1))
        dp = solution.pressure_difference[("left", "right")]
        dp_errors.append(abs(dp / ref.pressure_difference - 1))
        # the viscous flow out of the pore carries a finite share of the exchange
        assert solution.viscous_share["left"] > 0.05
    # P1, nonlinear coefficients: O(h²), measured 1.8e-3, 4.6e-4, 1.1e-4 (flux) and
    # 1.4e-3, 3.4e-4, 8.6e-5 (Δp)
    for errors in (flux_errors, dp_errors):
        assert errors[-1] < 2e-4, errors
        assert all(a / b > 3.5 for a, b in itertools.pairwise(errors)), errors


def test_dead_end_pore_in_2d_and_p2():
    ref = dusty_gas_channel(L, COEFFICIENTS, PURE_A, production=_isomerization)
    solution, width = _dead_end(2, 20, [Reaction("A -> B", k_f=K)], degree=2)
    flux = -solution.boundary_flux["A"]["left"] / width
    # P2 on 20 cells: measured 1.6e-7 (flux) and 7.6e-8 (Δp); the 1D solution is smooth
    assert flux == pytest.approx(ref.inlet_flux[0], rel=2e-6)
    dp = solution.pressure_difference[("left", "right")]
    assert dp == pytest.approx(ref.pressure_difference, rel=2e-6)
    assert solution.pressure_range[1] == pytest.approx(P + ref.pressure_difference, rel=1e-7)
    # the lateral walls are closed: zero flux; the pressure varies along the pore only
    # (across: the P2 triangles' asymmetry, measured 2e-6 of the build-up)
    assert solution.total_flux["top"] == 0.0
    across = solution.pressure_difference[("bottom", "top")]
    assert abs(across) < 2e-5 * ref.pressure_difference


def test_dead_end_pore_with_a_wall_reaction_at_its_closed_end():
    k_s = 0.05  # m/s
    ref = dusty_gas_channel(
        L, COEFFICIENTS, PURE_A, wall=lambda c: np.array([k_s * c[0], -k_s * c[0]])
    )
    reaction = [Reaction("A <=> B", kind="surface", boundary="right", k_f=k_s)]
    solution, _ = _dead_end(1, 40, reaction)
    q = solution.boundary_flux
    assert q["A"]["right"] == pytest.approx(-q["B"]["right"], rel=1e-12)
    assert q["A"]["right"] == pytest.approx(-q["A"]["left"], rel=1e-10)  # the balance
    # P1 on 40 cells, O(h²) as in the homogeneous case: measured 1.6e-5 (flux) and
    # 1.2e-5 (Δp)
    assert -q["A"]["left"] == pytest.approx(ref.inlet_flux[0], rel=5e-5)
    dp = solution.pressure_difference[("left", "right")]
    assert dp == pytest.approx(ref.pressure_difference, rel=5e-5)
    assert dp > 0.01 * P


# ------------------------------------------------------------------ pellets


def _disk(radius: float, size: float) -> ef.Domain:
    def build():
        import gmsh

        disk = gmsh.model.occ.addDisk(0, 0, 0, radius, radius)
        centre = gmsh.model.occ.addPoint(0, 0, 0)
        gmsh.model.occ.synchronize()
        gmsh.model.mesh.embed(0, [centre], 2, disk)  # a node at the centre: p_max there
        gmsh.model.addPhysicalGroup(2, [disk], 1, name="pellet")
        edges = [tag for _, tag in gmsh.model.getBoundary([(2, disk)], oriented=False)]
        gmsh.model.addPhysicalGroup(1, edges, 2, name="surface")
        gmsh.option.setNumber("Mesh.CharacteristicLengthMax", size)
        gmsh.model.mesh.generate(2)
        gmsh.model.mesh.setOrder(2)

    return ef.domain_from_gmsh(build, gdim=2)


def _pellet(size: float, reactions) -> ef.models.dusty_gas.DustyGasSolution:
    model = DustyGasModel(
        _disk(L, size), {"pellet": MEDIUM}, GAS,
        {"surface": BoundaryState(P, {"A": 1.0, "B": 0.0})}, temperature=T,
        reactions=reactions, degree=2,
    )  # fmt: skip
    return model.solve()


def test_mole_balanced_reaction_in_a_pellet_gives_stoichiometric_fluxes_and_build_up():
    k_b = 10.0

    def rates(c):
        r = K * c[0] - k_b * c[1]
        return np.array([-r, r])

    ref = dusty_gas_pellet("cylinder", L, COEFFICIENTS, PURE_A, rates)
    errors = []
    for size in (L / 4, L / 8):
        solution = _pellet(size, [Reaction("A <=> B", k_f=K, k_b=k_b)])
        q = solution.boundary_flux
        # one boundary, Σ_i R_i = 0: N_B = −N_A through it (the balance, to solver tolerance)
        assert q["B"]["surface"] == pytest.approx(-q["A"]["surface"], rel=1e-10)
        assert abs(solution.net_production) < 1e-10 * abs(solution.production["A"])
        build_up = solution.pressure_range[1] - P
        assert build_up > 0.05 * P  # the internal pressure build-up
        assert solution.pressure_range[0] == pytest.approx(P, rel=1e-9)  # the surface
        errors.append(
            (
                abs(q["A"]["surface"] / (2 * np.pi * L * ref.inlet_flux[0]) - 1),
                abs(build_up / -ref.pressure_difference - 1),
            )
        )
    # P2 on order-2 cells (a node at the centre): measured 1.8e-5 → 1.1e-6 (flux) and
    # 7.6e-5 → 6.4e-6 (build-up) when h halves
    assert max(errors[1]) < 3e-5, errors
    assert all(a / b > 4 for a, b in zip(errors[0], errors[1], strict=True)), errors


def test_reaction_changing_the_moles_in_a_pellet_net_outflow_equals_production():
    # A → 2B: R_T = r ≠ 0, refused by the EMCD model; here the pressure carries it
    ref = dusty_gas_pellet(
        "cylinder", L, COEFFICIENTS, PURE_A, lambda c: np.array([-K * c[0], 2 * K * c[0]])
    )
    solution = _pellet(L / 8, [Reaction("A -> 2 B", k_f=K)])
    q = solution.boundary_flux
    net = solution.total_flux["surface"]
    assert solution.net_production > 0
    assert net == pytest.approx(solution.net_production, rel=1e-10)  # the balance closes
    assert max(solution.imbalance.values()) < 1e-10
    assert q["B"]["surface"] == pytest.approx(-2 * q["A"]["surface"], rel=1e-10)
    # against the radial reference: P2 on order-2 cells, the finer mesh above: measured
    # 3.3e-6 (flux) and 8.3e-6 (build-up)
    assert q["A"]["surface"] == pytest.approx(2 * np.pi * L * ref.inlet_flux[0], rel=3e-5)
    build_up = solution.pressure_range[1] - P
    assert build_up == pytest.approx(-ref.pressure_difference, rel=3e-5)
    assert solution.viscous_flux["surface"] > 0  # moles made inside flow out viscously


def test_arrhenius_constants_use_the_model_temperature():
    # k = A exp(−E/(R T)) with A chosen so that k(600 K) = K: the same pore as k_f = K
    energy = 40e3  # J/mol
    prefactor = K * np.exp(energy / (GAS_CONSTANT * T))
    arrhenius = Reaction("A -> B", arrhenius_A=(prefactor, 0.0), activation_energy=(energy, 0.0))
    plain, _ = _dead_end(1, 10, [Reaction("A -> B", k_f=K)])
    warm, _ = _dead_end(1, 10, [arrhenius])
    assert warm.boundary_flux["A"]["left"] == pytest.approx(
        plain.boundary_flux["A"]["left"], rel=1e-12
    )
    assert warm.pressure_difference == pytest.approx(plain.pressure_difference, rel=1e-12)
