"""A boundary tag that also holds interior facets: conditions act on the exterior only.

A user's facet tags (a mesh-file group, or meshtags built in Python) may give a boundary's
tag to facets inside the mesh as well. A Dirichlet condition located on every tagged facet
would then also fix x_A inside the domain: a wrong answer with exit code 0 (found by an
adversarial trial: the flux came out 3.1x too high). :class:`Domain` drops those facets.
"""

from mpi4py import MPI

import numpy as np
import pytest
from dolfinx import mesh as dmesh

import emcd_fem as ef
from emcd_fem.mesh.domain import Domain


def _unit_square_with_leaky_left(n: int) -> Domain:
    """Unit square, D = 1: 'left' = the facets at x = 0 *and* the interior line x = 0.5."""
    msh = dmesh.create_unit_square(MPI.COMM_WORLD, n, n)
    tdim = msh.topology.dim
    msh.topology.create_connectivity(tdim - 1, tdim)

    def at(value):
        return dmesh.locate_entities(msh, tdim - 1, lambda x: np.isclose(x[0], value))

    left = np.unique(np.concatenate([at(0.0), at(0.5)]))
    right = at(1.0)
    indices = np.concatenate([left, right]).astype(np.int32)
    values = np.concatenate([np.full(left.size, 1), np.full(right.size, 2)]).astype(np.int32)
    order = np.argsort(indices)
    facet_tags = dmesh.meshtags(msh, tdim - 1, indices[order], values[order])
    cells = np.arange(msh.topology.index_map(tdim).size_local, dtype=np.int32)
    cell_tags = dmesh.meshtags(msh, tdim, cells, np.ones_like(cells))
    return Domain(msh, cell_tags, facet_tags, {"plate": 1}, {"left": 1, "right": 2})


def test_dirichlet_on_a_tag_with_interior_facets_acts_on_the_exterior():
    domain = _unit_square_with_leaky_left(8)
    interior = np.isclose(
        domain.mesh.geometry.x[:, 0][
            dmesh.entities_to_geometry(
                domain.mesh, 1, domain.facet_tags.find(1).astype(np.int32)
            ).ravel()
        ],
        0.5,
    )
    assert not interior.any()  # the tagged facets at x = 0.5 are gone
    problem = ef.EMCDProblem(
        domain,
        {"plate": ef.Material(1.0)},
        {"left": ef.MoleFraction(0.8), "right": ef.MoleFraction(0.2)},
    )
    solution = problem.solve()
    # exact: linear profile over the whole width, N = c D Δx / L = 0.6 per unit height;
    # imposing x_A = 0.8 at x = 0.5 as well would give 1.2
    assert solution.boundary_flux["right"] == pytest.approx(0.6, rel=1e-9)
    assert solution.boundary_flux["left"] == pytest.approx(-0.6, rel=1e-9)
