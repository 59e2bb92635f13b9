"""Three-layer slab in 1D/2D/3D, P1/P2, against the series-resistance flux.

Interfaces lie on mesh nodes and the exact solution is piecewise linear, so P1 and P2
reproduce it exactly: the only error is the (direct) solver's rounding, hence 1e-8.
"""

import pytest

import emcd_fem as ef

THICK = [0.3, 0.4, 0.3]
NAMES = ["coating", "membrane", "support"]
MATERIALS = {
    "coating": ef.Material(diffusivity=1.0, concentration=1.0),
    "membrane": ef.Material(diffusivity=0.1, concentration=1.0),
    "support": ef.Material(diffusivity=0.5, concentration=1.0),
}
BCS = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
REFERENCE = ef.analytic.composite_slab(
    THICK, [MATERIALS[n] for n in NAMES], BCS["left"], BCS["right"]
)


@pytest.mark.parametrize("degree", [1, 2])
@pytest.mark.parametrize(
    "dim,cell_type", [(1, "simplex"), (2, "simplex"), (2, "hypercube"), (3, "simplex")]
)
def test_three_layer_slab_flux(dim, cell_type, degree):
    domain = ef.layered_slab(
        THICK,
        region_names=NAMES,
        dim=dim,
        cells_per_layer=[3, 4, 3],
        cell_type=cell_type,
        width=0.5,
        depth=2.0,
    )
    solution = ef.solve_emcd(domain, MATERIALS, BCS, degree=degree)
    per_area = {b: q / domain.slab.area for b, q in solution.boundary_flux.items()}
    for side in ("left", "right"):
        assert per_area[side] == pytest.approx(REFERENCE.boundary_flux[side], rel=1e-8)
    for side in set(per_area) - {"left", "right"}:
        assert abs(per_area[side]) < 1e-12
    assert solution.balance.relative < 1e-12
    assert solution.x_min == pytest.approx(0.1, abs=1e-12)
    assert solution.x_max == pytest.approx(0.9, abs=1e-12)
    # nodal values equal the exact piecewise-linear profile
    x = solution.mole_fraction.function_space.tabulate_dof_coordinates()[:, 0]
    assert solution.mole_fraction.x.array == pytest.approx(REFERENCE.mole_fraction(x), abs=1e-12)


def test_uneven_layers_stay_node_aligned():
    """Any thicknesses: each layer has its own uniform cells, interfaces on nodes."""
    thick = [0.013, 0.2, 0.0071]
    mats = {
        n: ef.Material(diffusivity=d, concentration=40.0)
        for n, d in zip(NAMES, [2e-5, 1e-7, 5e-6], strict=True)
    }
    domain = ef.layered_slab(thick, region_names=NAMES, dim=2, cells_per_layer=[2, 7, 3])
    ref = ef.analytic.composite_slab(thick, [mats[n] for n in NAMES], BCS["left"], BCS["right"])
    solution = ef.solve_emcd(domain, mats, BCS)
    assert solution.boundary_flux["right"] / domain.slab.area == pytest.approx(ref.flux, rel=1e-8)


def test_iterative_solver_meets_tolerance():
    """CG + GAMG (the default above 20k DOFs) on the same slab: flux to 1e-8."""
    domain = ef.layered_slab(
        THICK, region_names=NAMES, dim=2, cells_per_layer=[6, 8, 6], cells_across=6
    )
    problem = ef.EMCDProblem(
        domain,
        MATERIALS,
        BCS,
        petsc_options={"ksp_type": "cg", "pc_type": "gamg", "ksp_rtol": 1e-12},
    )
    solution = problem.solve()
    assert solution.solver.ksp_type == "cg" and solution.solver.iterations > 0
    assert solution.solver.reason.startswith("CONVERGED")
    assert solution.boundary_flux["right"] == pytest.approx(REFERENCE.flux, rel=1e-8)


def test_update_materials_reuses_forms():
    domain = ef.layered_slab(THICK, region_names=NAMES, dim=1, cells_per_layer=[3, 4, 3])
    problem = ef.EMCDProblem(domain, MATERIALS, BCS)
    first = problem.solve().boundary_flux["right"]
    compiled = problem._linear_problem.a
    doubled = {n: ef.Material(2 * m.diffusivity, m.concentration) for n, m in MATERIALS.items()}
    problem.update_materials(doubled)
    second = problem.solve().boundary_flux["right"]
    assert problem._linear_problem.a is compiled
    assert second == pytest.approx(2 * first, rel=1e-12)
