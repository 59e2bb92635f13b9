"""The output directory contract: staging, manifest, whole replacement, no foreign files.

* Before anything is solved, :class:`OutputDirectory` checks ``--out`` (not empty, not a
  file, not inside a file, writable, not a foreign non-empty directory) and creates a
  hidden staging directory beside it. Every rank gets the same verdict.
* Results are written into the staging directory. On success they replace the previous
  run's outputs as a whole: every entry the previous run listed in its manifest
  (:data:`MANIFEST`) and the new run does not write is removed, so nothing stale is left;
  files the program did not write (not in the manifest) are never deleted or overwritten.
* On any failure (an exception, SIGINT, SIGTERM converted by
  :func:`emcd_fem.interrupts.signals_as_exceptions`)
  the staging directory is removed and the earlier result is untouched. A failure while
  moving results into place is rolled back.

Field files are written collectively by every rank; JSON and CSV by rank 0 only.
"""

import csv
import fnmatch
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mpi4py import MPI

import dolfinx
from dolfinx import fem
from dolfinx.io import XDMFFile

from emcd_fem import interrupts
from emcd_fem.agreement import checkpoint

# re-exported: their home is emcd_fem.interrupts (pipeline.run and tests use these names)
from emcd_fem.interrupts import Interrupted, signals_as_exceptions  # noqa: F401

#: Marks a directory written by emcd_fem and lists its entries (top-level names).
MANIFEST = ".emcd-output.json"

#: Names emcd_fem may write into an output directory. A file of the user's with such a
#: name in an emcd directory is refused (unless forced) rather than overwritten.
OUTPUT_PATTERNS = (
    "summary.json",
    "*.csv",
    "*.vtkhdf",
    "*.bp",
    "*.xdmf",
    "*.h5",
    "*.png",
    "point_[0-9][0-9][0-9]*",
)

STAGING_PREFIX = ".emcd-staging-"


class OutputError(OSError):
    """The output directory cannot be used or written (CLI exit code 5)."""


def _read_manifest(directory: Path) -> list[str] | None:
    try:
        data = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        return None
    return [e for e in entries if e and "/" not in e and e not in (".", "..")]


def _is_output_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in OUTPUT_PATTERNS)


def check_target(target: str | Path, *, force: bool = False) -> str | None:
    """Why ``target`` cannot be an output directory, or None when it can (local check).

    Refused: an empty path; an existing file; a path below a file; a directory (or the
    nearest existing parent) that is not writable; a non-empty directory that emcd_fem
    did not write (no manifest) unless ``force``; a file of the user's, in an emcd
    directory, with a name emcd_fem writes (unless ``force``).
    """
    if str(target).strip() == "":
        return "--out is empty: name an output directory"
    path = Path(target).expanduser()
    try:
        path = path.resolve()
    except (OSError, RuntimeError) as exc:
        return f"--out {str(target)!r}: {exc}"
    if path.exists() and not path.is_dir():
        return f"--out {str(path)!r} is an existing file, not a directory: choose another path"
    parent = path
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        return (
            f"--out {str(path)!r} lies inside {str(parent)!r}, which is a file: choose another path"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"--out {str(path)!r}: {str(parent)!r} is not writable"
    if path.exists():
        if path.parent != path and not os.access(path.parent, os.W_OK | os.X_OK):
            return f"--out {str(path)!r}: its parent {str(path.parent)!r} is not writable"
        entries = sorted(p.name for p in path.iterdir())
        manifest = _read_manifest(path)
        if entries and manifest is None and not force:
            shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
            return (
                f"--out {str(path)!r} is not empty and was not written by emcd ({shown}); "
                "choose a new or empty directory, or pass --force to write into it "
                "(files emcd does not write are kept)"
            )
        if manifest is not None and not force:
            foreign = [
                e for e in entries if e not in manifest and e != MANIFEST and _is_output_name(e)
            ]
            if foreign:
                return (
                    f"--out {str(path)!r} holds {', '.join(foreign)}, which emcd did not "
                    "write but might write now; move it away or pass --force"
                )
    return None


class OutputDirectory:
    """Context manager: a staging directory beside ``target`` that replaces its results.

    Args:
        target: The output directory (created if needed).
        comm: Communicator; rank 0 manages the file system, every rank sees the same path
            and the same errors.
        force: Write into a non-empty directory emcd_fem did not write (its files are
            kept, except those with the names of emcd's outputs, which are overwritten).

    ``__enter__`` checks the target (:func:`check_target`) and creates the staging
    directory, raising :class:`OutputError` on every rank when that is not possible.
    Use ``staging`` to write; on a clean exit the results are moved into ``target``.
    """

    def __init__(self, target: str | Path, comm: MPI.Comm, *, force: bool = False) -> None:
        self.comm = comm
        self.force = force
        self.raw_target = target
        self.target = Path(target).expanduser().resolve() if str(target).strip() else Path()
        self.staging: Path | None = None

    def __enter__(self) -> "OutputDirectory":
        path = error = None
        if self.comm.rank == 0:
            error = check_target(self.raw_target, force=self.force)
            if error is None:
                try:
                    self.target.parent.mkdir(parents=True, exist_ok=True)
                    path = tempfile.mkdtemp(
                        prefix=f"{STAGING_PREFIX}{self.target.name}-", dir=self.target.parent
                    )
                except OSError as exc:
                    error = f"cannot create the output directory {str(self.target)!r}: {exc}"
        path, error = self.comm.bcast((path, error), root=0)
        if error:
            raise OutputError(error)
        self.staging = Path(path)
        interrupts.writing_outputs()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._abandon()
            return
        try:
            checkpoint(self.comm, "commit")  # every rank has finished writing, or all raise
        except BaseException:  # another rank's error, or a signal held until here
            self._abandon()
            raise
        self.comm.Barrier()
        error = None
        # a signal during the commit waits until the verdict is known: then it either
        # unwinds a run that wrote nothing, or it is reported as late (results complete)
        with interrupts.deferred():
            if self.comm.rank == 0:
                try:
                    commit(self.staging, self.target, force=self.force)
                except OSError as exc:
                    error = (
                        f"cannot move the results into {str(self.target)!r}: {exc}; "
                        "the earlier results there are unchanged"
                    )
                finally:
                    shutil.rmtree(self.staging, ignore_errors=True)
            error = self.comm.bcast(error, root=0)
            if error:
                interrupts.outputs_abandoned()
            else:
                interrupts.outputs_committed(self.target)  # a signal now loses nothing
        if error:
            raise OutputError(error)

    def _abandon(self) -> None:
        # no collective call here: other ranks may be anywhere (a signal, one rank's
        # exception); rank 0 owns the staging directory and removes it
        interrupts.outputs_abandoned()
        if self.comm.rank == 0 and self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)


def commit(staging: Path, target: Path, *, force: bool = False) -> list[str]:
    """Replace the results in ``target`` by the entries of ``staging`` (rank 0).

    Entries of the previous run (manifest) that the new run does not write are removed;
    anything else in ``target`` is left alone. The old entries are first moved into the
    staging directory (same file system) and deleted only when every new entry is in
    place; any failure moves them back. Returns the new entries.
    """
    entries = sorted(p.name for p in staging.iterdir() if p.name != MANIFEST)
    target.mkdir(parents=True, exist_ok=True)
    old = _read_manifest(target) or []
    if not force:
        clash = [e for e in entries if (target / e).exists() and e not in old]
        if clash and (target / MANIFEST).exists():
            raise OutputError(f"{', '.join(clash)} in {target} were not written by emcd")
    trash = staging / ".replaced"
    trash.mkdir()
    moved_away: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for name in sorted(set(entries) | set(old)):
            destination = target / name
            if destination.exists() or destination.is_symlink():
                keep = trash / name
                os.replace(destination, keep)
                moved_away.append((keep, destination))
        for name in entries:
            os.replace(staging / name, target / name)
            placed.append(target / name)
        _write_manifest(target, entries)
    except BaseException:  # OSError, or a signal (Interrupted) half-way: put back the old
        for path in reversed(placed):
            _remove(path)
        for keep, destination in reversed(moved_away):
            try:
                os.replace(keep, destination)
            except OSError:
                pass
        raise
    return entries


def record_entries(directory: str | Path, names: Iterable[str]) -> None:
    """Add entries written later (``emcd plot``) to an emcd directory's manifest (rank 0).

    Does nothing in a directory without a manifest (it was not written by emcd).
    """
    directory = Path(directory)
    entries = _read_manifest(directory)
    if entries is None:
        return
    _write_manifest(directory, sorted(set(entries) | set(names)))


def _write_manifest(target: Path, entries: Sequence[str]) -> None:
    temporary = target / (MANIFEST + ".part")
    try:
        _write_manifest_text(temporary, entries)
        os.replace(temporary, target / MANIFEST)
    finally:
        temporary.unlink(missing_ok=True)


def _write_manifest_text(temporary: Path, entries: Sequence[str]) -> None:
    temporary.write_text(
        json.dumps(
            {
                "written_by": "emcd_fem",
                "note": "emcd replaces these entries on the next run into this directory; "
                "other files are never touched",
                "entries": list(entries),
            },
            indent=2,
        )
        + "\n"
    )


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_json(path: Path, data: dict[str, Any], comm: MPI.Comm) -> None:
    """Write JSON on rank 0 (via a temporary name, then rename)."""
    if comm.rank == 0:
        temporary = path.with_name(path.name + ".part")
        temporary.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
        temporary.replace(path)


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], comm: MPI.Comm
) -> None:
    """Write CSV on rank 0, LF line endings (header names carry units in brackets)."""
    if comm.rank == 0:
        temporary = path.with_name(path.name + ".part")
        with temporary.open("w", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        temporary.replace(path)


def write_fields(directory: Path, functions: Sequence[fem.Function], file_format: str) -> list[str]:
    """Write functions in an optional format for ParaView (collective). Returns file names.

    VTX: one ``<name>.bp`` per function. XDMF: one ``fields.xdmf`` on the mesh of the first
    function. Both writers need functions whose degree fits the mesh geometry, so fields
    are interpolated onto what the writer takes (the names say so): XDMF takes Lagrange of
    the geometry degree and DG0; VTX takes Lagrange/DG of at least the geometry degree. A
    function on another mesh (a film block's submesh) goes to its own ``<name>.xdmf``.
    """
    names = []
    if file_format == "vtx":
        for function in functions:
            filename = directory / f"{function.name}.bp"
            with dolfinx.io.VTXWriter(
                function.function_space.mesh.comm,
                filename,
                [_vtx_compatible(function)],
                engine="BP4",
            ) as writer:
                writer.write(0.0)
            names.append(filename.name)
        return names
    msh = functions[0].function_space.mesh
    groups = {"fields": [f for f in functions if f.function_space.mesh is msh]}
    groups |= {f.name: [f] for f in functions if f.function_space.mesh is not msh}
    for stem, group in groups.items():
        filename = directory / f"{stem}.xdmf"
        with XDMFFile(msh.comm, filename, "w") as xdmf:
            xdmf.write_mesh(group[0].function_space.mesh)
            for function in group:
                xdmf.write_function(_xdmf_compatible(function))
        names += [filename.name, filename.with_suffix(".h5").name]
    return names


def _interpolated(function: fem.Function, family: str, degree: int) -> fem.Function:
    msh = function.function_space.mesh
    shape = function.ufl_shape
    space = fem.functionspace(msh, (family, degree, shape) if shape else (family, degree))
    target = fem.Function(space, name=f"{function.name}_{family}{degree}")
    target.interpolate(function)
    return target


def _xdmf_compatible(function: fem.Function) -> fem.Function:
    element = function.function_space.element.basix_element
    degree, discontinuous = element.degree, element.discontinuous
    geometry_degree = function.function_space.mesh.geometry.cmaps[0].degree
    if degree == 0 or (not discontinuous and degree == geometry_degree):
        return function
    if discontinuous:
        return _interpolated(function, "DG", 0)
    return _interpolated(function, "Lagrange", geometry_degree)


def _vtx_compatible(function: fem.Function) -> fem.Function:
    element = function.function_space.element.basix_element
    geometry_degree = function.function_space.mesh.geometry.cmaps[0].degree
    if element.degree == 0 or element.degree >= geometry_degree:
        return function
    family = "DG" if element.discontinuous else "Lagrange"
    out = _interpolated(function, family, geometry_degree)
    out.name = function.name
    return out
