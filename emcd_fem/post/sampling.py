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


def _distance_to_segment(
    x: npt.NDArray[np.float64], a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Distance of each row of ``x`` (n, 3) to the segment from ``a`` to ``b``."""
    ab = b - a
    length_sq = float(ab @ ab)
    t = np.zeros(x.shape[0]) if length_sq == 0 else np.clip((x - a) @ ab / length_sq, 0, 1)
    return np.linalg.norm(x - (a + t[:, None] * ab), axis=1)


def cells_near_line(msh, points: npt.NDArray[np.float64]) -> npt.NDArray[np.int32] | None:
    """Local cells that can contain a point of ``points``, when they lie on one segment.

    A cell contains a point only if each of its corners lies within the cell's diameter
    of it, so the cells with a node closer to the segment from the first to the last
    point than 1.5 times their diameter (the factor covers curved order-2 cells) are the
    candidates; only they go into the bounding-box tree instead of the whole mesh.
    Returns None when the points are not on that segment (then every cell is a candidate).
    """
    points = np.asarray(points, dtype=float)
    a, b = points[0], points[-1]
    scale = max(float(np.linalg.norm(b - a)), 1e-300)
    if _distance_to_segment(points, a, b).max() > 1e-9 * scale:
        return None
    tdim = msh.topology.dim
    n_cells = msh.topology.index_map(tdim).size_local + msh.topology.index_map(tdim).num_ghosts
    if n_cells == 0:
        return np.zeros(0, dtype=np.int32)
    nodes = msh.geometry.dofmaps[0][:n_cells]
    closest = _distance_to_segment(msh.geometry.x, a, b)[nodes].min(axis=1)
    cells = np.arange(n_cells, dtype=np.int32)
    size = msh.h(tdim, cells)
    return cells[closest <= 1.5 * size + 1e-12 * scale]


class PointLocator:
    """The local cells holding fixed points of a mesh: search once, evaluate many times.

    The bounding-box tree (``dolfinx.geometry.bb_tree``; only the cells near the segment
    through the points when they lie on one, :func:`cells_near_line`), the candidate
    collisions and the colliding cells are computed on construction; :meth:`evaluate` then
    only evaluates and gathers (a probe sampled at every time step of a transient run
    pays the search once). Valid while the mesh does not move.

    Args:
        msh: The mesh.
        points: Points, shape (n, 3) [m].

    Note:
        Construction is local; :meth:`evaluate` is collective on the mesh communicator.
    """

    def __init__(self, msh, points: npt.NDArray[np.float64]) -> None:
        self.mesh, self.points = msh, np.asarray(points, dtype=float).reshape(-1, 3)
        self.found, self.cells = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        if self.points.shape[0] == 0:  # nothing to find (a run without probes)
            return
        candidates = cells_near_line(msh, self.points)
        if candidates is None:  # not a line: every cell
            tree = geometry.bb_tree(msh, msh.topology.dim)
        else:
            tree = geometry.bb_tree(msh, msh.topology.dim, entities=candidates)
        candidates = geometry.compute_collisions_points(tree, self.points)
        colliding = geometry.compute_colliding_cells(msh, candidates, self.points)
        found, cells = [], []
        for i in range(self.points.shape[0]):
            links = colliding.links(i)
            if links.size:
                found.append(i)
                cells.append(links[0])
        self.found = np.asarray(found, dtype=np.int64)
        self.cells = np.asarray(cells, dtype=np.int32)

    def evaluate(self, function: fem.Function) -> npt.NDArray[np.float64] | None:
        """Values of ``function`` (on this mesh) at the points, gathered on rank 0.

        Every rank evaluates the points inside its local cells; rank 0 keeps, for each
        point, the value from the lowest rank that found it. Points outside the mesh get NaN.

        Returns:
            Array of shape (n, value_size) on rank 0, None on other ranks.
        """
        comm = self.mesh.comm
        value_size = int(np.prod(function.ufl_shape)) if function.ufl_shape else 1
        values = np.empty((0, value_size))
        if self.found.size:
            values = function.eval(self.points[self.found], self.cells)
            values = np.asarray(values).reshape(self.found.size, value_size)
        gathered = comm.gather((self.found, values), root=0)
        if comm.rank != 0:
            return None
        result = np.full((self.points.shape[0], value_size), np.nan)
        for indices, vals in reversed(gathered):  # lower ranks overwrite higher ones
            result[indices] = vals
        return result


def evaluate_at_points(
    function: fem.Function, points: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64] | None:
    """Values of ``function`` at points (shape (n, 3)), gathered on rank 0.

    One search and one evaluation (:class:`PointLocator`; keep a locator to evaluate the
    same points again). Points outside the mesh get NaN.

    Returns:
        Array of shape (n, value_size) on rank 0, None on other ranks.

    Note:
        Collective on the mesh communicator.
    """
    return PointLocator(function.function_space.mesh, points).evaluate(function)


__all__ = ["PointLocator", "cells_near_line", "evaluate_at_points", "line_points"]
