"""summary.json of a run, and the free space its optional outputs need.

The results of a run (field files, profiles, summary.json) are written first; the optional
extras after them (:func:`emcd_fem.pipeline.output.write_outputs`). summary.json is written
once the results are complete and again after the extras, so a failed extra — or a disk that
fills up — never costs the summary of a finished solve.
"""

import errno
import logging
import shutil
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

from emcd_fem.io import provenance
from emcd_fem.io.output import write_json
from emcd_fem.mesh.domain import Domain

logger = logging.getLogger("emcd_fem")


def write_summary(
    staging: Path,
    summary: dict[str, Any],
    files: list[str],
    timings: dict[str, float],
    start: float,
    domain: Domain,
    comm: MPI.Comm,
) -> None:
    """Complete ``summary`` (timings, files, units) and write summary.json (collective)."""
    timings["total"] = time.perf_counter() - start
    summary["timings"] = timings
    summary["duration"] = timings["total"]
    summary["finished_utc"] = provenance.now().isoformat(timespec="seconds")
    summary["files"] = [*files, "summary.json"]
    summary["units"] = summary.get("units", {}) | provenance.summary_units(
        summary, domain.mesh.topology.dim
    )
    write_json(staging / "summary.json", summary, comm)


def rewrite_summary(
    staging: Path,
    summary: dict[str, Any],
    files: list[str],
    timings: dict[str, float],
    start: float,
    domain: Domain,
    comm: MPI.Comm,
    results: set[str],
) -> None:
    """summary.json again, with the optional extras; if that fails, the first one stays.

    The extras' files (all but ``results``, the names present before them) are then
    removed, so the directory holds what the first summary.json lists.
    """
    error = None
    if comm.rank == 0:
        try:
            write_summary(staging, summary, files, timings, start, domain, MPI.COMM_SELF)
        except OSError as exc:
            error = f"summary.json not updated after the optional outputs: {exc}"
            for path in staging.iterdir():
                if path.name not in results:
                    shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    error = comm.bcast(error, root=0)
    if error is not None:
        logger.warning("%s; it describes the results without them (removed)", error)


def size_of(staging: Path, names: list[str], comm: MPI.Comm) -> int:
    """Bytes of the files ``names`` in ``staging`` (rank 0; 0 on the others)."""
    if comm.rank != 0:
        return 0
    return sum((staging / n).stat().st_size for n in names if (staging / n).is_file())


#: Free space [bytes] below which an optional writer is taken to have filled the disk
#: (some writers, e.g. HDF5 inside DOLFINx's XDMF, report a failed write only on stderr).
FULL_DISK = 64 * 1024


def check_disk_left(staging: Path) -> None:
    """Raise OSError(ENOSPC) if the file system of ``staging`` has (almost) no space left."""
    free = shutil.disk_usage(staging).free
    if free < FULL_DISK:
        raise OSError(errno.ENOSPC, f"no space left on the device holding {staging}")
