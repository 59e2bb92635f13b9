"""Output directory handling: atomic results, summary.json, field files, CSV.

Field files are written collectively by every rank; JSON and CSV by rank 0 only. Results
go to a temporary sibling directory first and are moved into place only when the whole
run succeeded, so a failed run never leaves half-written files nor replaces good ones.
"""

import csv
import json
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mpi4py import MPI

import dolfinx
from dolfinx import fem
from dolfinx.io import XDMFFile


class AtomicOutputDirectory:
    """Context manager: a staging directory that replaces the results in ``target`` on success.

    Args:
        target: The output directory (created if needed).
        comm: Communicator; rank 0 manages the file system, all ranks see the same path.
    """

    def __init__(self, target: str | Path, comm: MPI.Comm) -> None:
        self.target = Path(target).resolve()
        self.comm = comm
        self.staging: Path | None = None
        self._created_target = False

    def __enter__(self) -> Path:
        path = error = None
        if self.comm.rank == 0:
            try:
                self._created_target = not self.target.exists()
                self.target.parent.mkdir(parents=True, exist_ok=True)
                path = tempfile.mkdtemp(prefix=f".{self.target.name}.tmp-", dir=self.target.parent)
            except OSError as exc:
                error = f"cannot create the output directory {str(self.target)!r}: {exc}"
        path, error = self.comm.bcast((path, error), root=0)
        if error:
            raise OSError(error)
        self.staging = Path(path)
        return self.staging

    def __exit__(self, exc_type, exc, tb) -> None:
        self.comm.Barrier()  # every rank has finished writing
        if self.comm.rank == 0 and self.staging is not None:
            if exc_type is None:
                self.target.mkdir(parents=True, exist_ok=True)
                for item in sorted(self.staging.iterdir()):
                    destination = self.target / item.name
                    if destination.is_dir() and not destination.is_symlink():
                        shutil.rmtree(destination)
                    item.replace(destination)
            shutil.rmtree(self.staging, ignore_errors=True)
        self.comm.Barrier()


def write_json(path: Path, data: dict[str, Any], comm: MPI.Comm) -> None:
    """Write JSON on rank 0 (via a temporary name, then rename)."""
    if comm.rank == 0:
        temporary = path.with_name(path.name + ".part")
        temporary.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
        temporary.replace(path)


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], comm: MPI.Comm
) -> None:
    """Write CSV on rank 0."""
    if comm.rank == 0:
        temporary = path.with_name(path.name + ".part")
        with temporary.open("w", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(header)
            writer.writerows(rows)
        temporary.replace(path)


def write_fields(directory: Path, functions: Sequence[fem.Function], file_format: str) -> list[str]:
    """Write functions for ParaView (collective). Returns the file names written.

    VTX: one ``<name>.bp`` per function (each may have its own element and mesh). XDMF:
    one ``fields.xdmf`` on the mesh of the first function; it holds only P1 and DG0, so
    higher degrees are interpolated onto them (the file's names say so). A function on
    another mesh (a film block's submesh) goes to its own ``<name>.xdmf`` with that mesh.
    """
    names = []
    if file_format == "vtx":
        for function in functions:
            filename = directory / f"{function.name}.bp"
            with dolfinx.io.VTXWriter(
                function.function_space.mesh.comm, filename, [function], engine="BP4"
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


def _xdmf_compatible(function: fem.Function) -> fem.Function:
    element = function.function_space.element.basix_element
    degree, discontinuous = element.degree, element.discontinuous
    if (degree == 1 and not discontinuous) or degree == 0:
        return function
    msh = function.function_space.mesh
    shape = function.ufl_shape
    family, target_degree = ("DG", 0) if discontinuous else ("Lagrange", 1)
    space = fem.functionspace(
        msh, (family, target_degree, shape) if shape else (family, target_degree)
    )
    target = fem.Function(space, name=f"{function.name}_{family}{target_degree}")
    target.interpolate(function)
    return target
