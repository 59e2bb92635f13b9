"""The binary equimolar-counterdiffusion (EMCD) constitutive law as UFL expressions.

Unknown: the potential μ with x_A = H μ (H = 1, μ = x_A, unless partition coefficients
are given: see :mod:`emcd_fem.materials.partition`). Constitutive law (Fick, EMCD frame):
N_A = −c D_AB ∇x_A = −N_B. Conservation: ∇·N_A = R_A, with R_A the volumetric production
rate of A [mol/(m^3 s)] (zero unless given; EMCD needs mole-balanced reactions, R_B = −R_A).
"""

import ufl

from emcd_fem.materials import MaterialFields


def mole_fraction(potential: ufl.core.expr.Expr, fields: MaterialFields) -> ufl.core.expr.Expr:
    """x_A = H μ: the mole fraction from the continuous potential (μ = x_A when H ≡ 1)."""
    return fields.partition * potential


def molar_flux(potential: ufl.core.expr.Expr, fields: MaterialFields) -> ufl.core.expr.Expr:
    """Molar flux of A, N_A = −c D ∇x_A = −c D H ∇μ [mol/(m^2 s)] (H constant per region).

    This is the one place the isothermal constitutive law is written; the weak form
    (``physics.terms.potential_fluxes``) and every flux post-processing use it.
    """
    return -fields.concentration * fields.diffusivity * fields.partition * ufl.grad(potential)
