"""The mesh report's compiled statistics against independent references (issue 21).

On straight-sided simplex meshes the report takes each cell's quality and volume from one
compiled expression (the region volumes follow from the volumes) and each facet's measure
from its corners. Checked here against the exact values of regular simplices and, on
randomly distorted meshes with interfaces, against the NumPy quality of
:func:`cell_quality` and the assembled measures (a DG0 volume form, one facet form per
name). Both sides compute the same quantities from the same coordinates: they differ only
by the round-off of sums over a few thousand cells (≤ 1e4 ε), hence ``rel=1e-12``.
"""

from mpi4py import MPI

import basix.ufl
import numpy as np
import pytest
import ufl
from dolfinx import mesh as dmesh

import emcd_fem as ef
from emcd_fem.mesh.domain import Domain
from emcd_fem.post.integrals import tagged_integrals
from emcd_fem.post.mesh_report import cell_quality, mesh_report, region_measures

REGULAR = {
    "triangle": [[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]],
    "tetrahedron": [
        [1.0, 1.0, 1.0],
        [1.0, -1.0, -1.0],
        [-1.0, 1.0, -1.0],
        [-1.0, -1.0, 1.0],
    ],
}
VOLUME = {"triangle": np.sqrt(3) / 4, "tetrahedron": 8.0 / 3.0}  # edge 1 and 2√2


@pytest.mark.parametrize("cell", ["triangle", "tetrahedron"])
def test_regular_simplex_has_quality_one(cell):
    """One regular cell (on this rank alone): quality 1, its volume and surface exactly."""
    points = np.array(REGULAR[cell])
    gdim = points.shape[1]
    cells = np.arange(gdim + 1, dtype=np.int64).reshape(1, -1)
    element = basix.ufl.element("Lagrange", cell, 1, shape=(gdim,))
    msh = dmesh.create_mesh(MPI.COMM_SELF, cells, ufl.Mesh(element), points)
    msh.topology.create_connectivity(gdim - 1, gdim)
    facets = dmesh.exterior_facet_indices(msh.topology)
    facet_tags = dmesh.meshtags(msh, gdim - 1, facets, np.ones(len(facets), dtype=np.int32))
    cell_tags = dmesh.meshtags(msh, gdim, np.zeros(1, dtype=np.int32), np.ones(1, dtype=np.int32))
    report = mesh_report(Domain(msh, cell_tags, facet_tags, {"all": 1}, {"surface": 1}))
    assert report["quality_min"] == pytest.approx(1.0, rel=1e-14)  # a few ε of round-off
    assert report["quality_mean"] == pytest.approx(1.0, rel=1e-14)
    assert report["region_measures"]["all"] == pytest.approx(VOLUME[cell], rel=1e-14)
    edge = np.linalg.norm(points[1] - points[0])
    surface = 3 * edge if cell == "triangle" else np.sqrt(3) * edge**2  # 4 × √3/4 l²
    assert report["boundary_measures"]["surface"] == pytest.approx(surface, rel=1e-14)


def _distorted_slab(dim: int) -> Domain:
    """A 3-layer slab with named interfaces, every node moved by up to 15 % of a cell."""
    domain = ef.layered_slab(
        [0.3, 0.4, 0.3],
        region_names=["a", "b", "c"],
        dim=dim,
        cells_per_layer=[3, 4, 3],
        cells_across=4,
        interfaces=True,
    )
    x = domain.mesh.geometry.x
    rng = np.random.default_rng(7)
    x[:, :dim] += rng.uniform(-0.015, 0.015, size=(len(x), dim))  # h = 0.1 along x
    return domain


@pytest.mark.parametrize("dim", [2, 3])
def test_compiled_statistics_equal_the_numpy_and_assembled_ones(dim):
    domain = _distorted_slab(dim)
    msh = domain.mesh
    report = mesh_report(domain)
    quality = cell_quality(domain)  # NumPy, corner by corner
    n_cells = msh.topology.index_map(dim).size_global
    assert report["quality_min"] == pytest.approx(
        msh.comm.allreduce(quality.min(), op=MPI.MIN), rel=1e-12
    )
    mean = msh.comm.allreduce(quality.sum(), op=MPI.SUM) / n_cells
    assert report["quality_mean"] == pytest.approx(mean, rel=1e-12)
    assert 0.2 < report["quality_min"] < report["quality_mean"] < 1.0  # distorted indeed
    for name, volume in region_measures(domain).items():  # a DG0 form
        assert report["region_measures"][name] == pytest.approx(volume, rel=1e-12), name
    boundaries = tagged_integrals(msh, 1.0, domain.ds, domain.boundaries)
    dS = ufl.Measure("dS", domain=msh, subdomain_data=domain.facet_tags)
    interfaces = tagged_integrals(msh, 1.0, dS, domain.interfaces)
    assert len(interfaces) == 2
    for measured, assembled in (
        (report["boundary_measures"], boundaries),
        (report["interface_measures"], interfaces),
    ):
        assert measured.keys() == assembled.keys()
        for name, value in assembled.items():
            assert measured[name] == pytest.approx(value, rel=1e-12), name
