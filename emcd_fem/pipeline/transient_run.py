"""``emcd run`` of a case with ``[time]``: the transient march, its outputs and checkpoints.

Route: :func:`emcd_fem.pipeline.model_run.run_model` calls :func:`run_transient` when the
case has a ``[time]`` section. The steady model of the case (``build_model``) gives the
terms; :class:`~emcd_fem.models.transient.TransientModel` adds the storage term and
:func:`~emcd_fem.models.march.march` the time loop. A solved temperature is solved once,
before the march (steady T: it does not depend on x_A), or, with
``thermal.volumetric_heat_capacity``, marched with the species (T of the new step first;
``models.transient``), starting from ``thermal.initial_temperature``.

Written besides the steady outputs (fields.vtkhdf and summary.json of the final state):
``time_series.csv`` (every step: fluxes, inventory, balance, error ratio),
``fields_time.pvd`` + ``fields_time/`` (fields at ``time.output_times`` and at the end),
``flux_history.png`` and ``checkpoint.npz`` (``emcd_fem.io.checkpoint``).

SIGTERM during the march: the current step is finished, a checkpoint written, the
outputs so far committed, and the run ends with summary ``transient.reason =
"interrupted"``; the CLI then exits with code 8 (``cli.exit_codes.EXIT_INTERRUPTED``;
``emcd run --resume DIR`` continues). Resume reads ``DIR/checkpoint.npz``
(``time.resume``): its case fingerprint must match, and a finished run is not resumed.
"""

import logging
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

from dolfinx import fem

from emcd_fem import progress
from emcd_fem.case import Case
from emcd_fem.case.check_time import initial_from_problems
from emcd_fem.case.time import InitialFrom
from emcd_fem.errors import EmcdInputError
from emcd_fem.expressions import evaluate, evaluate_in_time
from emcd_fem.interrupts import StopOnSignal
from emcd_fem.io.checkpoint import (
    CHECKPOINT,
    fingerprint,
    read_header,
    read_states,
    restore_state,
    write_checkpoint,
)
from emcd_fem.io.time_series import COLLECTION, FieldSeries, write_time_series
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.blocks import whole_mesh_field
from emcd_fem.models.march import TimeSettings, march
from emcd_fem.models.transient import StepRecord, TransientModel, TransientState
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.pipeline.thermal_case import initial_temperature, transient_heat_arguments
from emcd_fem.post.fields import interpolate_expression
from emcd_fem.solvers.time_stepping import StepControl

logger = logging.getLogger("emcd_fem")


def time_settings(case: Case) -> TimeSettings:
    """The march settings of a case's ``[time]`` section."""
    spec = case.time
    span = spec.t_end - spec.t_start
    control = StepControl(
        rtol=spec.rtol,
        atol=spec.atol,
        dt_min=spec.dt_min if spec.dt_min is not None else 1e-12 * span,
        dt_max=spec.dt_max if spec.dt_max is not None else span,
    )
    return TimeSettings(
        t_start=spec.t_start,
        t_end=spec.t_end,
        dt=spec.dt,
        adaptive=spec.adaptive,
        control=control,
        output_times=tuple(spec.output_times),
        stop_at_steady_state=spec.stop_at_steady_state,
        steady_tolerance=spec.steady_tolerance,
    )


def case_data(case: Case) -> dict[str, Any]:
    """The case as JSON data (stored in checkpoints; ``time.resume`` removed)."""
    data = case.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.get("time", {}).pop("resume", None)
    return data


def _initial_potentials(
    case: Case, model: SpeciesTransportModel, temperature: fem.Function | None = None
) -> bool:
    """Set the block potentials to the case's initial state μ = x_A / H.

    With ``initial = {from = DIR}`` and a marched ``temperature``, T is read from DIR too
    when DIR's checkpoint holds one and ``thermal.initial_temperature`` is not given.
    Returns whether T was set.
    """
    initial = case.time.initial
    if isinstance(initial, InitialFrom):
        for key, problem in initial_from_problems(case):  # as `emcd check` says
            raise EmcdInputError(f"{key}: {problem}")
        path = Path(initial.from_) / CHECKPOINT
        targets = list(model.potentials)
        explicit = case.thermal is None or case.thermal.initial_temperature is not None
        with_t = temperature is not None and not explicit and read_header(path).get("temperature")
        if with_t:
            targets.append(temperature)
        arrays = read_states(path, targets, latest_only=True)
        for u, a in zip(targets, arrays[0], strict=True):
            u.x.array[:] = a
            u.x.scatter_forward()
        return bool(with_t)
    for block, u in zip(model.blocks, model.potentials, strict=True):
        values = {model.solubility[r] for r in block.regions}
        if len(values) > 1 and not (not isinstance(initial, str) and float(initial) == 0.0):
            # μ = x_A/H is continuous in a film-free block while H jumps at a partition
            # interface: x_A = 0 (μ = 0) is the only uniform state consistent with it
            raise EmcdInputError(
                f"time.initial = {initial!r}: x_A jumps by the partition coefficient at a "
                f"partition interface between {sorted(block.regions)}, so this start is not "
                "consistent with it; the only uniform start consistent with every partition "
                'is 0 (the default), or start from a previous run with initial = {from = "DIR"}'
            )
        h = max(values)  # μ = 0 at every level when there are several
        if isinstance(initial, str):
            coords = u.function_space.tabulate_dof_coordinates()
            dim = model.domain.mesh.geometry.dim
            u.x.array[:] = evaluate(initial, coords[:, :dim].T) / h
        else:
            u.x.array[:] = float(initial) / h
        u.x.scatter_forward()
    return False


def mole_fraction_field(model: SpeciesTransportModel) -> fem.Function:
    """x_A on the parent mesh (the potential itself without films and partition)."""
    if len(model.blocks) == 1 and all(h == 1.0 for h in model.solubility.values()):
        x = model.potentials[0]
        x.name = "mole_fraction_A"
        return x
    mu = whole_mesh_field(model.domain, model.blocks, model.potentials, "potential")
    return interpolate_expression(model.fields.partition * mu, mu.function_space, "mole_fraction_A")


def fields_in_time(model: SpeciesTransportModel, transient: TransientModel) -> list[fem.Function]:
    """The fields of the time series: x_A, and T when it is marched."""
    fields = [mole_fraction_field(model)]
    if transient.heat is not None:
        fields.append(transient.heat.temperature)
    return fields


def resume_header(case: Case) -> dict[str, Any]:
    """The header of the checkpoint ``time.resume`` names, checked against the case.

    Raises:
        EmcdInputError: no checkpoint, another case (fingerprint), or a finished run.
    """
    spec = case.time
    header = read_header(Path(spec.resume) / CHECKPOINT)
    if header.get("fingerprint") != fingerprint(case_data(case)):
        raise EmcdInputError(
            f"time.resume: the checkpoint in {spec.resume!r} belongs to another case (the "
            "case changed since it was written); resume with the same case, or start anew"
        )
    if header.get("finished"):
        raise EmcdInputError(
            f"time.resume: the run in {spec.resume!r} already finished at t = "
            f"{header['t']:g} s ({header.get('reason')}); nothing to resume"
        )
    return header


def start_state(
    case: Case, model: SpeciesTransportModel, transient: TransientModel
) -> tuple[TransientState, bool]:
    """The state to march from: a resumed checkpoint or the initial state (collective)."""
    spec = case.time
    if spec.resume is None:
        heat = transient.heat
        if not _initial_potentials(case, model, heat.temperature if heat else None) and heat:
            transient.heat.set_initial(initial_temperature(case, model.domain), spec.t_start)
        return transient.initial_state(spec.t_start, spec.dt), False
    path = Path(spec.resume) / CHECKPOINT
    resume_header(case)
    state = restore_state(path, transient.marched)
    transient.set_potentials(state.states[-1])
    transient.set_boundary_values(state.t)
    logger.info("resuming at t = %g s, step %d", state.t, state.step)
    return state, True


def march_case(
    case: Case, domain: Domain, model: SpeciesTransportModel, out: Path | None
) -> tuple[TransientState, str, FieldSeries | None]:
    """Build the transient model of ``case`` and march it, writing into ``out`` (collective).

    The transient model's PETSc objects are freed (collectively) before returning.

    SIGTERM/SIGINT from here on stop the march after a step on every rank (the model's
    set-up, the start state and the march run in :class:`StopOnSignal`).

    Returns:
        The final state, why the march ended and the field series.
    """
    with StopOnSignal(domain.comm) as stop:
        return _march_case(case, domain, model, out, stop)


def _march_case(
    case: Case, domain: Domain, model: SpeciesTransportModel, out: Path | None, stop: StopOnSignal
) -> tuple[TransientState, str, FieldSeries | None]:
    comm = domain.comm
    spec, settings = case.time, time_settings(case)
    values = {
        name: (lambda t, text=text: evaluate_in_time(text, t))
        for name, text in sorted(spec.boundary_values.items())
    }
    transient = TransientModel(
        model,
        scheme=spec.scheme,
        boundary_values=values,
        petsc_options=case.solver.petsc_options,
        **transient_heat_arguments(case, domain),
    )
    state, resumed = start_state(case, model, transient)
    series = FieldSeries(out, comm) if out is not None else None
    meta = {"fingerprint": fingerprint(case_data(case)), "case": case_data(case)}
    meta["temperature"] = transient.heat is not None  # T stored as the last block
    last_checkpoint = [time.monotonic()]

    def save(finished: bool, reason: str) -> None:
        if out is not None:
            meta_now = meta | {"finished": finished, "reason": reason}
            write_checkpoint(out / CHECKPOINT, state, transient.marched, meta_now)
            last_checkpoint[0] = time.monotonic()

    if series is not None and resumed:  # keep the fields written before the interruption
        series.adopt(spec.resume, state.t, spec.output_times)  # not its stop-time frame
    if series is not None and not resumed and spec.t_start in spec.output_times:
        series.write(spec.t_start, fields_in_time(model, transient))

    span = spec.t_end - spec.t_start
    bar = progress.bar(desc="time steps", total=1000, unit="‰", comm=comm)
    bar.update(int(1000 * (state.t - spec.t_start) / span))

    def on_step(record: StepRecord, at_output: bool) -> None:
        bar.update(int(1000 * (record.t - spec.t_start) / span) - bar.n)
        bar.set_postfix_str(f"t = {record.t:.4g} s, dt = {record.dt:.3g} s, step {record.step}")
        if comm.rank == 0:
            logger.info("t = %.6g s, dt = %.3g s, step %d", record.t, record.dt, record.step)
        if series is not None and at_output:
            series.write(record.t, fields_in_time(model, transient))
        every = spec.checkpoint_every
        seconds = spec.checkpoint_seconds
        due = every > 0 and record.step % every == 0
        due = due or (seconds is not None and time.monotonic() - last_checkpoint[0] > seconds)
        if comm.allreduce(int(due), op=MPI.MAX):
            save(False, "running")

    try:
        reason = march(transient, state, settings, on_step=on_step, should_stop=stop)
    finally:
        bar.close()
    if series is not None and (not series.entries or series.entries[-1][0] != state.t):
        series.write(state.t, fields_in_time(model, transient))
    save(reason != "interrupted", reason)
    return state, reason, series


def transient_summary(
    state: TransientState, reason: str, settings: TimeSettings, scheme: str
) -> dict[str, Any]:
    """The ``transient`` block of summary.json and the final-step values."""
    records = state.records
    last = records[-1] if records else None
    steps = [r.dt for r in records]
    scale = max(
        [abs(q) for r in records for q in r.boundary_flux.values()]
        + [abs(r.production) for r in records]
        + [abs(r.inventory_rate) for r in records]
        + [1e-300]
    )
    return {
        "scheme": scheme,
        "adaptive": settings.adaptive,
        "reason": reason,
        "t_final": state.t,
        "steps": state.step,
        "rejected_steps": int(sum(r.rejected for r in records)),
        "dt_smallest": min(steps) if steps else None,
        "dt_largest": max(steps) if steps else None,
        "steady_state": reason == "steady_state",
        "steady_state_time": state.t if reason == "steady_state" else None,
        "change_rate": last.change_rate if last else None,
        "inventory": last.inventory if last else None,
        "inventory_rate": last.inventory_rate if last else None,
        "max_relative_imbalance": max((abs(r.balance) for r in records), default=0.0) / scale,
        "files": {"time_series": "time_series.csv", "fields": COLLECTION},
    }


def write_transient_files(
    out: Path, state: TransientState, boundaries: list[str], comm: MPI.Comm, dim: int
) -> list[str]:
    """time_series.csv and flux_history.png (rank 0 draws) in ``out``."""
    write_time_series(out / "time_series.csv", state.records, boundaries, comm, dim=dim)
    files = ["time_series.csv", COLLECTION, "fields_time", CHECKPOINT]
    if comm.rank == 0 and state.records:
        from emcd_fem.plotting.time_series import plot_flux_history

        unit = ["mol/(m^2 s)", "mol/(m s)", "mol/s"][dim - 1]
        plot_flux_history(
            out / "flux_history.png",
            [r.t for r in state.records],
            {n: [r.boundary_flux.get(n, 0.0) for r in state.records] for n in boundaries},
            [r.inventory for r in state.records],
            unit=unit,
        )
    files.append("flux_history.png")
    return files


def transient_thermal_summary(
    state: TransientState, temperature: fem.Function, domain: Domain
) -> dict[str, Any]:
    """The ``thermal`` block of a run with a transient temperature (final step; collective)."""
    from emcd_fem.post.integrals import owned_range

    records = state.records
    last = records[-1]
    scale = max([abs(q) for r in records for q in r.heat_flow.values()] + [1e-300])
    t_min, t_max = owned_range(temperature)
    return {
        "mode": "transient conduction",
        "t_min": t_min,
        "t_max": t_max,
        "heat_flow": last.heat_flow,
        "heat_energy": last.heat_energy,
        "max_relative_heat_imbalance": max(abs(r.heat_balance) for r in records) / scale,
        "units": {"heat_flow": ["W/m^2", "W/m", "W"][domain.mesh.topology.dim - 1]},
    }


def final_values(state: TransientState) -> dict[str, Any]:
    """boundary_flux, balance of the final step in the steady summary's keys."""
    last = state.records[-1]
    relative = abs(last.balance) / max(
        sum(abs(q) for q in last.boundary_flux.values())
        + abs(last.production)
        + abs(last.inventory_rate),
        1e-300,
    )
    return {
        "boundary_flux": last.boundary_flux,
        "balance": {
            "relative": relative,
            "production": last.production,
            "inventory_rate": last.inventory_rate,
        },
    }


__all__ = [
    "StopOnSignal",
    "case_data",
    "fields_in_time",
    "final_values",
    "march_case",
    "mole_fraction_field",
    "resume_header",
    "start_state",
    "time_settings",
    "transient_summary",
    "transient_thermal_summary",
    "write_transient_files",
]
