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


# ---- the NumPy statistics against the compiled expression they replace (issue 21) ----
#
# Until December 2026 the report evaluated one compiled expression per cell: quality and
# |det J| / tdim! from UFL's CellEdgeVectors and JacobianDeterminant at the centroid.
# ``Domain.cell_statistics`` now computes both from the corners with NumPy (no JIT compile
# on a cold cache); the expression is kept here as the reference. Same formulas on the
# same coordinates: per cell a few ε apart, sums over ~1000 cells ≤ 1e4 ε: rel=1e-12.


def _compiled_quality_and_volume(msh):
    """Per owned cell (quality, volume) from the former compiled UFL expression."""
    from dolfinx import fem
    from ufl.classes import CellEdgeVectors

    tdim = msh.topology.dim
    domain = msh.ufl_domain()
    edges = CellEdgeVectors(domain)
    edges_sq = sum(ufl.dot(edges[i, :], edges[i, :]) for i in range(edges.ufl_shape[0]))
    volume = abs(ufl.JacobianDeterminant(domain)) / (2 if tdim == 2 else 6)
    if tdim == 2:
        quality = 4 * np.sqrt(3) * volume / edges_sq
    else:
        quality = 12 * (3 * volume) ** (2 / 3) / edges_sq
    expression = fem.Expression(
        ufl.as_vector([quality, volume]), np.full((1, tdim), 1.0 / (tdim + 1))
    )
    n_owned = msh.topology.index_map(tdim).size_local
    values = expression.eval(msh, np.arange(n_owned, dtype=np.int32))
    return values.reshape(n_owned, 2)


@pytest.mark.parametrize("dim", [2, 3])
def test_numpy_statistics_equal_the_compiled_expression(dim):
    from emcd_fem.mesh.simplices import owned_cell_corners, simplex_measures, simplex_quality

    domain = _distorted_slab(dim)
    msh = domain.mesh
    reference = _compiled_quality_and_volume(msh)
    corners = np.concatenate([c for _, c in owned_cell_corners(msh)], axis=2)
    volume = simplex_measures(corners)
    np.testing.assert_allclose(volume, reference[:, 1], rtol=1e-12, atol=0)  # per cell
    np.testing.assert_allclose(simplex_quality(corners), reference[:, 0], rtol=1e-12, atol=0)
    stats = domain.cell_statistics
    comm = msh.comm
    assert stats.quality_min == pytest.approx(
        comm.allreduce(reference[:, 0].min(), op=MPI.MIN), rel=1e-12
    )
    n_cells = msh.topology.index_map(dim).size_global
    mean = comm.allreduce(reference[:, 0].sum(), op=MPI.SUM) / n_cells
    assert stats.quality_mean == pytest.approx(mean, rel=1e-12)
    assert 0.2 < stats.quality_min < stats.quality_mean < 1.0  # distorted indeed
    total = comm.allreduce(reference[:, 1].sum(), op=MPI.SUM)
    assert stats.volume == pytest.approx(total, rel=1e-12)
    assert stats.bin_volumes.sum() == pytest.approx(total, rel=1e-12)
    assert domain.extent[0] == stats.volume  # the extent takes it from there


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_extent_volume_equals_the_assembled_integral(dim):
    """The corner volume against ∫1 dx (the compiled form it replaces), 1D included."""
    from dolfinx import fem

    domain = _distorted_slab(dim) if dim > 1 else _distorted_interval()
    msh = domain.mesh
    form = fem.form(fem.Constant(msh, 1.0) * ufl.dx(domain=msh))
    assembled = msh.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)
    assert domain.extent[0] == pytest.approx(assembled, rel=1e-12)
    report = mesh_report(domain)
    for name, volume in region_measures(domain).items():  # a DG0 form
        assert report["region_measures"][name] == pytest.approx(volume, rel=1e-12), name


def _distorted_interval() -> Domain:
    domain = ef.layered_slab([0.3, 0.4, 0.3], region_names=["a", "b", "c"], dim=1)
    x = domain.mesh.geometry.x
    rng = np.random.default_rng(3)
    inner = (x[:, 0] > 1e-9) & (x[:, 0] < 1 - 1e-9) & ~np.isclose(x[:, 0], 0.3)
    inner &= ~np.isclose(x[:, 0], 0.7)
    x[inner, 0] += rng.uniform(-0.002, 0.002, size=inner.sum())
    return domain


@pytest.mark.parametrize("dim", [2, 3])
def test_non_simplex_cells_still_get_a_report_and_an_extent(dim):
    """No NumPy statistics for quadrilaterals/hexahedra: the integrals (a form) take over."""
    domain = ef.layered_slab(
        [0.3, 0.4, 0.3],
        region_names=["a", "b", "c"],
        dim=dim,
        cells_per_layer=[3, 4, 3],
        cells_across=2,
        cell_type="hypercube",
    )
    assert domain.cell_statistics is None
    assert domain.extent[0] == pytest.approx(1.0, rel=1e-12)
    report = mesh_report(domain)
    assert report["quality_min"] == report["quality_mean"] == 1.0  # not rated
    assert report["region_measures"] == pytest.approx({"a": 0.3, "b": 0.4, "c": 0.3}, rel=1e-12)
    assert report["boundary_measures"]["left"] == pytest.approx(1.0, rel=1e-12)


def test_curved_cells_still_get_a_report_and_an_extent():
    """Order-2 triangles: the volume is integrated (curved sides), quality from corners."""
    from dolfinx import fem

    from emcd_fem.geometry import annulus

    domain = annulus([0.5, 0.8, 1.0], size=0.2, order=2, comm=MPI.COMM_SELF)
    assert domain.cell_statistics is None
    msh = domain.mesh
    exact = np.pi * (1.0 - 0.25)
    assert domain.extent[0] == pytest.approx(exact, rel=1e-4)  # curved: close to the disc
    form = fem.form(fem.Constant(msh, 1.0) * ufl.dx(domain=msh))
    assert domain.extent[0] == pytest.approx(fem.assemble_scalar(form), rel=1e-12)
    report = mesh_report(domain)
    assert 0.3 < report["quality_min"] <= report["quality_mean"] < 1.0
    assert sum(report["region_measures"].values()) == pytest.approx(domain.extent[0], rel=1e-12)
