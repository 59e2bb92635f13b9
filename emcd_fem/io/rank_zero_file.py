"""A file written on rank 0 from arrays distributed over the ranks, one block at a time.

The PyPI wheels of h5py have no parallel HDF5, so one rank writes. Gathering whole arrays
on rank 0 made its peak memory the whole file on top of the solve's data;
:class:`RankZeroFile` holds at most one other rank's block of one array at a time.

Integer arrays are stored losslessly packed: chunked (:data:`INTEGER_CHUNK` values per
chunk) with HDF5's integer scale-offset filter, which keeps each chunk's minimum and the
differences to it in the bits their range needs (the filter is built into every HDF5,
DOLFINx's PyPI one included, which has no deflate). Floating-point arrays stay contiguous
and unfiltered (scale-offset on floats rounds them). Each chunk is written once, whole, in
order (:class:`_ChunkWriter`), so the file's bytes do not depend on how the rows are split
over the ranks.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np
import numpy.typing as npt

#: MPI tag of the blocks sent to rank 0.
_TAG = 21

#: Values per chunk of an integer dataset. Scale-offset packs each chunk to the bits of its
#: own value range, so small chunks pack tighter but cost one HDF5 write and one index entry
#: each. The integer arrays of a 3D P1 field file with 1.03M DOFs (6M tetrahedra, 132 MB
#: uncompressed), measured per chunk size (values: packed MB, write s): 2^12: 55.7, 0.63;
#: 2^14: 57.0, 0.30; 2^16: 59.2, 0.20; 2^20: 67.8, 0.17.
INTEGER_CHUNK = 1 << 14


def packed(dtype: np.dtype) -> bool:
    """Whether arrays of ``dtype`` are stored scale-offset packed (integers, not bool)."""
    return bool(np.issubdtype(dtype, np.integer))


def chunk_rows(shape: tuple[int, ...]) -> int:
    """Rows per chunk of an integer dataset of ``shape``: :data:`INTEGER_CHUNK` values."""
    row = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    return max(1, min(shape[0], INTEGER_CHUNK // max(row, 1)))


class _ChunkWriter:
    """Writes the rows it is given to a chunked dataset, every chunk whole and once.

    Rows arrive in blocks of any size (one rank's rows). The whole chunks inside a block go
    to HDF5 in one write; a chunk straddling two blocks is assembled in a buffer of one
    chunk first. So no chunk is ever written (and packed, and stored) partially: HDF5 packs
    the same chunks in the same order however the rows are split over the ranks.
    """

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset
        self.rows = dataset.chunks[0]
        self.buffer = np.empty((self.rows, *dataset.shape[1:]), dtype=dataset.dtype)
        self.filled = 0  # rows in the buffer
        self.start = 0  # first row of the buffer's chunk

    def add(self, block: npt.NDArray[Any]) -> None:
        """Append ``block``'s rows."""
        taken = 0
        if self.filled:  # complete the straddling chunk first
            taken = min(self.rows - self.filled, len(block))
            self.buffer[self.filled : self.filled + taken] = block[:taken]
            self.filled += taken
            if self.filled == self.rows:
                self.flush()
        whole = (len(block) - taken) // self.rows * self.rows
        if whole and not self.filled:  # whole chunks straight from the block
            self.dataset[self.start : self.start + whole] = block[taken : taken + whole]
            self.start += whole
            taken += whole
        rest = len(block) - taken  # the start of the next straddling chunk
        if rest:
            self.buffer[self.filled : self.filled + rest] = block[taken:]
            self.filled += rest

    def flush(self) -> None:
        """Write the buffered rows (a whole chunk, or the last one at the end)."""
        if self.filled:
            stop = self.start + self.filled
            self.dataset[self.start : stop] = self.buffer[: self.filled]
            self.start = stop
            self.filled = 0


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
        Integer arrays (:func:`packed`) are chunked and scale-offset packed (lossless);
        an array that only rank 0 holds is passed as empty arrays on the other ranks.
        """
        array = np.ascontiguousarray(array)
        comm = self.comm
        if comm.size == 1 and not packed(array.dtype):
            self.root(lambda file: file[group].__setitem__(name, array))
            return
        rows = comm.gather(array.shape[0], root=0) if comm.size > 1 else [array.shape[0]]
        if comm.rank != 0:
            if array.size:
                comm.Send(array, dest=0, tag=_TAG)
            return
        tail = array.shape[1:]
        shape = (sum(rows), *tail)
        options: dict[str, Any] = {}
        if packed(array.dtype) and shape[0]:
            options = {"chunks": (chunk_rows(shape), *tail), "scaleoffset": 0}
        dataset = self._attempt(
            lambda: self.file[group].create_dataset(None, shape=shape, dtype=array.dtype, **options)
        )
        writer = _ChunkWriter(dataset) if options and dataset is not None else None

        def write(block: npt.NDArray[Any], start: int) -> None:
            if writer is not None:
                writer.add(block)
            else:
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
        if writer is not None:
            self._attempt(writer.flush)
        self._attempt(lambda: self.file[group].__setitem__(name, dataset))

    def close(self) -> None:
        """Close the file on rank 0 and raise :class:`OSError` on every rank after an error."""
        if self.file is not None:
            self._attempt(lambda: self.file.close())
            self.file = None
        error = self.comm.bcast(self.error, root=0)
        if error:
            raise OSError(error)


__all__ = ["INTEGER_CHUNK", "RankZeroFile", "chunk_rows", "packed"]
