"""The relative balance is measured against the flux scale, not against round-off zeros.

A uniform state (x_A = 0.3 on both ends of a slab) has every boundary flux at round-off
(~1e-20); the balance used to be |Σ q| / Σ |q| ≈ 1. Against the floor 1e-6 q_ref
(q_ref = c D A / L, the flux of a unit mole-fraction difference) it is round-off.
"""

import pytest

import emcd_fem as ef
from emcd_fem.post.integrals import FLUX_FLOOR, flux_scale, relative_imbalance


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_uniform_state_balance_is_round_off(dim):
    domain = ef.layered_slab(
        [0.3, 0.7], region_names=["a", "b"], dim=dim, cells_per_layer=[3, 5], width=0.5
    )
    materials = {"a": ef.Material(2e-5, 40.9), "b": ef.Material(7e-6, 40.9)}
    bcs = {"left": ef.MoleFraction(0.3), "right": ef.MoleFraction(0.3)}
    solution = ef.EMCDProblem(domain, materials, bcs).solve()
    assert max(abs(v) for v in solution.boundary_flux.values()) < 1e-12 * 40.9 * 2e-5
    assert solution.balance.relative < 1e-8


def test_flux_scale_of_a_slab():
    domain = ef.layered_slab([2.0], region_names=["a"], dim=2, cells_per_layer=[4], width=0.1)
    # diam² = 2² + 0.1²: q_ref = c D V / diam²
    assert flux_scale(domain, 3.0) == pytest.approx(3.0 * 0.2 / 4.01, rel=1e-12)


def test_relative_imbalance_definition():
    # throughput above the floor: the usual ratio
    assert relative_imbalance(1e-9, 0.0, {"l": -1.0, "r": 1.0 + 1e-9}, 1.0) == pytest.approx(
        1e-9 / (2.0 + 1e-9)
    )
    # every flux round-off: measured against FLUX_FLOOR q_ref, not 1
    noise = {"l": 3e-20, "r": -1e-20}
    assert relative_imbalance(2e-20, 0.0, noise, 1.0) == pytest.approx(2e-20 / FLUX_FLOOR)
    assert relative_imbalance(0.0, 0.0, {}, 0.0) == 0.0


def test_real_flux_balance_unchanged():
    domain = ef.layered_slab([1.0], region_names=["a"], dim=1, cells_per_layer=[4])
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
    solution = ef.EMCDProblem(domain, {"a": ef.Material(1e-5, 40.0)}, bcs).solve()
    q = solution.boundary_flux
    expected = abs(sum(q.values())) / sum(abs(v) for v in q.values())
    assert solution.balance.relative == expected


def test_soret_uniform_state_balance_is_round_off():
    import ufl

    from emcd_fem.models.soret import SoretProblem

    # S_T = 0 in a temperature gradient with equal end values: a uniform state, no flux
    domain = ef.layered_slab([0.5], region_names=["gas"], dim=2, cells_per_layer=[6], width=0.2)
    bcs = {"left": ef.MoleFraction(0.4), "right": ef.MoleFraction(0.4)}
    temperature = 300.0 + 24.0 * ufl.SpatialCoordinate(domain.mesh)[0]
    solution = SoretProblem(
        domain, {"gas": ef.Material(2e-5, 40.9)}, bcs, temperature=temperature, soret={"gas": 0.0}
    ).solve()
    assert max(abs(v) for v in solution.boundary_flux.values()) < 1e-12 * 40.9 * 2e-5
    assert solution.balance < 1e-8
