"""The transient run's result: summary.json, final fields and the files in time.

:func:`run_transient` is what ``pipeline.model_run.run_model`` calls for a case with
``[time]`` (the march itself: ``emcd_fem.pipeline.transient_run``).
"""

import gc
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

from emcd_fem.case import Case
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.blocks import whole_mesh_field
from emcd_fem.models.reacting import conversion
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.pipeline.output import RunResult, common_summary, judge_run, write_outputs
from emcd_fem.pipeline.setup import build_materials, resolve_material
from emcd_fem.pipeline.thermal_case import thermal_diffusion_factors
from emcd_fem.pipeline.transient_run import (
    final_values,
    march_case,
    mole_fraction_field,
    time_settings,
    transient_summary,
    transient_thermal_summary,
    write_transient_files,
)
from emcd_fem.post import result_checks
from emcd_fem.post.integrals import owned_range


def run_transient(
    case: Case,
    domain: Domain,
    model: SpeciesTransportModel,
    out: str | Path | None,
    comm: MPI.Comm,
    timings: dict[str, float],
    start: float,
    *,
    mesh_reused: bool = False,
) -> RunResult:
    """March a ``[time]`` case, then write its final state and time series (collective)."""
    tic = time.perf_counter()
    staging = Path(out) if out is not None else None
    state, reason, _ = march_case(case, domain, model, staging)
    # the transient model's solver is garbage now: free it on every rank at this same
    # point (PETSc destroys are collective; rank 0 alone draws pictures below, and its
    # garbage collector would otherwise run there: a deadlock on 2 ranks)
    gc.collect()
    comm.Barrier()
    timings["solve"] = time.perf_counter() - tic
    tic = time.perf_counter()
    x = mole_fraction_field(model)
    x_min, x_max = owned_range(x)
    dofs = sum(p.function_space.dofmap.index_map.size_global for p in model.potentials)
    resolved = {n: resolve_material(case, n) for n in case.materials}
    summary: dict[str, Any] = final_values(state) | {
        "x_min": x_min,
        "x_max": x_max,
        "transient": transient_summary(state, reason, time_settings(case), case.time.scheme),
        "warnings": [w for r in resolved.values() for w in r.warnings],
        "analytic": None,  # the steady 1D references do not describe a transient
        "solver": {
            "type": "SNES ksponly (linear) or newtonls (Soret, nonlinear rates) per step, MUMPS LU",
            "linear": model.temperature is None
            and (model.reactions is None or model.reactions.linear),
        },
    }
    if case.thermal is not None:  # the α_T each material used, with its source
        summary["soret"] = {"thermal_diffusion_factor": thermal_diffusion_factors(case)}
    if model.reactions is not None:  # the steady run's block, at the final state
        mu = whole_mesh_field(domain, model.blocks, model.potentials, "potential")
        materials = build_materials(case, list(domain.regions))
        inputs = model.form_inputs
        report = model.reactions.report(
            mu, model.fields, materials, inputs.dS, inputs.interface_ids
        )
        X = conversion(summary["boundary_flux"], [*report["walls"], *report["interfaces"]])
        summary["reactions"] = report | {"conversion": X}
    summary |= common_summary(case, domain, dofs, comm, resolved, mesh_reused=mesh_reused)
    judge_run(case, domain, summary)
    result_checks.mark_interrupted(summary)
    timings["post"] = time.perf_counter() - tic
    fields = {"mole_fraction": x}
    last = state.records[-1] if state.records else None
    if last is not None and last.heat_flow is not None:  # T marched with the species
        summary["thermal"] = transient_thermal_summary(state, model.temperature, domain)
        fields["temperature"] = model.temperature
    if staging is None:
        summary["timings"] = timings
        return RunResult(summary, state, fields, None, domain)
    names = list(model.conditions) + [
        b for b in sorted(domain.boundaries) if b not in model.conditions
    ]
    names += sorted(model.reactions.interfaces) if model.reactions is not None else []
    extra = write_transient_files(staging, state, names, comm, domain.mesh.topology.dim)
    summary["transient"]["written"] = extra
    write_outputs(staging, comm, case, domain, fields, summary, None, timings, start)
    return RunResult(summary, state, fields, staging.resolve(), domain)


__all__ = ["run_transient"]
