"""The set-up look-ups of tests/test_setup_lookups.py on all ranks (issue 21; mpiexec).

Each rank's facets and cells, the regions gathered from every rank: the same lists as the
dense reference and as one rank; the untagged count summed over ranks; the fields filled
on owned and ghost cells alike.
"""

import sys
from pathlib import Path

from mpi4py import MPI

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import test_setup_lookups as serial_tests

from emcd_fem.materials.partition import regions_on_boundary


def test_regions_on_boundary_on_all_ranks():
    pairs = zip(serial_tests.domains(), serial_tests.domains(MPI.COMM_SELF), strict=True)
    for domain, serial in pairs:
        for name in domain.boundaries:
            found = regions_on_boundary(domain, name)
            assert found == serial_tests.reference_regions(domain, name)
            assert found == regions_on_boundary(serial, name)
            assert MPI.COMM_WORLD.allgather(found) == [found] * MPI.COMM_WORLD.size


def test_untagged_cells_on_all_ranks():
    serial_tests.test_untagged_cells_are_counted_exactly()


def test_material_fields_on_all_ranks():
    serial_tests.test_material_fields_cell_by_cell()
