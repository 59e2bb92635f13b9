"""PointLocator on all ranks equals the serial evaluation (issue 19, probes).

A P2 quadratic on a unit square split over the ranks, points at interior spots, on mesh
vertices and edges (some on the partition boundary, found by two ranks: the lowest rank's
value is kept) and one outside: the gathered values equal the exact polynomial (P2
interpolates it exactly: rounding, 1e-13) and the COMM_SELF evaluation, on rank 0; the
same locator evaluates twice with the same answer (the search is reused).
"""

from mpi4py import MPI

import numpy as np
from dolfinx import fem, mesh

from emcd_fem.post.sampling import PointLocator


def _quadratic(x):
    return 1.0 + x[0] + 2.0 * x[1] ** 2 + x[0] * x[1]


def _values(comm, points):
    msh = mesh.create_unit_square(comm, 8, 8)
    u = fem.Function(fem.functionspace(msh, ("Lagrange", 2)))
    u.interpolate(_quadratic)
    locator = PointLocator(msh, points)
    first, second = locator.evaluate(u), locator.evaluate(u)
    return first, second


def test_locator_parallel_equals_serial_and_exact():
    comm = MPI.COMM_WORLD
    grid = np.linspace(0.0, 1.0, 5)  # vertices of the 8 x 8 mesh, incl. the corners
    points = np.array([[a, b, 0.0] for a in grid for b in grid] + [[0.31, 0.77, 0.0]])
    points = np.vstack([points, [[0.5, 1.5, 0.0]]])  # outside
    parallel, again = _values(comm, points)
    serial, _ = _values(MPI.COMM_SELF, points)
    if comm.rank == 0:
        exact = _quadratic(points[:-1].T)
        assert np.abs(parallel[:-1, 0] - exact).max() < 1e-13
        assert np.abs(parallel[:-1, 0] - serial[:-1, 0]).max() < 1e-13
        assert np.isnan(parallel[-1, 0]) and np.isnan(serial[-1, 0])
        np.testing.assert_array_equal(parallel, again)
    else:
        assert parallel is None and again is None
