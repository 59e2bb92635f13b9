"""Mesh report: sizes, cell quality, region and boundary measures (for summary.json)."""

from collections.abc import Iterator, Mapping
from typing import Any

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

from emcd_fem.mesh.domain import Domain
from emcd_fem.mesh.quadrature import linear_field_gradient_error
from emcd_fem.mesh.simplices import (
    corners_of,
    is_straight_simplex,
    owned_cell_corners,
    simplex_measures,
    simplex_quality,
)
from emcd_fem.post.integrals import tagged_integrals


def cell_quality(domain: Domain) -> np.ndarray:
    """Mean-ratio quality of the owned simplex cells, 1 for equilateral, → 0 degenerate.

    Triangle: 4√3 A / Σ l²; tetrahedron: 12 (3 V)^(2/3) / Σ l² (edges l between corner
    nodes, so curved cells are rated by their straight-sided shape). Intervals and
    quadrilaterals/hexahedra report 1 (not rated).
    """
    return np.concatenate([q for q in _quality_chunks(domain)] or [np.empty(0)])


def quality_summary(domain: Domain) -> tuple[float, float]:
    """(min, mean) of :func:`cell_quality` over all cells, without the per-cell array.

    Streams over chunks of cells (temporary memory bounded by the chunk size), collective.
    """
    return _statistics(domain)[:2]


def _statistics(domain: Domain) -> tuple[float, float, dict[str, float] | None]:
    """(min quality, mean quality, region volumes or None) in one pass over the cells.

    Straight-sided simplices: :attr:`Domain.cell_statistics` (NumPy from the corners, no
    compiled expression; cached on the domain, shared with its extent); other cells:
    :func:`_quality_chunks` and None for the volumes (:func:`region_measures` integrates
    them). Collective.
    """
    statistics = domain.cell_statistics
    if statistics is not None:
        return statistics.quality_min, statistics.quality_mean, domain.region_volumes()
    msh = domain.mesh
    low, total = np.inf, 0.0
    for q in _quality_chunks(domain):
        low, total = min(low, float(q.min(initial=np.inf))), total + float(q.sum())
    n_cells = msh.topology.index_map(msh.topology.dim).size_global
    low = msh.comm.allreduce(low, op=MPI.MIN)
    total = msh.comm.allreduce(total, op=MPI.SUM)
    return low, total / n_cells, None


def _quality_chunks(domain: Domain) -> Iterator[np.ndarray]:
    msh = domain.mesh
    tdim = msh.topology.dim
    n_owned = msh.topology.index_map(tdim).size_local
    if tdim == 1 or msh.topology.cell_name() not in ("triangle", "tetrahedron"):
        yield np.ones(n_owned)
        return
    for _, corners in owned_cell_corners(msh):  # corners of curved cells: straight-sided
        yield simplex_quality(corners)


def region_measures(domain: Domain) -> dict[str, float]:
    """Region → volume [m^3] (area in 2D, length in 1D), collective.

    One compiled form for all regions: the cell volumes ∫ v dx (v in DG0), summed by cell
    tag over the owned cells (a form per region compiled one per region and integrated the
    whole mesh each time).
    """
    msh = domain.mesh
    V = fem.functionspace(msh, ("DG", 0))
    volumes = fem.assemble_vector(fem.form(ufl.TestFunction(V) * domain.dx)).array
    n_owned = msh.topology.index_map(msh.topology.dim).size_local
    names = sorted(domain.regions)
    local = np.zeros(len(names))
    tags = domain.cell_tags
    owned = tags.indices < n_owned
    cells, values = tags.indices[owned], tags.values[owned]
    for i, name in enumerate(names):
        selected = cells[values == domain.regions[name]]
        local[i] = volumes[V.dofmap.list[selected, 0]].sum()
    total = np.zeros_like(local)
    msh.comm.Allreduce(local, total, op=MPI.SUM)
    return {name: float(total[names.index(name)]) for name in domain.regions}


def facet_measures(domain: Domain, tags: Mapping[str, int]) -> dict[str, float]:
    """Name → measure of its tagged facets [m^2 in 3D, m in 2D, count in 1D], collective.

    For straight-sided simplex meshes: each owned facet's measure from its corner
    coordinates (length, or half the cross product's norm), no form; each facet is owned
    by one rank, so every facet counts once.
    """
    msh = domain.mesh
    fdim = msh.topology.dim - 1
    n_owned = msh.topology.index_map(fdim).size_local
    names = sorted(tags)
    local = np.zeros(len(names))
    for i, name in enumerate(names):
        facets = domain.facet_tags.find(tags[name])
        facets = facets[facets < n_owned]
        nodes = dmesh.entities_to_geometry(msh, fdim, facets)[:, : fdim + 1]
        local[i] = simplex_measures(corners_of(msh.geometry.x, nodes)).sum()
    total = np.zeros_like(local)
    msh.comm.Allreduce(local, total, op=MPI.SUM)
    return {name: float(total[names.index(name)]) for name in tags}


def mesh_report(domain: Domain, dofs: int | None = None) -> dict[str, Any]:
    """Cells, vertices, DOFs, min/mean cell quality, region and boundary measures.

    Measures are volumes [m^3] / areas [m^2] / lengths [m] by dimension. Collective.
    """
    msh = domain.mesh
    tdim = msh.topology.dim
    q_min, q_mean, regions = _statistics(domain)
    n_cells = msh.topology.index_map(tdim).size_global
    if regions is None:  # curved or non-simplex cells: integrated
        regions = region_measures(domain)
    if is_straight_simplex(msh):  # straight-sided facets: measured from their corners
        boundaries = facet_measures(domain, domain.boundaries)
        interfaces = facet_measures(domain, domain.interfaces)
    else:
        boundaries = tagged_integrals(msh, 1.0, domain.ds, domain.boundaries)
        if domain.interfaces:
            dS = ufl.Measure("dS", domain=msh, subdomain_data=domain.facet_tags)
            interfaces = tagged_integrals(msh, 1.0, dS, domain.interfaces)
        else:
            interfaces = {}
    report = {
        "cells": n_cells,
        "vertices": msh.topology.index_map(0).size_global,
        "cell_type": msh.topology.cell_name(),
        "geometric_order": msh.geometry.cmaps[0].degree,
        "quality_min": q_min,
        "quality_mean": q_mean,
        "region_measures": regions,
        "boundary_measures": boundaries,
        "interface_measures": interfaces,
    }
    if report["geometric_order"] > 1:  # what P1 costs on these cells (0 if straight-sided)
        report["p1_linear_gradient_error"] = linear_field_gradient_error(msh, 1)
    if domain.excluded:
        report["ignored_groups"] = dict(domain.excluded)
    if dofs is not None:
        report["dofs"] = dofs
    return report
