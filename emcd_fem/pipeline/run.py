"""Run a case: case → domain → materials → model → solve → post-processing → output.

One route for every case: :func:`run_case` loads and checks the case, builds (or reuses)
the domain and hands it to :func:`emcd_fem.pipeline.model_run.run_model` (the composed
species-transport model, its post-processing and the output).

:func:`run_case` is the Python equivalent of ``emcd run``; :func:`check_case` of
``emcd check`` (validation and admissibility, no solve).
"""

import dataclasses
import gc
import itertools
import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mpi4py import MPI

from emcd_fem import agreement, progress
from emcd_fem.agreement import pack_error, unpack_error
from emcd_fem.case import (
    Case,
    load_case,
)
from emcd_fem.compile_guard import releasing_claims
from emcd_fem.io import provenance
from emcd_fem.io.output import (
    OutputDirectory,
    signals_as_exceptions,
    write_csv,
)
from emcd_fem.mesh.domain import Domain
from emcd_fem.pipeline.check import check_case
from emcd_fem.pipeline.model_run import run_model
from emcd_fem.pipeline.output import (
    RUN_CONTEXT,
    RunResult,
)
from emcd_fem.pipeline.setup import (  # build_*: public here too (tests, scripts)
    build_boundary_conditions,
    build_domain,
    build_materials,
    check_given_domain,
    mesh_inputs,
)
from emcd_fem.pipeline.sweep_rows import sweep_results
from emcd_fem.post import result_checks

logger = logging.getLogger("emcd_fem")


def _load_on_root(
    source: Any, overrides: Sequence[str], comm: MPI.Comm, allow_unsafe: bool = False
) -> Case:
    """Parse the case on rank 0 and share it, or raise the same error on every rank.

    Any error of rank 0 (an unreadable file, a bug) is sent, so no rank is left waiting.
    """
    payload = None
    if comm.rank == 0:
        try:
            case = load_case(source, overrides, allow_unsafe_petsc_options=allow_unsafe)
            payload = ("ok", case.model_dump(mode="json"))
        except Exception as exc:  # re-raised on every rank below
            payload = ("error", pack_error(exc))
    payload = comm.bcast(payload, root=0)
    if payload[0] == "error":
        raise unpack_error(*payload[1])
    return Case.model_validate(payload[1])


def load_case_collective(
    source: str | Path | Mapping[str, Any] | Case,
    overrides: Sequence[str] = (),
    *,
    comm: MPI.Comm = MPI.COMM_WORLD,
    allow_unsafe_petsc_options: bool = False,
) -> Case:
    """:func:`~emcd_fem.case.load_case` on rank 0, the case or its error on every rank.

    Only rank 0 reads files, so a case file that other ranks cannot see is fine, and a
    bad one raises the same error everywhere (no rank is left waiting). Collective.
    """
    return _load_on_root(source, overrides, comm, allow_unsafe_petsc_options)


def run_case(
    source: str | Path | Mapping[str, Any] | Case,
    out: str | Path | None = None,
    overrides: Sequence[str] = (),
    *,
    comm: MPI.Comm = MPI.COMM_WORLD,
    domain: Domain | None = None,
    force: bool = False,
    sweep: Mapping[str, Any] | None = None,
    allow_unsafe_petsc_options: bool = False,
    allow_unsafe_geo: bool = False,
) -> RunResult:
    """Run a case (the Python equivalent of ``emcd run``).

    Args:
        source: TOML path, raw case data, or a :class:`~emcd_fem.case.Case`.
        out: Output directory; None writes nothing.
        overrides: ``key.path=value`` strings (as ``--set``).
        comm: MPI communicator.
        domain: A domain to solve on instead of meshing the case's geometry, e.g.
            ``RunResult.domain`` of an earlier run whose :func:`mesh_inputs` are equal (a
            sweep over material or boundary values). It must be the mesh this case would
            build, on ``comm``; only its region names are checked. Solving does not change
            a domain, so it can be reused any number of times. The summary then records
            ``mesh_reused = true`` and a mesh time of 0.
        force: Write into a non-empty directory that emcd did not write (``--force``);
            files emcd does not write are kept.
        sweep: Recorded as ``sweep`` in summary.json (:func:`run_sweep` says which sweep
            and which keys a point belongs to).
        allow_unsafe_petsc_options: Accept PETSc options that write files, load code or
            read other files (refused by default: a case file is data, not code).
        allow_unsafe_geo: Run a ``.geo`` mesh script even if it calls programs or touches
            other files (``--allow-unsafe-geo``; trusted files only).

    Returns:
        The summary, the solution, the fields, the output directory and the domain.

    Raises:
        CaseError: invalid case. AdmissibilityError: inadmissible data.
        EmcdSolverError: solver failure. EmcdInputError: a ``domain`` on another
        communicator or with other regions. Nothing is written in any of these cases.
        EmcdResultError: the result fails the run's own checks (its analytic reference
        off by more than the discretisation explains, a species balance that does not
        close): the results are written with ``status = "failed"`` and the reasons in
        summary.json, and the exception carries the :class:`RunResult` as ``result``.
        OutputError: ``out`` cannot be used (checked
        before solving). Nothing is written in any of these cases, and an interrupted run
        (KeyboardInterrupt; SIGTERM raises :class:`~emcd_fem.io.output.Interrupted`) leaves
        the earlier results in ``out`` as they were.

    The output directory contract (README "Output directory"): results go to a staging
    directory beside ``out`` and replace the previous run's outputs as a whole; files
    emcd did not write are never deleted or overwritten; optional extras (another field
    format, pictures) that fail become warnings.

    Note:
        Collective on ``comm``.
    """
    unsafe = allow_unsafe_petsc_options
    started = provenance.now()
    context = {"provenance": provenance.provenance(source, list(overrides), comm.size, started)}
    if sweep is not None:
        context["sweep"] = dict(sweep)
    previous = dict(RUN_CONTEXT)
    RUN_CONTEXT.clear()
    RUN_CONTEXT.update(context)
    try:
        # the run is one collective phase: an error on any rank leaves on every rank; an
        # interrupted form compilation leaves no stale claim in the JIT cache
        with (
            agreement.phase("run", comm),
            progress.stages(["mesh", "setup", "solve", "output"], comm),
            releasing_claims(),
        ):
            if out is None:
                result = _run_case(
                    source,
                    None,
                    overrides,
                    comm,
                    domain=domain,
                    allow_unsafe=unsafe,
                    allow_unsafe_geo=allow_unsafe_geo,
                )
                result.summary.update(context["provenance"])
            else:
                with signals_as_exceptions(comm), OutputDirectory(out, comm, force=force) as target:
                    result = _run_case(
                        source,
                        target.staging,
                        overrides,
                        comm,
                        domain=domain,
                        allow_unsafe=unsafe,
                        allow_unsafe_geo=allow_unsafe_geo,
                    )
                    # PETSc objects are destroyed collectively: every rank frees the solver's
                    # garbage here, before the next collective call (rank 0 alone drew the
                    # pictures, so its garbage collector ran at other times)
                    agreement.checkpoint(comm, "release")
                    gc.collect()
                result = dataclasses.replace(result, output_dir=target.target)
    finally:
        RUN_CONTEXT.clear()
        RUN_CONTEXT.update(previous)
    result_checks.raise_on_failure(result)  # after writing: the failed run can be inspected
    return result


def _run_case(
    source: str | Path | Mapping[str, Any] | Case,
    out: str | Path | None,
    overrides: Sequence[str],
    comm: MPI.Comm,
    *,
    domain: Domain | None = None,
    allow_unsafe: bool = False,
    allow_unsafe_geo: bool = False,
) -> RunResult:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    case = _load_on_root(source, overrides, comm, allow_unsafe)
    check_case(case)
    timings["check"] = time.perf_counter() - start

    mesh_reused = domain is not None
    if mesh_reused:
        check_given_domain(case, domain, comm)
        timings["mesh"] = 0.0
        logger.info("using the given %s mesh (not re-meshing)", case.geometry.kind)
    else:
        tic = time.perf_counter()
        logger.info("meshing %s geometry", case.geometry.kind)
        agreement.checkpoint(comm, "mesh")
        domain = build_domain(case, comm, allow_unsafe_geo=allow_unsafe_geo)
        timings["mesh"] = time.perf_counter() - tic
        logger.info("mesh ready in %.2f s", timings["mesh"])
    progress.stage("setup")
    agreement.checkpoint(comm, "setup")

    # one route for every case: the terms come from the case's sections
    return run_model(case, domain, out, comm, timings, start, mesh_reused=mesh_reused)


def _sweep_can_reuse_mesh(
    keys: Sequence[str], points: Sequence[tuple], cases: Sequence[Case]
) -> bool:
    """True when every sweep point has the mesh inputs of point 0 (logs why not)."""
    if len(cases) < 2:
        return False
    first = mesh_inputs(cases[0])
    for i, case in enumerate(cases[1:], start=1):
        other = mesh_inputs(case)
        if other != first:
            changed = sorted(k for k in first.keys() | other.keys() if first.get(k) != other.get(k))
            logger.info(
                "sweep: re-meshing every point: point %d (%s) changes the geometry (%s)",
                i,
                dict(zip(keys, points[i], strict=True)),
                ", ".join(f"geometry.{k}" for k in changed),
            )
            return False
    return True


def run_sweep(
    source: str | Path | Mapping[str, Any] | Case,
    out: str | Path,
    sweeps: Mapping[str, Sequence[str]],
    overrides: Sequence[str] = (),
    *,
    comm: MPI.Comm = MPI.COMM_WORLD,
    force: bool = False,
    allow_unsafe_petsc_options: bool = False,
    allow_unsafe_geo: bool = False,
) -> list[dict[str, Any]]:
    """Run a case at every point of the Cartesian product of swept values.

    Args:
        source: The case.
        out: Directory; point i goes to ``out/point_<i>``, the table to ``out/sweep.csv``.
        sweeps: Key path → values (TOML syntax strings), e.g.
            ``{"materials.membrane.D": ["1e-6", "2e-6"]}``.
        overrides: Fixed ``key.path=value`` overrides applied to every point.
        comm: MPI communicator.
        allow_unsafe_petsc_options: As for :func:`run_case`.
        force: As for :func:`run_case`: write into a non-empty directory emcd did not write.
        allow_unsafe_geo: As for :func:`run_case`.

    Returns:
        One row per point: the swept values and the summary numbers.

    Note:
        Collective on ``comm``. Every point is validated before the first one runs, so a
        bad value fails the sweep before any work is done. When every point has the same
        :func:`mesh_inputs` (the swept keys do not touch the geometry), the mesh of point 0
        is reused by the others (``mesh_reused`` in their summaries); otherwise each point
        is meshed anew. The sweep directory is one output directory: the points are
        written into its staging area and replace the previous sweep's points as a whole
        only when every point succeeded (no partial point directories).
    """
    keys = list(sweeps)
    points = list(itertools.product(*(sweeps[k] for k in keys)))
    settings = [
        [*overrides, *(f"{k}={v}" for k, v in zip(keys, values, strict=True))] for values in points
    ]
    # fail early: validate every point first (rank 0 parses, every rank gets the same Case)
    unsafe = allow_unsafe_petsc_options
    cases = [_load_on_root(source, setting, comm, unsafe) for setting in settings]
    reuse = _sweep_can_reuse_mesh(keys, points, cases)
    with signals_as_exceptions(comm), OutputDirectory(out, comm, force=force) as target:
        rows = _sweep_points(
            source, target.staging, keys, points, settings, reuse, comm, unsafe, allow_unsafe_geo
        )
        header = list(rows[0]) if rows else ["point"]
        units = {"dofs": "count", "iterations": "count", "x_min": "1", "x_max": "1"}
        units |= {h: "1" for h in header if h.startswith("x_") and h.endswith(("_min", "_max"))}
        units |= {"balance": "1", "analytic_error": "1", "point": "index"}
        flux_unit = f"[{rows[0]['_flux_units']}]" if rows and rows[0].get("_flux_units") else ""
        header = [h for h in header if h != "_flux_units"]
        labels = [
            f"{h} {flux_unit}"
            if h.startswith("flux_") and flux_unit
            else f"{h} [{units[h]}]"
            if h in units
            else h
            for h in header
        ]
        write_csv(
            target.staging / "sweep.csv", labels, [[r.get(h) for h in header] for r in rows], comm
        )
    for row in rows:
        row.pop("_flux_units", None)
    return rows


def _sweep_points(
    source: Any,
    staging: Path,
    keys: Sequence[str],
    points: Sequence[tuple],
    settings: Sequence[Sequence[str]],
    reuse: bool,
    comm: MPI.Comm,
    unsafe: bool = False,
    allow_unsafe_geo: bool = False,
) -> list[dict[str, Any]]:
    """Run every sweep point into ``staging/point_<i>``; the sweep.csv rows."""
    domain = None
    rows = []
    points_bar = progress.bar(desc="sweep", total=len(points), unit="point", comm=comm, leave=True)
    sweep_id = provenance.case_source(source)["sha256"]
    for i, (values, setting) in enumerate(zip(points, settings, strict=True)):
        logger.info(
            "sweep point %d/%d: %s", i + 1, len(points), dict(zip(keys, values, strict=True))
        )
        if domain is not None:
            logger.info("reusing the mesh of point 0")
        sweep = {
            "point": i,
            "points": len(points),
            "keys": list(keys),
            "values": dict(zip(keys, values, strict=True)),
            "grid": {k: list(dict.fromkeys(p[j] for p in points)) for j, k in enumerate(keys)},
            "case_sha256": sweep_id,
        }
        result = run_case(
            source,
            staging / f"point_{i:03d}",
            setting,
            comm=comm,
            domain=domain,
            sweep=sweep,
            allow_unsafe_petsc_options=unsafe,
            allow_unsafe_geo=allow_unsafe_geo,
        )
        if reuse:
            domain = result.domain
        summary = result.summary
        row = {"point": i, **dict(zip(keys, values, strict=True))}
        row |= sweep_results(summary)
        row |= {
            "dofs": summary["dofs"],
            "iterations": summary["solver"]["iterations"],
            "analytic_error": (summary.get("analytic") or {}).get("max_relative_error"),
            "_flux_units": summary["units"]["boundary_flux"],
        }
        rows.append(row)
        points_bar.update(1)
    points_bar.close()
    return rows


__all__ = [
    "RunResult",
    "build_boundary_conditions",
    "build_materials",
    "check_case",
    "load_case_collective",
    "run_case",
    "run_sweep",
]
