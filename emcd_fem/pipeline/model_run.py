"""``emcd run`` through the composed species-transport model: case → terms → solve → output.

Runs every ``[thermal]`` case (prescribed or solved T, with partition coefficients, films,
contact resistances, sources) and films with a source (:func:`needs_model`). The summary
carries the keys of the film and thermal pipelines it combines (``boundary_flux``,
``balance``, ``x_min``/``x_max``, ``film_flux``/``blocks`` with films,
``flux_split``/``thermal``/``soret`` with ``[thermal]``, ``solver``).
"""

import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import ufl
from dolfinx import fem

from emcd_fem.case import Case
from emcd_fem.case.soret_sign import sign_warnings
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.pipeline.output import (
    RunResult,
    common_summary,
    judge_run,
    profile_rows,
    timed_solve,
    write_outputs,
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
)
from emcd_fem.post.fields import flux_space, interpolate_expression
from emcd_fem.post.integrals import owned_range


def needs_model(case: Case) -> bool:
    """True for the cases this pipeline runs: every ``[thermal]`` case, films with a source."""
    films = any(s.film is not None for s in case.interfaces)
    transient = case.time is not None  # [time]: pipeline.transient_output.run_transient
    return transient or case.thermal is not None or (films and case.physics.source != 0)


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
        degree=case.discretisation.degree,
        petsc_options=case.solver.petsc_options,
        **thermal,
    )


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
    """Build, solve, post-process and write a case through the composed model."""
    tic = time.perf_counter()
    model = build_model(case, domain)
    timings["setup"] = time.perf_counter() - tic
    if case.time is not None:  # the time loop and its outputs: pipeline/transient_*.py
        from emcd_fem.pipeline.transient_output import run_transient

        return run_transient(
            case, domain, model, out, comm, timings, start, mesh_reused=mesh_reused
        )
    solution = timed_solve(model, timings, "composed species-transport model")
    tic = time.perf_counter()
    x = solution.mole_fraction
    if len(model.blocks) == 1 and not any(h != 1.0 for h in model.solubility.values()):
        x = solution.potentials[0]  # μ = x_A: the Lagrange field itself
        x.name = "mole_fraction_A"
    fick, thermal = model.fluxes(solution.potential)
    flux = fick if thermal is None else fick + thermal
    available = {
        "mole_fraction": x,
        "molar_flux": interpolate_expression(flux, flux_space(x), "molar_flux_A"),
    }
    T = solution.temperature
    if T is not None:
        if not isinstance(T, fem.Function):  # prescribed: a field for output and pictures
            T = interpolate_expression(ufl.as_ufl(T), x.function_space, "temperature")
        available["temperature"] = T
        available["thermal_fraction"] = solution.thermal_fraction
    wanted = case.output.fields or list(available)
    fields = {name: available[name] for name in wanted if name in available}
    if model.films:
        for block, potential in zip(model.blocks, solution.potentials, strict=True):
            potential.name = "potential_" + "_".join(block.regions)
            fields[potential.name] = potential
    dofs = sum(p.function_space.dofmap.index_map.size_global for p in solution.potentials)
    summary: dict[str, Any] = {
        "boundary_flux": solution.boundary_flux,
        "balance": {"relative": solution.balance, "production": solution.production},
        "x_min": solution.x_min,
        "x_max": solution.x_max,
        "solver": {
            "type": "SNES newtonls (bt line search), MUMPS LU",
            "iterations": solution.iterations,
            "reason": solution.reason,
            "residual_history": solution.residual_history,
            "coupling": solution.coupling,
            "coupling_iterations": solution.coupling_iterations,
            "coupling_history": solution.coupling_history,
        },
        "analytic": reference_summary(case, domain, solution) if T is not None else None,
    }
    if T is None:  # isothermal: the linear solve's report, as in the film pipeline
        summary["solver"] = solution.solver.as_dict()
    if model.films:
        summary["film_flux"] = {f"{a}|{b}": v for (a, b), v in solution.film_flux.items()}
        summary["blocks"] = [b.regions for b in model.blocks]
    resolved = {n: resolve_material(case, n) for n in case.materials}
    warnings = list(solution.warnings) + [w for r in resolved.values() for w in r.warnings]
    if T is not None:
        t_min, t_max = (
            (solution.heat.t_min, solution.heat.t_max)
            if solution.heat is not None
            else owned_range(T)
        )
        share = {}
        for name, part in solution.flux_split.items():
            total = abs(part["fickian"]) + abs(part["thermal"])
            share[name] = abs(part["thermal"]) / total if total > 0 else 0.0
        summary["flux_split"] = solution.flux_split
        summary["thermal"] = {
            "mode": "conduction" if solution.heat is not None else "prescribed",
            "t_min": t_min,
            "t_max": t_max,
            "heat_flow": solution.heat.heat_flow if solution.heat else None,
            "heat_balance": solution.heat.balance if solution.heat else None,
            "units": {"heat_flow": ["W/m^2", "W/m", "W"][domain.mesh.topology.dim - 1]},
        }
        summary["soret"] = {
            "sign": "S_T > 0 drives A towards the cold side (kinetic theory: the heavier "
            "species goes to the cold side, so S_T < 0 when A is the lighter gas)",
            "alpha_t": solution.alpha_t,
            "thermal_share": share,
            "cell_peclet": solution.cell_peclet,
        }
        warnings += sign_warnings(case)
    summary["warnings"] = warnings
    summary |= common_summary(case, domain, dofs, comm, resolved, mesh_reused=mesh_reused)
    found = soret_reference(case) if T is not None else None
    rows = profile_rows(
        case,
        x,
        comm,
        (lambda points: found[0].mole_fraction(points[:, 0])) if found is not None else None,
    )
    judge_run(case, domain, summary)
    timings["post"] = time.perf_counter() - tic
    if out is None:
        summary["timings"] = timings
        return RunResult(summary, solution, fields, None, domain)
    write_outputs(out, comm, case, domain, fields, summary, rows, timings, start)
    return RunResult(summary, solution, fields, Path(out).resolve(), domain)


__all__ = ["build_model", "needs_model", "run_model"]
