"""Thermal-diffusion support shared by the composed model and ``SoretProblem``.

Newton options, the temperature checks, and the diagnostics of a Soret solution (thermal
share of the flux, α_T per region, cell Péclet number of the thermal drift).
"""

from collections.abc import Mapping
from typing import Any

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.errors import AdmissibilityError, EmcdInputError, EmcdResultError
from emcd_fem.materials import Material
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.thermal import HeatConductionProblem
from emcd_fem.physics.soret import TemperatureDependence, TransportFields, transport_fields
from emcd_fem.post.integrals import integrate, owned_range

#: Thermal diffusion factors of common gas pairs near 300 K (kinetic theory): 0.06 (N2–CO2)
#: to 0.4 (He–Ar); outside this range a note is added to the solution.
TYPICAL_GAS_ALPHA_T = (0.05, 0.45)
NEWTON_OPTIONS = {
    "snes_type": "newtonls",
    "snes_linesearch_type": "bt",
    "snes_rtol": 1e-12,
    "snes_atol": 1e-14,
    "snes_max_it": 50,
    "ksp_type": "preonly",
    "pc_type": "lu",
    "pc_factor_mat_solver_type": "mumps",
}


def thermal_diagnostics(
    domain: Domain,
    transport: TransportFields,
    x: fem.Function,
    temperature: Any,
    fick: ufl.core.expr.Expr,
    thermal: ufl.core.expr.Expr,
) -> tuple[fem.Function, dict[str, float], tuple[str, ...]]:
    """Thermal-fraction field, α_T = S_T(T, x_A) T per region (its mean) and notes (collective).

    Args:
        domain: The domain.
        transport: The T-dependent parameter fields.
        x: The mole fraction (its degree sets the fraction field's degree).
        temperature: T [K].
        fick: Fickian part of N_A [mol/(m^2 s)].
        thermal: Thermal-diffusion part of N_A [mol/(m^2 s)].
    """
    from emcd_fem.post.fields import flux_space, interpolate_expression

    T = temperature
    tiny = 1e-300
    expr = ufl.sqrt(ufl.dot(thermal, thermal)) / (
        ufl.sqrt(ufl.dot(fick, fick)) + ufl.sqrt(ufl.dot(thermal, thermal)) + tiny
    )
    degree = flux_space(x).element.basix_element.degree
    msh = domain.mesh
    space = fem.functionspace(msh, ("DG", degree))
    fraction = interpolate_expression(expr, space, "thermal_fraction")
    alpha, notes = {}, []
    low, high = TYPICAL_GAS_ALPHA_T
    law_notes = law_range_notes(domain, transport, T, x)
    for region, tag in domain.regions.items():
        dx = domain.dx(tag)
        volume = integrate(fem.form(fem.Constant(msh, 1.0) * dx))
        law = domain.dx(tag, metadata=transport.law_quadrature(x, T))
        alpha[region] = integrate(fem.form(transport.soret_of(T, x) * T * law)) / volume
        if region in law_notes:  # α_T(x_A): judged over the solved compositions
            notes += law_notes[region]
        elif alpha[region] != 0 and not low <= abs(alpha[region]) <= high:
            notes.append(
                f"region {region!r}: alpha_T = S_T T = {alpha[region]:.3g} is outside the "
                f"range typical of gas pairs ({low}–{high}); fine for liquids and some "
                "mixtures, check S_T for gases"
            )
    peclet = cell_peclet(domain, transport, T, x)
    if peclet > 1:
        notes.append(
            f"the cell Péclet number of the thermal drift, |S_T ∇T| h / 2, reaches "
            f"{peclet:.3g} > 1: the discrete x_A may oscillate; refine the mesh where "
            "the temperature gradient is steep"
        )
    return fraction, alpha, tuple(notes)


def law_extremes(
    domain: Domain, transport: TransportFields, temperature: Any, x: fem.Function
) -> dict[str, dict[str, list[float]]]:
    """Region with a kinetic-theory α_T law → the α_T, T [K] and x_A met (collective).

    Min and max over the nodes of the solved fields (DG of x_A's degree) in the region:
    ``{"alpha_t": [lo, hi], "T": [lo, hi], "x_A": [lo, hi], "fit_T": [lo, hi]}`` with
    ``fit_T`` the temperature range the law was fitted over ([0, inf] for a law of x_A
    only). Regions in sorted order, the same on every rank.
    """
    from emcd_fem.post.fields import interpolate_expression

    if transport.alpha_law is None:
        return {}
    msh, comm = domain.mesh, domain.mesh.comm
    T = temperature
    space = fem.functionspace(msh, ("DG", x.function_space.element.basix_element.degree))
    fields = {
        "alpha_t": interpolate_expression(transport.soret_of(T, x) * T, space, "a"),
        "T": interpolate_expression(ufl.as_ufl(T) + 0 * x, space, "T"),  # (T may be a number)
        "x_A": interpolate_expression(x, space, "x"),
    }
    law_dofs = transport.alpha_law.function_space
    law = transport.alpha_law.x.array.reshape(-1, law_dofs.dofmap.index_map_bs)
    out = {}
    for region in sorted(transport.law_regions):
        cells = domain.cell_tags.find(domain.regions[region])
        dofs = space.dofmap.list[cells].ravel()
        entry = {}
        for key, field in fields.items():
            v = field.x.array[dofs]
            entry[key] = [
                comm.allreduce(float(np.min(v, initial=np.inf)), op=MPI.MIN),
                comm.allreduce(float(np.max(v, initial=-np.inf)), op=MPI.MAX),
            ]
        rows = law[law_dofs.dofmap.list[cells, 0]]
        centre, half = rows[:, 0], rows[:, 1]
        with np.errstate(over="ignore"):
            entry["fit_T"] = [
                comm.allreduce(float(np.min(np.exp(centre - half), initial=np.inf)), op=MPI.MIN),
                comm.allreduce(float(np.max(np.exp(centre + half), initial=-np.inf)), op=MPI.MAX),
            ]
        out[region] = entry
    return out


#: Relative slack of the solved T against the fitted range of an α_T(T, x_A) law.
FIT_RANGE_SLACK: float = 1e-9


def law_range_notes(
    domain: Domain, transport: TransportFields, temperature: Any, x: fem.Function
) -> dict[str, list[str]]:
    """Region with an α_T(T, x_A) law → notes on its values over the solved x_A (collective).

    A kinetic-theory law (``thermal_diffusion_factor = "kinetic_theory"``) is judged where
    it is used: α_T(T, x_A) at every node of the solved T and x_A in the region
    (:func:`law_extremes`), not its mean. Its sign is kinetic theory's own (no sign warning
    applies); its magnitude may leave the range typical of gas pairs (H2–N2 at 300 K: 0.27
    to 0.57), which the note says with the x_A where it happens. Regions with a law get an
    entry (an empty list when in range).

    Raises:
        EmcdResultError: the solved T leaves the temperature range the law was fitted over
            (it is not used outside it).
    """
    low, high = TYPICAL_GAS_ALPHA_T
    out = {}
    for region, met in law_extremes(domain, transport, temperature, x).items():
        (lo, hi), (x_lo, x_hi) = met["alpha_t"], met["x_A"]
        (t_lo, t_hi), (f_lo, f_hi) = met["T"], met["fit_T"]
        if t_lo < f_lo * (1 - FIT_RANGE_SLACK) or t_hi > f_hi * (1 + FIT_RANGE_SLACK):
            raise EmcdResultError(
                f"region {region!r}: the solved temperature spans {t_lo:.6g}–{t_hi:.6g} K, "
                f"beyond the {f_lo:.6g}–{f_hi:.6g} K over which the kinetic_theory "
                "alpha_T(T, x_A) was fitted (the case's temperatures with margins); give "
                "the material a T near the solved temperatures or thermal_diffusion_factor "
                "as a number"
            )
        small, large = sorted((abs(lo), abs(hi)))
        if lo * hi <= 0:
            small = 0.0
        out[region] = []
        if small < low or large > high:
            out[region].append(
                f"region {region!r}: alpha_T(x_A) of the kinetic_theory law spans {lo:.3g} to "
                f"{hi:.3g} over the solved x_A = {x_lo:.3g} to {x_hi:.3g} and T = {t_lo:.4g} "
                f"to {t_hi:.4g} K, beyond the range "
                f"typical of gas pairs ({low}–{high}): these are the pair's own kinetic-theory "
                "values at these compositions and temperatures (not a wrong input); thermal "
                "diffusion is "
                f"{'stronger' if large > high else 'weaker'} there than that range suggests"
            )
    return out


def cell_peclet(
    domain: Domain, transport: TransportFields, temperature: Any, mole_fraction: Any = None
) -> float:
    """Max over cells of |S_T(T, x_A) ∇T| h / 2: the drift-to-diffusion ratio per cell [-]."""
    from emcd_fem.mesh.quadrature import cell_diameter
    from emcd_fem.post.fields import interpolate_expression

    msh = domain.mesh
    T = temperature
    drift = transport.soret_of(T, mole_fraction) * ufl.grad(T)
    expr = ufl.sqrt(ufl.dot(drift, drift)) * cell_diameter(msh) / 2
    values = interpolate_expression(expr, fem.functionspace(msh, ("DG", 0)), "peclet")
    return msh.comm.allreduce(float(values.x.array.max(initial=0.0)), op=MPI.MAX)


def prescribed_temperature(msh, temperature: Any) -> Any:
    """Number / UFL / Function [K] → form coefficient, checked > 0 at the P1 nodes."""
    if isinstance(temperature, ufl.constantvalue.ScalarValue):
        temperature = float(temperature)  # e.g. 300 + 0*x simplified by UFL
    if isinstance(temperature, bool) or not isinstance(
        temperature, int | float | ufl.core.expr.Expr
    ):
        raise EmcdInputError(
            "temperature must be a number [K], a UFL expression, a Function or a "
            f"HeatConductionProblem, got {type(temperature).__name__}"
        )
    if isinstance(temperature, int | float):
        temperature = fem.Constant(msh, float(temperature))
    if isinstance(temperature, fem.Constant):
        t_min = float(temperature.value)
    elif isinstance(temperature, fem.Function):
        t_min, _ = owned_range(temperature)
    else:
        check = fem.Function(fem.functionspace(msh, ("Lagrange", 1)))
        points = check.function_space.element.interpolation_points
        check.interpolate(fem.Expression(temperature, points))
        t_min, _ = owned_range(check)
    check_temperature(t_min)
    return temperature


def check_temperature(t_min: float) -> None:
    """Refuse a temperature field whose minimum t_min [K] is not > 0."""
    if not t_min > 0:
        raise AdmissibilityError(
            f"the temperature field reaches {t_min:g} K <= 0: temperatures are absolute (K)"
        )


def model_temperature(
    domain: Domain,
    materials: Mapping[str, Material],
    temperature: Any,
    soret: Mapping[str, float],
    thermal_diffusion_factor: Mapping[str, Any],
    temperature_dependence: Mapping[str, TemperatureDependence],
) -> tuple[HeatConductionProblem | None, Any, TransportFields | None]:
    """The temperature of a species-transport model and its T-dependent transport fields.

    Args:
        domain: The domain.
        materials: Region → material.
        temperature: None (isothermal), T [K] (number, UFL expression, Function) or a
            :class:`~emcd_fem.models.thermal.HeatConductionProblem` on ``domain``.
        soret: Region → S_T [1/K].
        thermal_diffusion_factor: Region → α_T [-] (a number or a CompositionLaw of x_A).
        temperature_dependence: Region → :class:`TemperatureDependence`.

    Returns:
        (the heat problem or None, T as UFL/Function or None, the transport fields or None).

    Raises:
        EmcdInputError: a heat problem on another domain; thermal data without a T.
    """
    heat = None
    if isinstance(temperature, HeatConductionProblem):
        if temperature.domain is not domain:
            raise EmcdInputError("the heat problem must be built on the same domain")
        heat, temperature = temperature, temperature.temperature
    elif temperature is not None:
        temperature = prescribed_temperature(domain.mesh, temperature)
    elif soret or thermal_diffusion_factor or temperature_dependence:
        raise EmcdInputError("S_T, alpha_T or T-dependent properties need a temperature")
    if temperature is None:
        return heat, None, None
    transport = transport_fields(
        domain,
        materials,
        dict(soret),
        dict(thermal_diffusion_factor),
        dict(temperature_dependence),
    )
    return heat, temperature, transport


__all__ = [
    "NEWTON_OPTIONS",
    "TYPICAL_GAS_ALPHA_T",
    "cell_peclet",
    "check_temperature",
    "law_extremes",
    "law_range_notes",
    "model_temperature",
    "prescribed_temperature",
    "thermal_diagnostics",
]
