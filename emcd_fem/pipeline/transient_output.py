"""The transient run's result: summary.json, final fields and the files in time.

:func:`run_transient` is what ``pipeline.model_run.run_model`` calls for a case with
``[time]`` (the march itself: ``emcd_fem.pipeline.transient_run``).
"""

import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

from emcd_fem.case import Case
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.pipeline.output import RunResult, common_summary, judge_run, write_outputs
from emcd_fem.pipeline.setup import resolve_material
from emcd_fem.pipeline.transient_run import (
    final_values,
    march_case,
    mole_fraction_field,
    time_settings,
    transient_summary,
    write_transient_files,
)
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
    state, reason, _, _ = march_case(case, domain, model, staging)
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
    }
    summary |= common_summary(case, domain, dofs, comm, resolved, mesh_reused=mesh_reused)
    judge_run(case, domain, summary)
    timings["post"] = time.perf_counter() - tic
    fields = {"mole_fraction": x}
    if staging is None:
        summary["timings"] = timings
        return RunResult(summary, state, fields, None, domain)
    names = list(model.conditions) + [
        b for b in sorted(domain.boundaries) if b not in model.conditions
    ]
    extra = write_transient_files(staging, state, names, comm, domain.mesh.topology.dim)
    summary["transient"]["written"] = extra
    write_outputs(staging, comm, case, domain, fields, summary, [], timings, start)
    return RunResult(summary, state, fields, staging.resolve(), domain)


def resume_source(
    directory: str | Path, case: str | Path | None = None, overrides: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The case data that continue the checkpoint in ``directory`` (``emcd run --resume``).

    Every rank reads the checkpoint header itself (same file, same verdict).

    Args:
        directory: The output directory of the interrupted run.
        case: The case file, to check that it is still the checkpoint's case (optional).
        overrides: ``--set`` overrides of that case file.

    Raises:
        EmcdInputError: no checkpoint, a finished run, or a case that changed.
    """
    from emcd_fem.errors import EmcdInputError
    from emcd_fem.io.checkpoint import CHECKPOINT, fingerprint, read_header
    from emcd_fem.pipeline.run import load_case_collective
    from emcd_fem.pipeline.transient_run import case_data

    header = read_header(Path(directory) / CHECKPOINT)
    if header.get("finished"):
        raise EmcdInputError(
            f"--resume {str(directory)!r}: the run already finished at t = {header['t']:g} s "
            f"({header.get('reason')}); nothing to resume"
        )
    if case is not None:
        loaded = load_case_collective(case, list(overrides))
        if fingerprint(case_data(loaded)) != header.get("fingerprint"):
            raise EmcdInputError(
                f"--resume {str(directory)!r}: {str(case)!r} is not the case the checkpoint "
                "was written for (it changed since); resume without a case file to continue "
                "the stored case, or start a new run"
            )
    data = header["case"]
    data["time"] = dict(data["time"]) | {"resume": str(Path(directory).resolve())}
    return data


__all__ = ["resume_source", "run_transient"]
