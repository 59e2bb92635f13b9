"""Steady binary equimolar counterdiffusion as UFL forms.

Unknown: the potential μ with x_A = H μ (H = 1, μ = x_A, unless partition coefficients
are given: see :mod:`emcd_fem.materials.partition`). Constitutive law (Fick, EMCD frame):
N_A = −c D_AB ∇x_A = −N_B. Conservation: ∇·N_A = R_A, with R_A the volumetric production
rate of A [mol/(m^3 s)] (zero unless given; EMCD needs mole-balanced reactions, R_B = −R_A).
"""

from collections.abc import Mapping
from dataclasses import dataclass

import ufl

from emcd_fem.materials import MaterialFields
from emcd_fem.mesh.domain import Domain
from emcd_fem.physics.conditions import BoundaryCondition


def mole_fraction(potential: ufl.core.expr.Expr, fields: MaterialFields) -> ufl.core.expr.Expr:
    """x_A = H μ: the mole fraction from the continuous potential (μ = x_A when H ≡ 1)."""
    return fields.partition * potential


def molar_flux(potential: ufl.core.expr.Expr, fields: MaterialFields) -> ufl.core.expr.Expr:
    """Molar flux of A, N_A = −c D ∇x_A = −c D H ∇μ [mol/(m^2 s)] (H constant per region).

    This is the one place the constitutive law is written; the weak form and every flux
    post-processing use it.
    """
    return -fields.concentration * fields.diffusivity * fields.partition * ufl.grad(potential)


@dataclass(frozen=True)
class EMCDForms:
    """UFL forms of the steady EMCD problem.

    Attributes:
        bilinear: a(x, w).
        linear: L(w).
        residual: F(w) = a(x_h, w) − L(w) for the solution function x_h; its value at the
            discrete Dirichlet-boundary indicator gives the reaction flux.
    """

    bilinear: ufl.Form
    linear: ufl.Form
    residual: ufl.Form


def emcd_forms(
    domain: Domain,
    fields: MaterialFields,
    solution: "ufl.Coefficient",
    boundary_conditions: Mapping[str, BoundaryCondition],
    boundary_constants: Mapping[str, dict],
    source: ufl.core.expr.Expr,
) -> EMCDForms:
    """Weak form ∫ c D ∇x·∇w dx + Σ_Γ ∫_Γ (N_A·n) w ds = ∫ R w dx.

    Args:
        domain: The domain (measures ``dx``/``ds`` with the tags).
        fields: DG0 material fields.
        solution: The mole-fraction Function (its space defines trial/test functions).
        boundary_conditions: Boundary name → condition (unnamed boundaries: zero flux).
        boundary_constants: Boundary name → the condition's ``fem.Constant`` values.
        source: Volumetric production rate of A, R_A [mol/(m^3 s)].

    Returns:
        The bilinear, linear and residual forms.
    """
    V = solution.function_space
    x, w = ufl.TrialFunction(V), ufl.TestFunction(V)
    dx, ds = domain.dx, domain.ds
    a = ufl.inner(-molar_flux(x, fields), ufl.grad(w)) * dx
    L = source * w * dx
    for name, bc in boundary_conditions.items():
        ds_b = ds(domain.boundaries[name])
        k = boundary_constants[name]
        lhs, rhs = bc.lhs(mole_fraction(x, fields), w, ds_b, k), bc.rhs(w, ds_b, k)
        if lhs is not None:
            a += lhs
        if rhs is not None:
            L += rhs
    residual = ufl.action(a, solution) - L
    return EMCDForms(bilinear=a, linear=L, residual=residual)
