"""Reactions (issue 18 items 4–7): closed forms, the reacting model, the R_T check, Stefan flow.

References: the cosh/sinh solutions of A ⇌ B in a slab (``analytic.reactions``, checked
here against ``scipy.integrate.solve_bvp``), the effectiveness factors tanh φ/φ and
3 (φ coth φ − 1)/φ², and the Stefan closed form (checked against an ODE integration).
"""

import math

import numpy as np
import pytest
import ufl
from dolfinx import fem
from scipy.integrate import solve_bvp, solve_ivp

import emcd_fem as ef
from emcd_fem.analytic.reactions import (
    effectiveness_factor,
    isomerization_slab,
    isomerization_slab_flux,
    isomerization_wall,
    stefan_flux,
    stefan_profile,
)
from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.stoichiometry import Reaction, parse_equation
from emcd_fem.models.stefan import StefanFilm
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.post.integrals import integrate

L, C, D = 1e-3, 40.0, 1e-5
KF, KB = 50.0, 20.0
K, XEQ = KF + KB, KB / (KF + KB)


# -- parsing and the R_T verdict ------------------------------------------------------------
def test_parse_equations_and_delta_nu():
    s = parse_equation("A + B <=> C + D")
    assert s.reactants == {"A": 1.0, "B": 1.0} and s.products == {"C": 1.0, "D": 1.0}
    assert s.reversible and s.delta_nu == 0
    s = parse_equation("A -> 2 B")
    assert not s.reversible and s.delta_nu == 1 and s.net("A") == -1 and s.net("B") == 2
    assert parse_equation("2A + B -> C").delta_nu == -2
    for bad in ("A B", "A -> ", "A -> 0 B", "-> B"):
        with pytest.raises(EmcdInputError):
            parse_equation(bad)


def test_a_species_repeated_on_one_side_adds_up():
    # 'A + A <=> B + B' is '2 A <=> 2 B' (same stoichiometry, same mass-action rate x_A²):
    # it used to be refused ("A appears twice on one side")
    assert parse_equation("A + A <=> B + B") == parse_equation("2 A <=> 2 B")
    assert parse_equation("A + 2 A -> 0") == parse_equation("3 A -> 0")
    s = Reaction("A + A <=> B + B", k_f=1.0, k_b=1.0).stoichiometry
    assert s.reactants == {"A": 2.0} and s.products == {"B": 2.0} and s.delta_nu == 0


def test_atom_counts_and_balance():
    from emcd_fem.materials.stoichiometry import atom_counts, atom_imbalance

    assert atom_counts("C4H10") == {"C": 4, "H": 10}
    assert atom_counts("NO2") == {"N": 1, "O": 2}
    assert atom_imbalance(parse_equation("A -> 2 B"), {"A": "N2O4", "B": "NO2"}) == {}
    assert atom_imbalance(parse_equation("A <=> B"), {"A": "C4H10", "B": "C4H8"}) == {"H": -2}
    assert atom_imbalance(parse_equation("A <=> B"), {"A": "C4H10"}) is None
    for bad in ("C4(H10)", "c4h10", "", "Na+"):
        with pytest.raises(EmcdInputError, match="formula"):
            atom_counts(bad)


# -- closed forms against independent numerics -----------------------------------------------
def _bvp(rhs, bc, singular=None):  # on ζ = z/L ∈ [0, 1] (so that tol means 1e-10)
    z = np.linspace(0.0, 1.0, 201)
    y = np.zeros((2, z.size))
    sol = solve_bvp(rhs, bc, z, y, S=singular, tol=1e-10, max_nodes=100000)
    assert sol.status == 0
    return sol


def test_isomerization_closed_forms_match_solve_bvp():
    m2 = K * L**2 / D  # x'' = φ² (x − x_eq) in ζ = z/L
    ode = lambda z, y: np.vstack([y[1], m2 * (y[0] - XEQ)])  # noqa: E731
    sol = _bvp(ode, lambda a, b: np.array([a[0] - 0.9, b[0] - 0.1]))
    zeta = np.linspace(0, 1, 17)
    exact = isomerization_slab(zeta * L, L, 0.9, 0.1, K, D, XEQ)
    assert np.allclose(exact, sol.sol(zeta)[0], atol=1e-8)
    flux = isomerization_slab_flux(0.0, C, L, 0.9, 0.1, K, D, XEQ)
    assert math.isclose(flux, -C * D / L * sol.sol(0.0)[1], rel_tol=1e-6)
    k_s, xs = 0.02, 0.5  # wall: −D x'(L) = k_s (x − x_s,eq)
    sol = _bvp(ode, lambda a, b: np.array([a[0] - 0.9, -D / L * b[1] - k_s * (b[0] - xs)]))
    exact = isomerization_wall(zeta * L, L, 0.9, K, D, XEQ, k_s, xs)
    assert np.allclose(exact, sol.sol(zeta)[0], atol=1e-8)


def test_effectiveness_factors_match_radial_odes():
    # η = (flux through the surface) / (k V (x_s − x_eq)) with u'' + (s/r) u' = φ² u, u(1) = 1
    for shape, s in (("slab", 0), ("cylinder", 1), ("sphere", 2)):
        for phi in (0.3, 2.0, 6.0):
            ode = lambda r, y, phi=phi: np.vstack([y[1], phi**2 * y[0]])  # noqa: E731
            singular = np.array([[0.0, 0.0], [0.0, -float(s)]])  # the −(s/r) u' term
            sol = _bvp(ode, lambda a, b: np.array([a[1], b[0] - 1.0]), singular)
            eta = sol.sol(1.0)[1] * (s + 1) / phi**2  # surface flux × S/V over k V
            assert math.isclose(effectiveness_factor(shape, phi), eta, rel_tol=1e-6), (shape, phi)
    assert math.isclose(effectiveness_factor("sphere", 1e-5), 1.0, rel_tol=1e-9)


def test_stefan_closed_form_matches_ode_integration():
    for nu in (0.0, 0.5, 2.0, 1.0):
        flux = stefan_flux(C, D, L, 0.8, 0.1, nu)
        a = 1 - nu
        sol = solve_ivp(
            lambda z, x: [flux * (a * x[0] - 1) / (C * D)], (0, L), [0.8], rtol=1e-12, atol=1e-14
        )
        assert abs(sol.y[0, -1] - 0.1) < 1e-9, nu
        z = np.linspace(0, L, 5)
        x = stefan_profile(z, C, D, L, 0.8, 0.1, nu)
        assert abs(x[0] - 0.8) < 1e-14 and abs(x[-1] - 0.1) < 1e-12
    emcd = C * D * 0.7 / L  # ν → 1 is EMCD
    assert math.isclose(stefan_flux(C, D, L, 0.8, 0.1, 1 - 1e-6), emcd, rel_tol=1e-5)


# -- the reacting EMCD model --------------------------------------------------------------------
def _slab_model(n, conditions, reactions, *, dim=1, degree=1):
    domain = ef.layered_slab([L], region_names=["cat"], dim=dim, cells_per_layer=n)
    return SpeciesTransportModel(
        domain, {"cat": ef.Material(D, C)}, conditions, reactions=reactions, degree=degree
    )


def _max_error(x, exact):
    z = x.function_space.tabulate_dof_coordinates()[:, 0]
    return float(np.abs(x.x.array - exact(z)).max())


def test_isomerization_slab_dirichlet_ends_converges_at_order_two():
    errors, flux_errors = [], []
    exact = lambda z: isomerization_slab(z, L, 0.9, 0.1, K, D, XEQ)  # noqa: E731
    q_left = -isomerization_slab_flux(0.0, C, L, 0.9, 0.1, K, D, XEQ)  # outward at z = 0
    q_right = isomerization_slab_flux(L, C, L, 0.9, 0.1, K, D, XEQ)
    for n in (10, 20, 40):
        bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
        sol = _slab_model(n, bcs, [Reaction("A <=> B", k_f=KF, k_b=KB)]).solve()
        errors.append(_max_error(sol.mole_fraction, exact))
        q = sol.boundary_flux
        flux_errors.append(max(abs(q["left"] - q_left), abs(q["right"] - q_right)) / abs(q_left))
        # balance: Σ q_Γ = ∫ R_A dx to solver tolerance (one R_A expression for both)
        assert sol.balance < 1e-12
        assert math.isclose(sol.production, sol.reactions["production"]["cat"], rel_tol=1e-14)
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    flux_orders = np.log2(np.array(flux_errors[:-1]) / np.array(flux_errors[1:]))
    # P1 nodal error and consistent-flux error both O(h²): observed orders within 0.1 of 2
    assert np.all(orders > 1.9), orders
    assert np.all(flux_orders > 1.9), flux_orders
    # and small in absolute terms: at h = L/40, (h/L)² = 6.25e-4 times the O(1) constants
    # the three meshes show (0.05 and 0.25)
    assert errors[-1] < 5e-5 and flux_errors[-1] < 2e-4
    assert sol.reactions["equimolar"].startswith("yes")


def test_isomerization_with_catalytic_wall_converges():
    k_s, ks_f, ks_b = 0.02, 0.012, 0.008  # wall A ⇌ B: k_s = k_f + k_b, x_s,eq = 0.4
    exact = lambda z: isomerization_wall(z, L, 0.9, K, D, XEQ, k_s, ks_b / k_s)  # noqa: E731
    errors, wall_errors = [], []
    for n in (10, 20, 40):
        reactions = [
            Reaction("A <=> B", k_f=KF, k_b=KB),
            Reaction("A <=> B", kind="surface", boundary="right", k_f=ks_f, k_b=ks_b),
        ]
        sol = _slab_model(n, {"left": ef.MoleFraction(0.9)}, reactions).solve()
        errors.append(_max_error(sol.mole_fraction, exact))
        x_wall = float(exact(L))
        wall = C * k_s * (x_wall - ks_b / k_s)  # N_A·n at the wall from the exact state
        wall_errors.append(abs(sol.boundary_flux["right"] - wall) / abs(wall))
        assert sol.balance < 1e-12
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    wall_orders = np.log2(np.array(wall_errors[:-1]) / np.array(wall_errors[1:]))
    assert np.all(orders > 1.9), orders  # P1: O(h²)
    assert np.all(wall_orders > 1.9), wall_orders  # the wall flux c k_s (x_h(L) − x_eq): same
    assert wall_errors[-1] < 2e-3


def test_nb_equals_minus_na_at_every_boundary():
    # B's own balance, assembled independently: N_B = −c D ∇x_B with x_B = 1 − x_A, R_B = ν_B r
    # from the stoichiometry; its consistent boundary flux q_B,Γ = ∫ N_B·n g_Γ = −F_B(g_Γ)
    # with F_B(w) = −∫ N_B·∇w − ∫ R_B w (g_Γ = 1 on Γ's nodes) must be −q_A,Γ (solver tol.) at
    # the Dirichlet end and at the reacting wall, where q_A comes from the model's wall term
    reactions = [
        Reaction("A <=> B", k_f=KF, k_b=KB),
        Reaction("B <=> A", kind="surface", boundary="right", k_f=0.01, k_b=0.03),
    ]
    model = _slab_model(16, {"left": ef.MoleFraction(0.9)}, reactions)
    sol = model.solve()
    x = sol.potentials[0]  # x_A = μ (one block, no partition): the continuous P1 field
    domain, V = model.domain, x.function_space
    xb = 1 - x
    rate_h = C * (KF * x - KB * xb)  # A ⇌ B: ν_B = +1
    w = ufl.TestFunction(V)
    F_B = ufl.inner(C * D * ufl.grad(xb), ufl.grad(w)) * domain.dx - rate_h * w * domain.dx
    flux_b = {}
    for name in ("left", "right"):
        g = fem.Function(V)
        facets = domain.facet_tags.find(domain.boundaries[name])
        g.x.array[fem.locate_dofs_topological(V, 0, facets)] = 1.0
        flux_b[name] = -integrate(fem.form(ufl.replace(F_B, {w: g})))
    scale = max(abs(v) for v in sol.boundary_flux.values())
    for name in ("left", "right"):
        assert abs(flux_b[name] + sol.boundary_flux[name]) < 1e-10 * scale, name


def test_effectiveness_factor_of_a_slab():
    # half-slab of thickness l, open at z = 0 (x_s), closed at z = l: η = tanh φ/φ, φ = l√(k/D)
    observed = []
    for n in (10, 20):
        sol = _slab_model(
            n, {"left": ef.MoleFraction(0.9)}, [Reaction("A <=> B", k_f=KF, k_b=KB)]
        ).solve()
        info = sol.reactions["thiele"]["cat"]
        assert math.isclose(info["phi"], L * math.sqrt(K / D), rel_tol=1e-12)
        observed.append(abs(info["eta_observed"] - info["eta_slab"]))
    assert observed[1] < observed[0] / 3.5 and observed[1] < 1e-3 * info["eta_slab"]  # O(h²)


def _ball(radius, size, comm):
    import gmsh

    from emcd_fem.geometry.gmsh_model import domain_from_gmsh

    def build():
        gmsh.model.add("ball")
        ball = gmsh.model.occ.addSphere(0, 0, 0, radius)
        gmsh.model.occ.synchronize()
        gmsh.model.addPhysicalGroup(3, [ball], 1, name="pellet")
        surface = [s for _, s in gmsh.model.getBoundary([(3, ball)], oriented=False)]
        gmsh.model.addPhysicalGroup(2, surface, 1, name="outer")
        gmsh.option.setNumber("Mesh.MeshSizeMax", size)
        gmsh.model.mesh.generate(3)

    return domain_from_gmsh(build, gdim=3, comm=comm)


def test_effectiveness_factor_of_a_sphere():
    from mpi4py import MPI

    radius, phi = 1.0, 3.0
    k = phi**2 * D / radius**2
    eta = effectiveness_factor("sphere", phi)
    errors = []
    for size in (0.5, 0.25):
        domain = _ball(radius, size, MPI.COMM_WORLD)
        sol = SpeciesTransportModel(
            domain,
            {"pellet": ef.Material(D, C)},
            {"outer": ef.MoleFraction(0.5)},
            reactions=[Reaction("A -> B", k_f=k)],
            degree=2,
        ).solve()
        info = sol.reactions["thiele"]["pellet"]
        # V/S of the (faceted) ball is ≈ R/3, so the sphere formula at 3 φ_Aris is the one here
        assert math.isclose(info["eta_sphere"], eta, rel_tol=0.02)
        errors.append(abs(info["eta_observed"] - eta) / eta)
    # P2 on a faceted ball: geometric error O(h²) dominates; both the decrease and the final
    # agreement (2 %) are what that allows at h = R/4
    assert errors[1] < errors[0] and errors[1] < 0.02, errors


def test_nonlinear_second_order_rate_goes_through_newton():
    # 2 A <=> 2 B (Δν = 0, order 2): R_A = −2 c (k_f x² − k_b (1 − x)²); solve_bvp reference
    kf, kb = 40.0, 10.0
    scale = 2 * L**2 / D  # in ζ = z/L
    ode = lambda z, y: np.vstack([y[1], scale * (kf * y[0] ** 2 - kb * (1 - y[0]) ** 2)])  # noqa: E731
    ref = _bvp(ode, lambda a, b: np.array([a[0] - 0.9, b[0] - 0.1]))
    errors = []
    for n in (10, 20, 40):
        bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
        sol = _slab_model(n, bcs, [Reaction("2 A <=> 2 B", k_f=kf, k_b=kb)]).solve()
        assert sol.iterations >= 1 and sol.balance < 1e-10
        errors.append(_max_error(sol.mole_fraction, lambda z: ref.sol(z / L)[0]))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(orders > 1.8), orders  # P1 O(h²); the reference is 1e-10 accurate


def test_arrhenius_constants_with_a_uniform_temperature_equal_plain_constants():
    T, e_f, e_b = 500.0, 2e4, 1e4
    a_f = KF / math.exp(-e_f / (GAS_CONSTANT * T))
    a_b = KB / math.exp(-e_b / (GAS_CONSTANT * T))
    domain = ef.layered_slab([L], region_names=["cat"], cells_per_layer=12)
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
    arr = Reaction("A <=> B", arrhenius_A=(a_f, a_b), activation_energy=(e_f, e_b))
    field = fem.Function(fem.functionspace(domain.mesh, ("Lagrange", 1)))
    field.x.array[:] = T  # a prescribed temperature field [K]
    hot = SpeciesTransportModel(
        domain, {"cat": ef.Material(D, C)}, bcs, reactions=[arr], temperature=field
    ).solve()
    plain = _slab_model(12, bcs, [Reaction("A <=> B", k_f=KF, k_b=KB)]).solve()
    for name in ("left", "right"):
        assert math.isclose(hot.boundary_flux[name], plain.boundary_flux[name], rel_tol=1e-10)
    with pytest.raises(EmcdInputError, match="need a temperature"):
        _slab_model(4, bcs, [arr])


# -- the R_T check ------------------------------------------------------------------------------
def test_dissociation_rejected_by_emcd_with_the_stefan_model_named():
    bcs = {"left": ef.MoleFraction(0.9)}
    with pytest.raises(EmcdInputError) as err:
        _slab_model(4, bcs, [Reaction("A -> 2 B", kind="surface", boundary="right", k_f=1.0)])
    text = str(err.value)
    assert "'A -> 2 B'" in text and "Δν = +1" in text and "1 mol → 2 mol" in text
    assert "N_A + N_B = 0" in text and "Stefan-flow model" in text


def test_homogeneous_dissociation_in_2d_rejected_with_momentum_explanation():
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
    with pytest.raises(EmcdInputError) as err:
        _slab_model(4, bcs, [Reaction("A -> 2 B", k_f=1.0)], dim=2)
    text = str(err.value)
    assert "Δν = +1" in text and "momentum equation" in text and "issue 20" in text


def test_unknown_species_and_negative_constants_rejected():
    bcs = {"left": ef.MoleFraction(0.9)}
    with pytest.raises(EmcdInputError, match="unknown species 'C'"):
        _slab_model(4, bcs, [Reaction("A <=> C", k_f=1.0)])
    for key in ("k_f", "k_b"):
        with pytest.raises(EmcdInputError, match=key):
            Reaction("A <=> B", **{key: -1.0})
    with pytest.raises(EmcdInputError, match="k_f"):
        Reaction("A <=> B", k_f=float("inf"))


# -- Stefan flow ---------------------------------------------------------------------------------
@pytest.mark.parametrize("nu", [0.0, 0.5, 2.0])
def test_stefan_film_matches_closed_form_with_order_two(nu):
    exact = stefan_flux(C, D, L, 0.8, 0.1, nu)
    errors = []
    for n in (10, 20, 40):
        domain = ef.layered_slab([L], cells_per_layer=n)
        sol = StefanFilm(domain, ef.Material(D, C), nu, 0.8, x_wall=0.1).solve()
        errors.append(abs(sol.flux_A - exact) / exact)
        assert math.isclose(sol.flux_B, -nu * sol.flux_A, rel_tol=1e-14)
        assert math.isclose(sol.ratio, sol.flux_A / (C * D * 0.7 / L), rel_tol=1e-12)
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(orders > 1.9), orders  # P1 consistent flux: O(h²)
    assert errors[-1] < 2e-4
    # a finite wall rate: the FE wall flux is c k_s x_wall and matches the closed form there
    domain = ef.layered_slab([L], cells_per_layer=40)
    film = StefanFilm(domain, ef.Material(D, C), nu, 0.8, k_s=0.01)
    sol = film.solve()
    assert math.isclose(sol.flux_A, C * 0.01 * sol.x_wall, rel_tol=1e-9)
    assert math.isclose(sol.flux_A, film.closed_form_flux(sol.x_wall), rel_tol=2e-4)


def test_reaction_with_partition_and_film_matches_closed_form():
    # layer a (0 ≤ z ≤ La) reacts (A ⇌ B), layer b (La ≤ z ≤ L) is inert; film k between with
    # partition K (equal c: κ = K): x_a = x_eq + α cosh mz + β sinh mz, x_b = γ + δ (z − La),
    # x(0) = 0.9, x(L) = 0.1, −c D_a x_a'(La) = −c D_b δ = k (x_a(La) − γ/κ). P1: O(h²)
    la, lb, d_b, k_film, kappa = 0.6e-3, 0.4e-3, 4e-6, 0.05, 0.5
    m = math.sqrt(K / D)
    alpha = 0.9 - XEQ
    ch, sh = math.cosh(m * la), math.sinh(m * la)
    # unknowns (β, γ, δ)
    A = np.array(
        [
            [0.0, 1.0, lb],  # γ + δ lb = 0.1
            [C * D * m * ch, 0.0, -C * d_b],  # c D_a u'(La) = c D_b δ
            [-C * D * m * ch - k_film * sh, k_film / kappa, 0.0],  # N = k (x_a − γ/κ)
        ]
    )
    b = np.array(
        [0.1, -C * D * m * alpha * sh, C * D * m * alpha * sh + k_film * (XEQ + alpha * ch)]
    )
    _, _, delta = np.linalg.solve(A, b)  # (β, γ, δ)
    exact = -C * d_b * delta  # N_A through b (+z): outward flux at the right end
    errors = []
    for n in (6, 12, 24):
        domain = ef.layered_slab([la, lb], region_names=["a", "b"], cells_per_layer=[n, n])
        sol = SpeciesTransportModel(
            domain,
            {"a": ef.Material(D, C), "b": ef.Material(d_b, C)},
            {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)},
            films={("a", "b"): k_film},
            partitions={("a", "b"): kappa},
            reactions=[Reaction("A <=> B", regions=("a",), k_f=KF, k_b=KB)],
        ).solve()
        errors.append(abs(sol.boundary_flux["right"] - exact) / abs(exact))
        assert sol.balance < 1e-10
        assert math.isclose(sol.film_flux[("a", "b")], exact, rel_tol=0.05)
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(orders > 1.8), (orders, errors)  # P1 O(h²); layer b is FE-exact
    assert errors[-1] < 5e-4  # 1.9e-4 at 24 cells per layer


def test_reaction_on_an_internal_interface_without_facets_is_refused():
    # interface reactions run (tests/test_interface_reactions.py); a facet group that has
    # no facets on the mesh is refused by name
    import dataclasses

    domain = ef.layered_slab([L], region_names=["cat"], cells_per_layer=4)
    domain = dataclasses.replace(domain, interfaces={"mid": 7})  # an internal facet group
    with pytest.raises(EmcdInputError, match="interface 'mid': the interface has no facets"):
        SpeciesTransportModel(
            domain,
            {"cat": ef.Material(D, C)},
            {"left": ef.MoleFraction(0.9)},
            reactions=[Reaction("A <=> B", kind="surface", boundary="mid", k_f=1.0)],
        )
