"""RankZeroFile on one rank: the same bytes as h5py's one-shot write, errors kept and raised."""

from mpi4py import MPI

import h5py
import numpy as np
import pytest

from emcd_fem.io.rank_zero_file import RankZeroFile


def test_one_rank_writes_the_same_bytes_as_h5py(tmp_path):
    floats = np.linspace(0.0, 1.0, 30).reshape(10, 3)
    ints = np.arange(7, dtype=np.int32)
    out = RankZeroFile(MPI.COMM_SELF, tmp_path / "a.h5")
    out.root(lambda file: file.create_group("G"))
    out.put("G", "floats", floats)
    out.put("G", "ints", ints)
    out.close()
    with h5py.File(tmp_path / "b.h5", "w") as file:
        group = file.create_group("G")
        group["floats"] = floats
        group["ints"] = ints
    assert (tmp_path / "a.h5").read_bytes() == (tmp_path / "b.h5").read_bytes()


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
