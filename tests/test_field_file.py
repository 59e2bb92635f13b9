"""The field file's layout: int32 connectivity and offsets, one-byte cell types, and what
pyvista (VTK's reader, as ParaView) and DOLFINx read back from it (issue 21, output size).

VTK's own writer stored the mesh with int64 connectivity and offsets (270 of 430 MB per
million P1 DOFs in 3D); the h5py writer stores int32 while the counts fit. Values are
compared exactly or to round-off: the file holds the very numbers written.
"""

from mpi4py import MPI

import h5py
import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

from emcd_fem.io import field_file


@pytest.fixture
def written(tmp_path):
    msh = dmesh.create_unit_cube(MPI.COMM_WORLD, 3, 4, 2)
    u = fem.Function(fem.functionspace(msh, ("Lagrange", 1)), name="u")
    u.interpolate(lambda x: x[0] + 2 * x[1] - 3 * x[2])  # linear: exact at any point
    w = fem.Function(fem.functionspace(msh, ("DG", 0, (3,))), name="w")
    w.interpolate(
        fem.Expression(ufl.SpatialCoordinate(msh), w.function_space.element.interpolation_points)
    )
    n_cells = msh.topology.index_map(3).size_local
    region = (np.arange(n_cells) % 3).astype(np.int8)
    path = tmp_path / "fields.vtkhdf"
    info = field_file.write_field_file(path, [u, w], cell_data={"region": region})
    return path, msh, info, {"u": u, "w": w}


@pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="serial layout: cells in local order")
def test_int32_mesh_arrays_that_pyvista_reads_back(written):
    import pyvista

    path, msh, info, _ = written
    n_cells = msh.topology.index_map(3).size_global
    with h5py.File(path, "r") as file:
        root = file["VTKHDF"]
        assert root.attrs["Type"] == b"UnstructuredGrid"
        assert root["Connectivity"].dtype == np.int32
        assert root["Offsets"].dtype == np.int32
        assert root["Types"].dtype == np.uint8
        assert np.array_equal(root["Offsets"][:], 4 * np.arange(n_cells + 1))
        assert np.all(root["Types"][:] == 71)  # VTK_LAGRANGE_TETRAHEDRON
    assert info["u"]["association"] == "point" and info["w"]["association"] == "cell"
    grid = pyvista.read(path)
    assert grid.n_cells == n_cells
    # the file's connectivity: each cell's centre is the DOLFINx cell's centroid
    centroids = msh.geometry.x[msh.geometry.dofmaps[0]].mean(axis=1)
    assert np.allclose(grid.cell_centers().points, centroids, atol=1e-15)
    points = np.asarray(grid.points)
    expected = points[:, 0] + 2 * points[:, 1] - 3 * points[:, 2]
    assert np.allclose(grid.point_data["u"], expected, atol=1e-15)
    assert np.array_equal(grid.cell_data["w"], centroids)  # DG0 of x: the centroid's value
    assert np.array_equal(grid.cell_data["region"], np.arange(n_cells) % 3)


def _moments(f: fem.Function) -> np.ndarray:
    """∫ f, ∫ f·f and ∫ f x_0 (componentwise sums for vectors): rank- and order-free."""
    x = ufl.SpatialCoordinate(f.function_space.mesh)
    comm = f.function_space.mesh.comm
    total = ufl.inner(f, ufl.as_vector([1.0] * 3)) if f.ufl_shape else f
    forms = (total, ufl.inner(f, f), total * x[0])
    return np.array([comm.allreduce(fem.assemble_scalar(fem.form(e * ufl.dx))) for e in forms])


def test_dolfinx_reads_the_mesh_and_fields_back(written):
    """``read_functions`` (``dolfinx.io.vtkhdf.read_mesh``) reads the int32 file: the same
    cells and the same fields (their moments to round-off); on 2 and 3 ranks:
    tests/mpi/test_outputs_mpi.py."""
    path, msh, info, originals = written
    again, functions, extras = field_file.read_functions(path, info, MPI.COMM_WORLD, gdim=3)
    assert again.topology.index_map(3).size_global == msh.topology.index_map(3).size_global
    for name, original in originals.items():
        assert np.allclose(_moments(functions[name]), _moments(original), rtol=1e-13), name
    assert "region" in extras


def test_index_type_switches_to_int64_past_int32():
    assert field_file.index_type(2**31 - 1) is np.int32
    assert field_file.index_type(2**31) is np.int64
