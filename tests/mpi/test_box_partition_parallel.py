"""The box mesh in blocks on N ranks (issue 21): the same cells as the serial box, a
complete ghost layer (interior facet integrals over every interprocess facet), even blocks,
and the slab's flux equal to the serial one (LU)."""

import sys
from pathlib import Path

from mpi4py import MPI

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from box_checks import check_slab_boundaries, check_slab_box, check_slab_layers, slab_flux


@pytest.mark.parametrize("cell_type", ["simplex", "hypercube"])
@pytest.mark.parametrize("n_total, across", [(7, 3), (3, 4), (2, 2)])
def test_blocked_box_matches_serial(cell_type, n_total, across):
    check_slab_box(MPI.COMM_WORLD, cell_type, n_total, across)


@pytest.mark.parametrize("cell_type", ["simplex", "hypercube"])
def test_blocked_slab_flux_matches_serial(cell_type):
    """LU on both: the same discrete problem, so the same flux to rounding (1e-12)."""
    parallel = slab_flux(MPI.COMM_WORLD, cell_type, 3)
    serial = slab_flux(MPI.COMM_SELF, cell_type, 3)
    assert parallel == pytest.approx(serial, rel=1e-12)


def test_slab_boundaries_are_the_located_facets():
    check_slab_boundaries(MPI.COMM_WORLD)


def test_slab_layers_from_the_cell_index():
    check_slab_layers(MPI.COMM_WORLD)
