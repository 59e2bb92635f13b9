"""The ``[thermal]`` section of a case: thermal conditions, T, Soret data, closed-form slab.

Used by the composed model's pipeline (:mod:`emcd_fem.pipeline.model_run`).
"""

import logging
from typing import Any

import numpy as np

from emcd_fem import analytic, expressions
from emcd_fem.case import (
    Case,
    ConvectiveBC,
    HeatFluxBC,
    LayeredSlab,
    MoleFractionBC,
    TemperatureBC,
    ZeroFluxBC,
)
from emcd_fem.errors import AdmissibilityError
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.soret import TemperatureDependence
from emcd_fem.models.thermal import (
    Convective,
    HeatConductionProblem,
    HeatFlux,
    Insulated,
    Temperature,
)
from emcd_fem.pipeline.setup import build_materials
from emcd_fem.pipeline.thermal_alpha import (
    kinetic_law,
    kinetic_temperatures,
    thermal_diffusion_factors,
)
from emcd_fem.post.integrals import owned_range
from emcd_fem.post.result_checks import reference_tolerance

logger = logging.getLogger("emcd_fem")


def thermal_conditions(case: Case) -> dict[str, Any]:
    """Boundary name → thermal condition, for the boundaries listed in ``[thermal]``."""
    conditions = {}
    for name, spec in case.thermal.boundaries.items():
        if isinstance(spec, TemperatureBC):
            conditions[name] = Temperature(spec.value)
        elif isinstance(spec, HeatFluxBC):
            conditions[name] = HeatFlux(spec.value)
        elif isinstance(spec, ConvectiveBC):
            conditions[name] = Convective(spec.coefficient, spec.ambient)
        else:
            conditions[name] = Insulated()
    return conditions


def contact_resistances(case: Case, domain: Domain) -> dict[tuple[str, str], float]:
    """Region pair → R_c [m^2 K/W] from the material-pair ``[[interfaces]]``."""
    from emcd_fem.materials.partition import adjacent_regions

    by_materials = {
        frozenset(spec.materials): spec.contact_resistance
        for spec in case.interfaces
        if spec.contact_resistance is not None
    }
    if not by_materials:
        return {}
    return {
        (a, b): by_materials[pair]
        for a, b in adjacent_regions(domain)
        if (pair := frozenset((case.material_of(a), case.material_of(b)))) in by_materials
    }


def temperature_of(case: Case, domain: Domain) -> Any:
    """What :class:`SoretProblem` takes as temperature: a number, UFL, or a heat problem."""
    thermal = case.thermal
    if thermal.boundaries:
        return HeatConductionProblem(
            domain,
            {r: case.materials[case.material_of(r)].thermal_conductivity for r in domain.regions},
            thermal_conditions(case),
            degree=case.discretisation.degree,
            source=thermal.source,
            contact_resistance=contact_resistances(case, domain),
            petsc_options=case.solver.petsc_options,
        )
    if isinstance(thermal.temperature, str):
        return expressions.to_ufl(thermal.temperature, domain.mesh)
    return float(thermal.temperature)


def transient_heat_arguments(case: Case, domain: Domain) -> dict[str, Any]:
    """``heat_capacity`` and ``temperature_values`` of ``TransientModel`` for a case.

    Empty without ``thermal.volumetric_heat_capacity`` (T steady in a transient run).
    The boundary values are the case's expressions of x, y, z [m] and t [s].
    """
    thermal = case.thermal
    if thermal is None or not thermal.volumetric_heat_capacity:
        return {}
    dim = domain.mesh.geometry.dim
    values = {
        name: (lambda x, t, text=text: expressions.evaluate(text, x[:dim], dim, t=t))
        for name, text in sorted(thermal.boundary_values.items())
    }
    return {
        "heat_capacity": dict(thermal.volumetric_heat_capacity),
        "temperature_values": values,
    }


def initial_temperature(case: Case, domain: Domain) -> Any:
    """``thermal.initial_temperature`` as ``TransientHeat.set_initial`` takes it."""
    initial = case.thermal.initial_temperature
    if initial is None:  # (a previous run's T is read by the caller when there is one)
        return "steady"
    if isinstance(initial, str) and initial != "steady":
        dim = domain.mesh.geometry.dim
        return lambda x: expressions.evaluate(initial, x[:dim], dim)
    return initial


def soret_parameters(case: Case, domain: Domain) -> dict[str, Any]:
    """S_T, α_T and the temperature laws per region (keyword arguments of SoretProblem)."""
    soret, alpha, dependence = {}, {}, {}
    factors = thermal_diffusion_factors(case, domain)
    temperatures = kinetic_temperatures(case, domain)
    for region in domain.regions:
        spec = case.materials[case.material_of(region)]
        if spec.soret_coefficient is not None:
            soret[region] = spec.soret_coefficient
        if spec.thermal_diffusion_factor == "kinetic_theory":
            alpha[region] = kinetic_law(case.material_of(region), spec, temperatures)
        elif spec.thermal_diffusion_factor is not None:
            alpha[region] = factors[case.material_of(region)]["value"]
        if spec.diffusivity_law != "constant" or spec.concentration_law != "constant":
            dependence[region] = TemperatureDependence(
                diffusivity=spec.diffusivity_law,
                reference_temperature=spec.T,
                exponent=spec.diffusivity_exponent,
                gases=tuple(spec.gases) if spec.gases else None,
                concentration=spec.concentration_law,
                pressure=spec.P,
            )
    return {
        "soret": soret,
        "thermal_diffusion_factor": alpha,
        "temperature_dependence": dependence,
    }


def soret_reference(case: Case) -> tuple[analytic.SoretSlabSolution, Any] | None:
    """The closed-form 1D solution when it applies, with its material, else None.

    A layered slab of one material with constant c, D and S_T, mole fractions at left and
    right, zero flux elsewhere, and a temperature linear in x: fixed temperatures at left
    and right with insulated sides and no heat source, or a prescribed T that is linear in
    x (checked at sample points); no species source and no reaction.
    """
    g, thermal = case.geometry, case.thermal
    if not isinstance(g, LayeredSlab) or case.physics.source != 0 or case.reactions:
        return None  # the closed form has no species source and no reaction
    names = {case.material_of(r) for r in g.region_names()}
    if len(names) != 1:
        return None
    spec = case.materials[names.pop()]
    if (
        spec.soret_coefficient is None
        or spec.diffusivity_law != "constant"
        or spec.concentration_law != "constant"
    ):
        return None
    ends = [case.boundaries.get(e) for e in ("left", "right")]
    if not all(isinstance(b, MoleFractionBC) for b in ends):
        return None
    others = [b for n, b in case.boundaries.items() if n not in ("left", "right")]
    if any(not isinstance(b, ZeroFluxBC) for b in others):
        return None
    length = sum(layer.thickness for layer in g.layers)
    if thermal.boundaries:
        t_ends = [thermal.boundaries.get(e) for e in ("left", "right")]
        if not all(isinstance(b, TemperatureBC) for b in t_ends) or thermal.source != 0:
            return None
        if any(
            n not in ("left", "right") and spec_.type != "insulated"
            for n, spec_ in thermal.boundaries.items()
        ):
            return None
        if any(s.contact_resistance is not None for s in case.interfaces):
            return None
        temperatures = (t_ends[0].value, t_ends[1].value)
    else:
        text = str(thermal.temperature)
        rng = np.random.default_rng(0)
        points = rng.random((g.dim, 16)) * np.array([length, g.width, g.depth][: g.dim]).reshape(
            -1, 1
        )
        values = expressions.evaluate(text, points)
        ends_x = np.zeros((g.dim, 2))
        ends_x[0, 1] = length
        t0, t1 = expressions.evaluate(text, ends_x)
        linear = t0 + (t1 - t0) * points[0] / length
        if not np.allclose(values, linear, rtol=1e-13, atol=0):
            return None
        temperatures = (float(t0), float(t1))
    if min(temperatures) <= 0:
        raise AdmissibilityError(
            f"thermal: the temperature reaches {min(temperatures):g} K <= 0 at an end of the "
            "slab; temperatures are absolute (K)"
        )
    material = build_materials(case)[g.region_names()[0]]
    solution = analytic.soret_slab(
        length,
        material,
        spec.soret_coefficient,
        temperatures,
        (ends[0].value, ends[1].value),
    )
    return solution, material


def reference_summary(case: Case, domain: Domain, solution: Any) -> dict | None:
    """The closed-form Soret slab next to a solution's fluxes (None when it does not apply).

    ``solution`` has ``boundary_flux`` and ``flux_split`` (a Soret or transport solution).
    """
    found = soret_reference(case)
    if found is None:
        return None
    ref, material = found
    area = domain.slab.area if domain.slab is not None else 1.0
    split = analytic.soret_flux_split(ref, material, np.array([0.0, ref.length]))
    expected = {"left": -ref.flux * area, "right": ref.flux * area}
    thermal = {"left": -split["thermal"][0] * area, "right": split["thermal"][1] * area}
    errors = {n: abs(solution.boundary_flux[n] - v) / abs(v) for n, v in expected.items()}
    return {
        "kind": "closed-form Riccati solution, linear T (emcd_fem.analytic.soret_slab)",
        "flux_per_area": ref.flux,
        "cross_section": area,
        "boundary_flux": expected,
        "thermal_flux": thermal,
        "relative_error": errors,
        "max_relative_error": max(errors.values()),
        "thermal_relative_error": {
            n: abs(solution.flux_split[n]["thermal"] - v) / abs(v) if v else 0.0
            for n, v in thermal.items()
        },
    } | reference_tolerance(
        {n: solution.boundary_flux[n] for n in expected},
        {
            n: solution.flux_split[n]["fickian"] + solution.flux_split[n]["thermal"]
            for n in expected
        },
    )


def thermal_summary(domain: Domain, solution: Any, temperature: Any) -> dict[str, Any]:
    """The ``flux_split``, ``thermal`` and ``soret`` entries of a ``[thermal]`` run's summary.

    Args:
        domain: The domain.
        solution: The species-transport solution (``models.solution.TransportSolution``).
        temperature: T [K] as a Function on the mesh (collective range when not solved).
    """
    heat = solution.heat
    t_min, t_max = (heat.t_min, heat.t_max) if heat is not None else owned_range(temperature)
    share = {}
    for name, part in solution.flux_split.items():
        total = abs(part["fickian"]) + abs(part["thermal"])
        share[name] = abs(part["thermal"]) / total if total > 0 else 0.0
    return {
        "flux_split": solution.flux_split,
        "thermal": {
            "mode": "conduction" if heat is not None else "prescribed",
            "t_min": t_min,
            "t_max": t_max,
            "heat_flow": heat.heat_flow if heat else None,
            "heat_balance": heat.balance if heat else None,
            "units": {"heat_flow": ["W/m^2", "W/m", "W"][domain.mesh.topology.dim - 1]},
        },
        "soret": {
            "sign": "S_T > 0 drives A towards the cold side (kinetic theory: the heavier "
            "species goes to the cold side, so S_T < 0 when A is the lighter gas)",
            "alpha_t": solution.alpha_t,
            "alpha_t_meaning": "region -> volume mean of alpha_T = S_T(T, x_A) T over the "
            "solved T and x_A (the input: thermal_diffusion_factor.<material>, whose 'value' "
            "is alpha_T at the material's T and x_A = 0.5 for kinetic_theory)",
            "alpha_t_range_meaning": "region with a kinetic_theory alpha_T -> min/max over "
            "the solved points of alpha_T(T, x_A) (evaluated at the local T and x_A), of T [K] "
            "and x_A, and fit_T: the T range [K] the law was fitted over",
            "thermal_share": share,
            "cell_peclet": solution.cell_peclet,
        },
    }
