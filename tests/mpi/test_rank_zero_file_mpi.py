"""RankZeroFile under mpiexec -n 2 / 3: the rows of every rank in rank order, the same
bytes as one write of the whole array, and an error raised on every rank without a hang."""

from pathlib import Path

from mpi4py import MPI

import h5py
import numpy as np
import pytest

from emcd_fem.io.rank_zero_file import INTEGER_CHUNK, RankZeroFile

COMM = MPI.COMM_WORLD


def rows_of(rank: int) -> tuple[np.ndarray, np.ndarray]:
    """Rank r holds 2 r rows (rank 0 none): a (rows, 3) float and a (rows,) int32 array."""
    n = 2 * rank
    start = n * (n - 2) // 4  # sum of the rows of the lower ranks: 0, 0, 2, 6, ...
    floats = np.arange(3 * start, 3 * (start + n), dtype=np.float64).reshape(n, 3) / 7
    return floats, np.arange(start, start + n, dtype=np.int32)


def write(comm: MPI.Comm, filename: Path, arrays: tuple[np.ndarray, np.ndarray]) -> None:
    out = RankZeroFile(comm, filename)
    out.root(lambda file: file.create_group("G"))
    out.put("G", "floats", arrays[0])
    out.put("G", "ints", arrays[1])
    out.close()


def test_rows_in_rank_order_same_bytes_as_one_write(shared_dir):
    write(COMM, shared_dir / "parallel.h5", rows_of(COMM.rank))
    if COMM.rank == 0:  # the whole arrays written at once by one rank
        blocks = [rows_of(r) for r in range(COMM.size)]
        whole = tuple(np.concatenate([b[i] for b in blocks]) for i in range(2))
        write(MPI.COMM_SELF, shared_dir / "serial.h5", whole)
        with h5py.File(shared_dir / "parallel.h5") as file:
            assert np.array_equal(file["G/floats"][()], whole[0])
            assert file["G/ints"].dtype == np.int32
            assert np.array_equal(file["G/ints"][()], whole[1])
        parallel = (shared_dir / "parallel.h5").read_bytes()
        assert parallel == (shared_dir / "serial.h5").read_bytes()
    COMM.Barrier()


def test_packed_integer_chunks_across_ranks_same_bytes_as_one_write(shared_dir):
    """Integer blocks that start and end inside chunks (rank r holds 2.3 r chunks of rows,
    rank 0 a few rows): chunked, scale-offset packed, the same bytes as one rank's write."""
    sizes = [5] + [int(2.3 * r * INTEGER_CHUNK) + 3 for r in range(1, COMM.size)]
    start = sum(sizes[: COMM.rank])

    def rows(first: int, count: int) -> tuple[np.ndarray, np.ndarray]:
        index = np.arange(first, first + count, dtype=np.int64)
        return (index * 7919) % 100003 - 50000, ((index % 5)[:, None] * [1, -1]).astype(np.int8)

    def put(comm: MPI.Comm, filename: Path, arrays: tuple[np.ndarray, np.ndarray]) -> None:
        out = RankZeroFile(comm, filename)
        out.root(lambda file: file.create_group("G"))
        out.put("G", "wide", arrays[0])
        out.put("G", "pairs", arrays[1])
        out.close()

    put(COMM, shared_dir / "parallel.h5", rows(start, sizes[COMM.rank]))
    if COMM.rank == 0:
        whole = rows(0, sum(sizes))
        put(MPI.COMM_SELF, shared_dir / "serial.h5", whole)
        with h5py.File(shared_dir / "parallel.h5") as file:
            assert file["G/wide"].scaleoffset == 0 and file["G/pairs"].scaleoffset == 0
            assert np.array_equal(file["G/wide"][()], whole[0])
            assert np.array_equal(file["G/pairs"][()], whole[1])
        parallel = (shared_dir / "parallel.h5").read_bytes()
        assert parallel == (shared_dir / "serial.h5").read_bytes()
    COMM.Barrier()


def test_unwritable_file_raises_on_every_rank(shared_dir):
    target = shared_dir / "missing" / "file.h5"
    with pytest.raises(OSError, match=r"cannot write .*file\.h5"):
        write(COMM, target, rows_of(COMM.rank))


def test_error_mid_file_raises_on_every_rank_and_later_arrays_are_drained(shared_dir):
    out = RankZeroFile(COMM, shared_dir / "twice.h5")
    out.root(lambda file: file.create_group("G"))
    floats, ints = rows_of(COMM.rank)
    out.put("G", "floats", floats)
    out.put("G", "floats", floats)  # the name exists: h5py refuses on rank 0
    out.put("G", "ints", ints)  # the other ranks still send: rank 0 must receive it
    with pytest.raises(OSError, match=r"cannot write .*twice\.h5"):
        out.close()
