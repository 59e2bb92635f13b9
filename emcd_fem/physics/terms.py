"""Residual terms of steady species transport in the potential form (UFL only).

Unknown: the potential μ with x_A = H μ (H constant per region). Each function returns one
term of the residual F(μ; w) = 0 [mol/s per test-function unit]:

* constitutive flux: −∫ N_A·∇w dx with N_A = −c D H ∇μ (Fick/EMCD) plus, with a
  temperature, the Soret part −c D S_T x_A (1 − x_A) ∇T (:func:`potential_fluxes`);
* volumetric source: −∫ R_A w dx, R_A [mol/(m^3 s)];
* boundary conditions: the condition's own ``lhs − rhs`` (``emcd_fem.physics.conditions``);
* film coupling: ∫_Γ k_ab H_a (μ_a − μ_b)(w_a − w_b) dS (``emcd_fem.models.films``).
"""

from typing import Any

import ufl

from emcd_fem.materials import MaterialFields
from emcd_fem.physics.conditions import BoundaryCondition
from emcd_fem.physics.emcd import molar_flux
from emcd_fem.physics.soret import TransportFields


def potential_fluxes(
    potential: ufl.core.expr.Expr,
    fields: MaterialFields,
    temperature: ufl.core.expr.Expr | None = None,
    transport: TransportFields | None = None,
) -> tuple[ufl.core.expr.Expr, ufl.core.expr.Expr | None]:
    """(Fickian, thermal-diffusion) parts of N_A [mol/(m^2 s)] from the potential μ.

    N_Fick = −c D H ∇μ; with a temperature T [K], c = c(T), D = D(T) from ``transport`` and
    N_thermal = −c D S_T(T) x (1 − x) ∇T with x = H μ; without one the thermal part is None.
    """
    if temperature is None:  # the one isothermal law
        return molar_flux(potential, fields), None
    H = fields.partition
    T = temperature
    cd = transport.concentration_of(T) * transport.diffusivity_of(T)
    x = H * potential
    thermal = -cd * transport.soret_of(T, x) * x * (1 - x) * ufl.grad(T)
    return -cd * H * ufl.grad(potential), thermal


def flux_term(flux: ufl.core.expr.Expr, w: ufl.core.expr.Expr, dx: ufl.Measure) -> ufl.Form:
    """−∫ N_A·∇w dx: the divergence of the flux, integrated by parts."""
    return -ufl.inner(flux, ufl.grad(w)) * dx


def source_term(source: ufl.core.expr.Expr, w: ufl.core.expr.Expr, dx: ufl.Measure) -> ufl.Form:
    """−∫ R_A w dx, R_A the volumetric production rate of A [mol/(m^3 s)]."""
    return -source * w * dx


def boundary_term(
    condition: BoundaryCondition,
    x: ufl.core.expr.Expr,
    w: ufl.core.expr.Expr,
    ds: ufl.Measure,
    constants: dict[str, Any],
) -> ufl.Form | None:
    """∫_Γ (N_A·n) w ds as the condition writes it (lhs − rhs), None when it has none."""
    lhs, rhs = condition.lhs(x, w, ds, constants), condition.rhs(w, ds, constants)
    if lhs is None and rhs is None:
        return None
    if rhs is None:
        return lhs
    return -rhs if lhs is None else lhs - rhs


def film_flux(
    coefficient: ufl.core.expr.Expr, mu_a: ufl.core.expr.Expr, mu_b: ufl.core.expr.Expr
) -> ufl.core.expr.Expr:
    """N_A·n_ab = k_ab H_a (μ_a − μ_b) across a film (``coefficient`` = k_ab H_a)."""
    return coefficient * (mu_a - mu_b)


__all__ = ["boundary_term", "film_flux", "flux_term", "potential_fluxes", "source_term"]
