"""``emcd run`` through the composed species-transport model: case → terms → solve → output.

Every case runs here (:func:`build_model` picks the terms from the case's sections:
partition coefficients, films, sources, reactions, flux-only data with an inventory,
prescribed or solved T with contact resistances; ``flux_model = "stefan"`` runs the 1D
Stefan-flow film instead, ``pipeline.stefan_run``; a ``[time]`` case marches the model in
time, ``pipeline.transient_output``). The summary always has
``boundary_flux``, ``balance`` (``net_outflow``, ``production``, ``relative``),
``x_min``/``x_max``, ``field_degrees``, ``solver``, ``analytic`` (the case's reference or
None) and ``effective``; plus ``film_flux``/``blocks`` with films, ``reactions`` (with
``conversion``) with reactions and ``flux_split``/``thermal``/``soret`` with ``[thermal]``.
"""

import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import ufl
from dolfinx import fem

from emcd_fem.case import Case
from emcd_fem.case.check_reactions import build_reactions
from emcd_fem.case.soret_sign import sign_warnings
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.reacting import conversion
from emcd_fem.models.thermal_support import law_extremes
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.pipeline.output import (
    RunResult,
    common_summary,
    isothermal_exact,
    judge_run,
    timed_solve,
    write_outputs,
)
from emcd_fem.pipeline.profiles import profile_rows
from emcd_fem.pipeline.references import (
    analytic_summary,
    film_network,
    film_reference,
    reference_tolerance,
)
from emcd_fem.pipeline.setup import (
    build_boundary_conditions,
    build_materials,
    interface_pairs,
    resolve_material,
)
from emcd_fem.pipeline.thermal_case import (
    reference_summary,
    soret_parameters,
    soret_reference,
    temperature_of,
    thermal_diffusion_factors,
    thermal_summary,
)
from emcd_fem.post.fields import flux_space, interpolate_expression, mass_average_velocity_field


def build_model(case: Case, domain: Domain) -> SpeciesTransportModel:
    """The model with the terms the case's sections choose (collective)."""
    films, partitions = {}, {}
    for regions, spec in interface_pairs(case, domain):
        if spec.film is not None:
            films[regions] = spec.film
        if spec.partition is not None:
            partitions[regions] = spec.partition
    thermal = {}
    if case.thermal is not None:
        thermal = {
            "temperature": temperature_of(case, domain),
            "coupling": case.thermal.coupling,
            "coupling_tolerance": case.thermal.coupling_tolerance,
        } | soret_parameters(case, domain)
    return SpeciesTransportModel(
        domain,
        build_materials(case, list(domain.regions)),
        build_boundary_conditions(case),
        films=films,
        partitions=partitions,
        source=case.physics.source,
        inventory_mole_fraction=case.physics.inventory_mole_fraction,
        reactions=build_reactions(case),
        degree=case.discretisation.degree,
        petsc_options=case.solver.petsc_options,
        closed=case.time is not None,  # a transient flux-only run needs no inventory
        **thermal,
    )


def _reference(case: Case, domain: Domain, model: Any, solution: Any) -> tuple[Any, Any]:
    """The case's reference next to the FE fluxes and its exact x_A(points), or Nones."""
    if case.reactions:  # the 1D/film/Soret references know no reactions (analytic.reactions
        return None, None  # is checked by the tests and `emcd verify`)
    if case.thermal is not None:
        found = soret_reference(case)
        summary = reference_summary(case, domain, solution)
        return summary, (lambda p: found[0].mole_fraction(p[:, 0])) if found else None
    if model.films:  # the resistance network (films at every interface, no source)
        network = film_network(case) if case.physics.source == 0 else None
        exact = network["profile"] if network is not None else None
        return film_reference(network, solution), exact
    return analytic_summary(case, domain, solution), isothermal_exact(case)


def _degree_label(function: fem.Function) -> str:
    element = function.function_space.element.basix_element
    return f"{'DG' if element.discontinuous else 'Lagrange'} {element.degree}"


def run_model(
    case: Case,
    domain: Domain,
    out: str | Path | None,
    comm: MPI.Comm,
    timings: dict[str, float],
    start: float,
    *,
    mesh_reused: bool = False,
) -> RunResult:
    """Build, solve, post-process and write a case through the composed model (collective)."""
    # each special route is imported when taken: `emcd run` of a plain case loads none of them
    if case.multicomponent is not None and case.multicomponent.model == "dusty_gas":
        from emcd_fem.pipeline.dusty_gas_run import run_dusty_gas

        return run_dusty_gas(case, domain, out, comm, timings, start, mesh_reused=mesh_reused)
    if case.multicomponent is not None and case.time is not None:  # n species in time
        from emcd_fem.pipeline.multicomponent_transient import run_transient_multicomponent

        return run_transient_multicomponent(
            case, domain, out, comm, timings, start, mesh_reused=mesh_reused
        )
    if case.multicomponent is not None:  # n species: the Maxwell–Stefan model
        from emcd_fem.pipeline.multicomponent_run import run_multicomponent

        return run_multicomponent(case, domain, out, comm, timings, start, mesh_reused=mesh_reused)
    if case.physics.flux_model == "stefan":  # non-equimolar 1D film: its own model
        from emcd_fem.pipeline.stefan_run import run_stefan

        return run_stefan(case, domain, out, comm, timings, start)
    tic = time.perf_counter()
    model = build_model(case, domain)
    timings["setup"] = time.perf_counter() - tic
    if case.time is not None:  # the time loop and its outputs: pipeline/transient_*.py
        from emcd_fem.pipeline.transient_output import run_transient

        return run_transient(
            case, domain, model, out, comm, timings, start, mesh_reused=mesh_reused
        )
    solution = timed_solve(model, timings, "species-transport model")
    tic = time.perf_counter()
    x, mu = solution.mole_fraction, solution.potential
    if len(model.blocks) == 1 and not any(h != 1.0 for h in model.solubility.values()):
        x = solution.potentials[0]  # μ = x_A: the Lagrange field itself
        x.name = "mole_fraction_A"
    fick, thermal = model.fluxes(mu)
    flux = fick if thermal is None else fick + thermal
    available: dict[str, Any] = {  # name → its field, built only if [output] fields wants it
        "mole_fraction": lambda: x,
        "molar_flux": lambda: interpolate_expression(flux, flux_space(mu), "molar_flux_A"),
    }
    T = solution.temperature
    if T is not None:
        if not isinstance(T, fem.Function):  # prescribed: a field for output and pictures
            T = interpolate_expression(ufl.as_ufl(T), x.function_space, "temperature")
        available["temperature"] = lambda: T
        available["thermal_fraction"] = lambda: solution.thermal_fraction
    elif case.species is not None:  # v = (M_A − M_B) N_A / ρ of the (isothermal) EMCD flux
        available["mass_average_velocity"] = lambda: mass_average_velocity_field(
            mu, model.fields, case.species.A.molar_mass, case.species.B.molar_mass
        )
    wanted = case.output.fields or list(available)
    fields = {name: available[name]() for name in wanted if name in available}
    if model.films:
        for block, potential in zip(model.blocks, solution.potentials, strict=True):
            potential.name = "potential_" + "_".join(block.regions)
            fields[potential.name] = potential
    dofs = sum(p.function_space.dofmap.index_map.size_global for p in solution.potentials)
    reference, exact = _reference(case, domain, model, solution)
    summary: dict[str, Any] = {
        "boundary_flux": solution.boundary_flux,
        "balance": vars(solution.balance_record),
        "x_min": solution.x_min,
        "x_max": solution.x_max,
        "field_degrees": {name: _degree_label(f) for name, f in fields.items()},
        "solver": solution.solver.as_dict(),
        "analytic": reference,
        "effective": _effective(case, domain),
    }
    if T is not None:  # Newton after the linear start
        summary["solver"] = {
            **model.newton_record,  # type (with the linear method), ksp/pc type, fallback
            "sequential": model.sequential,  # monolithic at scale: T, then Newton for x_A
            "iterations": solution.iterations,
            "reason": solution.reason,
            "residual_history": solution.residual_history,
            "coupling": solution.coupling,
            "coupling_iterations": solution.coupling_iterations,
            "coupling_history": solution.coupling_history,
        }
    if solution.reactions is not None:  # conversion: the fraction of the supplied A consumed
        walls = [*solution.reactions["walls"], *solution.reactions["interfaces"]]  # sinks
        X = conversion(solution.boundary_flux, walls)
        summary["reactions"] = solution.reactions | {"conversion": X}
    if model.films:
        summary["film_flux"] = {f"{a}|{b}": v for (a, b), v in solution.film_flux.items()}
        summary["blocks"] = [b.regions for b in model.blocks]
    resolved = {n: resolve_material(case, n) for n in case.materials}
    warnings = list(solution.warnings) + [w for r in resolved.values() for w in r.warnings]
    if T is not None:
        summary |= thermal_summary(domain, solution, T)
        summary["soret"]["thermal_diffusion_factor"] = thermal_diffusion_factors(case, domain)
        summary["soret"]["alpha_t_range"] = law_extremes(domain, model.transport, T, x)
        warnings += sign_warnings(case)
    summary["warnings"] = warnings
    summary |= common_summary(case, domain, dofs, comm, resolved, mesh_reused=mesh_reused)
    if T is None and reference is not None:  # (the Soret reference carries its own)
        field = fields.get("molar_flux")  # N_A held exactly by it: no flux form compiled
        summary["analytic"] |= reference_tolerance(
            case,
            domain,
            summary,
            mu,
            model.fields,
            flux_field=None if field is None else (flux, field),
        )
    rows = profile_rows(case, x, comm, exact)
    judge_run(case, domain, summary)
    if case.analysis.emcd_validity:  # "is EMCD valid here?": a re-solve beside the run
        from emcd_fem.pipeline.validity_run import record_failure, report_for_model

        summary["validity"], extra = report_for_model(
            case, domain, model, solution, summary, build_model
        )
        fields |= extra
        record_failure(summary)
    timings["post"] = time.perf_counter() - tic
    if out is None:
        summary["timings"] = timings
        return RunResult(summary, solution, fields, None, domain)
    write_outputs(out, comm, case, domain, fields, summary, rows, timings, start)
    return RunResult(summary, solution, fields, Path(out).resolve(), domain)


def _effective(case: Case, domain: Domain) -> dict[str, Any] | None:
    """The effective-diffusivity report of ``[analysis] effective_diffusivity`` (else None)."""
    if not case.analysis.effective_diffusivity:
        return None
    from emcd_fem.studies.effective import effective_report

    g = case.geometry
    return effective_report(
        domain,
        resolve_material(case, case.material_of("matrix")).material,
        resolve_material(case, case.material_of("inclusion")).material,
        domain.layout,
        degree=case.discretisation.degree,
        periodic_counts=g.counts if g.arrangement == "periodic" else None,
        petsc_options=case.solver.petsc_options,
    )


__all__ = ["build_model", "run_model"]
