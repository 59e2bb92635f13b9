"""The default iterative solve (CG + GAMG) is accurate at real units, first time.

Issue 21 item 3. With the Dirichlet rows scaled to the operator (``ScaledLinearProblem``),
``ksp_rtol = KSP_RTOL`` and the GAMG options of ``emcd_fem.solvers.linear``, the first CG
solve lands at the accepted true residual (no second solve, no MUMPS fallback) in at most
30 iterations, for diffusivity contrasts 1 … 1e6 in both layouts (a slow or a fast middle
layer) and for the units of every shipped single-species steady demo.

Tolerances: the flux error is held to 10 × ITERATIVE_RTOL (1e-9), the flux accuracy the
default solve promises, except where the direct (MUMPS) solve itself is less accurate:
above contrasts ~1e4 the fluxes carry the rounding error K ε of double precision
(e.g. 4e-9 at K = 1e6 on this mesh), which no solver can beat; there the iterative error
is held to 3 × the direct one (measured 0.4–0.6 ×).
"""

from pathlib import Path

import pytest

import emcd_fem as ef
from emcd_fem.case import load_case
from emcd_fem.pipeline.run import run_case
from emcd_fem.solvers.linear import DIRECT_OPTIONS, ITERATIVE_RTOL

THICK = [0.3e-3, 0.4e-3, 0.3e-3]  # m
NAMES = ["gas1", "membrane", "gas2"]
BCS = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
GAMG = {"ksp_type": "cg", "pc_type": "gamg"}
MAX_ITERATIONS = 30
DEMOS = Path(__file__).resolve().parents[1] / "demos"


@pytest.fixture(scope="module")
def slab():
    return ef.layered_slab(
        THICK, region_names=NAMES, dim=2, cells_per_layer=[6, 8, 6], width=0.5e-3
    )


def _materials(c, d_outer, contrast, slow_middle):
    d_middle = d_outer / contrast if slow_middle else d_outer * contrast
    d = [d_outer, d_middle, d_outer]
    return {n: ef.Material(di, c) for n, di in zip(NAMES, d, strict=True)}


def _flux_error(slab, solution, materials):
    exact = ef.analytic.composite_slab(
        THICK, list(materials.values()), BCS["left"], BCS["right"]
    ).flux
    area = slab.slab.area
    return max(abs(abs(solution.boundary_flux[s]) / area - exact) / exact for s in BCS)


@pytest.mark.parametrize("slow_middle", [True, False], ids=["membrane", "fast-middle"])
@pytest.mark.parametrize("contrast", [1.0, 1e2, 1e4, 1e6])
def test_first_gamg_solve_is_accurate_at_real_units(slab, contrast, slow_middle):
    # c ≈ 41 mol/m³ (air at 1 atm), D = 1e-5 m²/s gas (or 1e-8 m²/s outside a fast layer)
    d_outer = 1e-5 if slow_middle else 1e-8
    materials = _materials(41.0, d_outer, contrast, slow_middle)
    direct = ef.solve_emcd(slab, materials, BCS, petsc_options=DIRECT_OPTIONS)
    solution = ef.solve_emcd(slab, materials, BCS, petsc_options=GAMG)
    report = solution.solver
    assert report.ksp_type == "cg" and report.pc_type == "gamg"
    assert report.fallback is None  # the first solve was accepted as it stood
    assert report.iterations <= MAX_ITERATIONS
    limit = max(10 * ITERATIVE_RTOL, 3 * _flux_error(slab, direct, materials))
    assert _flux_error(slab, solution, materials) <= limit
    assert solution.balance.relative <= limit
    if contrast <= 1e2:  # below the rounding floor: the solver tolerance itself
        assert _flux_error(slab, solution, materials) <= 10 * ITERATIVE_RTOL


@pytest.mark.parametrize("contrast", [1.0, 1e4])
def test_iterations_and_accuracy_do_not_depend_on_the_units(slab, contrast):
    """c = D = 1 and c = 41 mol/m³, D = 1e-8 m²/s: the same solve (Dirichlet rows scaled)."""
    unit = ef.solve_emcd(slab, _materials(1.0, 1.0, contrast, True), BCS, petsc_options=GAMG)
    real_materials = _materials(41.0, 1e-8, contrast, True)
    real = ef.solve_emcd(slab, real_materials, BCS, petsc_options=GAMG)
    assert real.solver.iterations == unit.solver.iterations
    assert real.solver.fallback is None and unit.solver.fallback is None
    for side in BCS:  # fluxes scale with c D exactly (to the solver tolerance)
        assert real.boundary_flux[side] == pytest.approx(
            41.0 * 1e-8 * unit.boundary_flux[side], rel=10 * ITERATIVE_RTOL
        )


# every shipped steady single-species demo with CG + GAMG forced (most of them are small
# enough for LU by default): the first solve is accepted, within 30 iterations, and the
# fluxes equal the default (direct) solve's to the solver tolerance
STEADY_DEMOS = [
    "slab_1d",
    "slab_2d",
    "slab_3d",
    "bc_dirichlet_flux",
    "bc_dirichlet_robin",
    "bc_flux_flux",
    "bc_robin_robin",
    "coated_membrane_partition",
    "cylinder_shells_2d",
    "sphere_shells",
    "kinetic_theory_slab",
    "porous_pellet_knudsen",
    "inclusions_random_2d",
    "mesh_file_geo",
    "reacting_slab",
]


@pytest.mark.parametrize("demo", STEADY_DEMOS)
def test_demo_units_solve_with_gamg_at_the_solver_tolerance(demo):
    path = DEMOS / f"{demo}.toml"
    direct = run_case(load_case(path), None).summary  # LU (flux-only: CG + GAMG)
    overrides = [f'solver.petsc_options.{k}="{v}"' for k, v in GAMG.items()]
    iterative = run_case(load_case(path, overrides), None).summary
    report = iterative["solver"]
    assert report["ksp_type"] == "cg" and report["pc_type"] == "gamg"
    assert report["fallback"] is None
    assert report["iterations"] <= MAX_ITERATIONS
    fluxes = direct["boundary_flux"]
    scale = sum(abs(q) for q in fluxes.values())
    for name, q in fluxes.items():
        assert abs(iterative["boundary_flux"][name] - q) <= 10 * ITERATIVE_RTOL * scale, name
