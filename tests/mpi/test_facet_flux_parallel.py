"""Facet-summed boundary fluxes on 1 and N ranks (issue 21; run under mpiexec).

Each owned exterior facet counts once: the sums over a distributed mesh equal one rank's
and the assembled ∫ N_h·n ds, up to the round-off of the sums' order (rel=1e-12). The mesh
is distorted and the field set as functions of position, so both runs see the same ones.
"""

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem

import emcd_fem as ef
from emcd_fem.post.facet_flux import cell_field_boundary_fluxes
from emcd_fem.post.integrals import tagged_integrals


def _case(dim, comm):
    domain = ef.layered_slab(
        [0.4, 0.6],
        region_names=["a", "b"],
        dim=dim,
        cells_per_layer=[4, 6],
        cells_across=4,
        comm=comm,
    )
    x = domain.mesh.geometry.x
    x[:, 1] += 0.03 * np.sin(7 * x[:, 0]) * (dim > 1)  # wavy bottom/top, straight facets
    x[:, 0] += 0.02 * np.sin(5 * x[:, 1] + 1.0)  # wavy left/right
    V = fem.functionspace(domain.mesh, ("DG", 0, (dim,)))
    field = fem.Function(V)
    field.interpolate(lambda p: np.stack([np.cos(3 * p[0] + k * p[1]) for k in range(dim)]))
    return domain, field


@pytest.mark.parametrize("dim", [2, 3])
def test_same_facet_fluxes_on_one_and_all_ranks(dim):
    results = []
    for comm in (MPI.COMM_SELF, MPI.COMM_WORLD):
        domain, field = _case(dim, comm)
        results.append(cell_field_boundary_fluxes(domain, field, domain.boundaries))
        if comm is MPI.COMM_WORLD:
            n = ufl.FacetNormal(domain.mesh)
            assembled = tagged_integrals(
                domain.mesh, ufl.dot(field, n), domain.ds, domain.boundaries
            )
    one, all_ranks = results
    assert one.keys() == all_ranks.keys() == assembled.keys()
    scale = max(abs(v) for v in one.values())
    for name, value in one.items():
        assert all_ranks[name] == pytest.approx(value, rel=1e-12, abs=1e-13 * scale), name
        assert assembled[name] == pytest.approx(value, rel=1e-12, abs=1e-13 * scale), name
    assert MPI.COMM_WORLD.allgather(all_ranks) == [all_ranks] * MPI.COMM_WORLD.size
