"""The storage term of transient species transport (UFL only).

c ∂x_A/∂t + ∇·N_A = R_A in the potential form x_A = H μ (H constant per region): the
storage is c H ∂μ/∂t [mol/(m^3 s)], with ∂μ/∂t given by the time integrator as a UFL
combination of the unknown and the previous potentials
(``emcd_fem.solvers.time_stepping.bdf_coefficients``).
"""

import ufl


def capacity(
    concentration: ufl.core.expr.Expr, partition: ufl.core.expr.Expr
) -> ufl.core.expr.Expr:
    """The capacity c H [mol/m^3]: moles of A per unit volume and unit potential (x_A = H μ)."""
    return concentration * partition


def storage_term(
    capacity: ufl.core.expr.Expr,
    rate: ufl.core.expr.Expr,
    w: ufl.core.expr.Expr,
    dx: ufl.Measure,
) -> ufl.Form:
    """∫ c H (∂μ/∂t) w dx: the storage term of the residual (``rate`` = ∂μ/∂t [1/s])."""
    return capacity * rate * w * dx


def inventory_density(
    capacity: ufl.core.expr.Expr, potential: ufl.core.expr.Expr
) -> ufl.core.expr.Expr:
    """The inventory density c x_A = c H μ [mol/m^3]: the amount of A per unit volume."""
    return capacity * potential


__all__ = ["capacity", "inventory_density", "storage_term"]
