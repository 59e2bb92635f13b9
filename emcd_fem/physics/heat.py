"""Steady heat conduction as UFL forms.

Fourier's law q = −k ∇T [W/m^2] and −∇·(k ∇T) = Q with Q the volumetric heat source
[W/m^3]. Two discretisations:

* continuous Lagrange (perfect thermal contact at every interface, T continuous):
  ∫ k ∇T·∇w dx + Σ_Γ ∫_Γ (q·n) w ds = ∫ Q w dx;
* symmetric interior penalty (SIPG) discontinuous Galerkin, used when some interface has
  a thermal contact resistance R_c [m^2 K/W]: across such an interface the heat flux is
  q·n = (T_+ − T_−)/R_c, which adds ∫ (T_+ − T_−)(w_+ − w_−)/R_c dS and no consistency
  terms; elsewhere the usual SIPG terms keep T weakly continuous, and temperatures are
  imposed weakly (Nitsche). SIPG is consistent, so piecewise-polynomial exact solutions
  of the element degree are reproduced to round-off.

Transient conduction ρ c_p ∂T/∂t − ∇·(k ∇T) = Q adds the storage term
∫ ρ c_p (∂T/∂t) w dx (:func:`heat_storage_term`), with ∂T/∂t a UFL combination of the
unknown and the previous temperatures given by the time integrator
(``emcd_fem.solvers.time_stepping.bdf_coefficients``); the stored heat is ∫ ρ c_p T dx
(:func:`thermal_energy_density`).
"""

from collections.abc import Mapping

import ufl
from dolfinx import fem

from emcd_fem.mesh.domain import Domain
from emcd_fem.mesh.quadrature import cell_diameter
from emcd_fem.physics.conditions import BoundaryCondition

#: SIPG penalty α (times k/h and the degree squared): large enough for coercivity on
#: simplices and quadrilaterals of moderate aspect ratio.
SIPG_PENALTY = 10.0


def heat_flux(temperature: ufl.core.expr.Expr, conductivity: fem.Function) -> ufl.core.expr.Expr:
    """Fourier's law q = −k ∇T [W/m^2]."""
    return -conductivity * ufl.grad(temperature)


def conduction_forms(
    domain: Domain,
    conductivity: fem.Function,
    temperature: fem.Function,
    boundary_conditions: Mapping[str, BoundaryCondition],
    constants: Mapping[str, dict],
    source: ufl.core.expr.Expr,
) -> tuple[ufl.Form, ufl.Form]:
    """Bilinear and linear forms of continuous-Lagrange heat conduction."""
    V = temperature.function_space
    T, w = ufl.TrialFunction(V), ufl.TestFunction(V)
    a = ufl.inner(-heat_flux(T, conductivity), ufl.grad(w)) * domain.dx
    L = source * w * domain.dx
    for name, bc in boundary_conditions.items():
        ds_b = domain.ds(domain.boundaries[name])
        lhs, rhs = bc.lhs(T, w, ds_b, constants[name]), bc.rhs(w, ds_b, constants[name])
        a += lhs if lhs is not None else 0
        L += rhs if rhs is not None else 0
    return a, L


def penalty(conductivity: fem.Function, degree: int, mesh) -> ufl.core.expr.Expr:
    """SIPG penalty on boundary facets, α p² k / h [W/(m^2 K)]."""
    return SIPG_PENALTY * max(degree, 1) ** 2 * conductivity / cell_diameter(mesh)


def sipg_forms(
    domain: Domain,
    conductivity: fem.Function,
    temperature: fem.Function,
    boundary_conditions: Mapping[str, BoundaryCondition],
    constants: Mapping[str, dict],
    source: ufl.core.expr.Expr,
    dS: ufl.Measure,
    continuous_tag: int,
    contact: Mapping[int, fem.Constant],
) -> tuple[ufl.Form, ufl.Form]:
    """Bilinear and linear forms of SIPG heat conduction with contact resistances.

    Args:
        domain: The domain.
        conductivity: DG0 k [W/(m K)].
        temperature: The DG temperature Function.
        boundary_conditions: Boundary → condition (Dirichlet ones are imposed weakly).
        constants: Boundary → the condition's bound values.
        source: Q [W/m^3].
        dS: Interior-facet measure over tags: ``continuous_tag`` (T weakly continuous) and
            the keys of ``contact``.
        continuous_tag: Tag of interior facets with perfect contact.
        contact: Facet tag → contact conductance 1/R_c [W/(m^2 K)].
    """
    msh = domain.mesh
    V = temperature.function_space
    degree = V.element.basix_element.degree
    T, w = ufl.TrialFunction(V), ufl.TestFunction(V)
    n = ufl.FacetNormal(msh)
    h = cell_diameter(msh)
    k = conductivity
    h_avg = (h("+") + h("-")) / 2
    k_max = ufl.max_value(k("+"), k("-"))
    alpha = SIPG_PENALTY * max(degree, 1) ** 2
    dS_c = dS(continuous_tag)
    a = ufl.inner(k * ufl.grad(T), ufl.grad(w)) * domain.dx
    a += (
        -ufl.inner(ufl.avg(k * ufl.grad(T)), ufl.jump(w, n)) * dS_c
        - ufl.inner(ufl.avg(k * ufl.grad(w)), ufl.jump(T, n)) * dS_c
        + alpha * k_max / h_avg * ufl.inner(ufl.jump(T, n), ufl.jump(w, n)) * dS_c
    )
    for tag, conductance in contact.items():
        a += conductance * ufl.jump(T) * ufl.jump(w) * dS(tag)
    L = source * w * domain.dx
    gamma = penalty(k, degree, msh)
    for name, bc in boundary_conditions.items():
        ds_b = domain.ds(domain.boundaries[name])
        values = constants[name]
        if bc.is_dirichlet:
            T_D = values["value"]
            a += (
                -ufl.inner(k * ufl.grad(T), n) * w * ds_b
                - ufl.inner(k * ufl.grad(w), n) * T * ds_b
                + gamma * T * w * ds_b
            )
            L += -ufl.inner(k * ufl.grad(w), n) * T_D * ds_b + gamma * T_D * w * ds_b
            continue
        lhs, rhs = bc.lhs(T, w, ds_b, values), bc.rhs(w, ds_b, values)
        a += lhs if lhs is not None else 0
        L += rhs if rhs is not None else 0
    return a, L


def nitsche_flux(
    temperature: fem.Function, conductivity: fem.Function, value: ufl.core.expr.Expr
) -> ufl.core.expr.Expr:
    """Outward heat flux of the SIPG solution on a weakly imposed temperature boundary.

    q·n = −k ∇T·n + α p² k/h (T − T_D): the flux the discrete equations conserve.
    """
    msh = temperature.function_space.mesh
    degree = temperature.function_space.element.basix_element.degree
    n = ufl.FacetNormal(msh)
    return ufl.inner(heat_flux(temperature, conductivity), n) + penalty(
        conductivity, degree, msh
    ) * (temperature - value)


def heat_storage_term(
    heat_capacity: ufl.core.expr.Expr,
    rate: ufl.core.expr.Expr,
    w: ufl.core.expr.Expr,
    dx: ufl.Measure,
) -> ufl.Form:
    """∫ ρ c_p (∂T/∂t) w dx [W]: the storage term of transient conduction.

    ``heat_capacity`` is ρ c_p [J/(m^3 K)], ``rate`` is ∂T/∂t [K/s].
    """
    return heat_capacity * rate * w * dx


def thermal_energy_density(
    heat_capacity: ufl.core.expr.Expr, temperature: ufl.core.expr.Expr
) -> ufl.core.expr.Expr:
    """ρ c_p T [J/m^3]: the stored heat per unit volume (relative to T = 0 K)."""
    return heat_capacity * temperature


__all__ = [
    "conduction_forms",
    "heat_flux",
    "heat_storage_term",
    "nitsche_flux",
    "sipg_forms",
    "thermal_energy_density",
]
