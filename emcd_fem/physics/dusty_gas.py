"""The dusty-gas model (Mason & Malinauskas 1983): n-species fluxes in a porous medium, UFL.

Isothermal ideal gas in the pores of a medium (coefficients in
:mod:`emcd_fem.materials.porous`), partial pressures p_i = x_i p, species balances
∇·N_i = R_i and

    Σ_{j≠i} (x_j N_i − x_i N_j)/D^e_ij + N_i/D^e_iK
        = −∇p_i/(R T) − (x_i/(R T)) (B_0 p/(μ D^e_iK)) ∇p,    i = 1..n.

**Unknowns**: the n species concentrations c_i = p_i/(R T) [mol/m^3] (one vector-valued
Lagrange field), so c = Σ c_i, p = R T c and x_i = c_i/c. With D^e_ij ∝ 1/p the molecular
coefficients are x_j/D^e_ij = c_j/G_ij, G_ij = (ε/τ) c_ref Đ_ij(c_ref) [mol/(m s)]
pressure-independent: the law is polynomial in c except for the inverse below.

**Split** (Mason & Malinauskas eq. 5.4): N_i = N^D_i + x_i N^V with the viscous (Darcy)
molar flux N^V = −(c B_0/μ) ∇p = −c (B_0 R T/μ) ∇c and the diffusive fluxes

    [H] N^D = −∇c,   H_ii = 1/D^e_iK + Σ_{j≠i} c_j/G_ij,   H_ij = −c_i/G_ij  (j ≠ i),

(substituting N_i shows that x_i N^V cancels in the molecular terms and gives the viscous
term of the equation above). So N = −[H]^{-1} ∇c − c (B_0 R T/μ) ∇c. [H] is invertible for
every c ≥ 0 (the Knudsen terms make it diagonally dominant by columns); ``ufl.inv`` is in
closed form up to 4 × 4: n ≤ 4 species (:data:`MAX_SPECIES`).

**Sums.** Σ_i of the equations cancels the molecular terms: Σ_i N_i/D^e_iK = −∇c (1 + (B_0
R T/μ) Σ_i c_i/D^e_iK); at uniform pressure that is Graham's law Σ_i N_i √M_i = 0 at every
Knudsen number.

**Weak form**: Σ_i ∫ (−N_i·∇w_i − R_i w_i) dx = 0, the natural boundary condition is no
flux of any species (each N_i·n = 0).
"""

from collections.abc import Mapping, Sequence

import ufl

#: Largest number of species: ``ufl.inv`` has a closed form up to 4 × 4.
MAX_SPECIES: int = 4


def total_concentration(c: ufl.core.expr.Expr, n: int) -> ufl.core.expr.Expr:
    """The total concentration Σ_i c_i [mol/m^3] of the n-vector of concentrations."""
    return sum(c[i] for i in range(n))


def dgm_matrix(
    c: ufl.core.expr.Expr,
    conductance: Mapping[tuple[int, int], ufl.core.expr.Expr],
    knudsen: Sequence[ufl.core.expr.Expr],
) -> ufl.core.expr.Expr:
    """The n × n matrix [H] of [H] N^D = −∇c [s/m^2] (see the module docstring).

    Args:
        c: Species concentrations c_i [mol/m^3] (vector-valued UFL, n components).
        conductance: (i, j), i < j → G_ij = (ε/τ) c_ref Đ_ij [mol/(m s)].
        knudsen: D^e_iK per species [m^2/s].
    """
    n = len(knudsen)

    def g(i: int, j: int) -> ufl.core.expr.Expr:
        return conductance[(min(i, j), max(i, j))]

    rows = []
    for i in range(n):
        row = []
        for k in range(n):
            if k == i:
                row.append(1 / knudsen[i] + sum(c[j] / g(i, j) for j in range(n) if j != i))
            else:
                row.append(-c[i] / g(i, k))
        rows.append(row)
    return ufl.as_matrix(rows)


def diffusive_fluxes(
    c: ufl.core.expr.Expr,
    conductance: Mapping[tuple[int, int], ufl.core.expr.Expr],
    knudsen: Sequence[ufl.core.expr.Expr],
) -> list:
    """N^D_i = −([H]^{-1} ∇c)_i per species (list of n UFL vectors) [mol/(m^2 s)]."""
    n = len(knudsen)
    flux = -ufl.dot(ufl.inv(dgm_matrix(c, conductance, knudsen)), ufl.grad(c))
    return [flux[i, :] for i in range(n)]


def viscous_coefficient(
    permeability: ufl.core.expr.Expr,
    viscosity: ufl.core.expr.Expr,
    rt: ufl.core.expr.Expr,
) -> ufl.core.expr.Expr:
    """B_0 R T/μ [m^5/(mol s)]: N^V = −c (B_0 R T/μ) ∇c.

    Args:
        permeability: B_0 [m^2].
        viscosity: μ [Pa s].
        rt: R T [J/mol].
    """
    return permeability * rt / viscosity


def viscous_fluxes(c: ufl.core.expr.Expr, n: int, coefficient: ufl.core.expr.Expr) -> list:
    """The viscous parts x_i N^V = −c_i (B_0 R T/μ) ∇c per species [mol/(m^2 s)].

    Their sum is the viscous (Darcy) molar flux N^V = −(c B_0/μ) ∇p.
    """
    grad_total = ufl.grad(total_concentration(c, n))
    return [-c[i] * coefficient * grad_total for i in range(n)]


def molar_fluxes(
    c: ufl.core.expr.Expr,
    conductance: Mapping[tuple[int, int], ufl.core.expr.Expr],
    knudsen: Sequence[ufl.core.expr.Expr],
    coefficient: ufl.core.expr.Expr,
) -> tuple[list, list]:
    """(N_i, x_i N^V) per species: the molar fluxes and their viscous parts [mol/(m^2 s)].

    The one place the dusty-gas flux law is written: the residual and every flux
    post-processing use it.

    Args:
        c: Species concentrations [mol/m^3] (vector-valued UFL).
        conductance: (i, j), i < j → G_ij [mol/(m s)].
        knudsen: D^e_iK per species [m^2/s].
        coefficient: B_0 R T/μ [m^5/(mol s)] (:func:`viscous_coefficient`).
    """
    n = len(knudsen)
    diffusive = diffusive_fluxes(c, conductance, knudsen)
    viscous = viscous_fluxes(c, n, coefficient)
    return [d + v for d, v in zip(diffusive, viscous, strict=True)], viscous


def residual(
    fluxes: Sequence[ufl.core.expr.Expr],
    w: ufl.core.expr.Expr,
    dx: ufl.Measure,
) -> ufl.Form:
    """Steady flux part Σ_i ∫ −N_i·∇w_i dx of the residual (no-flux natural condition)."""
    return sum(-ufl.inner(f, ufl.grad(w[i])) for i, f in enumerate(fluxes)) * dx


__all__ = [
    "MAX_SPECIES",
    "dgm_matrix",
    "diffusive_fluxes",
    "molar_fluxes",
    "residual",
    "total_concentration",
    "viscous_coefficient",
    "viscous_fluxes",
]
