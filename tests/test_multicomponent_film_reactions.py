"""Sources and reactions in the n-species film (block) model (issue 19).

Two gas layers a | b joined by a film with partition coefficients (per independent
species), a ternary A/B/C with zero net flux, and:

* a catalytic wall at z = L (A ⇌ B, mass action in the wall's x, [m/s]) or
* a homogeneous A ⇌ B in layer b and given sources in layer a, compositions at both ends,

against an independent reference: the Maxwell–Stefan ODEs c x_i' = Σ_j (x_i N_j − x_j N_i)/Đ_ij,
N_i' = R_i(x), integrated layer by layer (DOP853, rtol 1e-12) with the film law
x_k^b = κ_k (x_k^a − N_k/k_k) at the interface, and the unknown fluxes N_k(0) shot by
scipy's root to 1e-13 (written here, not from emcd_fem.analytic). P2: agreement to 1e-6 of
the flux scale; P1: the boundary flux error falls at order ≈ 2.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import root

from emcd_fem.case import load_case
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.multicomponent_films import MaxwellStefanFilmModel
from emcd_fem.pipeline.run import run_case

SPECIES = ("A", "B", "C")
THICK = (0.004, 0.006)  # [m]
CONC = {"a": 40.0, "b": 30.0}  # [mol/m^3]
PAIRS = {
    "a": {("A", "B"): 2.0e-5, ("A", "C"): 1.0e-5, ("B", "C"): 3.0e-5},
    "b": {("A", "B"): 0.6e-5, ("A", "C"): 0.3e-5, ("B", "C"): 0.9e-5},
}
PARTITION = {"A": 0.6, "B": 1.3}  # K_k = c_k,b / c_k,a at equilibrium
FILM = {"A": 2.0e-2, "B": 5.0e-2}  # k_k [mol/(m^2 s)]: comparable to the layers' c Đ/L
LEFT = (0.6, 0.1, 0.3)
RIGHT = (0.2, 0.3, 0.5)
# k L/Đ ~ 1: neither diffusion- nor reaction-limited
WALL = Reaction("A <=> B", kind="surface", boundary="right", k_f=2.0e-3, k_b=5.0e-4, name="wall")
BULK = Reaction("A <=> B", regions=("b",), k_f=0.4, k_b=0.1, name="bulk")
SOURCES = {"a": {"A": -2.0, "B": 2.0}}  # [mol/(m^3 s)]


def _rate(reaction, x, c):
    return reaction.k_f * c * x[0] - reaction.k_b * c * x[1]  # A <=> B, mass action


def _rhs(layer, production):
    d = GasMixture(SPECIES, PAIRS[layer], CONC[layer]).matrix
    c = CONC[layer]

    def f(_z, y):
        x = np.append(y[:2], 1.0 - y[:2].sum())
        N = np.append(y[2:], -y[2:].sum())  # zero net flux
        dx = [
            sum((x[i] * N[j] - x[j] * N[i]) / d[i, j] for j in range(3) if j != i) / c
            for i in (0, 1)
        ]
        R = production(x)
        return np.concatenate([dx, R[:2]])

    return f


def _shoot(flux0, productions):
    """Integrate from z = 0 with x = LEFT and N_ind = flux0; (x, N_ind) at z = L."""
    y = np.concatenate([LEFT[:2], flux0])
    kappa = {s: PARTITION[s] * CONC["a"] / CONC["b"] for s in ("A", "B")}
    for layer, thick, production in zip(("a", "b"), THICK, productions, strict=True):
        sol = solve_ivp(
            _rhs(layer, production), (0.0, thick), y, method="DOP853", rtol=1e-12, atol=1e-15
        )
        assert sol.success
        y = sol.y[:, -1].copy()
        if layer == "a":  # film: x_k^b = κ_k (x_k^a − N_k/k_k), N continuous
            for m, s in enumerate(("A", "B")):
                y[m] = kappa[s] * (y[m] - y[2 + m] / FILM[s])
    return y


def reference(kind):
    """Outward fluxes (left, right) of every species [mol/(m^2 s)] for ``kind``."""
    none = lambda x: np.zeros(3)  # noqa: E731
    if kind == "wall":
        productions = (none, none)

        def residual(n0):
            y = _shoot(n0, productions)
            x = np.append(y[:2], 1.0 - y[:2].sum())
            r = _rate(WALL, x, CONC["b"])  # outward N_i·n = −s_i r at the wall
            return [y[2] - r, y[3] + r]

    else:
        rates = np.array([SOURCES["a"]["A"], SOURCES["a"]["B"], 0.0])
        productions = (
            lambda x: rates,
            lambda x: np.array([-1.0, 1.0, 0.0]) * _rate(BULK, x, CONC["b"]),
        )

        def residual(n0):
            y = _shoot(n0, productions)
            return y[:2] - np.array(RIGHT[:2])

    scale = 1e-2
    found = root(lambda v: np.array(residual(v * scale)) / 1e-3, np.zeros(2), tol=1e-13)
    assert found.success, found.message
    n0 = found.x * scale
    assert np.max(np.abs(residual(n0))) < 1e-11
    nL = _shoot(n0, productions)[2:]
    first, last = np.append(n0, -n0.sum()), np.append(nL, -nL.sum())
    return {s: (-first[k], last[k]) for k, s in enumerate(SPECIES)}


def _mixtures():
    return {r: GasMixture(SPECIES, PAIRS[r], CONC[r]) for r in ("a", "b")}


def solve(kind, cells, degree=2):
    domain = layered_slab(list(THICK), region_names=["a", "b"], cells_per_layer=[cells] * 2)
    compositions = {"left": dict(zip(SPECIES, LEFT, strict=True))}
    extra = {"reactions": [WALL]}
    if kind == "bulk":
        compositions["right"] = dict(zip(SPECIES, RIGHT, strict=True))
        extra = {"reactions": [BULK], "sources": SOURCES}
    model = MaxwellStefanFilmModel(
        domain,
        _mixtures(),
        compositions,
        films={("a", "b"): FILM},
        partitions={("a", "b"): PARTITION},
        degree=degree,
        **extra,
    )
    return model.solve()


def _error(solution, exact):
    scale = max(abs(v) for pair in exact.values() for v in pair)
    return (
        max(
            abs(solution.boundary_flux[s][b] - exact[s][k])
            for s in SPECIES
            for k, b in enumerate(("left", "right"))
        )
        / scale
    )


@pytest.mark.parametrize("kind", ["wall", "bulk"])
def test_film_with_reactions_matches_the_shooting_reference(kind):
    exact = reference(kind)
    solution = solve(kind, 16)
    # P2, 16 cells per layer: boundary fluxes O(h^4), measured ~1e-9 of the flux scale
    assert _error(solution, exact) < 1e-6
    scale = max(abs(v) for pair in exact.values() for v in pair)
    # balance: outflow = production (the wall flux is an outflow), to Newton's rtol 1e-12;
    # C at the wall does not move: round-off judged against 1e-6 q_ref (~1e-9, as in
    # tests/test_multicomponent_wall_reactions.py)
    assert solution.imbalance["A"] < 1e-10 and solution.imbalance["B"] < 1e-10
    assert solution.imbalance["C"] < 1e-8
    if kind == "wall":  # A consumed at the wall: inflow of A at left = its wall outflow
        assert solution.boundary_flux["A"]["right"] > 0.1 * scale
        assert solution.production == dict.fromkeys(SPECIES, 0.0)
    else:  # ∫R dx: the sources in a (−2 mol/(m^3 s) of A over 4 mm) plus the reaction in b
        assert solution.production["A"] < -0.1 * scale  # A consumed, B made, C inert
        assert solution.production["B"] == pytest.approx(-solution.production["A"], rel=1e-12)
        assert solution.production["C"] == 0.0
    assert abs(sum(solution.total_flux.values())) < 1e-12 * scale


@pytest.mark.parametrize("kind", ["wall", "bulk"])
def test_p1_boundary_flux_converges_at_order_two(kind):
    exact = reference(kind)
    errors = [_error(solve(kind, cells, degree=1), exact) for cells in (8, 16, 32)]
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    # the boundary flux of P1 (a reaction of the discrete residual) converges at h^2
    assert orders.min() > 1.8, (errors, orders)


def test_wall_across_a_film_is_refused():
    # the wall `bottom` of a 2D two-layer slab touches both blocks: refused by name
    domain = layered_slab(list(THICK), region_names=["a", "b"], dim=2, cells_per_layer=[2, 2])
    wall = Reaction("A <=> B", kind="surface", boundary="bottom", k_f=1e-3, k_b=0.0)
    with pytest.raises(EmcdInputError, match=r"wall 'bottom'.*separated by films; split"):
        MaxwellStefanFilmModel(
            domain,
            _mixtures(),
            {"left": dict(zip(SPECIES, LEFT, strict=True))},
            films={("a", "b"): FILM},
            reactions=[wall],
        )


def _case():
    def gas(r):
        d = PAIRS[r]
        table = {"A": {"B": d[("A", "B")], "C": d[("A", "C")]}, "B": {"C": d[("B", "C")]}}
        return {"diffusivities": table, "c": CONC[r]}

    return {
        "geometry": {
            "kind": "layered_slab",
            "dim": 1,
            "layers": [{"name": r, "thickness": t, "cells": 16} for r, t in zip("ab", THICK)],
        },
        "discretisation": {"degree": 2},
        "multicomponent": {
            "species": list(SPECIES),
            "regions": {"a": gas("a") | {"sources": SOURCES["a"]}, "b": gas("b")},
            "boundaries": {
                "left": {"mole_fractions": dict(zip(SPECIES, LEFT, strict=True))},
                "right": {"mole_fractions": dict(zip(SPECIES, RIGHT, strict=True))},
            },
            "reactions": [{"equation": "A <=> B", "regions": ["b"], "k_f": 0.4, "k_b": 0.1}],
            "interfaces": [{"regions": ["a", "b"], "partition": PARTITION, "film": FILM}],
        },
        "output": {},
    }


def test_case_with_films_sources_and_reactions_runs():
    load_case(_case())  # no longer refused
    summary = run_case(_case()).summary
    exact = reference("bulk")
    scale = max(abs(v) for pair in exact.values() for v in pair)
    for s in SPECIES:  # P2, 16 cells per layer (as the model test): 1e-6 of the scale
        for k, b in enumerate(("left", "right")):
            assert summary["boundary_flux"][s][b] == pytest.approx(exact[s][k], abs=1e-6 * scale)
    assert summary["analytic"] is None  # the exact film knows no production
    assert summary["status"] == "ok"
    assert "film_flux" in summary


def test_transient_film_with_reactions_marches_to_the_steady_solve():
    # the same layers in time (the left composition held, the wall and both productions),
    # every step's balance closing (storage + outflow = production), adaptive BDF2 until steady;
    # the end state's fluxes equal the steady solve's to the steady-state tolerance
    from emcd_fem.models.march import TimeSettings, march
    from emcd_fem.models.multicomponent_transient import TransientMaxwellStefan

    domain = layered_slab(list(THICK), region_names=["a", "b"], cells_per_layer=[8, 8])
    model = MaxwellStefanFilmModel(
        domain,
        _mixtures(),
        {"left": dict(zip(SPECIES, LEFT, strict=True))},
        films={("a", "b"): FILM},
        partitions={("a", "b"): PARTITION},
        degree=2,
        sources=SOURCES,
        reactions=[BULK, WALL],
    )
    transient = TransientMaxwellStefan(model)
    transient.set_initial_by_region(
        {r: (lambda p, x=x: np.outer(x, np.ones(p.shape[1]))) for r, x in zip("ab", (LEFT, RIGHT))}
    )
    state = transient.initial_state(0.0, 0.05)
    settings = TimeSettings(
        0.0, 2000.0, 0.05, adaptive=True, stop_at_steady_state=True, steady_tolerance=1e-9
    )
    march(transient, state, settings)
    assert all(max(r.balance.values()) < 1e-8 for r in state.records)
    last = state.records[-1].boundary_flux
    steady = model.solve().boundary_flux
    scale = max(abs(v) for s in SPECIES for v in steady[s].values())
    for s in SPECIES:
        for b in ("left", "right"):
            assert last[s][b] == pytest.approx(steady[s][b], abs=1e-6 * scale)
