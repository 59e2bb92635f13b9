"""Outputs of transient runs: the time-series CSV and the fields at the output times.

Fields: one ParaView collection ``fields_time.pvd`` (the time series: one entry per output
time) whose pieces ``fields_time/step_NNNNN.vtu`` are VTK XML unstructured grids, written
from the same gathered grid as the steady field file (``emcd_fem.io.field_file``). ParaView
opens the .pvd as one time series; pyvista reads it with ``pyvista.get_reader`` (a
``PVDReader``: ``time_values``, ``set_active_time_value``). (VTX/ADIOS2 .bp files are not
readable by the PyPI VTK that pyvista uses, hence this format.)
"""

import re
import shutil
from collections.abc import Collection, Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

from mpi4py import MPI

from dolfinx import fem

from emcd_fem.io.field_file import write_field_file
from emcd_fem.io.output import write_csv
from emcd_fem.models.transient import StepRecord

#: The collection file and the directory of its pieces.
COLLECTION = "fields_time.pvd"
PIECES = "fields_time"


class FieldSeries:
    """Fields at output times, one .vtu piece per time plus the .pvd collection.

    Args:
        directory: The (staging) output directory.
        comm: The mesh communicator.
    """

    def __init__(self, directory: str | Path, comm: MPI.Comm) -> None:
        self.directory = Path(directory)
        self.comm = comm
        self.entries: list[tuple[float, str]] = []

    def write(self, t: float, functions: Sequence[fem.Function]) -> None:
        """Write the fields at time ``t`` [s] (collective) and update the collection."""
        name = f"{PIECES}/step_{len(self.entries):05d}.vtu"
        temporary = self.directory / PIECES / f".step_{len(self.entries):05d}.vtkhdf"
        if self.comm.rank == 0:
            (self.directory / PIECES).mkdir(parents=True, exist_ok=True)
        self.comm.Barrier()
        write_field_file(temporary, functions)
        error = None
        if self.comm.rank == 0:
            try:
                import pyvista

                pyvista.read(temporary).save(self.directory / name)
                temporary.unlink()
                self.entries.append((t, name))
                self._write_collection()
            except Exception as exc:  # shared below so that every rank raises
                error = f"cannot write the fields at t = {t:g} s: {exc}"
        error = self.comm.bcast(error, root=0)
        if error:
            raise OSError(error)
        if self.comm.rank != 0:  # the same entries on every rank: callers branch on them
            self.entries.append((t, name))

    def adopt(self, previous: str | Path, t_max: float, times: Collection[float]) -> None:
        """Take over the pieces of an earlier (interrupted) run up to ``t_max`` [s] (resume).

        Only the pieces at ``times`` (the run's output times [s]) are taken: the piece the
        interrupted run wrote at its stop time is that run's final state, not an output
        time, and the resumed run must hold the uninterrupted run's frames. Rank 0 copies
        them into this directory; every rank learns the entries.
        """
        wanted = {float(t) for t in times}
        entries = None
        if self.comm.rank == 0:
            entries = []
            collection = Path(previous) / COLLECTION
            text = collection.read_text() if collection.is_file() else ""
            for t, name in re.findall(r'timestep="([^"]+)" part="0" file="([^"]+)"', text):
                keep = float(t) <= t_max and float(t) in wanted
                if keep and (Path(previous) / name).is_file():
                    target = self.directory / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(Path(previous) / name, target)
                    entries.append((float(t), name))
            if entries:
                self.entries = entries
                self._write_collection()
        self.entries = self.comm.bcast(entries, root=0)

    def _write_collection(self) -> None:
        lines = [
            '<?xml version="1.0"?>',
            '<VTKFile type="Collection" version="0.1">',
            "  <Collection>",
        ]
        lines += [
            f'    <DataSet timestep="{t!r}" part="0" file={quoteattr(name)}/>'
            for t, name in self.entries
        ]
        lines += ["  </Collection>", "</VTKFile>", ""]
        path = self.directory / COLLECTION
        temporary = path.with_name(path.name + ".part")
        temporary.write_text("\n".join(lines))
        temporary.replace(path)


#: Units of the integrated quantities by dimension 1, 2, 3: per unit area in 1D, per unit
#: depth in 2D (rate, amount, heat flow, heat).
UNITS: dict[int, tuple[str, str, str, str]] = {
    1: ("mol/(m^2 s)", "mol/m^2", "W/m^2", "J/m^2"),
    2: ("mol/(m s)", "mol/m", "W/m", "J/m"),
    3: ("mol/s", "mol", "W", "J"),
}


def time_series_rows(
    records: Sequence[StepRecord], boundaries: Sequence[str], *, dim: int
) -> tuple[list[str], list[list[float | int | str]]]:
    """Header and rows of ``time_series.csv`` (units in brackets, by ``dim``: :data:`UNITS`).

    With a transient temperature also the boundary heat flows, the stored heat and the
    energy balance (``heat_flow_<name> [W]``, ``heat_energy [J]``, ``heat_balance [W]`` in
    3D; per unit depth in 2D, per unit area in 1D, like the species flows).
    """
    rate, amount, power, energy = UNITS[dim]
    header = ["step", "t [s]", "dt [s]"]
    header += [f"flux_{name} [{rate}]" for name in boundaries]
    header += [
        f"inventory [{amount}]",
        f"inventory_rate [{rate}]",
        f"production [{rate}]",
        f"balance [{rate}]",
        "error_ratio [1]",
        "rejected_steps",
    ]
    heat = [n for n in (records[0].heat_flow or {})] if records else []
    if heat:
        header += [f"heat_flow_{name} [{power}]" for name in heat]
        header += [f"heat_energy [{energy}]", f"heat_balance [{power}]"]
    rows = [
        [r.step, r.t, r.dt]
        + [r.boundary_flux.get(name, 0.0) for name in boundaries]
        + [
            r.inventory,
            r.inventory_rate,
            r.production,
            r.balance,
            "" if r.error_ratio is None else r.error_ratio,
            r.rejected,
        ]
        + (
            [r.heat_flow.get(name, 0.0) for name in heat] + [r.heat_energy, r.heat_balance]
            if heat
            else []
        )
        for r in records
    ]
    return header, rows


def write_time_series(
    path: str | Path,
    records: Sequence[StepRecord],
    boundaries: Sequence[str],
    comm: MPI.Comm,
    *,
    dim: int,
) -> None:
    """Write ``time_series.csv`` on rank 0 (``dim``: the mesh's, for the units)."""
    header, rows = time_series_rows(records, boundaries, dim=dim)
    write_csv(Path(path), header, rows, comm)


__all__ = [
    "COLLECTION",
    "PIECES",
    "UNITS",
    "FieldSeries",
    "time_series_rows",
    "write_time_series",
]
