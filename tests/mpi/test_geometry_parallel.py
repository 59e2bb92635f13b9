"""Gmsh geometries distributed on 1 and N ranks: same measures and fluxes; refinement
after distribution keeps the tags."""

from mpi4py import MPI

import pytest
from dolfinx import fem

import emcd_fem as ef
from emcd_fem.geometry import annulus, sphere_shells
from emcd_fem.post.integrals import integrate

RADII = [0.5, 0.8, 1.0]
MATERIALS = {"shell1": ef.Material(1.0, 1.0), "shell2": ef.Material(0.2, 1.0)}
BCS = {"inner": ef.MoleFraction(0.9), "outer": ef.MassTransfer(2.0, 0.1)}


def measures(domain):
    values = {n: integrate(fem.form(1.0 * domain.dx(t))) for n, t in domain.regions.items()}
    values |= {n: integrate(fem.form(1.0 * domain.ds(t))) for n, t in domain.boundaries.items()}
    return values


@pytest.mark.parametrize("builder,size", [(annulus, 0.1), (sphere_shells, 0.3)])
def test_same_measures_and_fluxes(builder, size):
    results = []
    for comm in (MPI.COMM_SELF, MPI.COMM_WORLD):
        domain = builder(RADII, size=size, order=2, comm=comm)
        solution = ef.solve_emcd(domain, MATERIALS, BCS, degree=2)
        results.append((measures(domain), solution.boundary_flux))
    (m1, f1), (m2, f2) = results
    for name in m1:
        assert m2[name] == pytest.approx(m1[name], rel=1e-12)
    for name in f1:
        assert f2[name] == pytest.approx(f1[name], rel=1e-10)


def test_refinement_keeps_tags():
    coarse = annulus(RADII, size=0.2)
    fine = annulus(RADII, size=0.2, refine=1)
    tdim = 2
    n_coarse = coarse.mesh.topology.index_map(tdim).size_global
    assert fine.mesh.topology.index_map(tdim).size_global == 4 * n_coarse
    before, after = measures(coarse), measures(fine)
    assert before.keys() == after.keys()
    for name, value in before.items():
        assert after[name] == pytest.approx(value, rel=1e-12), name  # straight edges split
    solution = ef.solve_emcd(fine, MATERIALS, BCS)
    assert solution.balance.relative < 1e-10


def test_refinement_of_curved_geometry_rejected():
    with pytest.raises(ef.EmcdMeshError, match="order-2"):
        annulus(RADII, size=0.3, order=2, refine=1)


def test_random_inclusions_same_on_all_ranks():
    """The packing is drawn on rank 0 and broadcast: same geometry, same answers."""
    from emcd_fem.geometry import random_inclusions

    mats = {"matrix": ef.Material(1.0), "inclusion": ef.Material(0.1)}
    bcs = {"left": ef.MoleFraction(1.0), "right": ef.MoleFraction(0.0)}
    results = []
    for comm in (MPI.COMM_SELF, MPI.COMM_WORLD):
        domain = random_inclusions((1.0, 1.0), 0.08, 0.25, seed=5, size=0.05, comm=comm)
        results.append((measures(domain), ef.solve_emcd(domain, mats, bcs).boundary_flux))
    (m1, f1), (m2, f2) = results
    for name in m1:
        assert m2[name] == pytest.approx(m1[name], rel=1e-12)
    for name in f1:
        assert f2[name] == pytest.approx(f1[name], rel=1e-10, abs=1e-14)
