"""Mesh report: sizes, cell quality, region and boundary measures (for summary.json)."""

from typing import Any

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.mesh.domain import Domain
from emcd_fem.post.integrals import integrate


def cell_quality(domain: Domain) -> np.ndarray:
    """Mean-ratio quality of the owned simplex cells, 1 for equilateral, → 0 degenerate.

    Triangle: 4√3 A / Σ l²; tetrahedron: 12 (3 V)^(2/3) / Σ l² (edges l between corner
    nodes, so curved cells are rated by their straight-sided shape). Intervals and
    quadrilaterals/hexahedra report 1 (not rated).
    """
    msh = domain.mesh
    tdim = msh.topology.dim
    n_owned = msh.topology.index_map(tdim).size_local
    n_corners = tdim + 1
    if tdim == 1 or msh.topology.cell_name() not in ("triangle", "tetrahedron"):
        return np.ones(n_owned)
    dofmap = msh.geometry.dofmaps[0]
    quality = np.empty(n_owned)
    for start in range(0, n_owned, CHUNK):  # chunks: bounded temporary memory
        stop = min(start + CHUNK, n_owned)
        quality[start:stop] = _simplex_quality(msh.geometry.x[dofmap[start:stop, :n_corners]])
    return quality


#: Cells rated at a time: bounds the temporary memory of :func:`cell_quality` (~50 MB).
CHUNK = 1 << 18


def _simplex_quality(x: np.ndarray) -> np.ndarray:
    """Mean-ratio quality of simplices with corner coordinates ``x`` (cells, corners, 3)."""
    tdim = x.shape[1] - 1
    e1, e2 = x[:, 1] - x[:, 0], x[:, 2] - x[:, 0]
    edges = [e1, e2, x[:, 2] - x[:, 1]]
    if tdim == 3:
        e3 = x[:, 3] - x[:, 0]
        edges += [e3, x[:, 3] - x[:, 1], x[:, 3] - x[:, 2]]
    edges_sq = np.einsum("cij,cij->c", np.stack(edges, axis=1), np.stack(edges, axis=1))
    normal = np.cross(e1, e2)
    if tdim == 2:
        area = 0.5 * np.sqrt(np.einsum("ij,ij->i", normal, normal))
        return 4 * np.sqrt(3) * area / edges_sq
    volume = np.abs(np.einsum("ij,ij->i", normal, e3)) / 6
    return 12 * np.cbrt(3 * volume) ** 2 / edges_sq


def mesh_report(domain: Domain, dofs: int | None = None) -> dict[str, Any]:
    """Cells, vertices, DOFs, min/mean cell quality, region and boundary measures.

    Measures are volumes [m^3] / areas [m^2] / lengths [m] by dimension. Collective.
    """
    msh = domain.mesh
    comm = msh.comm
    tdim = msh.topology.dim
    quality = cell_quality(domain)
    n_cells = msh.topology.index_map(tdim).size_global
    q_min = comm.allreduce(float(quality.min()) if quality.size else np.inf, op=MPI.MIN)
    q_sum = comm.allreduce(float(quality.sum()), op=MPI.SUM)
    one = fem.Constant(msh, 1.0)
    regions = {n: integrate(fem.form(one * domain.dx(t))) for n, t in domain.regions.items()}
    boundaries = {n: integrate(fem.form(one * domain.ds(t))) for n, t in domain.boundaries.items()}
    if domain.interfaces:
        dS = ufl.Measure("dS", domain=msh, subdomain_data=domain.facet_tags)
        interfaces = {
            n: integrate(fem.form(one("+") * dS(t))) for n, t in domain.interfaces.items()
        }
    else:
        interfaces = {}
    report = {
        "cells": n_cells,
        "vertices": msh.topology.index_map(0).size_global,
        "cell_type": msh.topology.cell_name(),
        "geometric_order": msh.geometry.cmaps[0].degree,
        "quality_min": q_min,
        "quality_mean": q_sum / n_cells,
        "region_measures": regions,
        "boundary_measures": boundaries,
        "interface_measures": interfaces,
    }
    if domain.excluded:
        report["ignored_groups"] = dict(domain.excluded)
    if dofs is not None:
        report["dofs"] = dofs
    return report
