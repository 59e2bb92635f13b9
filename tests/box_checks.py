"""Shared checks of ``emcd_fem.mesh.box_partition`` (serial tests and their MPI twin)."""

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

import emcd_fem as ef
from emcd_fem.mesh.box_partition import slab_box


def measures(msh: dmesh.Mesh) -> tuple[float, float, float]:
    """(volume, exterior facet area, interior facet area) summed over the ranks.

    The interior facet integral needs both cells of every facet between two ranks on
    each of them (the ghost layer): DOLFINx refuses an interprocess facet without one.
    """
    one = fem.Constant(msh, 1.0)
    values = [
        fem.assemble_scalar(fem.form(one * measure(domain=msh)))
        for measure in (ufl.dx, ufl.ds, ufl.dS)
    ]
    return tuple(msh.comm.allreduce(v, op=MPI.SUM) for v in values)


def cell_corner_set(msh: dmesh.Mesh) -> set:
    """The owned cells as sets of corner coordinates, gathered on every rank."""
    tdim = msh.topology.dim
    n = msh.topology.index_map(tdim).size_local
    nodes = msh.geometry.dofmaps[0][:n]
    corners = np.round(msh.geometry.x[nodes], 12)
    local = {frozenset(map(tuple, cell)) for cell in corners}
    return set().union(*msh.comm.allgather(local))


def slab_flux(comm: MPI.Comm, cell_type: str, cells_across: int) -> float:
    """Flux through the 3-layer slab (LU: the solver adds no error)."""
    domain = ef.layered_slab(
        [0.3e-3, 0.4e-3, 0.3e-3],
        region_names=["a", "b", "c"],
        dim=3,
        cells_per_layer=[3, 4, 3],
        cells_across=cells_across,
        width=1e-3,
        depth=0.5e-3,
        cell_type=cell_type,
        comm=comm,
    )
    mats = {
        k: ef.Material(diffusivity=d, concentration=40.9) for k, d in zip("abc", [2e-5, 2e-6, 1e-5])
    }
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
    lu = {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}
    solution = ef.EMCDProblem(domain, mats, bcs, petsc_options=lu).solve()
    return solution.boundary_flux["right"]


def check_slab_box(comm: MPI.Comm, cell_type: str, n_total: int, across: int) -> None:
    """The blocked box on ``comm`` is the serial box: same cells, measures, ghost layer."""
    ghost = dmesh.GhostMode.shared_facet
    msh = slab_box(comm, n_total, across, 2.0, 3.0, cell_type, ghost)
    serial = slab_box(MPI.COMM_SELF, n_total, across, 2.0, 3.0, cell_type, ghost)
    assert cell_corner_set(msh) == cell_corner_set(serial)
    # volume n_total × 2 × 3, the surface, and the interior facets (ghost layer complete)
    assert np.allclose(measures(msh), measures(serial), rtol=1e-13, atol=0.0)
    assert np.isclose(measures(msh)[0], 6.0 * n_total, rtol=1e-13, atol=0.0)
    counts = comm.allgather(msh.topology.index_map(3).size_local)
    per_hex = 6 if cell_type == "simplex" else 1
    assert sum(counts) == n_total * across * across * per_hex
    if cell_type == "simplex":  # the generator's even blocks of hexahedra, kept
        assert max(counts) - min(counts) <= per_hex


def check_slab_boundaries(comm: MPI.Comm) -> None:
    """The boundary facets of ``layered_slab`` are DOLFINx's ``locate_entities_boundary``
    on each side (1D, 2D, 3D, simplices and hypercubes, thin and thick cross-sections)."""
    from emcd_fem.mesh.domain import AXIS_BOUNDARIES

    extents = [1.0, 0.7, 0.4]
    for dim in (1, 2, 3):
        for cell_type in ("simplex", "hypercube") if dim > 1 else ("simplex",):
            for across in (1, 2, 5):
                domain = ef.layered_slab(
                    [0.3, 0.2, 0.5],
                    dim=dim,
                    cells_per_layer=[3, 2, 4],
                    cells_across=across,
                    width=extents[1],
                    depth=extents[2],
                    cell_type=cell_type,
                    comm=comm,
                )
                msh = domain.mesh
                for axis in range(dim):
                    for side, c in enumerate((0.0, extents[axis])):
                        expected = dmesh.locate_entities_boundary(
                            msh,
                            dim - 1,
                            lambda p, a=axis, c=c: np.abs(p[a] - c) <= 1e-10,
                        )
                        name = AXIS_BOUNDARIES[axis][side]
                        found = domain.facet_tags.find(domain.boundaries[name])
                        assert np.array_equal(np.sort(found), np.sort(expected)), (dim, name)


def check_slab_layers(comm: MPI.Comm) -> None:
    """The layer of every cell (owned and ghost) of a 3D ``layered_slab``, found from its
    index in ``create_box``, is the layer its midpoint lies in."""
    thick = [0.3, 0.2, 0.5]
    for cell_type in ("simplex", "hypercube"):
        for per_layer, across in (([3, 2, 4], 1), ([3, 2, 4], 5), ([1, 1, 1], 7), ([5], 2)):
            domain = ef.layered_slab(
                thick[: len(per_layer)],
                dim=3,
                cells_per_layer=per_layer,
                cells_across=across,
                cell_type=cell_type,
                comm=comm,
            )
            msh = domain.mesh
            cell_map = msh.topology.index_map(3)
            cells = np.arange(cell_map.size_local + cell_map.num_ghosts, dtype=np.int32)
            x_mid = dmesh.compute_midpoints(msh, 3, cells)[:, 0]
            ends = np.cumsum(thick[: len(per_layer)])[:-1]
            assert np.array_equal(domain.cell_tags.indices, cells)
            assert np.array_equal(domain.cell_tags.values, np.searchsorted(ends, x_mid) + 1)
