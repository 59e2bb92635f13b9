"""Refinement in DOLFINx keeping the tags (issue 21): serial checks; the same checks on
N ranks are in tests/mpi/test_refine_parallel.py."""

from mpi4py import MPI

import pytest
from refine_checks import check_refinement_keeps_tags, refined_fluxes

import emcd_fem as ef
from emcd_fem.geometry import gmsh_layered_slab
from emcd_fem.geometry.refine import refine_with_tags


@pytest.mark.parametrize("dim", [2, 3])
def test_refinement_keeps_tags_and_measures(dim):
    check_refinement_keeps_tags(MPI.COMM_SELF, dim)


def test_refined_flux_converges():
    """Refinement keeps the coarse (polyhedral) geometry, so the fluxes of 0, 1, 2
    refinements converge to that geometry's flux: at a rate between 1 (the edges of the
    polyhedral inclusions, D contrast 10) and 2 (smooth solution) the successive
    differences shrink by 2 to 4 (2.31 here); [1.8, 4.5] leaves room for the
    pre-asymptotic range. A lost or wrong tag after refinement changes the flux by ~10 %
    and breaks the sequence."""
    f0, f1, f2 = refined_fluxes(MPI.COMM_SELF)
    ratio = abs(f1 - f0) / abs(f2 - f1)
    assert 1.8 < ratio < 4.5, (f0, f1, f2)


@pytest.mark.parametrize("dim", [2, 3])
def test_refined_gmsh_slab_exact_flux(dim):
    """P1 is exact on a refined layered slab (layer-conforming cells): the series
    resistance flux to the solver's tolerance (CG + GAMG, rtol 1e-12 by default)."""
    thick, names = [0.3, 0.4, 0.3], ["a", "b", "c"]
    mats = {"a": ef.Material(1.0), "b": ef.Material(0.1), "c": ef.Material(0.5)}
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
    size = 0.1 if dim == 2 else 0.25
    domain = gmsh_layered_slab(
        thick, size=size, dim=dim, region_names=names, width=0.5, depth=0.5, refine=1
    )
    area = 0.5 if dim == 2 else 0.25
    exact = ef.analytic.composite_slab(thick, list(mats.values()), bcs["left"], bcs["right"])
    flux = ef.solve_emcd(domain, mats, bcs).boundary_flux["right"] / area
    assert flux == pytest.approx(exact.flux, rel=1e-10)


def test_unknown_ghost_layer_rejected():
    from refine_checks import spheres

    domain = spheres(MPI.COMM_SELF)
    with pytest.raises(ValueError, match="ghosts must be"):
        refine_with_tags(domain.mesh, domain.cell_tags, domain.facet_tags, ghosts="none")
