"""The mesh import route as it was before issue 21: the reference of the import tests.

Cells and facets of the gmsh rank's arrays matched to the distributed mesh by their
vertices (``distribute_entity_data`` + ``meshtags_from_entities``, the general route of
DOLFINx's ``model_to_mesh``). The faster route of ``emcd_fem.geometry.distribute`` (region
tags through ``original_cell_index``, cells handed out in blocks before ``create_mesh``)
must give the same tags on every rank and the same fluxes.
"""

from pathlib import Path

from mpi4py import MPI

import numpy as np
from dolfinx import mesh as dmesh
from dolfinx.graph import adjacencylist
from dolfinx.io.utils import distribute_entity_data

import emcd_fem as ef
from emcd_fem.geometry import gmsh_layered_slab, matrix_with_inclusions, periodic_array
from emcd_fem.geometry.distribute import distribute
from emcd_fem.geometry.gmsh_arrays import extract
from emcd_fem.geometry.gmsh_model import start_gmsh

THICK = [0.3, 0.4, 0.3]
NAMES = ["a", "b", "c"]
MATS = {"a": ef.Material(1.0), "b": ef.Material(0.1), "c": ef.Material(0.5)}
BCS = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}


def tags_by_vertices(msh: dmesh.Mesh, dim: int, entities, values, per_entity: int) -> dict:
    """Local entity → tag, the entities matched by their vertices (collective)."""
    tdim = msh.topology.dim
    if entities is None:
        entities, values = np.empty((0, per_entity), np.int64), np.empty(0, np.int32)
    local, local_values = distribute_entity_data(
        msh, dim, np.asarray(entities, np.int64), np.asarray(values, np.int32)
    )
    msh.topology.create_connectivity(dim, tdim)
    msh.topology.create_connectivity(dim, 0)
    tags = dmesh.meshtags_from_entities(
        msh, dim, adjacencylist(local), local_values.astype(np.int32, copy=False)
    )
    return dict(zip(tags.indices.tolist(), tags.values.tolist(), strict=True))


def as_dict(tags: dmesh.MeshTags) -> dict:
    """MeshTags → {local entity: value}."""
    return dict(zip(tags.indices.tolist(), tags.values.tolist(), strict=True))


def check_same_tags_as_before(comm: MPI.Comm, msh_dir: Path) -> int:
    """Distribute a 2×2×2 sphere array both ways; return the number of tagged cells checked.

    Raises AssertionError when a local cell or facet gets another tag than the old route
    gives it (on any rank).
    """
    path = Path(comm.bcast(str(msh_dir / "spheres.msh"), root=0))
    centers = periodic_array((1.0, 1.0, 1.0), (2, 2, 2))
    matrix_with_inclusions(
        (1.0, 1.0, 1.0), centers, 0.2, kind="sphere", size=0.12, msh_file=path, comm=comm
    )
    arrays = None
    if comm.rank == 0:
        import gmsh

        start_gmsh()
        gmsh.open(str(path))
        arrays = extract()
        gmsh.clear()
    msh, cell_tags, facet_tags, groups = distribute(arrays, comm, 0, 3)
    tdim = msh.topology.dim
    on_root = comm.rank == 0
    old_cells = tags_by_vertices(
        msh, tdim, arrays.cells if on_root else None, arrays.cell_values if on_root else None, 4
    )
    old_facets = tags_by_vertices(
        msh,
        tdim - 1,
        arrays.facets if on_root else None,
        arrays.facet_values if on_root else None,
        3,
    )
    new_cells, new_facets = as_dict(cell_tags), as_dict(facet_tags)
    cell_map = msh.topology.index_map(tdim)
    # every local cell (owned and ghost) has its region, as before
    assert len(new_cells) == cell_map.size_local + cell_map.num_ghosts
    assert new_cells == old_cells
    assert new_facets == old_facets
    assert set(groups["regions"]) == {"matrix", "inclusion"}
    assert set(groups["interfaces"]) == {"interface"}
    return comm.allreduce(len(new_cells), op=MPI.SUM)


def slab_flux(comm: MPI.Comm, dim: int) -> float:
    """Flux through 'right' per unit area of a gmsh three-layer slab (new import route)."""
    domain = gmsh_layered_slab(
        THICK,
        size=0.1 if dim == 2 else 0.25,
        dim=dim,
        region_names=NAMES,
        width=0.5,
        depth=0.5,
        comm=comm,
    )
    solution = ef.solve_emcd(domain, MATS, BCS)
    return solution.boundary_flux["right"] / (0.5 if dim == 2 else 0.25)


def exact_slab_flux() -> float:
    """The series-resistance flux of the three-layer slab [mol/(m² s)] (unit c)."""
    return ef.analytic.composite_slab(THICK, list(MATS.values()), BCS["left"], BCS["right"]).flux
