"""The effective-diffusivity report of a simple cubic array of spheres on 1 and N ranks:
the same cell-problem values (linear solve: 1e-10), the same converged multipole value
(``multipole.sphere_array``, computed on every rank from the same data), and the finite
elements within their resolution of it."""

import math

from mpi4py import MPI

import pytest

import emcd_fem as ef
from emcd_fem.analytic import multipole
from emcd_fem.geometry import matrix_with_inclusions
from emcd_fem.studies.effective import effective_report


def test_cubic_spheres_report_same_on_all_ranks():
    fraction, beta = 0.3, 10.0
    radius = (3 * fraction / (4 * math.pi)) ** (1 / 3)
    reports = []
    for comm in (MPI.COMM_SELF, MPI.COMM_WORLD):
        domain = matrix_with_inclusions(
            (1.0, 1.0, 1.0),
            [[0.5, 0.5, 0.5]],
            radius,
            kind="sphere",
            size=radius / 4,
            order=2,
            comm=comm,
        )
        reports.append(
            effective_report(
                domain,
                ef.Material(1.0),
                ef.Material(beta),
                domain.layout,
                periodic_counts=(1, 1, 1),
            )
        )
    serial, parallel = reports
    exact = multipole.sphere_array(fraction, 1.0, beta)
    assert parallel["multipole_converged"] == serial["multipole_converged"] == exact
    for axis in "xyz":
        assert parallel["D_eff"][axis] == pytest.approx(serial["D_eff"][axis], rel=1e-10)
        # P2 on order-2 geometry at cell size r/4: measured 3.4e-4 (tests/test_sphere_array.py)
        assert parallel["D_eff"][axis] == pytest.approx(exact, rel=5e-4)
