"""Point evaluation of fields along lines, in parallel."""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from dolfinx import fem, geometry


def line_points(start: Sequence[float], end: Sequence[float], n: int) -> npt.NDArray[np.float64]:
    """``n`` equispaced points from ``start`` to ``end``, padded to 3 coordinates [m]."""
    a = np.zeros(3)
    b = np.zeros(3)
    a[: len(start)] = start
    b[: len(end)] = end
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) * a + t * b


def evaluate_at_points(
    function: fem.Function, points: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64] | None:
    """Values of ``function`` at points (shape (n, 3)), gathered on rank 0.

    Every rank evaluates the points inside its local cells; rank 0 keeps, for each point,
    the value from the lowest rank that found it. Points outside the mesh get NaN.

    Returns:
        Array of shape (n, value_size) on rank 0, None on other ranks.

    Note:
        Collective on the mesh communicator.
    """
    msh = function.function_space.mesh
    comm = msh.comm
    tree = geometry.bb_tree(msh, msh.topology.dim)
    candidates = geometry.compute_collisions_points(tree, points)
    colliding = geometry.compute_colliding_cells(msh, candidates, points)
    found, cells = [], []
    for i in range(points.shape[0]):
        links = colliding.links(i)
        if links.size:
            found.append(i)
            cells.append(links[0])
    value_size = int(np.prod(function.ufl_shape)) if function.ufl_shape else 1
    values = np.empty((0, value_size))
    if found:
        values = function.eval(points[found], np.asarray(cells, dtype=np.int32))
        values = np.asarray(values).reshape(len(found), value_size)
    gathered = comm.gather((np.asarray(found, dtype=np.int64), values), root=0)
    if comm.rank != 0:
        return None
    result = np.full((points.shape[0], value_size), np.nan)
    for indices, vals in reversed(gathered):  # lower ranks overwrite higher ones
        result[indices] = vals
    return result


__all__ = ["evaluate_at_points", "line_points"]
