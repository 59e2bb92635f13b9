"""A file written on rank 0 from arrays distributed over the ranks, one block at a time.

The PyPI wheels of h5py have no parallel HDF5, so one rank writes. Gathering whole arrays
on rank 0 made its peak memory the whole file on top of the solve's data;
:class:`RankZeroFile` holds at most one other rank's block of one array at a time.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np
import numpy.typing as npt

#: MPI tag of the blocks sent to rank 0.
_TAG = 21


class RankZeroFile:
    """The field file, written on rank 0 one dataset and one rank's block at a time.

    Every rank calls the same methods in the same order (collective). Rank 0 holds at most
    one rank's block of one array besides its own arrays; after an error it keeps receiving
    (and drops) the blocks so that no rank waits, and :meth:`close` raises on every rank.
    """

    def __init__(self, comm: MPI.Comm, filename: Path) -> None:
        self.comm = comm
        self.filename = filename
        self.error: str | None = None
        self.file: Any = None
        if comm.rank == 0:
            self._attempt(self._open)

    def _open(self) -> None:
        import h5py

        self.file = h5py.File(self.filename, "w")

    def _attempt(self, action: Callable[[], Any]) -> Any:
        """``action()`` on rank 0 unless an error happened (it is kept, the file closed)."""
        if self.error is not None:
            return None
        try:
            return action()
        except Exception as exc:  # shared by close() so that every rank raises
            self.error = f"cannot write {self.filename}: {exc}"
            if self.file is not None:
                self.file.close()
                self.file = None
            return None

    def root(self, action: Callable[[Any], Any]) -> None:
        """``action(file)`` on rank 0 (local: attributes, groups, rank-0 arrays)."""
        if self.comm.rank == 0:
            self._attempt(lambda: action(self.file))

    def put(self, group: str, name: str, array: npt.NDArray[Any]) -> None:
        """Dataset ``group/name``: the rows of ``array`` of every rank in rank order.

        Rank 0 writes its own rows, then receives and writes one rank's rows at a time (a
        dataset created empty and linked when complete: the same bytes as one write).
        """
        array = np.ascontiguousarray(array)
        comm = self.comm
        if comm.size == 1:
            self.root(lambda file: file[group].__setitem__(name, array))
            return
        rows = comm.gather(array.shape[0], root=0)
        if comm.rank != 0:
            if array.size:
                comm.Send(array, dest=0, tag=_TAG)
            return
        tail = array.shape[1:]
        shape = (sum(rows), *tail)
        dataset = self._attempt(
            lambda: self.file[group].create_dataset(None, shape=shape, dtype=array.dtype)
        )

        def write(block: npt.NDArray[Any], start: int) -> None:
            dataset[start : start + len(block)] = block

        start = 0
        for rank, count in enumerate(rows):
            block = array
            if rank > 0 and count * int(np.prod(tail)) > 0:
                block = np.empty((count, *tail), dtype=array.dtype)
                comm.Recv(block, source=rank, tag=_TAG)
            if count:
                self._attempt(lambda block=block, start=start: write(block, start))
            start += count
            block = None  # one rank's block at a time
        self._attempt(lambda: self.file[group].__setitem__(name, dataset))

    def close(self) -> None:
        """Close the file on rank 0 and raise :class:`OSError` on every rank after an error."""
        if self.file is not None:
            self._attempt(lambda: self.file.close())
            self.file = None
        error = self.comm.bcast(self.error, root=0)
        if error:
            raise OSError(error)


__all__ = ["RankZeroFile"]
