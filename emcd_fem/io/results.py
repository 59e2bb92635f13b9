"""Reading a finished run back: :func:`load_result` gives DOLFINx Functions.

The checkpoint is the run's own ``fields.vtkhdf`` (see :mod:`emcd_fem.io.field_file`): the
mesh is read with ``dolfinx.io.vtkhdf.read_mesh`` and every field is rebuilt in its own
finite element space (the element is recorded in summary.json under ``fields``) from the
nodal values (continuous fields) or the per-cell DOFs (discontinuous fields), exactly.
No re-meshing and no extra package (adios4dolfinx) are needed; any rank count can read a
result written with any other.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mpi4py import MPI

from dolfinx import fem
from dolfinx import mesh as dmesh

from emcd_fem.errors import EmcdInputError
from emcd_fem.io import field_file


@dataclass(frozen=True)
class LoadedResult:
    """A finished run read back by :func:`load_result`.

    Attributes:
        directory: The run directory.
        summary: The content of summary.json.
        mesh: The mesh of ``fields.vtkhdf``, distributed over ``comm``. Its geometry
            degree is that of the file's grid, max(geometry order, x_A degree): a P2 run
            on straight cells comes back on a degree-2 (straight) geometry.
        fields: Function name → Function in its original space (e.g. ``mole_fraction_A``
            in P_p, ``molar_flux_A`` in vector DG(p − 1)); a film block's potential lives
            on its own mesh (``fields[name].function_space.mesh``).
        region: The region index per cell (DG0), or None.
        region_names: Region names; ``region`` holds indices into this list.
    """

    directory: Path
    summary: dict[str, Any]
    mesh: dmesh.Mesh
    fields: dict[str, fem.Function]
    region: fem.Function | None
    region_names: list[str]


def load_result(directory: str | Path, comm: MPI.Comm = MPI.COMM_WORLD) -> LoadedResult:
    """Read the fields of a finished ``emcd run`` directory as DOLFINx Functions.

    Args:
        directory: An output directory of ``emcd run`` (or one ``point_<i>`` of a sweep).
        comm: Communicator to distribute the mesh over (any number of ranks).

    Returns:
        The summary, the mesh, the functions and the region index per cell.

    Raises:
        EmcdInputError: the directory is not a finished run (same message on every rank);
            the root of a sweep (``sweep.csv`` and one ``point_<i>`` per point) is refused
            with the names of its points: load one point at a time.

    Example:
        >>> result = emcd_fem.load_result("results/slab_2d")  # doctest: +SKIP
        >>> x_A = result.fields["mole_fraction_A"]

    Note:
        Collective on ``comm``.
    """
    directory = Path(directory)
    summary = error = None
    if comm.rank == 0:
        try:
            summary = json.loads((directory / "summary.json").read_text())
            if "fields" not in summary:
                error = (
                    f"{directory}: summary.json has no 'fields' entry; the run was written by "
                    "an older emcd_fem (re-run the case)"
                )
        except (OSError, ValueError) as exc:
            error = _sweep_root_message(directory) or (
                f"{directory} is not a finished emcd run (summary.json: {exc})"
            )
    summary, error = comm.bcast((summary, error), root=0)
    if error:
        raise EmcdInputError(error)
    described = {n: d for n, d in summary["fields"].items() if n != "region"}
    by_file: dict[str, dict[str, Any]] = {}
    for name in sorted(described):
        by_file.setdefault(described[name]["file"], {})[name] = described[name]
    main_file = "fields" + field_file.SUFFIX
    files = sorted(by_file, key=lambda f: (f != main_file, f))
    fields: dict[str, fem.Function] = {}
    msh = region = None
    for filename in files:
        group = by_file[filename]
        gdim = int(next(iter(group.values()))["gdim"])
        file_mesh, functions, extras = field_file.read_functions(
            directory / filename, group, comm, gdim
        )
        fields |= functions
        if filename == main_file:
            msh, region = file_mesh, extras.get("region")
    if msh is None:
        raise EmcdInputError(f"{directory}: no {main_file} in the run's fields")
    names = list(summary["fields"].get("region", {}).get("region_names", []))
    return LoadedResult(directory, summary, msh, fields, region, names)


def _sweep_root_message(directory: Path) -> str | None:
    """The message for the root directory of a sweep (rank 0), or None for another one."""
    points = sorted(p.name for p in directory.glob("point_*") if (p / "summary.json").is_file())
    if not points and not (directory / "sweep.csv").is_file():
        return None
    shown = ", ".join(points[:5]) + (f", ... ({len(points)} points)" if len(points) > 5 else "")
    example = points[0] if points else "point_000"
    return (
        f"{directory} is the root of a sweep, not one run: its points are "
        f"{shown or 'missing'} (the table is sweep.csv); load one point, e.g. "
        f"load_result({str(directory / example)!r})"
    )


__all__ = ["LoadedResult", "load_result"]
