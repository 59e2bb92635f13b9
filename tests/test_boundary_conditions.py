"""Every boundary-condition pair against the 1D exact solution, and the rejections."""

import pytest
import ufl
from dolfinx import fem

import emcd_fem as ef
from emcd_fem.post.integrals import integrate

THICK = [0.3, 0.4, 0.3]
NAMES = ["a", "b", "c"]
MATS = [ef.Material(1.0, 2.0), ef.Material(0.1, 1.0), ef.Material(0.5, 1.5)]
MATERIALS = dict(zip(NAMES, MATS, strict=True))


def slab(dim=2):
    return ef.layered_slab(THICK, region_names=NAMES, dim=dim, cells_per_layer=[3, 4, 3])


PAIRS = {
    "dirichlet-flux": (ef.MoleFraction(0.9), ef.MolarFlux(0.1)),
    "flux-dirichlet": (ef.MolarFlux(-0.1), ef.MoleFraction(0.2)),
    "dirichlet-robin": (ef.MoleFraction(0.9), ef.MassTransfer(2.0, 0.05)),
    "robin-robin": (ef.MassTransfer(3.0, 0.8), ef.MassTransfer(0.5, 0.1)),
    "robin-flux": (ef.MassTransfer(3.0, 0.8), ef.MolarFlux(0.05)),
    "flux-robin": (ef.MolarFlux(-0.02), ef.MassTransfer(1.0, 0.3)),
}


@pytest.mark.parametrize("dim", [1, 2])
@pytest.mark.parametrize("pair", list(PAIRS))
def test_pair_matches_analytic(pair, dim):
    left, right = PAIRS[pair]
    ref = ef.analytic.composite_slab(THICK, MATS, left, right)
    domain = slab(dim)
    solution = ef.solve_emcd(domain, MATERIALS, {"left": left, "right": right})
    for side in ("left", "right"):
        assert solution.boundary_flux[side] == pytest.approx(ref.boundary_flux[side], rel=1e-8)
    x = solution.mole_fraction.function_space.tabulate_dof_coordinates()[:, 0]
    assert solution.mole_fraction.x.array == pytest.approx(ref.mole_fraction(x), abs=1e-10)
    assert solution.balance.relative < 1e-12


@pytest.mark.parametrize("degree", [1, 2])
def test_flux_flux_with_inventory(degree):
    inventory = 0.4
    ref = ef.analytic.composite_slab(
        THICK, MATS, ef.MolarFlux(-0.1), ef.MolarFlux(0.1), inventory_mole_fraction=inventory
    )
    domain = slab(2)
    solution = ef.solve_emcd(
        domain,
        MATERIALS,
        {"left": ef.MolarFlux(-0.1), "right": ef.MolarFlux(0.1)},
        inventory_mole_fraction=inventory,
        degree=degree,
    )
    x = solution.mole_fraction
    fields = ef.assign_materials(domain, MATERIALS)
    c = fields.concentration
    mean = integrate(fem.form(c * x * ufl.dx)) / integrate(fem.form(c * ufl.dx))
    assert mean == pytest.approx(inventory, abs=1e-12)
    coords = x.function_space.tabulate_dof_coordinates()[:, 0]
    assert x.x.array == pytest.approx(ref.mole_fraction(coords), abs=1e-9)
    assert solution.boundary_flux["right"] == pytest.approx(0.1, rel=1e-12)


def test_flux_only_unbalanced_rejected():
    with pytest.raises(ef.AdmissibilityError, match="no steady state") as info:
        ef.EMCDProblem(
            slab(),
            MATERIALS,
            {"left": ef.MolarFlux(-0.1), "right": ef.MolarFlux(0.2)},
            inventory_mole_fraction=0.5,
        )
    assert "left" in str(info.value) and "right" in str(info.value)


def test_flux_only_needs_inventory():
    with pytest.raises(ef.EmcdInputError, match="inventory_mole_fraction"):
        ef.EMCDProblem(slab(), MATERIALS, {"left": ef.MolarFlux(-0.1), "right": ef.MolarFlux(0.1)})
    with pytest.raises(ef.AdmissibilityError, match="inventory_mole_fraction"):
        ef.EMCDProblem(
            slab(),
            MATERIALS,
            {"left": ef.MolarFlux(-0.1), "right": ef.MolarFlux(0.1)},
            inventory_mole_fraction=1.3,
        )


def test_flux_flux_beyond_bound_rejected_after_solve():
    """|q| Σ L/(cD) = 0.3 × (0.15+4+0.4) > 1: names the flux boundaries and the bound."""
    problem = ef.EMCDProblem(
        slab(),
        MATERIALS,
        {"left": ef.MolarFlux(-0.3), "right": ef.MolarFlux(0.3)},
        inventory_mole_fraction=0.5,
    )
    with pytest.raises(ef.AdmissibilityError, match=r"\|q\| <= c D / L") as info:
        problem.solve()
    assert "'left'" in str(info.value) and "'right'" in str(info.value)


def test_dirichlet_flux_beyond_bound_rejected():
    """x_0 − q Σ L/(cD) = 0.3 − 0.1 × 4.55 < 0."""
    ref_bound = 0.3 - 0.1 * sum(
        t / (m.concentration * m.diffusivity) for t, m in zip(THICK, MATS, strict=True)
    )
    assert ref_bound < 0
    with pytest.raises(ef.AdmissibilityError):
        ef.analytic.composite_slab(THICK, MATS, ef.MoleFraction(0.3), ef.MolarFlux(0.1))
    problem = ef.EMCDProblem(
        slab(), MATERIALS, {"left": ef.MoleFraction(0.3), "right": ef.MolarFlux(0.1)}
    )
    with pytest.raises(ef.AdmissibilityError, match=r"x_A = .* < 0") as info:
        problem.solve()
    assert "'right' (flux(value=0.1))" in str(info.value)


def test_unknown_names_suggest():
    with pytest.raises(ef.EmcdInputError, match="Did you mean 'right'"):
        ef.EMCDProblem(slab(), MATERIALS, {"rigth": ef.MoleFraction(0.1)})
    with pytest.raises(ef.EmcdInputError, match="Did you mean 'b'"):
        ef.EMCDProblem(
            slab(), {"a": MATS[0], "bb": MATS[1], "c": MATS[2]}, {"left": ef.MoleFraction(0.1)}
        )


def test_missing_material_rejected():
    with pytest.raises(ef.EmcdInputError, match=r"no material given for region\(s\) \['c'\]"):
        ef.EMCDProblem(slab(), {"a": MATS[0], "b": MATS[1]}, {"left": ef.MoleFraction(0.1)})


def test_function_dirichlet_out_of_range_rejected():
    with pytest.raises(ef.AdmissibilityError, match=r"boundary 'left'.*outside"):
        ef.EMCDProblem(slab(), MATERIALS, {"left": ef.MoleFraction(lambda x: 1.0 + x[1])})


def test_maximum_principle_overshoot_only_warns():
    """P2 on a coarse tetrahedral mesh with step data overshoots: warn, do not reject."""
    domain = ef.layered_slab([1.0], region_names=["gas"], dim=3, cells_per_layer=1, cells_across=1)
    solution = ef.solve_emcd(
        domain,
        {"gas": ef.Material(1.0)},
        {
            "left": ef.MoleFraction(lambda x: (x[1] > 0.3).astype(float)),
            "bottom": ef.MoleFraction(lambda x: (x[0] > 0.3).astype(float)),
        },
        degree=2,
    )
    assert solution.x_max > 1.01  # 1.0865 with this mesh
    assert solution.warnings and "maximum principle" in solution.warnings[0]
    assert "(P2 elements" in solution.warnings[0]  # the run's degree, not a fixed label
