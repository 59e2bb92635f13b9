"""DG0 fields filled from a compiled expression cell by cell equal ``Function.interpolate``.

:func:`emcd_fem.post.fields.interpolate_expression` evaluates a DG0 target's expression
straight into the DOF array (issue 21: 60 % of ``interpolate``'s cost at 1M cells). The
same compiled kernel runs on the same cell data in both routes, so the values agree to the
last bits; ``rtol=1e-14`` leaves room for nothing but a different summation order.
"""

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

from emcd_fem.post.fields import interpolate_expression


def _mesh(dim: int) -> dmesh.Mesh:
    if dim == 2:
        return dmesh.create_unit_square(MPI.COMM_WORLD, 7, 5)
    return dmesh.create_unit_cube(MPI.COMM_WORLD, 4, 3, 5)


@pytest.mark.parametrize("dim", [2, 3])
@pytest.mark.parametrize("vector", [False, True])
def test_dg0_fill_equals_interpolate(dim, vector):
    msh = _mesh(dim)
    u = fem.Function(fem.functionspace(msh, ("Lagrange", 2)))
    u.interpolate(lambda p: np.sin(3 * p[0]) + p[1] ** 2 + p[0] * p[dim - 1])
    k = fem.Function(fem.functionspace(msh, ("DG", 0)))
    k.x.array[:] = 1.0 + np.arange(len(k.x.array)) % 7  # a cell-wise coefficient
    expr = -k * ufl.grad(u) if vector else k * u**2
    shape = (dim,) if vector else ()
    V = fem.functionspace(msh, ("DG", 0, shape) if vector else ("DG", 0))
    filled = interpolate_expression(expr, V, "field")
    reference = fem.Function(V)
    reference.interpolate(fem.Expression(expr, V.element.interpolation_points))
    reference.x.scatter_forward()
    assert filled.ufl_shape == shape
    assert filled.name == "field"
    scale = np.abs(reference.x.array).max()
    assert scale > 0  # the comparison has something to compare
    np.testing.assert_allclose(filled.x.array, reference.x.array, rtol=1e-14, atol=1e-14 * scale)


def test_dg0_fill_is_taken_for_a_field_on_its_own_mesh(monkeypatch):
    """The comparison above is of the fill, not of interpolate twice: count the calls."""
    from emcd_fem.post import fields

    calls = []
    original = fields._fill_cell_values
    monkeypatch.setattr(fields, "_fill_cell_values", lambda *a: calls.append(1) or original(*a))
    msh = _mesh(2)
    V = fem.functionspace(msh, ("DG", 0))
    interpolate_expression(ufl.SpatialCoordinate(msh)[0], V, "x")
    assert calls == [1]


@pytest.mark.parametrize("in_place", [True, False])
def test_dg0_fill_in_chunks_in_place_or_scattered(monkeypatch, in_place):
    """Chunks that do not divide the cell count, written in place (DOF blocks numbered as
    the cells) or scattered through the dofmap: both give ``interpolate``'s values."""
    from emcd_fem.post import fields

    msh = _mesh(3)
    V = fem.functionspace(msh, ("DG", 0, (3,)))
    assert fields.in_cell_order(V)  # DOLFINx numbers DG0 DOFs by cell: the fast route
    monkeypatch.setattr(fields, "CHUNK", 37)
    if not in_place:
        monkeypatch.setattr(fields, "in_cell_order", lambda V: False)
    u = fem.Function(fem.functionspace(msh, ("Lagrange", 1)))
    u.interpolate(lambda p: np.exp(p[0]) * (1 + p[1] * p[2]))
    expr = -(2.0 + ufl.SpatialCoordinate(msh)[2]) * ufl.grad(u)
    filled = interpolate_expression(expr, V, "flux")
    reference = fem.Function(V)
    reference.interpolate(fem.Expression(expr, V.element.interpolation_points))
    reference.x.scatter_forward()
    n_cells = msh.topology.index_map(3).size_local
    assert n_cells > 37  # several chunks (360 cells in serial: the last one short)
    np.testing.assert_array_equal(filled.x.array, reference.x.array)
    blocks = reference.x.array.reshape(-1, 3)
    assert np.linalg.norm(blocks, axis=1).min() > 0  # an unwritten block would show
