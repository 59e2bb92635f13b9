"""VTKHDF field files: one ``.vtkhdf`` per mesh that pyvista, ParaView and DOLFINx open.

The file holds one unstructured grid (the mesh, written once) and every field on it:

* continuous Lagrange fields (x_A, T) as **point data** on a Lagrange grid of degree
  q = max(geometry degree, field degrees): P1 and P2 values are exact at the nodes and VTK
  interpolates them with the cell's own degree;
* discontinuous fields (the molar flux, DG x_A of partition and film cases) as **cell
  data**: the value at the cell centre (exact for DG0), plus, for DG degree >= 1, the
  cell's degrees of freedom in ``<name>_dofs`` (one component per DOF) so that
  :func:`read_functions` restores them exactly;
* optional integer cell data (the region index).

Cells are Lagrange cells (VTK types 68-72), the types DOLFINx writes and reads
(``dolfinx.io.vtkhdf.read_mesh``). Rank 0 writes the file with h5py (no parallel HDF5
in the PyPI wheels), one array and one rank's rows at a time
(:class:`emcd_fem.io.rank_zero_file.RankZeroFile`): points in the global DOF order, cells
in the global cell order, so the file does not depend on the rank count beyond that
numbering. A scalar Lagrange field of the grid's
degree is written from its own DOFs and a DG0 field from its cell values (no
interpolation, no second function space).

Size: connectivity and offsets are int32 while the counts fit (VTK's own writer stores
int64 whatever it is given: the mesh was 270 of 430 MB per million P1 DOFs in 3D), the
cell types one byte. The integer datasets (connectivity, offsets, types, the region index)
are chunked and packed losslessly by HDF5's integer scale-offset filter (each chunk: its
minimum and the differences in the bits of its range; :mod:`emcd_fem.io.rank_zero_file`),
which DOLFINx's HDF5, h5py's and VTK's all read; the floating-point datasets (points,
fields) are contiguous and unfiltered: scale-offset on floats rounds, and DOLFINx's HDF5
in the PyPI wheel has no deflate filter. A 3D P1 run with 1.03M DOFs (6M tetrahedra):
234 MB, 227 MB per million DOFs (was 309 MB): points 24.7, connectivity 42.7 (was 96),
offsets 12.0 (24), types 0.8 (6), region 1.4 (6), x_A 8.2, the DG0 flux 144 (three
float64 per cell: the bulk); with ``[output] fields = ["mole_fraction"]``: 90 MB, 87 MB
per million DOFs (was 165 MB).
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np
import numpy.typing as npt
from dolfinx import cpp as _cpp
from dolfinx import fem
from dolfinx import mesh as dmesh

from emcd_fem.io.rank_zero_file import RankZeroFile

#: File name suffix of field files.
SUFFIX = ".vtkhdf"


#: Cells whose global node numbers are computed at a time (bounds the int64 temporaries).
CHUNK = 1 << 16


def _element_info(function: fem.Function) -> dict[str, Any]:
    element = function.function_space.element.basix_element
    return {
        "family": "DG" if element.discontinuous else "Lagrange",
        "degree": int(element.degree),
        "shape": [int(s) for s in function.ufl_shape],
    }


def _grid_degree(msh: dmesh.Mesh, functions: Sequence[fem.Function]) -> int:
    degrees = [msh.geometry.cmaps[0].degree]
    degrees += [
        f.function_space.element.basix_element.degree
        for f in functions
        if not f.function_space.element.basix_element.discontinuous
    ]
    return int(max(degrees))


def _lagrange_space(
    msh: dmesh.Mesh, functions: Sequence[fem.Function], q: int
) -> fem.FunctionSpace:
    """The scalar Lagrange space of degree q whose nodes are the grid's points.

    A scalar continuous field of degree q lives on those nodes already: its space is
    reused (no second dofmap, no interpolation); otherwise a new space is built.
    """
    for function in functions:
        V = function.function_space
        element = V.element.basix_element
        if not element.discontinuous and element.degree == q and not function.ufl_shape:
            return V
    return fem.functionspace(msh, ("Lagrange", q))


def _component_values(
    function: fem.Function, V: fem.FunctionSpace, n_owned: int
) -> npt.NDArray[np.float64]:
    """Values of ``function`` at the owned nodes of the scalar Lagrange space ``V``."""
    if function.function_space is V:  # the grid's own space: the DOF values themselves
        return function.x.array[:n_owned]
    shape = function.ufl_shape
    size = int(np.prod(shape)) if shape else 1
    values = np.empty((n_owned, size))
    target = fem.Function(V)
    for i in range(size):
        if shape:
            component = function[tuple(int(j) for j in np.unravel_index(i, shape))]
            target.interpolate(fem.Expression(component, V.element.interpolation_points))
        else:
            target.interpolate(function)
        values[:, i] = target.x.array[:n_owned]
    return values if shape else values[:, 0]


def _cell_centre_values(function: fem.Function, n_cells: int) -> npt.NDArray[np.float64]:
    """DG0 interpolation (the value at each cell's centre) of the owned cells."""
    msh = function.function_space.mesh
    shape = function.ufl_shape
    size = int(np.prod(shape)) if shape else 1
    element = function.function_space.element.basix_element
    if element.discontinuous and element.degree == 0:  # DG0 already: its DOFs, per cell
        cell_dofs = function.function_space.dofmap.list[:n_cells, 0]
        blocks = function.x.array.reshape(-1, size)
        if np.array_equal(cell_dofs, np.arange(n_cells)):  # DOF i on cell i: a view
            values = blocks[:n_cells]
        else:
            values = blocks[cell_dofs]
        return values if shape else values[:, 0]
    space = fem.functionspace(msh, ("DG", 0, shape) if shape else ("DG", 0))
    target = fem.Function(space)
    target.interpolate(function)
    values = target.x.array.reshape(-1, size)[:n_cells]
    return values if shape else values[:, 0]


def _cell_dofs(function: fem.Function, n_cells: int) -> npt.NDArray[np.float64]:
    """The DOF values of each owned cell of a DG function, (cells, dofs per cell × bs)."""
    V = function.function_space
    bs = V.dofmap.bs
    dofs = V.dofmap.list[:n_cells]
    blocked = (dofs[:, :, None] * bs + np.arange(bs)[None, None, :]).reshape(n_cells, -1)
    return function.x.array[blocked]


def _node_points(V: fem.FunctionSpace, n_owned: int) -> npt.NDArray[np.float64]:
    """Coordinates of the owned nodes of the grid's space ``V`` [m], (n_owned, 3).

    Where ``V``'s nodes are the mesh geometry's nodes (the same element layout, e.g. P1 on
    a straight mesh), each node's coordinates are copied from the geometry through the two
    dofmaps: the exact vertices (DOLFINx's ``tabulate_dof_coordinates`` pushes the
    reference nodes forward, which adds rounding of up to one ulp), and 3× faster.
    Otherwise the tabulation.
    """
    msh = V.mesh
    geometry_nodes = msh.geometry.dofmaps[0]
    dofs = V.dofmap.list
    same_layout = (
        V.dofmap.bs == 1
        and dofs.shape == geometry_nodes.shape
        and V.element.basix_element.degree == msh.geometry.cmaps[0].degree
        and not V.element.basix_element.discontinuous
    )
    if not same_layout:
        return V.tabulate_dof_coordinates()[:n_owned]
    size = V.dofmap.index_map.size_local + V.dofmap.index_map.num_ghosts
    node_of_dof = np.empty(size, dtype=geometry_nodes.dtype)  # one integer per node
    node_of_dof[dofs.reshape(-1)] = geometry_nodes.reshape(-1)
    return msh.geometry.x[node_of_dof[:n_owned]]


def write_field_file(
    filename: str | Path,
    functions: Sequence[fem.Function],
    *,
    cell_data: Mapping[str, npt.NDArray[np.integer]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Write ``functions`` (all on one mesh) to a VTKHDF file (collective).

    Args:
        filename: The ``.vtkhdf`` file to write.
        functions: Functions on one mesh (Lagrange or DG, any degree, scalar or vector);
            their ``name`` is the array name.
        cell_data: Extra integer arrays of the owned cells by name (e.g. ``region``).

    Returns:
        Per function name: ``association`` (``point``/``cell``), the element (``family``,
        ``degree``, ``shape``) and ``dofs_array`` (name of the exact DOF array or None);
        the same on every rank.

    Note:
        Rank 0 writes one array at a time, receiving the other ranks' rows one rank at a
        time: besides its own rows it holds one rank's block of one array (and the cell
        offsets of the whole mesh while writing them). Floating-point datasets contiguous
        and unfiltered, integer datasets scale-offset packed (lossless; DOLFINx's HDF5 has
        no deflate); connectivity and offsets in the integer type of :func:`index_type`,
        cell types in one byte. VTK, ParaView, pyvista and ``dolfinx.io.vtkhdf.read_mesh``
        read it.
    """
    msh = functions[0].function_space.mesh
    comm = msh.comm
    tdim = msh.topology.dim
    q = _grid_degree(msh, functions)
    V = _lagrange_space(msh, functions, q)
    index_map = V.dofmap.index_map
    n_owned = index_map.size_local
    n_cells = msh.topology.index_map(tdim).size_local
    n_cells_global = msh.topology.index_map(tdim).size_global
    cell_type = msh.topology.cell_type
    nodes_per_cell = V.dofmap.dof_layout.num_dofs
    n_ids = nodes_per_cell * n_cells_global
    index = index_type(max(index_map.size_global, n_ids))
    vtk_type = _cpp.io.get_vtk_cell_type(cell_type, tdim)

    def header(file: Any) -> None:
        root = file.create_group("VTKHDF")
        root.attrs["Version"] = np.array(VERSION, dtype=np.int64)
        root.attrs["Type"] = np.bytes_(b"UnstructuredGrid")
        root["NumberOfPoints"] = np.array([index_map.size_global], dtype=np.int64)
        root["NumberOfCells"] = np.array([n_cells_global], dtype=np.int64)
        root["NumberOfConnectivityIds"] = np.array([n_ids], dtype=np.int64)

    out = RankZeroFile(comm, Path(filename))
    out.root(header)
    out.put("VTKHDF", "Points", _node_points(V, n_owned))
    out.put("VTKHDF", "Connectivity", _connectivity(V, n_cells, index).reshape(-1))
    root = comm.rank == 0  # offsets and types: rank 0's arrays (the others' are empty)
    out.put("VTKHDF", "Offsets", np.arange(0, n_ids + 1 if root else 0, nodes_per_cell, index))
    out.put("VTKHDF", "Types", np.full(n_cells_global if root else 0, vtk_type, np.uint8))

    info: dict[str, dict[str, Any]] = {}
    for function in functions:
        element = _element_info(function)
        association = "point" if element["family"] == "Lagrange" else "cell"
        dofs_name = f"{function.name}_dofs" if association == "cell" and element["degree"] else None
        info[function.name] = {"association": association, **element, "dofs_array": dofs_name}
    out.root(lambda file: file["VTKHDF"].create_group("PointData"))
    for function in functions:
        if info[function.name]["association"] == "point":
            out.put("VTKHDF/PointData", function.name, _component_values(function, V, n_owned))
    out.root(lambda file: file["VTKHDF"].create_group("CellData"))
    for function in functions:
        if info[function.name]["association"] == "cell":
            values = _cell_centre_values(function, n_cells)
            out.put("VTKHDF/CellData", function.name, values)
            if info[function.name]["dofs_array"]:
                dofs = _cell_dofs(function, n_cells)
                out.put("VTKHDF/CellData", info[function.name]["dofs_array"], dofs)
    for name, values in (cell_data or {}).items():
        out.put("VTKHDF/CellData", name, np.asarray(values)[:n_cells])
    out.close()
    return info


def _connectivity(
    V: fem.FunctionSpace, n_cells: int, index: type[np.integer]
) -> npt.NDArray[np.integer]:
    """Global node numbers (VTK order) of the owned cells, (cells, nodes per cell)."""
    index_map = V.dofmap.index_map
    nodes_per_cell = V.dofmap.dof_layout.num_dofs
    perm: Any = np.argsort(_cpp.io.perm_vtk(V.mesh.topology.cell_type, nodes_per_cell))
    if np.array_equal(perm, np.arange(nodes_per_cell)):  # simplices of degree 1: DOLFINx order
        perm = slice(None)  # the dofmap's rows as they are (a view: no copy per chunk)
    connectivity = np.empty((n_cells, nodes_per_cell), dtype=index)
    for start in range(0, n_cells, CHUNK):  # global node numbers by chunks: no int64 copy
        stop = min(start + CHUNK, n_cells)  # owned cells only (ghosts follow them)
        local = V.dofmap.list[start:stop][:, perm]
        connectivity[start:stop] = index_map.local_to_global(local.ravel()).reshape(local.shape)
    return connectivity


#: VTKHDF version of the files: the base unstructured-grid layout (one piece, no steps).
VERSION = (1, 0)


def index_type(count: int) -> type[np.integer]:
    """int32 for connectivity and offsets while they fit (half the mesh's bytes), else int64."""
    return np.int32 if count <= np.iinfo(np.int32).max else np.int64


def read_grid_arrays(filename: str | Path) -> dict[str, npt.NDArray[Any]]:
    """Point and cell arrays of a field file (in file order), read with VTK (local)."""
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkIOHDF import vtkHDFReader

    reader = vtkHDFReader()
    reader.SetFileName(str(filename))
    reader.Update()
    grid = reader.GetOutput()
    arrays = {}
    for data in (grid.GetPointData(), grid.GetCellData()):
        for i in range(data.GetNumberOfArrays()):
            array = data.GetArray(i)
            arrays[array.GetName()] = vtk_to_numpy(array).copy()
    return arrays


def read_functions(
    filename: str | Path,
    fields: Mapping[str, Mapping[str, Any]],
    comm: MPI.Comm,
    gdim: int,
) -> tuple[dmesh.Mesh, dict[str, fem.Function], dict[str, fem.Function]]:
    """The mesh and functions of a field file, as written by :func:`write_field_file`.

    Args:
        filename: The ``.vtkhdf`` file.
        fields: Per function name the description returned by :func:`write_field_file`.
        comm: Communicator to distribute the mesh over (any number of ranks).
        gdim: Geometric dimension of the mesh.

    Returns:
        The mesh (geometry degree: that of the file's grid), the functions by name, and
        integer cell arrays (e.g. ``region``) as DG0 functions by name.

    Note:
        Collective. Rank 0 reads the arrays and broadcasts them.
    """
    from dolfinx.io import vtkhdf

    msh = vtkhdf.read_mesh(comm, str(filename), gdim=gdim)
    arrays = read_grid_arrays(filename) if comm.rank == 0 else None
    arrays = comm.bcast(arrays, root=0)
    tdim = msh.topology.dim
    n_cells = msh.topology.index_map(tdim).size_local + msh.topology.index_map(tdim).num_ghosts
    original = np.asarray(msh.topology.original_cell_index, dtype=np.int64)[:n_cells]
    geometry_nodes = msh.geometry.dofmaps[0][:n_cells]
    file_points = np.asarray(msh.geometry.input_global_indices, dtype=np.int64)
    q = msh.geometry.cmaps[0].degree

    functions = {}
    for name, description in fields.items():
        shape = tuple(description["shape"])
        degree = int(description["degree"])
        size = int(np.prod(shape)) if shape else 1
        if description["association"] == "point":
            # the grid's nodes are the nodes of P_q: fill DG_q cell by cell, then
            # interpolate into the field's continuous space (exact: P_p ⊂ P_q, p <= q)
            dg = fem.Function(fem.functionspace(msh, ("DG", q, shape) if shape else ("DG", q)))
            values = arrays[name].reshape(-1, size)[file_points[geometry_nodes]]
            _set_cell_dofs(dg, values.reshape(n_cells, -1))
            target_space = fem.functionspace(
                msh, ("Lagrange", degree, shape) if shape else ("Lagrange", degree)
            )
            function = fem.Function(target_space, name=name)
            function.interpolate(dg)
        else:
            space = fem.functionspace(msh, ("DG", degree, shape) if shape else ("DG", degree))
            function = fem.Function(space, name=name)
            source = description["dofs_array"] or name
            values = arrays[source].reshape(len(arrays[source]), -1)[original]
            _set_cell_dofs(function, values)
        function.x.scatter_forward()
        functions[name] = function
    extras = {}
    for name in sorted(set(arrays) - set(fields)):
        values = arrays[name]
        if values.ndim != 1 or not np.issubdtype(values.dtype, np.integer):
            continue
        if len(values) != msh.topology.index_map(tdim).size_global:
            continue
        function = fem.Function(fem.functionspace(msh, ("DG", 0)), name=name)
        _set_cell_dofs(function, values[original].reshape(-1, 1).astype(float))
        extras[name] = function
    return msh, functions, extras


def _set_cell_dofs(function: fem.Function, values: npt.NDArray[np.float64]) -> None:
    """Set the DOFs of each local cell (rows of ``values``) of a DG function."""
    V = function.function_space
    bs = V.dofmap.bs
    dofs = V.dofmap.list[: values.shape[0]]
    blocked = (dofs[:, :, None] * bs + np.arange(bs)[None, None, :]).reshape(values.shape[0], -1)
    function.x.array[blocked] = values


__all__ = ["SUFFIX", "index_type", "read_functions", "read_grid_arrays", "write_field_file"]
