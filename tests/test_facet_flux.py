"""Boundary fluxes of a cell-wise constant flux field summed over facets (issue 21).

``post.facet_flux`` replaces the compiled gradient-flux functional ∫ N·n ds of the
reference check when the flux field holds N exactly (P1 mole fraction, cell-wise constant
c D H, straight simplices). Checked against the assembled form on distorted meshes with a
random DG0 field (the same sum of N_K·n_f |f|, so round-off apart: ≤ 1e3 ε over a few
hundred facets, hence rel=1e-12), against the exact flux of a linear profile, and the guard
:func:`cellwise_constant` against the expressions it must refuse.
"""

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem

import emcd_fem as ef
from emcd_fem.geometry import annulus
from emcd_fem.materials import assign_materials
from emcd_fem.physics.emcd import molar_flux
from emcd_fem.post.facet_flux import (
    cell_field_boundary_fluxes,
    cellwise_constant,
    is_cell_vector_field,
)
from emcd_fem.post.integrals import tagged_integrals


def distorted_slab(dim: int, comm=MPI.COMM_WORLD):
    """A 2-layer slab, interior nodes moved by up to 20 % of a cell (boundaries stay flat
    only where they must: the corners of the box move along their faces too)."""
    domain = ef.layered_slab(
        [0.4, 0.6],
        region_names=["a", "b"],
        dim=dim,
        cells_per_layer=[4, 6],
        cells_across=4,
        comm=comm,
    )
    x = domain.mesh.geometry.x
    rng = np.random.default_rng(11)
    shift = rng.uniform(-0.02, 0.02, size=(len(x), dim))
    x[:, :dim] += shift  # every node: the boundaries become wavy, still straight facets
    return domain


def random_cell_field(domain, seed=5):
    msh = domain.mesh
    V = fem.functionspace(msh, ("DG", 0, (msh.geometry.dim,)))
    field = fem.Function(V)
    tdim = msh.topology.dim
    imap = msh.topology.index_map(tdim)
    # the value of a cell from its global index: the same field on any number of ranks
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    global_cells = imap.local_to_global(cells)
    values = np.random.default_rng(seed).uniform(-1, 1, size=(imap.size_global, tdim))
    field.x.array.reshape(-1, tdim)[V.dofmap.list[cells, 0]] = values[global_cells]
    return field


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_facet_sums_equal_the_assembled_normal_flux(dim):
    domain = distorted_slab(dim)
    field = random_cell_field(domain)
    assert is_cell_vector_field(field, domain.mesh)
    summed = cell_field_boundary_fluxes(domain, field, domain.boundaries)
    n = ufl.FacetNormal(domain.mesh)
    assembled = tagged_integrals(domain.mesh, ufl.dot(field, n), domain.ds, domain.boundaries)
    assert summed.keys() == assembled.keys()
    scale = max(abs(v) for v in assembled.values())
    assert scale > 0.1  # a random field: fluxes of order one through each side
    for name, value in assembled.items():
        assert summed[name] == pytest.approx(value, rel=1e-12, abs=1e-13 * scale), name


@pytest.mark.parametrize("dim", [2, 3])
def test_linear_profile_gives_the_exact_flux(dim):
    """x_A linear in x, c D per layer: N_A = −c D ∇x_A exactly, through 'right' its area."""
    domain = ef.layered_slab(
        [1.0], region_names=["a"], dim=dim, cells_per_layer=[5], width=0.5, depth=0.5
    )
    msh = domain.mesh
    fields = ef.Material(2e-5, 40.0)
    V = fem.functionspace(msh, ("Lagrange", 1))
    mu = fem.Function(V)
    mu.interpolate(lambda p: 0.9 - 0.8 * p[0])
    material = assign_materials(domain, {"a": fields})
    flux = molar_flux(mu, material)
    assert cellwise_constant(flux, msh)
    field = fem.Function(fem.functionspace(msh, ("DG", 0, (dim,))))
    field.interpolate(fem.Expression(flux, field.function_space.element.interpolation_points))
    values = cell_field_boundary_fluxes(domain, field, {"right": domain.boundary_tag("right")})
    area = 0.5 ** (dim - 1)
    assert values["right"] == pytest.approx(40.0 * 2e-5 * 0.8 * area, rel=1e-12)


def test_cellwise_constant_refuses_what_varies_in_a_cell():
    domain = ef.layered_slab([1.0], region_names=["a"], dim=2, cells_per_layer=[3])
    msh = domain.mesh
    p1 = fem.Function(fem.functionspace(msh, ("Lagrange", 1)))
    p2 = fem.Function(fem.functionspace(msh, ("Lagrange", 2)))
    dg0 = fem.Function(fem.functionspace(msh, ("DG", 0)))
    x = ufl.SpatialCoordinate(msh)
    assert cellwise_constant(-dg0 * ufl.exp(dg0) * ufl.grad(p1), msh)
    assert not cellwise_constant(-dg0 * ufl.grad(p2), msh)  # P2: a linear gradient
    assert not cellwise_constant(-p1 * ufl.grad(p1), msh)  # P1 itself varies
    assert not cellwise_constant(-(1 + x[0]) * ufl.grad(p1), msh)  # D(x)
    assert not cellwise_constant(ufl.conditional(p1 > 0.5, 1.0, 2.0) * ufl.grad(p1), msh)
    curved = annulus([0.5, 1.0], size=0.3, order=2, comm=MPI.COMM_SELF).mesh
    q1 = fem.Function(fem.functionspace(curved, ("Lagrange", 1)))
    assert not cellwise_constant(ufl.grad(q1), curved)  # curved cells: J varies


def test_wrong_field_is_refused_with_a_clear_error():
    domain = distorted_slab(2)
    dg1 = fem.Function(fem.functionspace(domain.mesh, ("DG", 1, (2,))))
    assert not is_cell_vector_field(dg1, domain.mesh)
    with pytest.raises(ValueError, match="vector DG0"):
        cell_field_boundary_fluxes(domain, dg1, domain.boundaries)
