"""Heterogeneous reactions on internal interfaces (issue 18): the binary EMCD model.

Reference: a two-layer slab, x_A = x_0 at z = 0 and x_L at z = L_1 + L_2, a surface
reaction at the interface z = L_1 (``analytic.reactions.interface_reaction_slab``): the
profile is linear in each layer, the interface value solves one scalar equation (closed
form for a first-order rate, checked here against an independent linear solve of the
interface balances; Brent's method for a second-order rate). P1 on meshes with the
interface on nodes reproduces piecewise-linear profiles exactly, so every flux must match
to solver round-off: 1e-10 relative to the inflow (LU/CG at rtol ≤ 1e-12 leave ~1e-13).
"""

import math

import numpy as np
import pytest
from dolfinx import fem

import emcd_fem as ef
from emcd_fem.analytic.reactions import interface_reaction_slab
from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.models.transport import SpeciesTransportModel

L1, L2, D1, D2, C1, C2 = 1e-3, 2e-3, 1e-5, 3e-5, 40.0, 25.0
X0, XL = 0.9, 0.05
KF, KB = 0.03, 0.005  # [m/s]: x_eq = 1/7, away from the interface values (no cancellation)
K_S, X_EQ = KF + KB, KB / (KF + KB)
KAPPA_K = 0.6  # partition K_ab = c_A,b / c_A,a: x_b/x_a = K c_a/c_b at equilibrium
FILM = 0.3  # [mol/(m^2 s)]

#: interface kind → (model keywords, κ = H_b/H_a = x_b/x_a at equilibrium, film k);
#: c_b H_b = K c_a H_a, so a partition K gives κ = K c_a/c_b; without one x_A is continuous
KINDS = {
    "continuous": ({}, 1.0, None),
    "partition": ({"partitions": {("a", "b"): KAPPA_K}}, KAPPA_K * C1 / C2, None),
    "film": ({"films": {("a", "b"): FILM}}, 1.0, FILM),
}


def _kappa(kind: str) -> float:
    return KINDS[kind][1]


# -- the reference against an independent solve ----------------------------------------------
@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("side", ["a", "b"])
def test_closed_form_matches_the_interface_balances(kind, side):
    """The closed form against the interface balances solved as a linear system."""
    kappa, film = _kappa(kind), KINDS[kind][2]
    ref = interface_reaction_slab(
        (L1, L2), (D1, D2), (C1, C2), X0, XL, k_s=K_S, x_eq=X_EQ, kappa=kappa, film=film, side=side
    )
    g1, g2 = C1 * D1 / L1, C2 * D2 / L2
    c_s = C1 if side == "a" else C2
    # unknowns (x_a, x_b); rows: the interface law, then the balance of the reacting side
    A, b = np.zeros((2, 2)), np.zeros(2)
    if film is None:
        A[0] = [kappa, -1.0]  # x_b = κ x_a
        # N_1 − N_2 = q: g1 (x0 − x_a) − g2 (x_b − xL) = c k (s − x_eq)
        A[1] = [-g1, -g2]
        A[1, 0 if side == "a" else 1] -= c_s * K_S
        b[1] = -g1 * X0 - g2 * XL - c_s * K_S * X_EQ
    else:  # J = k (x_a − x_b/κ) is N_2 (side a) or N_1 (side b)
        if side == "a":
            A[0] = [film, -film / kappa - g2]  # J = N_2
            b[0] = -g2 * XL
            A[1] = [-g1 - c_s * K_S - film, film / kappa]  # N_1 = J + q
            b[1] = -g1 * X0 - c_s * K_S * X_EQ
        else:
            A[0] = [film + g1, -film / kappa]  # J = N_1
            b[0] = g1 * X0
            A[1] = [film, -film / kappa - g2 - c_s * K_S]  # J = N_2 + q
            b[1] = -g2 * XL - c_s * K_S * X_EQ
    x_a, x_b = np.linalg.solve(A, b)
    assert math.isclose(ref.x_a, x_a, rel_tol=1e-13) and math.isclose(ref.x_b, x_b, rel_tol=1e-13)
    assert math.isclose(ref.flux_1, g1 * (X0 - x_a), rel_tol=1e-12)
    assert math.isclose(ref.flux_2, g2 * (x_b - XL), rel_tol=1e-12)
    # the same equation by Brent's method (the nonlinear route) with the linear law
    brent = interface_reaction_slab(
        (L1, L2),
        (D1, D2),
        (C1, C2),
        X0,
        XL,
        kappa=kappa,
        film=film,
        side=side,
        rate=lambda s: c_s * K_S * (s - X_EQ),
        bracket=(-1.0, 2.0),
    )
    assert math.isclose(brent.consumption, ref.consumption, rel_tol=1e-12)


# -- the model --------------------------------------------------------------------------------
def _solve(kind, side, dim, reaction=None, temperature=None):
    domain = ef.layered_slab(
        [L1, L2],
        region_names=["a", "b"],
        dim=dim,
        cells_per_layer=[3, 4],
        cells_across=2,
        interfaces=True,  # names the interface "a|b"
    )
    keywords = KINDS[kind][0]
    reaction = reaction or Reaction(
        "A <=> B", kind="surface", boundary="a|b", k_f=KF, k_b=KB, side=side
    )
    if callable(temperature):
        temperature = temperature(domain)
    model = SpeciesTransportModel(
        domain,
        {"a": ef.Material(D1, C1), "b": ef.Material(D2, C2)},
        {"left": ef.MoleFraction(X0), "right": ef.MoleFraction(XL)},
        reactions=[reaction],
        temperature=temperature,
        petsc_options={"ksp_type": "preonly", "pc_type": "lu"},
        **keywords,
    )
    return domain, model.solve()


def _check_fluxes(domain, sol, ref, tol=1e-10):
    area = domain.slab.area
    q = sol.boundary_flux
    scale = ref.flux_1 * area
    assert abs(-q["left"] - ref.flux_1 * area) < tol * scale
    assert abs(q["right"] - ref.flux_2 * area) < tol * scale
    assert abs(q["a|b"] - ref.consumption * area) < tol * scale  # the interface's consumption
    assert abs(sol.reactions["interface_flux"]["a|b"] - ref.consumption * area) < tol * scale
    assert sol.balance < 1e-12  # inflow − outflow = consumption at the interface


@pytest.mark.parametrize("dim", [1, 2, 3])
@pytest.mark.parametrize(
    ("kind", "side"),
    [(kind, side) for kind in ("continuous", "partition", "film") for side in ("a", "b")],
)
def test_interface_reaction_slab_is_exact(kind, side, dim):
    domain, sol = _solve(kind, side, dim)
    ref = interface_reaction_slab(
        (L1, L2),
        (D1, D2),
        (C1, C2),
        X0,
        XL,
        k_s=K_S,
        x_eq=X_EQ,
        kappa=_kappa(kind),
        film=KINDS[kind][2],
        side=side,
    )
    _check_fluxes(domain, sol, ref)
    assert sol.reactions["interfaces"] == {"a|b": side}
    if dim == 1:  # the whole profile, node by node, jumps included (DG field per cell)
        x = sol.mole_fraction
        cells = np.arange(domain.mesh.topology.index_map(1).size_local)
        dofs = x.function_space.dofmap.list[cells]
        coords = x.function_space.tabulate_dof_coordinates()[:, 0]
        mid = coords[dofs].mean(axis=1)
        for c, d in zip(cells, dofs, strict=True):
            z = coords[d]
            left = mid[c] < L1
            exact = np.where(
                left, X0 + (ref.x_a - X0) * z / L1, ref.x_b + (XL - ref.x_b) * (z - L1) / L2
            )
            assert np.allclose(x.x.array[d], exact, atol=1e-12)


def test_second_order_rate_against_brent():
    """2 A ⇌ 2 B on a partition interface (side b): Newton, vs the scalar equation."""
    reaction = Reaction("2 A <=> 2 B", kind="surface", boundary="a|b", k_f=0.4, k_b=0.05, side="b")
    domain, sol = _solve("partition", "b", 1, reaction=reaction)
    assert sol.iterations >= 1  # the Newton path (the rate is in the Jacobian)
    rate = lambda s: 2 * C2 * (0.4 * s**2 - 0.05 * (1 - s) ** 2)  # noqa: E731  ν_A = −2
    ref = interface_reaction_slab(
        (L1, L2), (D1, D2), (C1, C2), X0, XL, kappa=_kappa("partition"), side="b", rate=rate
    )
    # Newton stops at an absolute residual ~1e-10 of fluxes ~10: 1e-10 relative to the inflow
    _check_fluxes(domain, sol, ref, tol=1e-10)


def test_arrhenius_rate_with_a_temperature():
    """k = A exp(−E/(R T)) at the interface's T (a prescribed linear T field): closed form."""
    T, E = 450.0, 2.0e4  # T at the interface z = L1 [K]
    A_f, A_b = KF * math.exp(E / (GAS_CONSTANT * T)), KB * math.exp(E / (GAS_CONSTANT * T))
    reaction = Reaction(
        "A <=> B",
        kind="surface",
        boundary="a|b",
        arrhenius_A=(A_f, A_b),
        activation_energy=(E, E),
        side="a",
    )
    field = None

    def temperature(domain):  # 300 K at z = 0, T at the interface, linear: P1 exact
        nonlocal field
        field = fem.Function(fem.functionspace(domain.mesh, ("Lagrange", 1)))
        field.interpolate(lambda p: 300.0 + (T - 300.0) * p[0] / L1)
        return field

    domain, sol = _solve("continuous", "a", 1, reaction=reaction, temperature=temperature)
    ref = interface_reaction_slab(
        (L1, L2), (D1, D2), (C1, C2), X0, XL, k_s=K_S, x_eq=X_EQ, kappa=1.0
    )
    _check_fluxes(domain, sol, ref, tol=1e-10)


# -- refusals ---------------------------------------------------------------------------------
def _model(reactions, c_b=C1, **keywords):
    domain = ef.layered_slab(
        [L1, L2],
        region_names=["a", "b"],
        dim=1,
        cells_per_layer=2,
        interfaces=keywords.pop("interfaces", True),
    )
    return SpeciesTransportModel(
        domain,
        {"a": ef.Material(D1, C1), "b": ef.Material(D2, c_b)},
        {"left": ef.MoleFraction(X0), "right": ef.MoleFraction(XL)},
        reactions=reactions,
        **keywords,
    )


def _surface(equation="A <=> B", boundary="a|b", side=None):
    return Reaction(equation, kind="surface", boundary=boundary, k_f=KF, k_b=KB, side=side)


def test_refusals():
    for keywords in ({"partitions": {("a", "b"): 2.0}}, {"films": {("a", "b"): 1.0}}):
        with pytest.raises(EmcdInputError, match=r"x_A jumps there.*give side = 'a' or side"):
            _model([_surface()], **keywords)
    with pytest.raises(EmcdInputError, match=r"c differs there.*give side = 'a' or side"):
        _model([_surface()], c_b=C2)  # x_A continuous, but r = k c x_A: whose c?
    with pytest.raises(EmcdInputError, match="side 'c' is not a region on this interface"):
        _model([_surface(side="c")])
    with pytest.raises(EmcdInputError, match="side is for reactions on internal interfaces"):
        _model([_surface(boundary="right", side="b")])
    with pytest.raises(EmcdInputError, match="must name the same side"):
        _model([_surface(side="a"), _surface(side="b")])
    with pytest.raises(EmcdInputError, match="Δν"):  # R_T ≠ 0 at an interface
        _model([Reaction("A -> 2 B", kind="surface", boundary="a|b", k_f=KF)])
    with pytest.raises(EmcdInputError, match=r"'a\|c' is not an interface of this domain"):
        _model([_surface(boundary="a|c")])
    with pytest.raises(EmcdInputError, match=r"layered_slab\(\.\.\., interfaces=True\)"):
        _model([_surface()], interfaces=False)  # the slab's interfaces are not named


def test_side_of_a_continuous_interface_is_optional_and_equivalent():
    """Same x_A and c on both sides: no side needed, and either side gives the same rate."""
    fluxes = []
    for side in (None, "a", "b"):
        sol = _model([_surface(side=side)]).solve()
        fluxes.append(sol.boundary_flux["a|b"])
        assert sol.balance < 1e-12
    ref = interface_reaction_slab((L1, L2), (D1, D2), (C1, C1), X0, XL, k_s=K_S, x_eq=X_EQ)
    assert np.allclose(fluxes, ref.consumption, rtol=1e-10, atol=0)


@pytest.mark.parametrize(("kind", "side"), [("partition", "a"), ("film", "b")])
def test_reversed_interface_name_is_the_same_interface(kind, side):
    """'b|a' names the interface 'a|b' (it used to be "not an interface"); the side still
    decides the side: the closed form of that side, reported under the domain's name."""
    reaction = Reaction("A <=> B", kind="surface", boundary="b|a", k_f=KF, k_b=KB, side=side)
    domain, sol = _solve(kind, side, 2, reaction=reaction)
    ref = interface_reaction_slab(
        (L1, L2), (D1, D2), (C1, C2), X0, XL, k_s=K_S, x_eq=X_EQ, kappa=_kappa(kind),
        film=KINDS[kind][2], side=side,
    )  # fmt: skip
    _check_fluxes(domain, sol, ref)  # exact for P1 (interface on nodes): 1e-10
    assert sol.reactions["interfaces"] == {"a|b": side}
    with pytest.raises(EmcdInputError, match="side 'c' is not a region on this interface"):
        _model([_surface(boundary="b|a", side="c")])


def test_facet_group_reaching_inside_a_region_is_refused():
    """A group with a facet inside region b (not between a and b): refused by name."""
    import dataclasses

    from dolfinx import mesh as dmesh

    domain = ef.layered_slab(
        [L1, L2], region_names=["a", "b"], dim=1, cells_per_layer=2, interfaces=True
    )
    tag = domain.interfaces["a|b"]
    tags = domain.facet_tags
    inside = dmesh.locate_entities(domain.mesh, 0, lambda p: np.isclose(p[0], L1 + L2 / 2))
    facets = np.concatenate([tags.indices, inside]).astype(np.int32)
    values = np.concatenate([tags.values, np.full(inside.size, tag, np.int32)])
    order = np.argsort(facets)
    mixed = dmesh.meshtags(domain.mesh, 0, facets[order], values[order])
    domain = dataclasses.replace(domain, facet_tags=mixed)
    with pytest.raises(EmcdInputError, match="1 of its facets lie inside region 'b'"):
        SpeciesTransportModel(
            domain,
            {"a": ef.Material(D1, C1), "b": ef.Material(D2, C1)},
            {"left": ef.MoleFraction(X0), "right": ef.MoleFraction(XL)},
            reactions=[_surface()],
        )
