"""The flux residual on the cells of the mole-fraction DOFs only (issue 21).

``models.assembly.measured_forms`` restricts the cell integrals of the residual that gives
the reaction fluxes to the cells containing a DOF of a mole-fraction boundary
(``models.residual_cells``). Each such DOF's entry is the same sum, in the same order, as
in the whole assembly, so the fluxes must equal those of the whole residual to rounding
(1e-13 relative; measured: identical) in every configuration: 2D/3D, P1/P2, sources (a
constant and one varying in space), Robin and flux boundaries next to a Dirichlet one,
regions away from every Dirichlet boundary, films (submesh blocks, a block without a
Dirichlet boundary), a reacting interface meeting the Dirichlet faces (its dS terms at
their shared DOFs). The 2-rank twin: tests/mpi/test_residual_cells_parallel.py.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
import ufl
from dolfinx import fem

import emcd_fem as ef
from emcd_fem.models.residual_cells import boundary_dof_cells, on_cells

sys.path.insert(0, str(Path(__file__).resolve().parent))
from residual_cells_cases import CASES, build, compare, wavy_slab

RTOL = 1e-13
MATS_PLAIN = {n: ef.Material(1.0, 1.0) for n in ("a", "b", "c")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_restricted_fluxes_equal_the_whole_residual(name):
    result = compare(build(CASES[name]))
    restricted, full = result["fluxes"]
    assert list(restricted) == list(full)
    dirichlet = [n for n, bc in CASES[name]["bcs"].items() if bc.is_dirichlet]
    for n in dirichlet:
        assert abs(full[n]) > 1e-3  # a flux that means something
        assert abs(restricted[n] - full[n]) <= RTOL * abs(full[n]), (n, restricted[n], full[n])
    assert restricted == pytest.approx(full, rel=RTOL, abs=0.0)  # the others: the same forms
    assert result["entries"] <= RTOL
    assert 0.0 < result["kept"] < 0.7  # a restriction indeed (the films' cases keep less)


@pytest.mark.parametrize("dim, degree", [(2, 1), (2, 2), (3, 1), (3, 2)])
def test_cells_are_those_with_a_node_on_the_boundary(dim, degree):
    # independent reference: the owned cells with a geometry node on x = 0 (the Lagrange
    # DOFs of a cell on the face x = 0 sit on a vertex, edge or facet there, and the cell
    # then has that vertex): tetrahedra touching the face by a vertex or an edge included
    model = build(dict(CASES["2d_p2_both_ends_source"], dim=dim, degree=degree))
    domain = model.domain
    cells = boundary_dof_cells(domain, model.blocks[0], [domain.boundaries["left"]])
    msh = domain.mesh
    n_owned = msh.topology.index_map(dim).size_local
    nodes = msh.geometry.dofmaps[0][:n_owned]
    expected = np.flatnonzero((np.abs(msh.geometry.x[nodes, 0]) < 1e-12).any(axis=1))
    assert np.array_equal(cells, expected)
    facets = domain.facet_tags.find(domain.boundaries["left"])
    assert cells.size > facets.size  # more than the cells of the boundary facets


def test_films_blocks_use_parent_cells():
    model = build(CASES["2d_p1_films"])
    domain = model.domain
    first, last = model.blocks[0], model.blocks[-1]
    left = boundary_dof_cells(domain, first, [domain.boundaries["left"]])
    right = boundary_dof_cells(domain, last, [domain.boundaries["right"]])
    tags = domain.local_cell_tags()
    assert left.size and right.size
    assert set(tags[left]) == {domain.regions["a"]}
    assert set(tags[right]) == {domain.regions["c"]}
    x = domain.mesh.geometry.x[domain.mesh.geometry.dofmaps[0][right], 0]
    assert (np.abs(x - 1.0) < 1e-12).any(axis=1).all()  # each has a node on x = 1


def test_unrestrictable_cell_integrals_are_refused():
    domain = wavy_slab(2)
    V = fem.functionspace(domain.mesh, ("Lagrange", 1))
    w = ufl.TestFunction(V)
    cells = np.arange(3, dtype=np.int32)
    assert on_cells(w * ufl.dx(domain=domain.mesh), domain, cells) is None  # everywhere
    other = ufl.Measure("dx", domain=domain.mesh, subdomain_data=[(1, cells)])
    assert on_cells(w * other(1), domain, cells) is None  # not the domain's region tags
    restricted = on_cells(w * domain.dx(1) + w * domain.ds(1), domain, cells)
    (cell,) = [i for i in restricted.integrals() if i.integral_type() == "cell"]
    ((tag, kept),) = cell.subdomain_data()
    assert tag == 1
    assert np.array_equal(kept, cells[domain.local_cell_tags()[cells] == 1])


def test_flux_only_model_needs_no_residual_cells():
    # no Dirichlet boundary: no DOF is summed, no cell kept (the residual is never assembled)
    domain = wavy_slab(2)
    bcs = {"left": ef.MolarFlux(-0.1), "right": ef.MolarFlux(0.1)}
    model = ef.EMCDProblem(domain, MATS_PLAIN, bcs, inventory_mole_fraction=0.4).model
    assert boundary_dof_cells(domain, model.blocks[0], []).size == 0
    solution = model.solve()
    assert solution.boundary_flux["right"] == pytest.approx(0.1 * 1.0, rel=1e-12)
