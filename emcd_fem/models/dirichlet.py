"""Mole-fraction (Dirichlet) conditions on the potential μ = x_A / H of a block or mesh.

Used by the composed species-transport model (``models.transport``) for each block: the
prescribed x_A becomes μ_D = x_A / H with the solubility H of the boundary's region, and the
data range of every condition is returned for the range check.
"""

from collections.abc import Mapping, Sequence

from mpi4py import MPI

import numpy as np
from dolfinx import fem
from dolfinx import mesh as dmesh

from emcd_fem.errors import AdmissibilityError, EmcdInputError
from emcd_fem.materials.partition import boundary_solubility
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.blocks import Block
from emcd_fem.physics.conditions import BoundaryCondition


def dirichlet_conditions(
    domain: Domain,
    V: fem.FunctionSpace,
    names: list[str],
    constants: Mapping[str, dict],
    solubility: Mapping[str, float] | None,
    facet_tags: dmesh.MeshTags | None = None,
) -> tuple[list[fem.DirichletBC], dict[str, tuple[float, float]]]:
    """Dirichlet conditions on the potential μ = x_A / H for the given boundaries.

    Args:
        domain: The domain.
        V: The potential's space (on the domain's mesh or on a block's submesh).
        names: Mole-fraction boundaries.
        constants: Boundary → the condition's bound values (``BoundaryCondition.bind``).
        solubility: Region → H (None: every H = 1).
        facet_tags: The facet tags on V's mesh (default: the domain's).

    Returns:
        The conditions and boundary → (min, max) of the prescribed x_A [-].

    Raises:
        AdmissibilityError: function data outside [0, 1].
    """
    msh = domain.mesh
    fdim = msh.topology.dim - 1
    tags = facet_tags if facet_tags is not None else domain.facet_tags
    bcs, ranges = [], {}
    for n in names:
        dofs = fem.locate_dofs_topological(V, fdim, tags.find(domain.boundaries[n]))
        h = boundary_solubility(domain, n, solubility) if solubility else 1.0
        value = constants[n]["value"]
        if isinstance(value, fem.Function):
            lo, hi = global_range(msh.comm, value.x.array[dofs])
            if lo < 0.0 or hi > 1.0:
                raise AdmissibilityError(
                    f"boundary {n!r}: the prescribed mole fraction ranges over "
                    f"[{lo:.6g}, {hi:.6g}], outside [0, 1]; fix the function given as value"
                )
            if h != 1.0:
                value.x.array[:] /= h
            bcs.append(fem.dirichletbc(value, dofs))
        elif isinstance(value, fem.Constant):
            lo = hi = float(value.value)
            if h != 1.0:
                value = fem.Constant(msh, lo / h)
                constants[n]["potential"] = value
            bcs.append(fem.dirichletbc(value, dofs, V))
        else:
            raise EmcdInputError(
                f"boundary {n!r}: a mole_fraction value must be a number or a callable f(x)"
            )
        ranges[n] = (lo, hi)
    return bcs, ranges


def block_dirichlet_conditions(
    domain: Domain,
    blocks: Sequence[Block],
    conditions: Mapping[str, BoundaryCondition],
    block_of_boundary: Mapping[str, int],
    constants: Mapping[str, dict],
    solubility: Mapping[str, float],
) -> tuple[list[fem.DirichletBC], dict[str, tuple[float, float]]]:
    """:func:`dirichlet_conditions` on each block's potential (μ = x_A / H).

    Args:
        domain: The domain.
        blocks: The model's blocks (``models.blocks``).
        conditions: Boundary → condition.
        block_of_boundary: Boundary → index of the block it lies in.
        constants: Boundary → the condition's bound values.
        solubility: Region → H [-].

    Returns:
        Every block's conditions and boundary → (min, max) of the prescribed x_A [-].
    """
    bcs, ranges = [], {}
    for i, block in enumerate(blocks):
        names = [n for n, bc in conditions.items() if bc.is_dirichlet and block_of_boundary[n] == i]
        block_bcs, block_ranges = dirichlet_conditions(
            domain, block.space, names, constants, solubility, facet_tags=block.facet_tags
        )
        bcs += block_bcs
        ranges |= block_ranges
    return bcs, ranges


def global_range(comm: MPI.Comm, values: np.ndarray) -> tuple[float, float]:
    """(min, max) of distributed values over every rank (collective; ±inf when empty)."""
    lo = float(values.min()) if values.size else np.inf
    hi = float(values.max()) if values.size else -np.inf
    return comm.allreduce(lo, op=MPI.MIN), comm.allreduce(hi, op=MPI.MAX)


__all__ = ["block_dirichlet_conditions", "dirichlet_conditions", "global_range"]
