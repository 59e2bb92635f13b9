"""Manufactured solution on an unstructured gmsh square with two materials (D = 1 | 0.25).

u = a + b φ(x) ψ(y) / D with φ(x) = sin(2π(x − ½)), ψ(y) = exp(y): continuous across the
interface x = ½ (φ(½) = 0) with continuous normal flux −c D ∂u/∂x = −c b φ'(x) ψ(y), so it
is an exact solution of ∇·(−c D ∇u) = R with R = −c b (φ'' ψ + φ ψ'') in both materials.
Dirichlet data from u on left/right/top, the exact outward flux (UFL) on bottom.

Expected orders: L2 p+1, H1 p; the reaction (residual) flux on the Dirichlet boundary
converges faster than the gradient flux −c D ∇u_h·n (h^{2p} in theory with exact data; the
interpolated Dirichlet data limit it to about h^{p+1} here).
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem

import emcd_fem as ef
from emcd_fem.post.integrals import integrate

A, B, C = 0.5, 0.04, 2.0
D_WEST, D_EAST = 1.0, 0.25
MATERIALS = {"west": ef.Material(D_WEST, C), "east": ef.Material(D_EAST, C)}
# Exact outward flux through x = 0 (west, n = −e_x): c b φ'(0) ∫ψ = c b (2π cos(−π)) (e − 1)
EXACT_LEFT_FLUX = C * B * (2 * np.pi * np.cos(-np.pi)) * (np.e - 1)


def phi(x):
    return np.sin(2 * np.pi * (x - 0.5))


def exact_numpy(x):
    d = np.where(x[0] < 0.5, D_WEST, D_EAST)
    return A + B * phi(x[0]) * np.exp(x[1]) / d


def solve_mms(domain, degree):
    fields = ef.assign_materials(domain, MATERIALS)
    X = ufl.SpatialCoordinate(domain.mesh)
    u_exact = A + B * ufl.sin(2 * ufl.pi * (X[0] - 0.5)) * ufl.exp(X[1]) / fields.diffusivity
    flux_exact = -fields.concentration * fields.diffusivity * ufl.grad(u_exact)
    source = ufl.div(flux_exact)
    # bottom: the exact outward flux as UFL data, so that the corner DOFs of "left" see
    # the correct neighbouring flux in the reaction
    q_bottom = ufl.dot(flux_exact, ufl.FacetNormal(domain.mesh))
    bcs = {
        "left": ef.MoleFraction(exact_numpy),
        "right": ef.MoleFraction(exact_numpy),
        "top": ef.MoleFraction(exact_numpy),
        "bottom": ef.MolarFlux(q_bottom),
    }
    problem = ef.EMCDProblem(domain, MATERIALS, bcs, degree=degree, source=source)
    return problem, u_exact


def errors(problem, u_exact, degree):
    uh = problem.mole_fraction
    dx = ufl.dx(metadata={"quadrature_degree": 2 * degree + 6})
    e = uh - u_exact
    l2 = np.sqrt(integrate(fem.form(e * e * dx)))
    h1 = np.sqrt(integrate(fem.form(ufl.inner(ufl.grad(e), ufl.grad(e)) * dx)))
    return l2, h1


def rates(values, hs):
    values, hs = np.asarray(values), np.asarray(hs)
    return np.log(values[1:] / values[:-1]) / np.log(hs[1:] / hs[:-1])


@pytest.mark.parametrize("degree,sizes", [(1, [0.1, 0.05, 0.025]), (2, [0.2, 0.1, 0.05, 0.025])])
def test_mms_convergence_and_flux_rates(two_material_square, degree, sizes):
    l2s, h1s, res_err, grad_err, hs = [], [], [], [], []
    for h in sizes:
        domain = two_material_square(h)
        problem, u_exact = solve_mms(domain, degree)
        solution = problem.solve()
        l2, h1 = errors(problem, u_exact, degree)
        l2s.append(l2)
        h1s.append(h1)
        res_err.append(abs(solution.boundary_flux["left"] - EXACT_LEFT_FLUX))
        grad_err.append(abs(problem.gradient_flux("left") - EXACT_LEFT_FLUX))
        # exact global balance of the reaction fluxes, whatever the mesh
        assert solution.balance.relative < 1e-10
        hs.append(h)
    l2_rate, h1_rate = rates(l2s, hs), rates(h1s, hs)
    res_rate, grad_rate = rates(res_err, hs), rates(grad_err, hs)
    print(
        f"P{degree}: L2 {l2_rate}, H1 {h1_rate}, residual flux {res_rate}, "
        f"gradient flux {grad_rate}; errors {res_err} vs {grad_err}"
    )
    assert l2_rate[-1] == pytest.approx(degree + 1, abs=0.25)
    assert h1_rate[-1] == pytest.approx(degree, abs=0.25)
    # Measured (2026-11, gmsh 4.15): P1 residual-flux rate 2.2 vs gradient-flux 1.96 (the
    # gradient flux superconverges on this straight boundary, but is 30x less accurate);
    # P2: residual 2.9 vs gradient 1.96, 1000x more accurate on the finest mesh.
    assert all(r < g / 10 for r, g in zip(res_err, grad_err, strict=True))
    if degree == 1:
        assert res_rate[-1] > 1.9
    else:
        assert res_rate[-1] > grad_rate[-1] + 0.7
