"""Reaction rates of the binary system as UFL expressions of x_A (UFL only).

Mass action in mole fractions (``emcd_fem.materials.stoichiometry``): for a reaction with
reactant coefficients ν_i and product coefficients ν_j,

    r = k_f c Π_i x_i^{ν_i} − k_b c Π_j x_j^{ν_j},    x_B = 1 − x_A,

[mol/(m^3 s)] for a homogeneous reaction (k [1/s]) and [mol/(m^2 s)] on a surface (k [m/s]).
The production of A is R_A = ν_A r (ν_A = ν_A,products − ν_A,reactants). Arrhenius
constants k = A exp(−E_a/(R T)) take the temperature T [K] as UFL.

A ⇌ B gives R_A = −c (k_f + k_b)(x_A − x_eq), x_eq = k_b/(k_f + k_b): linear in x_A, so a
linear problem; a total order > 1 on either side makes the residual nonlinear (Newton, with
the rate in the Jacobian by ``ufl.derivative``).
"""

from collections.abc import Mapping

import ufl

from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.materials.stoichiometry import Reaction


def rate_constants(
    reaction: Reaction,
    constants: tuple[ufl.core.expr.Expr, ufl.core.expr.Expr],
    temperature: ufl.core.expr.Expr | None,
) -> tuple[ufl.core.expr.Expr, ufl.core.expr.Expr]:
    """(k_f, k_b): the constants themselves, or A exp(−E_a/(R T)) with Arrhenius data.

    Args:
        reaction: The reaction.
        constants: (k_f, k_b), or (A_f, A_b) when the reaction has Arrhenius data, as UFL.
        temperature: T [K] (needed with Arrhenius data).
    """
    if reaction.arrhenius_A is None:
        return constants
    if temperature is None:
        raise ValueError(f"reaction {reaction.label!r}: Arrhenius constants need a temperature")
    e_f, e_b = reaction.activation_energy
    return tuple(
        a * ufl.exp(-e / (GAS_CONSTANT * temperature))
        for a, e in zip(constants, (e_f, e_b), strict=True)
    )


def mass_action_rate(
    reaction: Reaction,
    x_of: Mapping[str, ufl.core.expr.Expr],
    concentration: ufl.core.expr.Expr,
    k_f: ufl.core.expr.Expr,
    k_b: ufl.core.expr.Expr,
) -> ufl.core.expr.Expr:
    """Mass-action rate r = k_f c Π x_i^{ν_i} − k_b c Π x_j^{ν_j} [mol/(m^3 s) or mol/(m^2 s)].

    Args:
        reaction: The reaction (its stoichiometry gives the orders).
        x_of: Species name → mole fraction (UFL).
        concentration: c [mol/m^3].
        k_f: Forward constant.
        k_b: Backward constant (ignored for '->').
    """
    s = reaction.stoichiometry

    def product(side: Mapping[str, float]) -> ufl.core.expr.Expr:
        out = ufl.as_ufl(1.0)
        for name, nu in side.items():
            out = out * (x_of[name] if nu == 1 else x_of[name] ** nu)
        return out

    rate = k_f * concentration * product(s.reactants)
    if s.reversible:
        rate = rate - k_b * concentration * product(s.products)
    return rate


def is_linear(reaction: Reaction) -> bool:
    """True when the rate is affine in x_A: total order ≤ 1 on each active side."""
    s = reaction.stoichiometry
    orders = [sum(s.reactants.values())]
    if s.reversible:
        orders.append(sum(s.products.values()))
    return all(order in (0, 1) for order in orders)


def interface_sink_term(
    consumption: ufl.core.expr.Expr, w: ufl.core.expr.Expr, dS: ufl.Measure
) -> ufl.Form:
    """∫_Γ q w dS on an internal interface Γ carrying a surface reaction.

    Integrating ∇·N_A = R_A by parts in each region separately leaves, on Γ, the sum of the
    normal fluxes out of both sides, N_A·n_a + N_A·n_b = q: the A that enters the interface
    and is consumed there, q = −Σ ν_A r_s [mol/(m^2 s)] (the reacting-wall flux). The
    argument must already be restricted (``q('+')``, ``w('+')``: the side whose x_A drives
    the rate is '+').

    Args:
        consumption: q [mol/(m^2 s)], restricted.
        w: The test function, restricted.
        dS: The interior-facet measure on Γ (its subdomain id).
    """
    return consumption * w * dS


__all__ = ["interface_sink_term", "is_linear", "mass_action_rate", "rate_constants"]
