"""The result of a run: record, summary, profiles, own checks and writing.

The last stages of the run pipeline (:class:`RunResult`, the shared summary, profiles,
the run's own checks, results into the staging directory), used by
:mod:`emcd_fem.pipeline.run` and :mod:`emcd_fem.pipeline.thermal_case`.
"""

import gc
import logging
import platform
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx
import numpy as np

import emcd_fem
from emcd_fem import analytic, progress
from emcd_fem.agreement import checkpoint
from emcd_fem.case import (
    Case,
)
from emcd_fem.io import field_file, provenance
from emcd_fem.io.output import (
    write_csv,
    write_fields,
)
from emcd_fem.materials import properties
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.solution import TransportSolution
from emcd_fem.pipeline import summary_file
from emcd_fem.pipeline.profiles import profile_table
from emcd_fem.pipeline.setup import analytic_reference, build_materials
from emcd_fem.post import result_checks
from emcd_fem.post.mesh_report import mesh_report

logger = logging.getLogger("emcd_fem")

#: Provenance of the run in progress (set by :func:`emcd_fem.pipeline.run.run_case`, read by
#: :func:`write_outputs`).
RUN_CONTEXT: dict[str, Any] = {}


@dataclass(frozen=True)
class RunResult:
    """Outcome of :func:`run_case`.

    Attributes:
        summary: The content of summary.json (on every rank).
        solution: The species-transport model's solution (distributed).
        fields: The output fields by name (``mole_fraction``, ``molar_flux``, ...).
        output_dir: Where results were written, or None.
        domain: The domain the case was solved on (pass it back to :func:`run_case` as
            ``domain=`` to solve another case on the same mesh without re-meshing).
    """

    summary: dict[str, Any]
    solution: TransportSolution
    fields: dict[str, Any]
    output_dir: Path | None
    domain: Domain | None = None


def judge_run(case: Case, domain: Domain, summary: dict[str, Any]) -> list[str]:
    """Record the run's own checks (reference, balance) in the summary (collective).

    Sets ``summary["status"]`` and ``summary["failures"]``; see
    :mod:`emcd_fem.post.result_checks`.
    """
    _, diameter = domain.extent  # the bounding-box diameter, computed once per domain
    unit = result_checks.flux_unit(
        build_materials(case, list(domain.regions)),
        sum(summary["mesh"]["boundary_measures"].values()),
        diameter,
    )
    return result_checks.record(summary, unit=unit)


def isothermal_exact(case: Case) -> Callable[[np.ndarray], np.ndarray] | None:
    """The 1D analytic x_A as a function of points (n, 3), when the case has one."""
    reference = analytic_reference(case)
    if isinstance(reference, analytic.SlabSolution):
        return lambda points: reference.mole_fraction(points[:, 0])
    if isinstance(reference, analytic.ShellSolution):
        planar = reference.kind == "cylinder"
        return lambda points: reference.mole_fraction(
            np.linalg.norm(points[:, :2] if planar else points, axis=1)
        )
    return None


def versions() -> dict[str, str]:
    """Versions of emcd_fem and its foundation."""
    return {
        "emcd_fem": emcd_fem.__version__,
        "dolfinx": dolfinx.__version__,
        "petsc": ".".join(str(v) for v in PETSc.Sys.getVersion()),
        "python": platform.python_version(),
    }


# -- the pipeline ------------------------------------------------------------------------------
def _problem_size(problem: Any) -> str:
    """DOFs and cells of a problem, for the log before the solve."""
    spaces = [p.function_space for p in getattr(problem, "potentials", [])]
    for name in ("potential", "mole_fraction", "temperature"):
        if not spaces and getattr(problem, name, None) is not None:
            spaces = [getattr(problem, name).function_space]
    dofs = sum(V.dofmap.index_map.size_global * V.dofmap.index_map_bs for V in spaces)
    domain = getattr(problem, "domain", None)
    if domain is None:
        return f"{dofs} DOFs"
    tdim = domain.mesh.topology.dim
    cells = domain.mesh.topology.index_map(tdim).size_global
    return f"{dofs} DOFs, {cells} cells, {domain.comm.size} rank(s)"


def timed_solve(problem: Any, timings: dict[str, float], what: str = "") -> Any:
    """``problem.solve()`` between the solve and output stages, timed and logged."""
    tic = time.perf_counter()
    logger.info("solving%s: %s", f" ({what})" if what else "", _problem_size(problem))
    progress.stage("solve")
    checkpoint(problem.domain.comm, "solve")
    solution = problem.solve()
    checkpoint(problem.domain.comm, "post-processing")
    timings["solve"] = time.perf_counter() - tic
    report = getattr(solution, "solver", None)
    reason = report.reason if report is not None else solution.reason
    logger.info("solved in %.2f s (%s)", timings["solve"], reason)
    logger.info("post-processing: derived fields, profiles, mesh report")
    progress.stage("post-processing and output")
    return solution


def write_outputs(
    out: str | Path,
    comm: MPI.Comm,
    case: Case,
    domain: Domain,
    fields: Mapping[str, Any],
    summary: dict[str, Any],
    profiles: list | None,
    timings: dict[str, float],
    start: float,
) -> None:
    """Write the results into the staging directory ``out`` (collective).

    ``profiles``: the rows of profiles.csv the pipeline sampled with its 1D reference, or
    None: the fields are sampled here (:func:`~emcd_fem.pipeline.profiles.profile_table`).
    First the results (field files, profiles.csv, summary.json); then the optional extras
    (another field format, pictures), whose failure becomes a warning in summary.json and
    on stderr, never a lost run. :func:`run_case` moves the directory into place.
    """
    checkpoint(comm, "output")
    tic = time.perf_counter()
    staging = Path(out)
    logger.info("post-processing: writing results")
    summary.update(RUN_CONTEXT.get("provenance", {}))
    if "sweep" in RUN_CONTEXT:
        summary["sweep"] = RUN_CONTEXT["sweep"]
    described, files = write_result_fields(staging, fields, domain)
    summary["fields"] = described
    if case.output.profiles:
        header, rows = profile_table(case, fields, profiles, comm)
        write_csv(staging / "profiles.csv", header, rows, comm)
        files.append("profiles.csv")
    warnings = summary.setdefault("warnings", [])
    # the results are complete now: summary.json first, so no optional extra can cost it
    summary_file.write_summary(staging, summary, files, timings, start, domain, comm)
    extras = case.output.format in ("vtx", "xdmf") or case.output.pictures
    results = {p.name for p in staging.iterdir()} if comm.rank == 0 else set()
    if case.output.format in ("vtx", "xdmf"):
        files += _optional(
            f"{case.output.format} field files",
            lambda: write_fields(staging, list(fields.values()), case.output.format),
            staging,
            comm,
            warnings,
            collective=True,
            needs=summary_file.size_of(staging, files, comm),
        )
    if case.output.pictures:  # plotting imported here: a run without pictures never loads it
        from emcd_fem.plotting import render_run

        files += _optional(
            "pictures",
            lambda: [p.name for p in render_run(staging)],
            staging,
            comm,
            warnings,
            collective=False,
        )
    timings["output"] = time.perf_counter() - tic
    if extras:
        summary_file.rewrite_summary(staging, summary, files, timings, start, domain, comm, results)
    # the caller's return frees the solver's PETSc objects, a collective: agree first
    checkpoint(comm, "written")
    logger.info("results written in %.2f s", timings["output"])
    progress.stage("done")


def _optional(
    what: str,
    write: Callable[[], list[str]],
    staging: Path,
    comm: MPI.Comm,
    warnings: list[str],
    *,
    collective: bool,
    needs: int | None = None,
) -> list[str]:
    """Run an optional writer; its failure is a warning and its partial files are removed.

    ``collective``: every rank calls ``write`` and the ranks agree on the outcome; else
    rank 0 alone writes and shares the outcome. ``needs`` (read on rank 0): about how
    many bytes the writer will write; with less free space it is not started (HDF5 inside DOLFINx's
    writers can leave the process to abort at exit after a write into a full disk).
    """
    checkpoint(comm, what)
    short = None
    if needs is not None and comm.rank == 0:
        free = shutil.disk_usage(staging).free
        if free < needs + summary_file.FULL_DISK:
            short = (
                f"{what} not written: {free / 1e6:.3g} MB free on the device holding "
                f"{staging.parent}, about {needs / 1e6:.3g} MB needed"
            )
    short = comm.bcast(short, root=0) if needs is not None else None
    if short is not None:
        warnings.append(short)
        logger.warning(short)
        return []
    before = set(p.name for p in staging.iterdir()) if comm.rank == 0 else set()
    names: list[str] = []
    error = None
    if not collective:
        # rank 0 works alone: free collective (PETSc) garbage on every rank first and keep
        # the cycle collector off meanwhile, so that it cannot destroy a PETSc object on
        # rank 0 alone (a collective call that would wait for the others)
        gc.collect()
        gc.disable()
    try:
        if collective or comm.rank == 0:
            try:
                names = write()
                summary_file.check_disk_left(staging)
            except Exception as exc:  # an optional extra must not cost the finished solve
                error = f"{what} not written: {type(exc).__name__}: {exc}"
    finally:
        if not collective:
            gc.enable()
    if collective:
        errors = comm.allgather(error)
        error = next((e for e in errors if e), None)
    else:
        error, names = comm.bcast((error, names), root=0)
    if error is None:
        return names
    if comm.rank == 0:
        for path in staging.iterdir():
            if path.name not in before:
                shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    warnings.append(error)
    logger.warning(error)
    return []


def write_result_fields(
    directory: Path, fields: Mapping[str, Any], domain: Domain
) -> tuple[dict[str, Any], list[str]]:
    """The field files of a run (collective).

    ``fields.vtkhdf`` holds every field on the mesh and the region index per cell;
    ``<name>.vtkhdf`` a field on another mesh (a film block's submesh).

    Returns:
        The ``fields`` entry of summary.json (per field: file, association, element,
        units) and the file names.
    """
    msh = domain.mesh
    on_mesh = [f for f in fields.values() if f.function_space.mesh is msh]
    others = [f for f in fields.values() if f.function_space.mesh is not msh]
    names = sorted(domain.regions)
    tdim = msh.topology.dim
    # the region index per cell in the smallest integer type (one byte below 128 regions)
    small = np.int8 if len(names) < 128 else np.int32
    region = np.full(msh.topology.index_map(tdim).size_local, -1, dtype=small)
    owned = domain.cell_tags.indices < region.size
    tags = np.array([domain.regions[n] for n in names], dtype=np.int64)
    values = np.asarray(domain.cell_tags.values[owned], dtype=np.int64)
    position = np.clip(np.searchsorted(np.sort(tags), values), 0, max(len(tags) - 1, 0))
    by_sorted = np.argsort(tags)
    known = tags[by_sorted][position] == values if len(tags) else np.zeros(len(values), bool)
    region[domain.cell_tags.indices[owned]] = np.where(known, by_sorted[position], -1)
    described: dict[str, Any] = {}
    files = []
    groups = [("fields", on_mesh, {"region": region})] + [(f.name, [f], None) for f in others]
    for stem, group, cell_data in groups:
        if not group:
            continue
        filename = stem + field_file.SUFFIX
        info = field_file.write_field_file(directory / filename, group, cell_data=cell_data)
        gdim = group[0].function_space.mesh.geometry.dim
        for name, entry in info.items():
            described[name] = {
                "file": filename,
                "gdim": gdim,
                **entry,
                "units": provenance.FIELD_UNITS.get(
                    name,
                    provenance.FIELD_UNITS.get(
                        "potential" if name.startswith("potential") else name.split("_block")[0],
                        "see README",
                    ),
                ),
            }
        files.append(filename)
    described["region"] = {
        "file": "fields" + field_file.SUFFIX,
        "association": "cell",
        "region_names": names,
        "units": provenance.FIELD_UNITS["region"],
    }
    return described, files


def common_summary(
    case: Case,
    domain: Domain,
    dofs: int,
    comm: MPI.Comm,
    resolved: Mapping[str, properties.ResolvedMaterial],
    *,
    mesh_reused: bool = False,
) -> dict[str, Any]:
    """Summary entries shared by every pipeline: units, sizes, mesh, materials, versions.

    ``mesh_reused``: the domain was given to :func:`run_case` (e.g. by a sweep, which
    meshes only its first point) instead of being built for this run.
    """
    checkpoint(comm, "summary")
    tdim = domain.mesh.topology.dim
    return {
        "units": {
            "boundary_flux": ["mol/(m^2 s)", "mol/(m s)", "mol/s"][tdim - 1],
            "sign": "outward positive: q = integral of N_A . n over the boundary",
        },
        "dofs": dofs,
        "cells": domain.mesh.topology.index_map(tdim).size_global,
        "ranks": comm.size,
        "degree": case.discretisation.degree,
        "mesh": mesh_report(domain, dofs),
        "mesh_reused": mesh_reused,
        "materials": {n: r.diagnostics for n, r in resolved.items()},
        "versions": versions(),
        "case": case.model_dump(mode="json"),
    }
