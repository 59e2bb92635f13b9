"""Mesh report: sizes, cell quality, region and boundary measures (for summary.json)."""

import itertools
import math
from collections.abc import Iterator, Mapping
from typing import Any

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from ufl.classes import CellEdgeVectors

from emcd_fem.mesh.domain import Domain
from emcd_fem.mesh.quadrature import linear_field_gradient_error
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

    Streams over chunks of cells (temporary memory bounded by :data:`CHUNK`), collective.
    """
    return _statistics(domain)[:2]


def _statistics(domain: Domain) -> tuple[float, float, dict[str, float] | None]:
    """(min quality, mean quality, region volumes or None) in one pass over the cells.

    Straight-sided simplices: one compiled expression gives each cell's quality and
    volume (the region volumes come with it); other cells: :func:`_quality_chunks` and
    None for the volumes (:func:`region_measures` integrates them). Collective.
    """
    msh = domain.mesh
    tdim = msh.topology.dim
    n_owned = msh.topology.index_map(tdim).size_local
    names = sorted(domain.regions)
    low, total = np.inf, 0.0
    local = np.zeros(len(names) + 1)  # the last bin: cells of no named region
    affine = _affine_simplex(msh)
    if affine:
        expression = _quality_and_volume(msh)
        slot = _region_slots(domain, names, n_owned)
        for start in range(0, n_owned, CHUNK):
            cells = np.arange(start, min(start + CHUNK, n_owned), dtype=np.int32)
            values = expression.eval(msh, cells).reshape(len(cells), 2)
            q = values[:, 0]
            low, total = min(low, float(q.min(initial=np.inf))), total + float(q.sum())
            chunk_slot = slot[cells]
            for i in range(len(local)):  # NumPy's pairwise sum: no N ε drift over the cells
                local[i] += values[chunk_slot == i, 1].sum()
    else:
        for q in _quality_chunks(domain):
            low, total = min(low, float(q.min(initial=np.inf))), total + float(q.sum())
    n_cells = msh.topology.index_map(tdim).size_global
    low = msh.comm.allreduce(low, op=MPI.MIN)
    total = msh.comm.allreduce(total, op=MPI.SUM)
    if not affine:
        return low, total / n_cells, None
    volumes = np.zeros_like(local)
    msh.comm.Allreduce(local, volumes, op=MPI.SUM)
    return (
        low,
        total / n_cells,
        {name: float(volumes[names.index(name)]) for name in domain.regions},
    )


def _affine_simplex(msh: dmesh.Mesh) -> bool:
    """Triangles or tetrahedra with straight sides (geometry of degree 1)."""
    cell = msh.topology.cell_name()
    return cell in ("triangle", "tetrahedron") and msh.geometry.cmaps[0].degree == 1


def _quality_and_volume(msh: dmesh.Mesh) -> fem.Expression:
    """Compiled (quality, volume) of a straight-sided simplex, evaluated at its centroid.

    The formulas of :func:`_simplex_quality` in UFL: edges from ``CellEdgeVectors``,
    volume |det J| / tdim! (constant on an affine cell); collective (JIT).
    """
    tdim = msh.topology.dim
    domain = msh.ufl_domain()
    edges = CellEdgeVectors(domain)
    edges_sq = sum(ufl.dot(edges[i, :], edges[i, :]) for i in range(edges.ufl_shape[0]))
    volume = abs(ufl.JacobianDeterminant(domain)) / math.factorial(tdim)
    if tdim == 2:
        quality = 4 * math.sqrt(3) * volume / edges_sq
    else:
        quality = 12 * (3 * volume) ** (2 / 3) / edges_sq
    centroid = np.full((1, tdim), 1.0 / (tdim + 1))
    return fem.Expression(ufl.as_vector([quality, volume]), centroid)


def _region_slots(domain: Domain, names: list[str], n_owned: int) -> np.ndarray:
    """Per owned cell: the position of its region in ``names`` (len(names): none)."""
    slot = np.full(n_owned, len(names), dtype=np.int64)
    tags = domain.cell_tags
    owned = tags.indices < n_owned
    cells, values = tags.indices[owned], tags.values[owned]
    for i, name in enumerate(names):
        slot[cells[values == domain.regions[name]]] = i
    return slot


#: Cells rated at a time: bounds the temporary memory of the quality (~10 MB per chunk).
CHUNK = 1 << 16


def _quality_chunks(domain: Domain) -> Iterator[np.ndarray]:
    msh = domain.mesh
    tdim = msh.topology.dim
    n_owned = msh.topology.index_map(tdim).size_local
    if tdim == 1 or msh.topology.cell_name() not in ("triangle", "tetrahedron"):
        yield np.ones(n_owned)
        return
    dofmap = msh.geometry.dofmaps[0]
    for start in range(0, n_owned, CHUNK):
        stop = min(start + CHUNK, n_owned)
        yield _simplex_quality(msh.geometry.x[dofmap[start:stop, : tdim + 1]])


def _simplex_quality(x: np.ndarray) -> np.ndarray:
    """Mean-ratio quality of simplices with corner coordinates ``x`` (cells, corners, 3)."""
    tdim = x.shape[1] - 1
    edges_sq = np.zeros(x.shape[0])
    for a, b in itertools.combinations(range(tdim + 1), 2):  # one edge at a time
        edge = x[:, b] - x[:, a]
        edges_sq += np.einsum("ij,ij->i", edge, edge)
    normal = np.cross(x[:, 1] - x[:, 0], x[:, 2] - x[:, 0])
    if tdim == 2:
        area = 0.5 * np.sqrt(np.einsum("ij,ij->i", normal, normal))
        return 4 * np.sqrt(3) * area / edges_sq
    volume = np.abs(np.einsum("ij,ij->i", normal, x[:, 3] - x[:, 0])) / 6
    return 12 * np.cbrt(3 * volume) ** 2 / edges_sq


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
        local[i] = _simplex_measures(msh.geometry.x[nodes]).sum()
    total = np.zeros_like(local)
    msh.comm.Allreduce(local, total, op=MPI.SUM)
    return {name: float(total[names.index(name)]) for name in tags}


def _simplex_measures(x: np.ndarray) -> np.ndarray:
    """Measures of straight simplices with corners ``x`` (n, k + 1, 3), k = 0, 1, 2."""
    k = x.shape[1] - 1
    if k == 0:
        return np.ones(x.shape[0])
    if k == 1:
        return np.linalg.norm(x[:, 1] - x[:, 0], axis=1)
    return 0.5 * np.linalg.norm(np.cross(x[:, 1] - x[:, 0], x[:, 2] - x[:, 0]), axis=1)


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
    if _affine_simplex(msh):  # straight-sided facets: measured from their corners
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
