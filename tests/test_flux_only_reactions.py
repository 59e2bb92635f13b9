"""Flux-only data with first-order reactions (issue 18, tester finding): the reaction fixes
x_A, so no inventory is needed and the steady state is unique for any feed.

With every boundary prescribing a flux, a reaction A ⇌ B consumes A at
q = c (k_f + k_b)(x_A − x_eq): the level x_A is fixed by the feed. The references are
closed forms derived here for a feed q [mol/(m^2 s)] entering at z = 0 and no flux at the
far end, so that all of q is consumed:

* a reacting **interface** at z = L_1 (side s, c_s): x_s = x_eq + q/(c_s k_s); the side
  away from the feed is uniform; across a partition x_b = κ x_a, across a film
  q = k (x_a − x_b/κ) when the rate sits on side b (no film flux when it sits on side a);
  layer 1 is linear, x(0) = x_a + q L_1/(c_1 D_1). P1 with the interface on nodes is
  exact: every nodal value to 1e-12 (LU round-off);
* a reacting **wall** at z = L: x(L) = x_eq + q/(c k_s), linear profile: exact for P1;
* a **homogeneous** reaction in the slab: x = x_eq + q L cosh(φ (1 − z/L))/(c D φ sinh φ),
  φ = L √(k/D); P1 converges at O(h²) (observed order > 1.8).
"""

import math

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.stoichiometry import Reaction, flux_only_problem
from emcd_fem.models.transport import SpeciesTransportModel

L1, L2, D1, D2, C1, C2 = 1e-3, 2e-3, 1e-5, 3e-5, 40.0, 25.0
KF, KB = 0.03, 0.005  # [m/s] (surface) or [1/s] (homogeneous, rescaled below)
K_S, X_EQ = KF + KB, KB / (KF + KB)
Q = 2e-3  # feed [mol/(m^2 s)] entering at z = 0
KAPPA_K, FILM = 0.6, 0.3
KINDS = {  # kind → (model keywords, κ = x_b/x_a at equilibrium, film k [mol/(m^2 s)])
    "continuous": ({}, 1.0, None),
    "partition": ({"partitions": {("a", "b"): KAPPA_K}}, KAPPA_K * C1 / C2, None),
    "film": ({"films": {("a", "b"): FILM}}, 1.0, FILM),
}
FEED = {"left": ef.MolarFlux(-Q), "right": ef.ZeroFlux()}  # outward positive: −Q enters


def _interface_exact(kind: str, side: str) -> tuple[float, float]:
    """(x_a, x_b) at the interface: the closed form of the module docstring."""
    _, kappa, film = KINDS[kind]
    if side == "a":
        x_a = X_EQ + Q / (C1 * K_S)
        return x_a, kappa * x_a
    x_b = X_EQ + Q / (C2 * K_S)
    return x_b / kappa + (Q / film if film else 0.0), x_b


def _nodal(sol, domain):
    """(z, x) of every DOF, per cell (DG field: the jump's two values both appear)."""
    x = sol.mole_fraction
    cells = np.arange(domain.mesh.topology.index_map(domain.mesh.topology.dim).size_local)
    dofs = x.function_space.dofmap.list[cells]
    coords = x.function_space.tabulate_dof_coordinates()
    mid = coords[dofs][:, :, 0].mean(axis=1)
    return coords[dofs][:, :, 0], x.x.array[dofs], mid


@pytest.mark.parametrize("dim", [1, 2])
@pytest.mark.parametrize(
    ("kind", "side"),
    [(kind, side) for kind in ("continuous", "partition", "film") for side in ("a", "b")],
)
def test_interface_reaction_fixes_the_level_of_a_flux_only_slab(kind, side, dim):
    domain = ef.layered_slab(
        [L1, L2], region_names=["a", "b"], dim=dim, cells_per_layer=[3, 4], cells_across=2,
        interfaces=True,
    )  # fmt: skip
    reaction = Reaction("A <=> B", kind="surface", boundary="a|b", k_f=KF, k_b=KB, side=side)
    model = SpeciesTransportModel(
        domain, {"a": ef.Material(D1, C1), "b": ef.Material(D2, C2)}, FEED,
        reactions=[reaction], petsc_options={"ksp_type": "preonly", "pc_type": "lu"},
        **KINDS[kind][0],
    )  # fmt: skip
    assert not model.singular and model.inventory is None  # no null space, no inventory
    sol = model.solve()
    area = domain.slab.area
    # all of the feed is consumed at the interface (LU round-off: 1e-12 of the feed)
    assert abs(sol.reactions["interface_flux"]["a|b"] - Q * area) < 1e-12 * Q * area
    assert sol.balance < 1e-12
    x_a, x_b = _interface_exact(kind, side)
    z, x, mid = _nodal(sol, domain)
    exact = np.where((mid < L1)[:, None], x_a + Q * (L1 - z) / (C1 * D1), x_b)
    assert np.allclose(x, exact, rtol=0, atol=1e-12), np.abs(x - exact).max()


def test_wall_reaction_fixes_the_level_of_a_flux_only_slab():
    domain = ef.layered_slab([L1], region_names=["a"], dim=1, cells_per_layer=5)
    reaction = Reaction("A <=> B", kind="surface", boundary="right", k_f=KF, k_b=KB)
    sol = SpeciesTransportModel(
        domain, {"a": ef.Material(D1, C1)}, {"left": ef.MolarFlux(-Q)}, reactions=[reaction]
    ).solve()
    assert abs(sol.boundary_flux["right"] - Q) < 1e-12 * Q  # the wall takes the feed
    x_wall = X_EQ + Q / (C1 * K_S)
    z, x, _ = _nodal(sol, domain)
    assert np.allclose(x, x_wall + Q * (L1 - z) / (C1 * D1), rtol=0, atol=1e-12)


def test_homogeneous_reaction_in_a_flux_only_slab_converges_at_order_two():
    k_f, k_b = 20.0, 5.0  # [1/s]: φ = L √(k/D) = 1.58
    k, x_eq = k_f + k_b, k_b / (k_f + k_b)
    phi = L1 * math.sqrt(k / D1)

    def exact(z):
        return x_eq + Q * L1 * np.cosh(phi * (1 - z / L1)) / (C1 * D1 * phi * math.sinh(phi))

    errors = []
    for n in (8, 16, 32):
        domain = ef.layered_slab([L1], region_names=["a"], dim=1, cells_per_layer=n)
        sol = SpeciesTransportModel(
            domain, {"a": ef.Material(D1, C1)}, {"left": ef.MolarFlux(-Q)},
            reactions=[Reaction("A <=> B", k_f=k_f, k_b=k_b)],
        ).solve()  # fmt: skip
        assert sol.balance < 1e-10  # the feed equals the consumption ∫R dx
        z, x, _ = _nodal(sol, domain)
        errors.append(np.abs(x - exact(z)).max())
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(orders > 1.8), (errors, orders)  # P1: O(h²)
    assert errors[-1] < 1e-3 * (exact(0.0) - x_eq)


def test_what_does_not_fix_the_level_is_refused_with_its_reason():
    domain = ef.layered_slab([L1], region_names=["a"], dim=1, cells_per_layer=4)

    def model(reactions, **keywords):
        return SpeciesTransportModel(
            domain, {"a": ef.Material(D1, C1)}, {"left": ef.MolarFlux(-Q)},
            reactions=reactions, **keywords,
        )  # fmt: skip

    wall = {"kind": "surface", "boundary": "right"}
    with pytest.raises(EmcdInputError, match="is not first order") as info:
        model([Reaction("2 A <=> 2 B", k_f=KF, k_b=KB, **wall)])
    assert "every boundary prescribes a flux" in str(info.value)
    with pytest.raises(EmcdInputError, match="several steady states"):
        model([Reaction("A + B -> 2 B", k_f=KF)])  # autocatalytic: x_A = 0 and 1 both solve
    with pytest.raises(EmcdInputError, match="k_f = k_b = 0"):
        model([Reaction("A <=> B", **wall)])
    with pytest.raises(EmcdInputError, match=r"inventory_mole_fraction.*remove the inventory"):
        model([Reaction("A <=> B", k_f=KF, **wall)], inventory_mole_fraction=0.3)
    # first order (either direction) fixes the level; B -> A produces A, falling with x_A
    assert flux_only_problem(Reaction("A -> B", k_f=1.0)) is None
    assert flux_only_problem(Reaction("B -> A", k_f=1.0)) is None
    assert flux_only_problem(Reaction("A <=> B", k_f=1.0, k_b=1.0)) is None
