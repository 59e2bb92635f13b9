"""RankZeroFile on one rank: the same bytes as h5py's one-shot write of the same layout
(floats contiguous, integers chunked with the scale-offset filter), errors kept and raised."""

from mpi4py import MPI

import h5py
import numpy as np
import pytest

from emcd_fem.io.rank_zero_file import INTEGER_CHUNK, RankZeroFile, chunk_rows


@pytest.mark.parametrize("n", [7, 2 * INTEGER_CHUNK + 5])  # one chunk; two and a partial one
def test_one_rank_writes_the_same_bytes_as_h5py(tmp_path, n):
    floats = np.linspace(0.0, 1.0, 3 * n).reshape(n, 3)
    ints = (np.arange(n, dtype=np.int32) * 7919) % 100003 - 50000
    out = RankZeroFile(MPI.COMM_SELF, tmp_path / "a.h5")
    out.root(lambda file: file.create_group("G"))
    out.put("G", "floats", floats)
    out.put("G", "ints", ints)
    out.close()
    with h5py.File(tmp_path / "b.h5", "w") as file:
        group = file.create_group("G")
        group["floats"] = floats
        group.create_dataset("ints", data=ints, chunks=(chunk_rows(ints.shape),), scaleoffset=0)
    assert (tmp_path / "a.h5").read_bytes() == (tmp_path / "b.h5").read_bytes()
    with h5py.File(tmp_path / "a.h5") as file:
        assert file["G/ints"].scaleoffset == 0 and file["G/floats"].chunks is None
        assert np.array_equal(file["G/ints"][()], ints)


def test_integer_arrays_packed_losslessly_any_type_and_shape(tmp_path):
    """Scale-offset keeps every value of int8 to int64 and uint arrays, 1D and 2D, with
    rows not a multiple of the chunk; bool and empty arrays stay contiguous."""
    rng = np.random.default_rng(5)
    arrays = {
        "i8": rng.integers(-128, 128, 40000).astype(np.int8),
        "u8": np.full(20000, 71, dtype=np.uint8),
        "i32": rng.integers(-(2**31), 2**31 - 1, 30000, dtype=np.int64).astype(np.int32),
        "i64": rng.integers(-(2**62), 2**62, (9000, 3), dtype=np.int64),
        "u64": np.array([0, 2**64 - 1, 5], dtype=np.uint64),
        "flags": rng.integers(0, 2, 100).astype(bool),
        "empty": np.zeros(0, dtype=np.int32),
    }
    out = RankZeroFile(MPI.COMM_SELF, tmp_path / "e.h5")
    out.root(lambda file: file.create_group("G"))
    for name, array in arrays.items():
        out.put("G", name, array)
    out.close()
    with h5py.File(tmp_path / "e.h5") as file:
        for name, array in arrays.items():
            dataset = file[f"G/{name}"]
            assert dataset.dtype == array.dtype and np.array_equal(dataset[()], array), name
            packed = name not in ("flags", "empty")
            assert (dataset.scaleoffset == 0) is packed, name
            if packed:
                assert dataset.chunks == (chunk_rows(array.shape), *array.shape[1:]), name
        assert file["G/i64"].chunks == (INTEGER_CHUNK // 3, 3)
        assert file["G/u8"].id.get_storage_size() < 20000 // 4  # one value: about no bits


def test_chunk_rows():
    assert chunk_rows((10,)) == 10
    assert chunk_rows((10**6,)) == INTEGER_CHUNK
    assert chunk_rows((10**6, 4)) == INTEGER_CHUNK // 4
    assert chunk_rows((3, 10**6)) == 1


def test_first_error_is_raised_at_close(tmp_path):
    out = RankZeroFile(MPI.COMM_SELF, tmp_path / "c.h5")
    out.root(lambda file: file.create_group("G"))
    out.put("G", "x", np.zeros(3))
    out.put("G", "x", np.ones(3))  # exists: refused
    out.put("G", "y", np.ones(3))  # skipped after the error
    with pytest.raises(OSError, match=r"cannot write .*c\.h5"):
        out.close()


def test_missing_directory_names_the_file(tmp_path):
    out = RankZeroFile(MPI.COMM_SELF, tmp_path / "no" / "d.h5")
    out.put("G", "x", np.zeros(3))
    with pytest.raises(OSError, match=r"cannot write .*d\.h5"):
        out.close()
