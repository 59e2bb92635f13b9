"""Transient runs with reactions, and the combinations a transient run refuses.

The storage term is added to the steady model's residuals, reacting terms included: a
first-order isomerization slab A ⇌ B marched from a uniform start reaches the steady closed
form of ``emcd_fem.analytic.reactions`` (O(h²) in space: P1), and every step's balance
d(inventory)/dt + Σ q_Γ − ∫R_A dx closes to round-off with the consumption counted.
"""

import tomllib
from pathlib import Path

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem.analytic.reactions import isomerization_slab, isomerization_wall
from emcd_fem.case import CaseError, validate_case
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.models.march import TimeSettings, march
from emcd_fem.models.transient import TransientModel
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.pipeline.run import run_case
from emcd_fem.solvers.time_stepping import StepControl

L, C, D = 1e-3, 40.0, 1e-5  # m, mol/m^3, m^2/s: diffusion time L²/D = 0.1 s
KF, KB = 50.0, 20.0  # 1/s: φ = L √(k/D) = 2.65
K, XEQ = KF + KB, KB / (KF + KB)


def _march(n, conditions, reactions, *, x_start=0.1):
    domain = ef.layered_slab([L], region_names=["cat"], cells_per_layer=n)
    model = SpeciesTransportModel(
        domain, {"cat": ef.Material(D, C)}, conditions, reactions=reactions
    )
    transient = TransientModel(model, scheme="bdf2")
    model.potentials[0].x.array[:] = x_start
    state = transient.initial_state(0.0, 1e-5)
    settings = TimeSettings(
        0.0,
        50.0,  # 500 diffusion times: the march stops at the steady state long before
        1e-5,
        adaptive=True,
        control=StepControl(rtol=1e-6, atol=1e-9, dt_max=1.0),
        stop_at_steady_state=True,
        steady_tolerance=1e-11,
    )
    reason = march(transient, state, settings)
    assert reason == "steady_state"
    return model, transient, state.records


def _max_error(model, exact):
    u = model.potentials[0]
    z = u.function_space.tabulate_dof_coordinates()[:, 0]
    return float(np.abs(u.x.array - exact(z)).max())


def _assert_balance_closes(records):
    for r in records:
        scale = sum(abs(q) for q in r.boundary_flux.values())
        scale += abs(r.production) + abs(r.inventory_rate)
        # direct (LU/Newton to 1e-12) solves: round-off of the O(scale) terms, 1e-10 relative
        assert abs(r.balance) <= 1e-10 * scale, (r.t, r.balance, scale)
    # the consumption matters: without it the early and late balances would miss by O(1)
    last = records[-1]
    assert abs(last.production) > 0.1 * sum(abs(q) for q in last.boundary_flux.values())
    assert abs(last.inventory_rate + sum(last.boundary_flux.values())) > 1e3 * abs(last.balance)


def test_transient_isomerization_slab_reaches_the_steady_closed_form():
    exact = lambda z: isomerization_slab(z, L, 0.9, 0.1, K, D, XEQ)  # noqa: E731
    errors = []
    for n in (10, 20, 40):
        bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
        model, transient, records = _march(n, bcs, [Reaction("A <=> B", k_f=KF, k_b=KB)])
        assert transient.linear  # first order: one linear solve per step
        _assert_balance_closes(records)
        errors.append(_max_error(model, exact))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    # at the steady state (change rate < 1e-11/s) the march is the steady P1 solution,
    # O(h²) at the nodes as in tests/test_reactions.py: orders within 0.1 of 2, and the
    # same absolute bound at h = L/40
    assert np.all(orders > 1.9), orders
    assert errors[-1] < 5e-5, errors


def test_transient_nonlinear_rate_and_catalytic_wall_match_the_steady_model():
    k_s, ks_f, ks_b = 0.02, 0.012, 0.008  # wall A ⇌ B: x_s,eq = 0.4
    reactions = [
        Reaction("A <=> B", k_f=KF, k_b=KB),
        Reaction("A <=> B", kind="surface", boundary="right", k_f=ks_f, k_b=ks_b),
    ]
    bcs = {"left": ef.MoleFraction(0.9)}
    model, transient, records = _march(40, bcs, reactions)
    _assert_balance_closes(records)
    assert "right" in records[-1].boundary_flux  # the reacting wall's outflow is counted
    exact = lambda z: isomerization_wall(z, L, 0.9, K, D, XEQ, k_s, ks_b / k_s)  # noqa: E731
    assert _max_error(model, exact) < 5e-5  # P1 at h = L/40, as the steady test
    # second order (Newton each step) vs the steady model on the same mesh
    second = [Reaction("2 A <=> 2 B", k_f=40.0, k_b=10.0)]
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
    model, transient, records = _march(20, bcs, second)
    assert not transient.linear
    _assert_balance_closes(records)
    domain = ef.layered_slab([L], region_names=["cat"], cells_per_layer=20)
    steady = SpeciesTransportModel(domain, {"cat": ef.Material(D, C)}, bcs, reactions=second)
    x = steady.solve().potentials[0].x.array  # μ = x_A (H = 1), P1 as the march
    # the same discrete equations; the march stops at change rate 1e-11/s, with a slowest
    # decay rate ≥ π²D/L² ≈ 99/s the distance left is ≤ 1e-11/99 relative: 1e-9 is ample
    assert np.abs(model.potentials[0].x.array - x).max() < 1e-9


def test_transient_flux_only_model_refused():
    domain = ef.layered_slab([L], region_names=["cat"], cells_per_layer=4)
    bcs = {"left": ef.MolarFlux(-1e-3), "right": ef.MolarFlux(1e-3)}
    model = SpeciesTransportModel(
        domain, {"cat": ef.Material(D, C)}, bcs, inventory_mole_fraction=0.5
    )
    with pytest.raises(EmcdInputError, match="flux-only"):
        TransientModel(model)


CASE = """
[geometry]
kind = "layered_slab"
dim = 1
layers = [{ name = "film", thickness = 1.0e-3, cells = 10 }]

[materials.film]
D = 1.0e-5
c = 40.0

[time]
t_end = 1.0
dt = 0.1
"""


@pytest.mark.parametrize(
    ("extra", "key", "text"),
    [
        (
            '[boundaries.left]\ntype = "mole_fraction"\nvalue = 0.8\n[boundaries.right]\n'
            'type = "mole_fraction"\nvalue = 0.1\n[physics]\nflux_model = "stefan"\n'
            '[[reactions]]\nequation = "A -> 2 B"\nkind = "surface"\nboundary = "right"\n',
            "physics.flux_model",
            "no transient model",
        ),
        (
            # closed and no reactions: a steady-state stop is refused (check_time)
            'stop_at_steady_state = true\n[boundaries.left]\ntype = "flux"\nvalue = -1e-4\n'
            '[boundaries.right]\ntype = "flux"\nvalue = 1e-4\n',
            "time.stop_at_steady_state",
            "never reaches a steady state",
        ),
    ],
    ids=["stefan", "flux_only"],
)
def test_case_check_refuses_transient_combinations(extra, key, text):
    with pytest.raises(CaseError) as info:
        validate_case(tomllib.loads(CASE + extra))
    message = str(info.value)
    assert key in message and text in message, message
    # one clear message: the steady inventory key is neither required nor suggested
    assert "inventory_mole_fraction" not in message, message


def test_reacting_case_file_in_time_reaches_the_steady_flux():
    demo = Path(__file__).parents[1] / "demos" / "reacting_slab.toml"
    data = tomllib.loads(demo.read_text())
    data["time"] = {"t_end": 2.0, "dt": 1e-4, "adaptive": True, "stop_at_steady_state": True}
    summary = run_case(data).summary
    assert summary["transient"]["reason"] == "steady_state"
    assert summary["solver"]["linear"]
    # closed end at x = l: N_A(0) = c D (x_0 − x_eq) m tanh(m l), m = √(k/D); P1 at h = l/40
    # as the steady test (2e-4 relative), the steady-state stop adds ~1e-8
    m = np.sqrt(K / D)
    q_left = -C * D * (0.9 - XEQ) * m * np.tanh(m * L)
    assert summary["boundary_flux"]["left"] == pytest.approx(q_left, rel=2e-4)
    # every step's balance, consumption included, to round-off
    assert summary["transient"]["max_relative_imbalance"] < 1e-12
    assert summary["balance"]["production"] == pytest.approx(q_left, rel=2e-4)
    # the steady run's reactions block at the final state: η vs tanh φ/φ (φ = 2.6458), the
    # same P1 flux accuracy (η is the consumption over c k V |x_s − x_eq|)
    phi = m * L
    thiele = summary["reactions"]["thiele"]["catalyst"]
    assert thiele["eta_observed"] == pytest.approx(np.tanh(phi) / phi, rel=2e-4)
    assert summary["reactions"]["production"]["catalyst"] == pytest.approx(q_left, rel=2e-4)
