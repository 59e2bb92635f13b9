"""Checks of the refinement in DOLFINx with tags (issue 21), run on 1 and N ranks.

``emcd_fem.geometry.refine.refine_with_tags`` builds the ghost layer of the refined mesh
from the parents (``ghosts="parents"``) instead of DOLFINx's search over the fine cells
(``ghosts="dolfinx"``, the reference here). Both must give the same owned cells with the
same tags, a ghost layer that holds every facet neighbour, and the coarse mesh's region
volumes and facet-group areas (refinement splits straight edges: round-off).
"""

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

import emcd_fem as ef
from emcd_fem.geometry import matrix_with_inclusions
from emcd_fem.geometry.refine import refine_with_tags
from emcd_fem.mesh.domain import Domain
from emcd_fem.post.integrals import integrate

CENTERS = np.array([[0.3, 0.5, 0.5], [0.7, 0.5, 0.5]])
MATERIALS = {"matrix": ef.Material(1.0), "inclusion": ef.Material(10.0)}
BCS = {"left": ef.MoleFraction(1.0), "right": ef.MoleFraction(0.0)}
LU = {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}


def spheres(comm: MPI.Comm, refine: int = 0, dim: int = 3) -> Domain:
    """Two spheres (D 10×) in a unit cube, or two circles in a unit square (``dim`` 2): an
    interface (dS) and the box faces as boundary groups."""
    if dim == 2:
        return matrix_with_inclusions(
            (1.0, 1.0), CENTERS[:, :2], 0.15, kind="circle", size=0.1, refine=refine, comm=comm
        )
    return matrix_with_inclusions(
        (1.0, 1.0, 1.0), CENTERS, 0.15, kind="sphere", size=0.25, refine=refine, comm=comm
    )


def refined(domain: Domain, ghosts: str) -> Domain:
    """``domain`` refined once by ``refine_with_tags`` with the given ghost layer."""
    msh, cells, facets = refine_with_tags(
        domain.mesh, domain.cell_tags, domain.facet_tags, ghosts=ghosts
    )
    return Domain(
        mesh=msh,
        cell_tags=cells,
        facet_tags=facets,
        regions=domain.regions,
        boundaries=domain.boundaries,
        interfaces=domain.interfaces,
    )


def measures(domain: Domain) -> dict[str, float]:
    """Volume of every region, area of every boundary and interface (collective)."""
    dS = ufl.Measure("dS", domain=domain.mesh, subdomain_data=domain.facet_tags)
    values = {n: integrate(fem.form(1.0 * domain.dx(t))) for n, t in domain.regions.items()}
    values |= {n: integrate(fem.form(1.0 * domain.ds(t))) for n, t in domain.boundaries.items()}
    values |= {n: integrate(fem.form(1.0 * dS(t))) for n, t in domain.interfaces.items()}
    return values


def lonely_owned_facets(msh: dmesh.Mesh) -> int:
    """Owned facets with a single local cell, summed over the ranks (collective).

    With a complete facet-sharing ghost layer these are exactly the exterior facets.
    """
    tdim = msh.topology.dim
    msh.topology.create_connectivity(tdim - 1, tdim)
    owned = msh.topology.index_map(tdim - 1).size_local
    counts = np.diff(msh.topology.connectivity(tdim - 1, tdim).offsets)[:owned]
    return msh.comm.allreduce(int(np.sum(counts == 1)), op=MPI.SUM)


def cell_rows(domain: Domain, owned: bool) -> np.ndarray:
    """Rows (midpoint x, y, z, region tag) of the owned or of the ghost cells, sorted."""
    msh = domain.mesh
    tdim = msh.topology.dim
    cell_map = msh.topology.index_map(tdim)
    cells = np.arange(cell_map.size_local + cell_map.num_ghosts, dtype=np.int32)
    cells = cells[: cell_map.size_local] if owned else cells[cell_map.size_local :]
    tag = np.full(cell_map.size_local + cell_map.num_ghosts, -1.0)
    tag[domain.cell_tags.indices] = domain.cell_tags.values
    mid = dmesh.compute_midpoints(msh, tdim, cells) if len(cells) else np.empty((0, 3))
    rows = np.column_stack([np.round(mid, 12), tag[cells]])
    return rows[np.lexsort(rows.T[::-1])] if len(rows) else rows


def facet_rows(domain: Domain) -> np.ndarray:
    """Rows (midpoint x, y, z, tag) of the tagged owned facets, sorted."""
    msh = domain.mesh
    fdim = msh.topology.dim - 1
    owned = msh.topology.index_map(fdim).size_local
    keep = domain.facet_tags.indices < owned
    facets, values = domain.facet_tags.indices[keep], domain.facet_tags.values[keep]
    mid = dmesh.compute_midpoints(msh, fdim, facets) if len(facets) else np.empty((0, 3))
    rows = np.column_stack([np.round(mid, 12), values])
    return rows[np.lexsort(rows.T[::-1])] if len(rows) else rows


def check_refinement_keeps_tags(comm: MPI.Comm, dim: int = 3) -> None:
    """Both ghost layers: the coarse measures, the same owned cells and tags, complete
    ghost layers (the parents' one holding DOLFINx's), the same flux (LU).

    Raises AssertionError on a difference (on every rank: the checks are collective).
    """
    coarse = spheres(comm, dim=dim)
    before = measures(coarse)
    fast, reference = refined(coarse, "parents"), refined(coarse, "dolfinx")
    tdim = coarse.mesh.topology.dim
    assert fast.mesh.topology.index_map(tdim).size_global == 2**tdim * (
        coarse.mesh.topology.index_map(tdim).size_global
    )
    for domain in (fast, reference):
        after = measures(domain)
        assert after.keys() == before.keys()
        for name, value in before.items():
            # sums of the same polyhedral pieces split in 2^d (2^(d-1) per facet): round-off
            assert abs(after[name] - value) <= 1e-12 * abs(value), (name, after[name], value)
        # every interior facet between ranks sees both its cells: only the coarse
        # exterior facets, each split in 2^(d-1), have one cell
        lonely = lonely_owned_facets(coarse.mesh)
        assert lonely_owned_facets(domain.mesh) == 2 ** (tdim - 1) * lonely
    # the same owned cells (rank by rank) with the same regions and facet tags
    assert np.array_equal(cell_rows(fast, True), cell_rows(reference, True))
    assert np.array_equal(facet_rows(fast), facet_rows(reference))
    # DOLFINx's ghost cells are among the parents' ones, with the same tags
    ghosts, minimal = cell_rows(fast, False), cell_rows(reference, False)
    if len(minimal):
        both = np.unique(np.vstack([ghosts, minimal]), axis=0)
        assert len(both) == len(np.unique(ghosts, axis=0))
    assert (comm.size == 1) == (comm.allreduce(len(ghosts)) == 0)
    fluxes = [
        ef.solve_emcd(d, MATERIALS, BCS, petsc_options=LU).boundary_flux["right"]
        for d in (fast, reference)
    ]
    # the same owned cells and matrix entries, LU: the fluxes agree to round-off
    assert abs(fluxes[0] - fluxes[1]) <= 1e-10 * abs(fluxes[1])


def refined_fluxes(comm: MPI.Comm, levels: int = 3) -> list[float]:
    """Flux through 'right' of the sphere array refined 0, 1, ... times (LU)."""
    return [
        ef.solve_emcd(spheres(comm, r), MATERIALS, BCS, petsc_options=LU).boundary_flux["right"]
        for r in range(levels)
    ]
