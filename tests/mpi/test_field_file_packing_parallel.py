"""Packed field files on N ranks (mpiexec -n 2 in CI; also run with 3): written by rank 0
from every rank's rows, read back identically to their unpacked copy by h5py, pyvista,
``dolfinx.io.vtkhdf.read_mesh`` and ``read_functions`` (the serial tests, run here)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_field_file_packing import (
    files,
    test_dolfinx_reads_identical_meshes,
    test_h5py_reads_the_same_arrays_and_attributes,
    test_integer_datasets_carry_scale_offset_floats_none,
    test_pyvista_reads_identical_grids,
    test_read_functions_bit_identical,
)

__all__ = [
    "files",
    "test_dolfinx_reads_identical_meshes",
    "test_h5py_reads_the_same_arrays_and_attributes",
    "test_integer_datasets_carry_scale_offset_floats_none",
    "test_pyvista_reads_identical_grids",
    "test_read_functions_bit_identical",
]
