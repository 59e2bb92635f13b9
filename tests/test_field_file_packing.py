"""Packed field files (issue 21, output size): the integer datasets chunked with HDF5's
integer scale-offset filter (lossless), the floating-point ones contiguous and unfiltered,
and every reader getting the very numbers of an unpacked file.

The reference is the same file rewritten by h5py with every dataset contiguous and
unfiltered (the layout before packing): h5py, pyvista (VTK's reader, as ParaView),
``dolfinx.io.vtkhdf.read_mesh`` and :func:`read_functions` must read identical arrays from
both. Runs on any number of ranks (tests/mpi/test_field_file_packing_parallel.py: 2 ranks
in CI; the mesh is read back on the same ranks that wrote it).
"""

from pathlib import Path

from mpi4py import MPI

import h5py
import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from dolfinx.io import vtkhdf

from emcd_fem.io import field_file
from emcd_fem.io.rank_zero_file import INTEGER_CHUNK, chunk_rows

COMM = MPI.COMM_WORLD
#: Integer cell arrays besides the mesh's: one byte with a -1, and int32 over a wide range.
EXTRAS = ("region", "tag")


def unpacked_copy(source: Path, target: Path) -> None:
    """``source`` rewritten with every dataset contiguous and unfiltered (same attributes)."""

    def copy(src: h5py.Group, dst: h5py.Group) -> None:
        dst.attrs.update(src.attrs)
        for name, item in src.items():
            if isinstance(item, h5py.Group):
                copy(item, dst.create_group(name))
            else:
                dst.create_dataset(name, data=item[()])
                dst[name].attrs.update(item.attrs)

    with h5py.File(source, "r") as src, h5py.File(target, "w") as dst:
        copy(src, dst)


@pytest.fixture
def files(shared_dir):
    """A packed field file (P1 point data, DG0 vector and DG1 cell data, two integer cell
    arrays; 6912 tetrahedra: the connectivity spans two chunks) and its unpacked copy."""
    msh = dmesh.create_unit_cube(COMM, 12, 12, 8)
    u = fem.Function(fem.functionspace(msh, ("Lagrange", 1)), name="u")
    u.interpolate(lambda x: np.sin(3 * x[0]) + x[1] * x[2])
    x = ufl.SpatialCoordinate(msh)
    w = fem.Function(fem.functionspace(msh, ("DG", 0, (3,))), name="w")
    w.interpolate(fem.Expression(x, w.function_space.element.interpolation_points))
    d = fem.Function(fem.functionspace(msh, ("DG", 1)), name="d")
    d.interpolate(lambda x: np.exp(x[0]) - x[2])
    n_cells = msh.topology.index_map(3).size_local
    first = msh.topology.index_map(3).local_range[0]
    cells = np.arange(first, first + n_cells)
    cell_data = {
        "region": (cells % 4 - 1).astype(np.int8),  # -1 (no region), 0, 1, 2
        "tag": (cells * 104729 - 2**30).astype(np.int32),  # a range of 31 bits
    }
    packed, plain = shared_dir / "packed.vtkhdf", shared_dir / "plain.vtkhdf"
    info = field_file.write_field_file(packed, [u, w, d], cell_data=cell_data)
    if COMM.rank == 0:
        unpacked_copy(packed, plain)
    COMM.Barrier()
    return packed, plain, info


def datasets(file: h5py.File) -> dict[str, h5py.Dataset]:
    found: dict[str, h5py.Dataset] = {}

    def visit(name: str, item: object) -> None:  # None: visititems goes on
        if isinstance(item, h5py.Dataset):
            found[name] = item

    file.visititems(visit)
    return found


def test_integer_datasets_carry_scale_offset_floats_none(files):
    packed, _, _ = files
    if COMM.rank != 0:
        return
    with h5py.File(packed, "r") as file:
        found = datasets(file)
        integers = {n for n, d in found.items() if np.issubdtype(d.dtype, np.integer)}
        counts = {"NumberOfPoints", "NumberOfCells", "NumberOfConnectivityIds"}
        arrays = {"Connectivity", "Offsets", "Types", *(f"CellData/{n}" for n in EXTRAS)}
        assert integers == {f"VTKHDF/{n}" for n in counts | arrays}
        for name in arrays:
            dataset = found[f"VTKHDF/{name}"]
            plist = dataset.id.get_create_plist()
            assert plist.get_nfilters() == 1, name
            assert plist.get_filter(0)[0] == h5py.h5z.FILTER_SCALEOFFSET, name
            assert dataset.scaleoffset == 0, name  # integers: the bits of the chunk's range
            assert dataset.chunks == (chunk_rows(dataset.shape),), name
            assert dataset.id.get_storage_size() < dataset.nbytes, name
        assert found["VTKHDF/Connectivity"].chunks == (INTEGER_CHUNK,)
        assert found["VTKHDF/Connectivity"].shape[0] > INTEGER_CHUNK  # more than one chunk
        for name, dataset in found.items():
            if name in integers and name.split("/")[-1] in counts:
                assert dataset.chunks is None and dataset.shape == (1,), name
            if not np.issubdtype(dataset.dtype, np.integer):
                assert np.issubdtype(dataset.dtype, np.floating), name
                assert dataset.chunks is None, name  # contiguous
                assert dataset.id.get_create_plist().get_nfilters() == 0, name
                assert dataset.id.get_storage_size() == dataset.nbytes, name


def test_h5py_reads_the_same_arrays_and_attributes(files):
    packed, plain, _ = files
    if COMM.rank != 0:
        return
    with h5py.File(packed, "r") as a, h5py.File(plain, "r") as b:
        found, reference = datasets(a), datasets(b)
        assert found.keys() == reference.keys()
        for name, dataset in found.items():
            expected = reference[name]
            assert dataset.dtype == expected.dtype and dataset.shape == expected.shape, name
            assert np.array_equal(dataset[()], expected[()]), name
            assert dict(dataset.attrs) == dict(expected.attrs), name
        assert dict(a["VTKHDF"].attrs).keys() == dict(b["VTKHDF"].attrs).keys()
        assert a["VTKHDF"].attrs["Type"] == b["VTKHDF"].attrs["Type"]
        assert np.array_equal(a["VTKHDF"].attrs["Version"], b["VTKHDF"].attrs["Version"])
        assert np.all(a["VTKHDF/Types"][()] == 71)  # VTK_LAGRANGE_TETRAHEDRON
        assert np.array_equal(a["VTKHDF/Offsets"][()], 4 * np.arange(6912 + 1))


def test_pyvista_reads_identical_grids(files):
    pyvista = pytest.importorskip("pyvista")
    packed, plain, _ = files
    if COMM.rank != 0:
        return
    grid, reference = pyvista.read(packed), pyvista.read(plain)
    assert grid.n_cells == reference.n_cells == 6912
    assert np.array_equal(grid.points, reference.points)
    assert np.array_equal(grid.cells, reference.cells)
    assert np.array_equal(grid.celltypes, reference.celltypes)
    pairs = ((grid.point_data, reference.point_data), (grid.cell_data, reference.cell_data))
    for data, expected in pairs:
        assert set(data.keys()) == set(expected.keys())
        for name in data.keys():
            assert data[name].dtype == expected[name].dtype, name
            assert np.array_equal(data[name], expected[name]), name
    assert set(EXTRAS) <= set(grid.cell_data.keys())


def test_dolfinx_reads_identical_meshes(files):
    """``vtkhdf.read_mesh`` on the writing ranks: the same partition, nodes and cells."""
    packed, plain, _ = files
    mesh, reference = (vtkhdf.read_mesh(COMM, str(p), gdim=3) for p in (packed, plain))
    geometry, expected = mesh.geometry, reference.geometry
    assert np.array_equal(geometry.x, expected.x)
    assert np.array_equal(geometry.dofmaps[0], expected.dofmaps[0])
    assert np.array_equal(geometry.input_global_indices, expected.input_global_indices)
    cells, expected_cells = mesh.topology, reference.topology
    assert np.array_equal(cells.original_cell_index, expected_cells.original_cell_index)
    assert mesh.topology.index_map(3).size_global == 6912


def test_read_functions_bit_identical(files):
    """:func:`read_functions` (what ``load_result`` calls): the same DOF values, bit for bit."""
    packed, plain, info = files
    _, functions, extras = field_file.read_functions(packed, info, COMM, gdim=3)
    _, expected, expected_extras = field_file.read_functions(plain, info, COMM, gdim=3)
    assert functions.keys() == expected.keys() == {"u", "w", "d"}
    assert extras.keys() == expected_extras.keys() == set(EXTRAS)
    for name, function in {**functions, **extras}.items():
        reference = {**expected, **expected_extras}[name]
        assert np.array_equal(function.x.array, reference.x.array), name
    values = COMM.allgather(np.unique(extras["region"].x.array))
    assert set(np.concatenate(values)) == {-1.0, 0.0, 1.0, 2.0}


@pytest.mark.parametrize("cell", ["tetrahedron", "hexahedron", "triangle"])
@pytest.mark.parametrize("degree", [1, 2])
def test_points_are_the_geometry_nodes(cell, degree):
    """The grid's points: where the field's nodes are the geometry's (degree 1 here), the
    mesh's own node coordinates bit for bit (every point is a row of geometry.x); else
    DOLFINx's tabulation. Both within rounding of ``tabulate_dof_coordinates``."""
    comm = MPI.COMM_WORLD
    if cell == "triangle":
        msh = dmesh.create_unit_square(comm, 5, 4)
    else:
        msh = dmesh.create_box(
            comm, [[0.0, 0.0, 0.0], [0.3, 0.7, 1.1]], [3, 4, 2], getattr(dmesh.CellType, cell)
        )
    V = fem.functionspace(msh, ("Lagrange", degree))
    n = V.dofmap.index_map.size_local
    points = field_file._node_points(V, n)
    assert np.allclose(points, V.tabulate_dof_coordinates()[:n], rtol=0.0, atol=1e-15)
    if degree == 1:
        rows = {tuple(p) for p in msh.geometry.x}
        assert all(tuple(p) in rows for p in points)
