"""Checkpoints of transient runs: write atomically, read back on any number of ranks.

A checkpoint is one file, ``checkpoint.npz`` in the run's output directory, written by
rank 0: the time, next step, step count, the stored states of the march (the last up to
three potentials per block, as BDF2 and the error estimate need them), their inventories,
the time series so far (JSON), the case fingerprint and the case data (a blocked,
vector-valued state such as the n − 1 mole fractions of the multicomponent march is
stored as (nodes, block size)). Values are keyed by
the coordinates of their degrees of freedom (gathered from every rank), not by the DOF
numbering, so a run checkpointed on p ranks resumes on q ranks: each rank matches its own
DOF coordinates to the stored ones (nearest point, checked to 1e-9 of the mesh size);
DOFs of a discontinuous space (a temperature with contact resistances) are keyed by their
coordinate moved towards their cell's midpoint (:func:`dof_keys`).

Atomic write: the file is written to ``checkpoint.npz.part``, flushed and fsynced, then
renamed over the previous checkpoint (``os.replace``), so an interruption mid-write leaves
the previous consistent checkpoint.
"""

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np
from dolfinx import fem
from dolfinx import mesh as dmesh

from emcd_fem.errors import EmcdInputError
from emcd_fem.models.transient import StepRecord, TransientState

#: File name of the checkpoint in an output directory.
CHECKPOINT = "checkpoint.npz"
#: Format version.
VERSION = 1


def fingerprint(case_data: dict[str, Any]) -> str:
    """SHA-256 of the case data (canonical JSON, without ``time.resume``)."""
    data = json.loads(json.dumps(case_data, sort_keys=True, default=str))
    if isinstance(data.get("time"), dict):
        data["time"].pop("resume", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def dof_keys(V: fem.FunctionSpace) -> np.ndarray:
    """Points that identify the DOFs of V (local, owned and ghost), shape (n, 3) [m].

    Continuous spaces: the DOF coordinates. Discontinuous ones repeat a coordinate in every
    cell sharing it, so each DOF's point is moved a tenth of the way to its cell's
    midpoint: distinct per cell, and the same on any partition.
    """
    coords = V.tabulate_dof_coordinates()
    if not V.element.basix_element.discontinuous:
        return coords
    msh = V.mesh
    tdim = msh.topology.dim
    n_cells = msh.topology.index_map(tdim).size_local + msh.topology.index_map(tdim).num_ghosts
    cells = np.arange(n_cells, dtype=np.int32)
    midpoints = dmesh.compute_midpoints(msh, tdim, cells)
    dofs = V.dofmap.list[:n_cells]
    centre = np.zeros_like(coords)
    centre[dofs.ravel()] = np.repeat(midpoints, dofs.shape[1], axis=0)
    return coords + 0.1 * (centre - coords)


def _owned(u: fem.Function) -> tuple[np.ndarray, int]:
    n = u.function_space.dofmap.index_map.size_local
    return dof_keys(u.function_space)[:n], n


def _owned_values(u: fem.Function, values: np.ndarray, n: int) -> np.ndarray:
    """The owned values of a state array: (n,) scalar, (n, bs) blocked (vector-valued)."""
    bs = u.function_space.dofmap.index_map_bs
    return values[:n] if bs == 1 else values[: n * bs].reshape(n, bs)


def _gather(comm: MPI.Comm, local: np.ndarray) -> np.ndarray | None:
    parts = comm.gather(local, root=0)
    return np.concatenate(parts) if comm.rank == 0 else None


def write_checkpoint(
    path: str | Path,
    state: TransientState,
    potentials: list[fem.Function],
    meta: dict[str, Any],
) -> None:
    """Write ``state`` to ``path`` atomically (collective; rank 0 writes).

    Args:
        path: The checkpoint file.
        state: The march state.
        potentials: The block potentials (their spaces give the DOF coordinates).
        meta: JSON data stored with it (case data, fingerprint, finished flag, ...).
    """
    comm = potentials[0].function_space.mesh.comm
    arrays: dict[str, np.ndarray] = {}
    for i, u in enumerate(potentials):
        coords, n = _owned(u)
        gathered = _gather(comm, coords)
        if comm.rank == 0:
            arrays[f"coords_{i}"] = gathered
        for j, values in enumerate(state.states):
            gathered = _gather(comm, _owned_values(u, values[i], n))
            if comm.rank == 0:
                arrays[f"state_{j}_{i}"] = gathered
    if comm.rank != 0:
        return
    header = {
        "version": VERSION,
        "t": state.t,
        "dt": state.dt,
        "step": state.step,
        "times": state.times,
        "inventories": [np.asarray(v).tolist() for v in state.inventories],
        "blocks": len(potentials),
        "records": [asdict(r) for r in state.records],
        "ranks": comm.size,
    } | meta
    path = Path(path)
    temporary = path.with_name(path.name + ".part")
    with temporary.open("wb") as stream:
        np.savez(stream, header=np.array(json.dumps(header)), **arrays)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


def read_header(path: str | Path) -> dict[str, Any]:
    """The JSON header of a checkpoint (local; every rank may call it)."""
    path = Path(path)
    if not path.is_file():
        raise EmcdInputError(f"no checkpoint {str(path)!r}: only transient runs ([time]) write one")
    try:
        with np.load(path) as data:
            header = json.loads(str(data["header"]))
    except (OSError, ValueError, KeyError) as exc:
        raise EmcdInputError(f"checkpoint {str(path)!r} cannot be read: {exc}") from None
    if header.get("version") != VERSION:
        raise EmcdInputError(f"checkpoint {str(path)!r} has format {header.get('version')!r}")
    return header


def read_states(
    path: str | Path, potentials: list[fem.Function], *, latest_only: bool = False
) -> list[list[np.ndarray]]:
    """The stored states as local arrays of ``potentials`` (owned and ghost DOFs).

    A checkpoint with a marched temperature (header ``temperature``: T is its last block)
    may be read into the potentials alone (the first blocks).

    Raises:
        EmcdInputError: the DOF coordinates do not match (another mesh or degree).
    """
    header = read_header(path)
    blocks = header["blocks"] - bool(header.get("temperature"))  # T: the last block
    if header["blocks"] != len(potentials) and blocks != len(potentials):
        raise EmcdInputError(
            f"checkpoint {str(path)!r} has {header['blocks']} block(s) of regions, this case "
            f"{len(potentials)}: it belongs to another case"
        )
    n_states = len(header["times"])
    wanted = [n_states - 1] if latest_only else list(range(n_states))
    states: list[list[np.ndarray]] = [[] for _ in wanted]
    with np.load(path) as data:
        for i, u in enumerate(potentials):
            stored = data[f"coords_{i}"]
            coords = dof_keys(u.function_space)
            if stored.shape[0] != u.function_space.dofmap.index_map.size_global:
                raise EmcdInputError(
                    f"checkpoint {str(path)!r}: {stored.shape[0]} values for a space of "
                    f"{u.function_space.dofmap.index_map.size_global}: another mesh or degree"
                )
            from scipy.spatial import cKDTree  # on use: only a restart loads scipy

            distance, index = cKDTree(stored).query(coords)
            extent = float(np.ptp(stored, axis=0).max()) or 1.0
            if distance.size and distance.max() > 1e-9 * extent:
                raise EmcdInputError(
                    f"checkpoint {str(path)!r}: the mesh differs from this case's mesh"
                )
            for k, j in enumerate(wanted):
                states[k].append(np.asarray(data[f"state_{j}_{i}"])[index].reshape(-1))
    return states


def restore_state(
    path: str | Path, potentials: list[fem.Function], record_type: type = StepRecord
) -> TransientState:
    """The march state of a checkpoint, on this communicator (collective-safe, local reads).

    ``record_type``: the step records' class (the multicomponent march stores
    ``MulticomponentStepRecord``s; its inventories, one per species, come back as arrays).
    """
    header = read_header(path)
    inventories = [v if np.isscalar(v) else np.asarray(v) for v in header["inventories"]]
    return TransientState(
        t=header["t"],
        dt=header["dt"],
        step=header["step"],
        times=list(header["times"]),
        states=read_states(path, potentials),
        inventories=inventories,
        records=[record_type(**r) for r in header["records"]],
    )


__all__ = [
    "CHECKPOINT",
    "dof_keys",
    "fingerprint",
    "read_header",
    "read_states",
    "restore_state",
    "write_checkpoint",
]
