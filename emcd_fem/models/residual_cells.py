"""The flux residual of a block on the cells that reach its mole-fraction boundaries.

The reaction fluxes of the mole-fraction (Dirichlet) boundaries (``models.derived.
boundary_fluxes``) sum the assembled residual F(u) over the boundaries' DOFs. The entry of
a DOF only receives the cell terms of the cells that contain it, so the cell integrals of
the residual that serves these fluxes need to visit those cells only: at 1M P1 DOFs on
tetrahedra a few percent of the mesh instead of all of it (assembly and coefficient
packing of the whole mesh per flux evaluation). The facet and interior-facet terms are
kept as they are (a corner DOF shared with a flux or Robin boundary, a film, a reacting
interface gets their contribution).

The restriction lies in the form's cell-integral subdomain data only (its integrands, ids
and quadrature are unchanged, so the compiled module is the same): each cell integral on
region tag r then covers the owned cells of r that contain such a DOF. Each boundary DOF's
entry is the same sum, in the same order, as in the full assembly.
"""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import ufl
from dolfinx import fem, la

from emcd_fem.mesh.domain import Domain
from emcd_fem.models.blocks import Block


def boundary_dof_cells(domain: Domain, block: Block, tags: Sequence[int]) -> npt.NDArray[np.int32]:
    """Owned cells of the domain's mesh that contain a DOF of ``block`` on facets ``tags``.

    A DOF counts when any rank finds it on one of the tagged facets (a reverse then a
    forward scatter of a marker), so a cell whose only contact with the boundary is a
    vertex or an edge (P2: an edge DOF) held by another rank's facets is included; the
    cells are those of the DOFs themselves (the dofmap), any degree (collective).

    Args:
        domain: The domain (the parent mesh of a submesh block).
        block: The block (its scalar space, facet tags and submesh map).
        tags: Facet tags of the boundaries, in the block's ``facet_tags``.

    Returns:
        Sorted local indices of owned cells of the domain's mesh (int32).

    Raises:
        ValueError: a blocked (vector) space.
    """
    V = block.space
    if V.dofmap.index_map_bs != 1:
        raise ValueError("boundary_dof_cells needs a scalar space")
    msh = V.mesh
    tdim = msh.topology.dim
    marker = la.vector(V.dofmap.index_map, 1)
    marker.array[:] = 0.0
    for tag in tags:
        facets = block.facet_tags.find(tag)
        marker.array[fem.locate_dofs_topological(V, tdim - 1, facets)] = 1.0
    marker.scatter_reverse(la.InsertMode.add)
    marker.scatter_forward()
    on = marker.array > 0.0
    n_owned = msh.topology.index_map(tdim).size_local
    rows = V.dofmap.list[:n_owned]
    hit = on[rows[:, 0]]  # column by column: 2x faster than on[rows].any(axis=1)
    for j in range(1, rows.shape[1]):
        hit |= on[rows[:, j]]
    cells = np.flatnonzero(hit).astype(np.int32)
    if block.entity_map is not None:  # submesh cells → parent cells
        cells = np.asarray(block.entity_map.sub_topology_to_topology(cells, inverse=False))
        parent = domain.mesh.topology.index_map(tdim)
        cells = np.sort(cells[cells < parent.size_local]).astype(np.int32)
    return cells


def on_cells(form: ufl.Form, domain: Domain, cells: npt.NDArray[np.int32]) -> ufl.Form | None:
    """``form`` with each cell integral dx(r) restricted to the ``cells`` of region r.

    Facet integrals are unchanged. Returns None when a cell integral is not on a region
    of ``domain.dx`` (no subdomain id, or other subdomain data): it cannot be restricted.

    Args:
        form: A form whose cell integrals use ``domain.dx(tag)``.
        domain: The domain (its cell tags give each cell's region).
        cells: Sorted owned cells of the domain's mesh to keep.
    """
    integrals = form.integrals()
    cell_integrals = [i for i in integrals if i.integral_type() == "cell"]
    for integral in cell_integrals:
        if integral.subdomain_data() is not domain.cell_tags:
            return None
        if not isinstance(integral.subdomain_id(), int | np.integer):
            return None
    tags = domain.cell_tags
    position = np.searchsorted(tags.indices, cells)
    inside = position < tags.indices.size
    inside[inside] = tags.indices[position[inside]] == cells[inside]
    region = np.full(cells.size, -1, dtype=np.int64)
    region[inside] = tags.values[position[inside]]
    ids = sorted({int(i.subdomain_id()) for i in cell_integrals})
    # one list object for every cell integral (DOLFINx takes one subdomain data per type)
    data = [(r, cells[region == r].astype(np.int32)) for r in ids]
    return ufl.Form(
        [
            i.reconstruct(subdomain_data=data) if i.integral_type() == "cell" else i
            for i in integrals
        ]
    )


def flux_residual(form: ufl.Form, domain: Domain, block: Block, tags: Sequence[int]) -> ufl.Form:
    """The residual of ``block`` that is exact at the DOFs of its boundaries ``tags``.

    The cell integrals over the cells of those DOFs only (:func:`boundary_dof_cells`,
    :func:`on_cells`); the full ``form`` when its cell integrals cannot be restricted.
    Without tags no DOF is summed: no cell is kept. Collective.
    """
    if block.space.dofmap.index_map_bs != 1:
        return form
    restricted = on_cells(form, domain, boundary_dof_cells(domain, block, tags))
    return form if restricted is None else restricted


__all__ = ["boundary_dof_cells", "flux_residual", "on_cells"]
