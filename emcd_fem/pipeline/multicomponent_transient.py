"""``emcd run`` of a ``[multicomponent]`` case with ``[time]``: transient Maxwell–Stefan.

Route: :func:`emcd_fem.pipeline.multicomponent_run.run_multicomponent` hands a case with
``[time]`` to :func:`run_transient_multicomponent`. The steady model
(:class:`~emcd_fem.models.multicomponent.MaxwellStefanModel`, ``closed=True`` when no
boundary has a composition: a closed vessel such as the Loschmidt tube) gives the flux law;
:class:`~emcd_fem.models.multicomponent_transient.TransientMaxwellStefan` adds the storage
term; :func:`emcd_fem.models.march.march` runs the time loop with the ``[time]`` settings
of a binary run (:func:`emcd_fem.pipeline.transient_run.time_settings`). The start is the
initial composition of each region (``[multicomponent.regions.<r>] initial``: numbers or
expressions of x, y, z through :mod:`emcd_fem.expressions`); ``[thermal]``: a steady T.

Written besides the steady outputs (fields.vtkhdf of the final state: ``x_<s>``,
``molar_flux_<s>``, ``mass_average_velocity``; summary.json): ``time_series.csv`` (every
step: each species' outward flow per open boundary, Σ_i per boundary, inventories,
relative balances, mole fractions at the probes), ``fields_time.pvd`` + ``fields_time/``
(every species' mole fraction at ``time.output_times`` and at the end) and
``species_history.png``, and ``checkpoint.npz`` (``io.checkpoint``: the blocked state of
n − 1 mole fractions per node, the step records, the probe history) every
``checkpoint_every`` steps, on SIGTERM/SIGINT (the run ends with ``transient.reason =
"interrupted"``) and at the end; ``emcd run --resume DIR`` continues it.
"""

import gc
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from emcd_fem.case import Case
from emcd_fem.case.multicomponent import ROOT, build_inputs
from emcd_fem.case.multicomponent_data import initial_compositions, mixtures_record, unit_notes
from emcd_fem.expressions import evaluate
from emcd_fem.io.checkpoint import CHECKPOINT, fingerprint, restore_state, write_checkpoint
from emcd_fem.io.output import write_csv
from emcd_fem.io.time_series import COLLECTION, FieldSeries
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.march import march
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_transient import (
    MulticomponentStepRecord,
    TransientMaxwellStefan,
)
from emcd_fem.pipeline.initial_inventory import data_inventory, inventory_record
from emcd_fem.pipeline.multicomponent_run import build_model, result_fields
from emcd_fem.pipeline.multicomponent_thermal import add_thermal_results, optional_thermal_setup
from emcd_fem.pipeline.output import RunResult, common_summary, write_outputs
from emcd_fem.pipeline.species_probes import Probes
from emcd_fem.pipeline.species_run import bootstrap_record, equimolar_verdict
from emcd_fem.pipeline.transient_run import (
    StopOnSignal,
    case_data,
    resume_header,
    time_settings,
)
from emcd_fem.post import result_checks
from emcd_fem.post.integrals import owned_range
from emcd_fem.post.result_checks import BALANCE_FAIL_RTOL

logger = logging.getLogger("emcd_fem")
FLUX_UNITS = ("mol/(m^2 s)", "mol/(m s)", "mol/s")
INVENTORY_UNITS = ("mol/m^2", "mol/m", "mol")


def initial_functions(case: Case) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Region → points (3, N) → the n initial mole fractions (n, N) of a case."""
    dim = case.geometry.dim

    def composition(values: list[float | str]) -> Callable[[np.ndarray], np.ndarray]:
        def f(points: np.ndarray) -> np.ndarray:
            return np.vstack(
                [
                    evaluate(v, points[:dim], dim)
                    if isinstance(v, str)
                    else np.full(points.shape[1], float(v))
                    for v in values
                ]
            )

        return f

    return {r: composition(v) for r, v in initial_compositions(case.multicomponent).items()}


def time_series_table(
    records: list[MulticomponentStepRecord],
    species: list[str],
    boundaries: list[str],
    probes: list[dict[str, dict[str, float]]],
    dim: int,
) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a multicomponent ``time_series.csv`` (units in brackets)."""
    unit, inventory_unit = FLUX_UNITS[dim - 1], INVENTORY_UNITS[dim - 1]
    header = ["step", "t [s]", "dt [s]"]
    header += [f"flux_{s}_{b} [{unit}]" for s in species for b in boundaries]
    header += [f"total_flux_{b} [{unit}]" for b in boundaries]
    header += [f"inventory_{s} [{inventory_unit}]" for s in species]
    header += [f"balance_{s} [1]" for s in species]
    names = sorted(probes[0]) if probes else []
    header += [f"x_{s}_at_{p} [1]" for p in names for s in species]
    header += ["error_ratio [1]", "rejected_steps", "change_rate [1/s]"]
    rows = []
    for i, r in enumerate(records):
        row: list[Any] = [r.step, r.t, r.dt]
        row += [r.boundary_flux[s][b] for s in species for b in boundaries]
        row += [r.total_flux[b] for b in boundaries]
        row += [r.inventory[s] for s in species]
        row += [r.balance[s] for s in species]
        row += [probes[i][p][s] for p in names for s in species] if probes else []
        row += ["" if r.error_ratio is None else r.error_ratio, r.rejected, r.change_rate]
        rows.append(row)
    return header, rows


def _resumed(case: Case, model: MaxwellStefanModel, probes: "Probes") -> tuple[Any, list[float]]:
    """The march state of ``time.resume``'s checkpoint, set into the model (collective)."""
    header = resume_header(case)  # the same case, not finished
    path = Path(case.time.resume) / CHECKPOINT
    state = restore_state(path, model.unknowns, MulticomponentStepRecord)
    for u, stored in zip(model.unknowns, state.states[-1], strict=True):
        u.x.array[:] = stored
        u.x.scatter_forward()
    probes.initial = header["probes_initial"]
    probes.history = list(header["probe_history"])
    logger.info("resuming at t = %g s, step %d", state.t, state.step)
    return state, list(header["initial_inventory"])


def _summary(
    state: Any, reason: str, case: Case, model: MaxwellStefanModel, start: dict[str, Any]
) -> dict[str, Any]:
    records: list[MulticomponentStepRecord] = state.records
    species, last = list(model.species), records[-1]
    fractions = model.mole_fraction_fields()
    worst_total = max(
        (
            abs(r.total_flux[b]) / max(sum(abs(r.boundary_flux[s][b]) for s in species), 1e-300)
            for r in records
            for b in model.dirichlet_names
        ),
        default=0.0,
    )
    steps = [r.dt for r in records]
    return {
        "model": case.multicomponent.model,
        "species": species,
        "bootstrap": bootstrap_record(model.bootstrap, model.species),
        "closed": model.closed,
        "boundary_flux": last.boundary_flux,
        "total_flux": {b: last.total_flux[b] for b in model.dirichlet_names},
        "equimolar": equimolar_verdict(
            {b: last.total_flux[b] for b in model.dirichlet_names}, last.boundary_flux
        ),
        "balance": {
            s: {"relative": last.balance[s], "max_over_steps": max(r.balance[s] for r in records)}
            for s in species
        },
        "inventory": inventory_record(species, start["inventory"], last.inventory, start["data"]),
        "x_range": {s: list(owned_range(f)) for s, f in fractions.items()},
        "probes": {
            n: {"point": list(start["points"][n]), "initial": start["probes"][n], "final": v}
            for n, v in (start["final_probes"] or {}).items()
        },
        "transient": {
            "scheme": case.time.scheme,
            "adaptive": case.time.adaptive,
            "reason": reason,
            "t_final": state.t,
            "steps": state.step,
            "rejected_steps": int(sum(r.rejected for r in records)),
            "dt_smallest": min(steps),
            "dt_largest": max(steps),
            "steady_state": reason == "steady_state",
            "change_rate": last.change_rate,
            "max_total_flux_ratio": worst_total,
            "files": {"time_series": "time_series.csv", "fields": COLLECTION},
        },
        "analytic": None,
        "solver": {"type": "SNES newtonls (bt line search) per step, MUMPS LU"},
        "warnings": list(model.warnings),
    }


def _judge(summary: dict[str, Any]) -> None:
    """Every species' balance closes at every step (relative to the BDF terms' sizes)."""
    failures = [
        f"the balance of {s} does not close: relative imbalance {b['max_over_steps']:.3e} > "
        f"{BALANCE_FAIL_RTOL:g} at some step; please report it with the case file"
        for s, b in summary["balance"].items()
        if not b["max_over_steps"] <= BALANCE_FAIL_RTOL
    ]
    summary["status"] = "failed" if failures else "ok"
    summary["failures"] = failures


def run_transient_multicomponent(
    case: Case,
    domain: Domain,
    out: str | Path | None,
    comm: MPI.Comm,
    timings: dict[str, float],
    start: float,
    *,
    mesh_reused: bool = False,
) -> RunResult:
    """March a ``[multicomponent]`` + ``[time]`` case and write its results (collective)."""
    tic = time.perf_counter()
    spec, settings = case.multicomponent, time_settings(case)
    inputs = build_inputs(spec)
    setup = optional_thermal_setup(case, domain)  # [thermal]: T steady, storage c(T)
    thermal = setup.inputs if setup else None
    model = build_model(case, domain, inputs, closed=not inputs.compositions, thermal=thermal)
    transient = TransientMaxwellStefan(
        model, scheme=case.time.scheme, petsc_options=case.solver.petsc_options
    )
    staging = Path(out) if out is not None else None
    series = FieldSeries(staging, comm) if staging is not None else None
    probes = Probes(model, spec.probes)
    if case.time.resume is None:
        labels = {r: f"{ROOT}.regions.{r}.initial" for r in spec.regions}
        transient.set_initial_by_region(initial_functions(case), labels)
        state = transient.initial_state(settings.t_start, settings.dt)
        probes.initial = probes.sample()
        initial_inventory = [float(v) for v in state.inventories[0]]
        if series is not None and settings.t_start in settings.output_times:
            series.write(settings.t_start, list(model.mole_fraction_fields().values()))
    else:
        state, initial_inventory = _resumed(case, model, probes)
        if series is not None:  # keep the fields written before the interruption
            series.adopt(case.time.resume, state.t, settings.output_times)
    timings["setup"] = time.perf_counter() - tic
    tic = time.perf_counter()
    meta = {"fingerprint": fingerprint(case_data(case)), "case": case_data(case)}
    last_checkpoint = [time.monotonic()]

    def save(finished: bool, reason: str) -> None:
        if staging is not None:
            extra = {
                "finished": finished,
                "reason": reason,
                "initial_inventory": initial_inventory,
                "probes_initial": probes.initial,
                "probe_history": probes.history,
            }
            write_checkpoint(staging / CHECKPOINT, state, model.unknowns, meta | extra)
            last_checkpoint[0] = time.monotonic()

    def on_step(record: MulticomponentStepRecord, at_output: bool) -> None:
        if comm.rank == 0:
            logger.info("t = %.6g s, dt = %.3g s, step %d", record.t, record.dt, record.step)
        probes.history.append(probes.sample())
        if series is not None and at_output:
            series.write(record.t, list(model.mole_fraction_fields().values()))
        every, seconds = case.time.checkpoint_every, case.time.checkpoint_seconds
        due = every > 0 and record.step % every == 0
        due = due or (seconds is not None and time.monotonic() - last_checkpoint[0] > seconds)
        if comm.allreduce(int(due), op=MPI.MAX):
            save(False, "running")

    with StopOnSignal(comm) as stop:
        reason = march(transient, state, settings, on_step=on_step, should_stop=stop)
    if series is not None and (not series.entries or series.entries[-1][0] != state.t):
        series.write(state.t, list(model.mole_fraction_fields().values()))
    save(reason != "interrupted", reason)
    del transient  # its SNES: freed on every rank at this same point (collective destroy)
    gc.collect()
    comm.Barrier()
    timings["solve"] = time.perf_counter() - tic
    tic = time.perf_counter()
    begin = {
        "inventory": initial_inventory,
        "data": data_inventory(case, domain, inputs.mixtures),
        "points": spec.probes,
        "probes": probes.initial,
        "final_probes": probes.history[-1] if probes.history else {},
    }
    summary = _summary(state, reason, case, model, begin)
    dofs = sum(u.function_space.dofmap.index_map.size_global for u in model.unknowns)
    dofs *= len(model.species) - 1
    summary |= common_summary(case, domain, dofs, comm, {}, mesh_reused=mesh_reused)
    summary["materials"] = mixtures_record(spec, inputs.mixtures)  # the c and Đ_ij used
    summary["warnings"] += unit_notes(spec)  # values that look like unit slips
    _judge(summary)
    result_checks.mark_interrupted(summary)
    fields = result_fields(model, model.mole_fraction_fields(), spec)
    add_thermal_results(summary, fields, model, domain, setup)  # T, α_ij, the final split
    timings["post"] = time.perf_counter() - tic
    if staging is None:
        summary["timings"] = timings
        return RunResult(summary, state, fields, None, domain)
    species, boundaries = list(model.species), list(model.dirichlet_names)
    dim = domain.mesh.topology.dim
    header, rows = time_series_table(state.records, species, boundaries, probes.history, dim)
    write_csv(staging / "time_series.csv", header, rows, comm)
    written = ["time_series.csv", COLLECTION, "fields_time", CHECKPOINT]
    if comm.rank == 0:  # rank 0 alone: keep the collector off (no PETSc destroy here)
        gc.disable()
        try:
            written.append(_draw(staging, state.records, species, boundaries, probes.history, dim))
        finally:
            gc.enable()
    summary["transient"]["written"] = [w for w in comm.bcast(written, root=0) if w]
    write_outputs(staging, comm, case, domain, fields, summary, None, timings, start)
    return RunResult(summary, state, fields, staging.resolve(), domain)


def _draw(
    staging: Path,
    records: list[MulticomponentStepRecord],
    species: list[str],
    boundaries: list[str],
    probes: list[dict[str, dict[str, float]]],
    dim: int,
) -> str:
    """species_history.png on rank 0; a failure is logged, never a lost run."""
    from emcd_fem.plotting.species_history import plot_species_history

    try:
        plot_species_history(
            staging / "species_history.png",
            [r.t for r in records],
            {
                f"{s} at {b}": [r.boundary_flux[s][b] for r in records]
                for s in species
                for b in boundaries
            },
            {b: [r.total_flux[b] for r in records] for b in boundaries},
            {
                f"x_{s} at {p}": [h[p][s] for h in probes]
                for p in (sorted(probes[0]) if probes else [])
                for s in species
            },
            unit=FLUX_UNITS[dim - 1],
        )
    except Exception as exc:  # an optional picture must not cost the finished march
        logger.warning("species_history.png not written: %s", exc)
        return ""
    return "species_history.png"


__all__ = [
    "initial_functions",
    "run_transient_multicomponent",
    "time_series_table",
]
