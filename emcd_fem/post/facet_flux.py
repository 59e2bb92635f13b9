"""Boundary fluxes ∫_Γ N·n ds of a cell-wise constant flux field, without a compiled form.

On straight simplex cells, a flux N that is constant in each cell (P1 mole fraction,
cell-wise constant c, D, H) is held exactly by its DG0 interpolant N_h, and
∫_Γ N·n ds = Σ_f N_K(f)·n_f |f| over the facets f of Γ, K(f) the facet's cell. Every
quantity comes from the corners of the facet and of its cell: no form to compile (on a cold
JIT cache each form costs an FFCx + C-compiler run). :func:`cellwise_constant` says when
an expression qualifies; anything else is integrated by the caller.
"""

from collections.abc import Mapping

from mpi4py import MPI

import numpy as np
import numpy.typing as npt
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from ufl.algorithms import estimate_total_polynomial_degree
from ufl.classes import Conditional, GeometricQuantity
from ufl.corealg.traversal import unique_pre_traversal

from emcd_fem.mesh.domain import Domain
from emcd_fem.mesh.simplices import corners_of, is_straight_simplex


def cellwise_constant(expr: ufl.core.expr.Expr, msh: dmesh.Mesh) -> bool:
    """Whether ``expr`` is certainly constant in each cell of the straight simplex ``msh``.

    Conservative: no geometric quantity (x, normals, cell sizes), no conditional, every
    coefficient on ``msh``, and UFL's estimated polynomial degree 0 (so a P1 field only
    under ``grad``, DG0 fields and constants, nonpolynomial functions of those only).
    The same answer on every rank (it reads the expression and the cell type only).
    """
    if not is_straight_simplex(msh):
        return False
    for node in unique_pre_traversal(expr):
        if isinstance(node, GeometricQuantity | Conditional):
            return False
    if any(d != msh.ufl_domain() for d in ufl.domain.extract_domains(expr)):
        return False
    return estimate_total_polynomial_degree(expr) == 0


def is_cell_vector_field(field: fem.Function, msh: dmesh.Mesh) -> bool:
    """A vector DG0 field (one value of dimension gdim per cell) on ``msh`` itself."""
    V = field.function_space
    element = V.element.basix_element
    return (
        V.mesh is msh
        and element.discontinuous
        and element.degree == 0
        and V.dofmap.index_map_bs == msh.geometry.dim
        and msh.geometry.dim == msh.topology.dim
    )


def cell_field_boundary_fluxes(
    domain: Domain, field: fem.Function, tags: Mapping[str, int]
) -> dict[str, float]:
    """Name → Σ_f N_K·n_f |f| over its owned exterior facets: ∫_Γ N_h·n ds [mol/s].

    Exact (to round-off) for a vector DG0 field on straight simplices, the same value the
    form ∫ N_h·n ds(tag) assembles; per unit depth/area in 2D/1D. Each exterior facet is
    owned by one rank, so every facet counts once. Collective.

    Args:
        domain: The mesh (straight simplices, gdim = tdim) and its facet tags.
        field: The flux N_h, vector DG0 on ``domain.mesh`` (:func:`is_cell_vector_field`).
        tags: Name → facet tag of exterior boundaries.

    Raises:
        ValueError: On every rank alike if the mesh or the field does not qualify.
    """
    msh = domain.mesh
    if not (is_straight_simplex(msh) and is_cell_vector_field(field, msh)):
        raise ValueError(
            "cell_field_boundary_fluxes needs a vector DG0 field on a straight simplex mesh"
        )
    tdim, fdim = msh.topology.dim, msh.topology.dim - 1
    msh.topology.create_connectivity(fdim, tdim)
    f2c = msh.topology.connectivity(fdim, tdim)
    n_owned = msh.topology.index_map(fdim).size_local
    values = field.x.array.reshape(-1, tdim)
    names = sorted(tags)
    local = np.zeros(len(names))
    for i, name in enumerate(names):
        facets = domain.facet_tags.find(tags[name])
        facets = facets[facets < n_owned]
        facets = facets[np.diff(f2c.offsets)[facets] == 1]  # exterior: one cell (as ds)
        cells = f2c.array[f2c.offsets[facets]]
        area = _outward_area_vectors(msh, facets, cells)
        flux = values[field.function_space.dofmap.list[cells, 0]]
        local[i] = np.einsum("ij,ij->i", flux, area[:, :tdim]).sum()
    total = np.zeros_like(local)
    msh.comm.Allreduce(local, total, op=MPI.SUM)
    return {name: float(total[names.index(name)]) for name in tags}


def _outward_area_vectors(
    msh: dmesh.Mesh, facets: npt.NDArray[np.int32], cells: npt.NDArray[np.int32]
) -> npt.NDArray[np.float64]:
    """n_f |f| (n, 3) of each facet, pointing out of its cell (1D: ±e_x)."""
    tdim = msh.topology.dim
    x = msh.geometry.x
    facet = corners_of(x, dmesh.entities_to_geometry(msh, tdim - 1, facets)[:, :tdim])
    # the boundary cells' nodes alone: `geometry.dofmaps` copies the whole dofmap per call
    cell = corners_of(x, dmesh.entities_to_geometry(msh, tdim, cells)[:, : tdim + 1])
    if tdim == 3:
        a, b = facet[1] - facet[0], facet[2] - facet[0]
        area = 0.5 * np.stack(
            (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
        )
    elif tdim == 2:  # the edge turned by −90° in the plane: length |f|
        t = facet[1] - facet[0]
        area = np.stack((t[1], -t[0], np.zeros_like(t[0])))
    else:
        area = np.zeros((3, len(facets)))
        area[0] = 1.0
    outward = facet[0] - cell.mean(axis=0)  # from the cell's centroid to the facet
    sign = np.sign((area * outward).sum(axis=0))
    return (area * sign).T
