"""Dirichlet rows at the operator's scale on the steady Newton (SNES) path (issue 21).

``solvers.dirichlet_rows.ScaledDirichletRows`` sets J_ii = s and F_i = s (x_i − g_i) on the
Dirichlet rows, s the mean |J_ii| of the other rows (as the linear path's matrix). Checked:
s itself, the consistency of F and J (one Newton step from a start that violates the data
lands on it exactly; an inconsistent pair would leave (1 − s_F/s_J)(x − g)), and the
fluxes of iterative solves at real units (c = 41 mol/m³, D = 1e-5 … 1e-8 m²/s, contrast
1e4) against MUMPS LU of the same discrete problem: ≤ 10 × ITERATIVE_RTOL = 1e-9, the
accuracy the iterative defaults promise (the discretisation error is common to both and
covered by the convergence tests of tests/test_soret.py, which run unchanged).

Measured (this mesh, iterative forced): steady Soret Newton ≤ 1e-15 with and without the
scaling (the Newton start satisfies the data there, so no norm changes). The transient
path keeps rows of 1 (no measured gain there, and with the lagged Jacobian the scaled rows
left the membrane start-up demo's balance at 3e-10 instead of round-off).
"""

import dolfinx.fem.petsc
import numpy as np
import pytest
import ufl
from dolfinx import fem

import emcd_fem as ef
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.solvers.defaults import DIRECT_OPTIONS, ITERATIVE_RTOL
from emcd_fem.solvers.dirichlet_rows import ScaledDirichletRows
from emcd_fem.solvers.nonlinear import newton_petsc_options

THICK = [0.3e-3, 0.4e-3, 0.3e-3]  # m
NAMES = ["gas1", "membrane", "gas2"]
BCS = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
LIMIT = 10 * ITERATIVE_RTOL


@pytest.fixture(scope="module")
def slab():
    return ef.layered_slab(
        THICK, region_names=NAMES, dim=2, cells_per_layer=[6, 8, 6], width=0.5e-3
    )


def _materials(contrast, slow_middle):
    d = 1e-5 if slow_middle else 1e-8  # gas, or a solid around a fast middle layer
    middle = d / contrast if slow_middle else d * contrast
    return {n: ef.Material(di, 41.0) for n, di in zip(NAMES, [d, middle, d], strict=True)}


def _soret(slab):
    X = ufl.SpatialCoordinate(slab.mesh)  # 300 K → 400 K across the 1 mm slab
    return {"temperature": 300.0 + 1e5 * X[0], "soret": {n: 0.01 for n in NAMES}}


def _difference(fluxes, reference):
    scale = sum(abs(q) for q in reference.values())
    return max(abs(fluxes[k] - reference[k]) for k in BCS) / scale


def test_scale_and_one_consistent_newton_step():
    """A 1D diffusion residual at real units (c D = 4.1e-7 mol/(m s)): s = mean |J_ii| of
    the 25 free rows, (2·24 + 1)/25 · c D/h ≈ 0.02 (not 1), and one Newton step from x = 0
    (no :meth:`prepare`: the data violated) lands on the data exactly: F and J scaled alike."""
    domain = ef.layered_slab([1e-3], region_names=["gas"], dim=1, cells_per_layer=25)
    V = fem.functionspace(domain.mesh, ("Lagrange", 1))
    u, v = fem.Function(V), ufl.TestFunction(V)
    F = 41.0 * 1e-8 * ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx
    facets = domain.facet_tags.find(domain.boundaries["left"])
    dofs = fem.locate_dofs_topological(V, 0, facets)
    bc = fem.dirichletbc(fem.Constant(domain.mesh, 0.7), dofs, V)
    problem = dolfinx.fem.petsc.NonlinearProblem(
        F,
        u,
        bcs=[bc],
        petsc_options_prefix="test_rows_",
        petsc_options={"snes_type": "ksponly", **DIRECT_OPTIONS},
    )
    rows = ScaledDirichletRows(problem, [bc])
    rows.jacobian(problem.solver, problem.x, problem.A, problem.P_mat)  # fixes s at x = 0
    h = 1e-3 / 25
    assert rows.scales == [pytest.approx(41.0 * 1e-8 / h * (2 * 24 + 1) / 25, rel=1e-12)]
    b = problem.b.duplicate()
    rows.residual(problem.solver, problem.x, b)  # x = 0 violates the data: F_i = s (0 − 0.7)
    assert b.getArray()[dofs[0]] == pytest.approx(-0.7 * rows.scales[0], rel=1e-14)
    problem.solve()  # one linear step (ksponly)
    assert u.x.array[dofs] == pytest.approx(0.7, abs=1e-15)
    assert np.allclose(u.x.array, 0.7, atol=1e-12)  # the only data: u = 0.7 everywhere


def test_prepare_fixes_the_scale_before_the_solve(monkeypatch):
    """prepare() (before SNES, collective) puts the data into the start and fixes s from
    the Jacobian there; the first residual's Dirichlet entries are then exactly 0, and SNES's
    first Jacobian request reuses that matrix: one assembly per Newton iteration in all,
    and no reduction inside a callback (a rank failing after its residual assembly meets
    the others at the callback guard: tests/test_mpi_failures.py)."""
    domain = ef.layered_slab([1e-3], region_names=["gas"], dim=1, cells_per_layer=25)
    V = fem.functionspace(domain.mesh, ("Lagrange", 1))
    u, v = fem.Function(V), ufl.TestFunction(V)
    u.x.array[:] = 0.3
    F = 41.0 * 1e-8 * (1.0 + u**2) * ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx
    facets = domain.facet_tags.find(domain.boundaries["left"])
    dofs = fem.locate_dofs_topological(V, 0, facets)
    bc = fem.dirichletbc(fem.Constant(domain.mesh, 0.7), dofs, V)
    options = {"snes_rtol": 1e-12, "snes_atol": 1e-20, **DIRECT_OPTIONS}
    problem = dolfinx.fem.petsc.NonlinearProblem(
        F, u, bcs=[bc], petsc_options_prefix="test_rows_start_", petsc_options=options
    )
    rows = ScaledDirichletRows(problem, [bc])
    calls = []
    real = dolfinx.fem.petsc.assemble_jacobian
    monkeypatch.setattr(
        dolfinx.fem.petsc, "assemble_jacobian", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    rows.prepare()
    assert u.x.array[dofs] == pytest.approx(0.7, abs=0.0)
    h = 1e-3 / 25  # J_ii = c D (1 + 0.3²) · 2/h inside, half at the free end
    assert rows.scales == [pytest.approx(41.0 * 1e-8 * 1.09 / h * (2 * 24 + 1) / 25, rel=1e-12)]
    assert len(calls) == 1
    b = problem.b.duplicate()
    rows.residual(problem.solver, problem.x, b)
    assert np.all(b.getArray()[dofs] == 0.0)
    problem.solve()
    snes = problem.solver
    assert snes.getConvergedReason() > 0 and snes.getIterationNumber() >= 1
    assert len(calls) == snes.getIterationNumber()  # prepare's matrix served iteration 0
    assert np.allclose(u.x.array, 0.7, atol=1e-12)  # the only data: u = 0.7 everywhere


@pytest.mark.parametrize("slow_middle", [True, False], ids=["membrane", "fast-middle"])
def test_steady_soret_newton_iterative_at_real_units(slab, slow_middle):
    materials = _materials(1e4, slow_middle)
    direct = SpeciesTransportModel(
        slab, materials, BCS, petsc_options=DIRECT_OPTIONS, **_soret(slab)
    )
    gmres = newton_petsc_options(10**9)  # the at-scale defaults, forced on the small mesh
    model = SpeciesTransportModel(slab, materials, BCS, petsc_options=gmres, **_soret(slab))
    solution = model.solve()
    assert model.newton_record["ksp_type"] == "gmres" and model.newton_record["fallback"] is None
    assert solution.iterations <= 4
    assert _difference(solution.boundary_flux, direct.solve().boundary_flux) <= LIMIT
