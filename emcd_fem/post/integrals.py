"""Post-processing: boundary fluxes, global balance, mole-fraction range.

All reductions over MPI ranks happen inside these helpers.
"""

from collections.abc import Mapping, Sequence

from mpi4py import MPI

import numpy as np
import numpy.typing as npt
import ufl
from dolfinx import fem, la
from dolfinx import mesh as dmesh

from emcd_fem.mesh.domain import Domain


def integrate(form: fem.Form) -> float:
    """Value of a compiled scalar form, summed over all ranks (collective)."""
    comm = form.mesh.comm
    return float(comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM))


def tagged_integrals(
    msh: dmesh.Mesh,
    integrand: ufl.core.expr.Expr | float,
    measure: ufl.Measure,
    tags: Mapping[str, int],
) -> dict[str, float]:
    """Name → ∫ integrand dΓ over its tagged entities, from one compiled form (collective).

    The form Σ_i c_i integrand dΓ_i is compiled once and assembled once per name with c the
    i-th unit vector: one form instead of one per name (each a JIT compile and a
    signature), each assembly visiting that name's entities only.

    Args:
        msh: The mesh of the measure.
        integrand: A scalar UFL expression (restricted for ``dS``) or a number.
        measure: ``dx``, ``ds`` or ``dS`` with the tags as subdomain data.
        tags: Name → subdomain id.
    """
    if not tags:
        return {}
    names = sorted(tags)
    weights = fem.Constant(msh, np.zeros(len(names)))
    compiled = fem.form(sum(weights[i] * integrand * measure(tags[n]) for i, n in enumerate(names)))
    values = {}
    for i, name in enumerate(names):
        weights.value[:] = 0.0
        weights.value[i] = 1.0
        values[name] = integrate(compiled)
    return {name: values[name] for name in tags}


def mesh_size(msh: dmesh.Mesh | Domain) -> tuple[float, float]:
    """Largest cell diameter h and bounding-box diameter d of a mesh [m] (collective).

    A :class:`Domain` of straight simplices takes h, the longest edge, from its cached
    cell statistics and d from its cached extent (no pass over the cells); a mesh, or
    curved or non-simplex cells: DOLFINx's ``Mesh.h`` over the owned cells.
    """
    if isinstance(msh, Domain):
        statistics = msh.cell_statistics  # the same branch on every rank (cell type)
        if statistics is not None:
            return statistics.longest_edge, msh.extent[1]
        msh = msh.mesh
    tdim = msh.topology.dim
    n_cells = msh.topology.index_map(tdim).size_local
    h_local = msh.h(tdim, np.arange(n_cells, dtype=np.int32)).max(initial=0.0)
    h = msh.comm.allreduce(float(h_local), op=MPI.MAX)
    coords = msh.geometry.x[:, : msh.geometry.dim]
    lo, hi = np.empty(msh.geometry.dim), np.empty(msh.geometry.dim)
    msh.comm.Allreduce(coords.min(axis=0, initial=np.inf), lo, op=MPI.MIN)
    msh.comm.Allreduce(coords.max(axis=0, initial=-np.inf), hi, op=MPI.MAX)
    return h, float(np.linalg.norm(hi - lo))


def owned_range(u: fem.Function) -> tuple[float, float]:
    """Global minimum and maximum of the degrees of freedom of ``u`` (collective)."""
    imap = u.function_space.dofmap.index_map
    bs = u.function_space.dofmap.index_map_bs
    owned = u.x.array[: imap.size_local * bs]
    comm = u.function_space.mesh.comm
    local_min = float(owned.min()) if owned.size else np.inf
    local_max = float(owned.max()) if owned.size else -np.inf
    return comm.allreduce(local_min, op=MPI.MIN), comm.allreduce(local_max, op=MPI.MAX)


def partition_boundary_dofs(
    V: fem.FunctionSpace, domain: Domain, names: Sequence[str]
) -> dict[str, npt.NDArray[np.int32]]:
    """Owned DOFs of each named boundary, each DOF given to exactly one boundary.

    A DOF shared by several of the boundaries (a corner, a P2 edge DOF on an edge where
    two faces meet) goes to the first of them in ``names``. Membership is decided on the
    owning rank after gathering every rank's view, so the partition does not depend on
    the number of ranks.

    Args:
        V: Scalar function space.
        domain: The domain with facet tags.
        names: Boundary names, in priority order.

    Returns:
        Boundary name → local indices of owned DOFs.

    Note:
        Collective on the mesh communicator.
    """
    fdim = domain.mesh.topology.dim - 1
    imap = V.dofmap.index_map
    n_owned = imap.size_local
    claimed = np.zeros(n_owned, dtype=bool)
    partition = {}
    for name in names:
        marker = la.vector(imap, 1)
        facets = domain.facet_tags.find(domain.boundaries[name])
        dofs = fem.locate_dofs_topological(V, fdim, facets)
        marker.array[dofs] = 1.0
        marker.scatter_reverse(la.InsertMode.add)
        on_boundary = (marker.array[:n_owned] > 0) & ~claimed
        claimed |= on_boundary
        partition[name] = np.flatnonzero(on_boundary).astype(np.int32)
    return partition


def reaction_fluxes(
    residual: fem.Form, dof_sets: Mapping[str, npt.NDArray[np.int32]]
) -> dict[str, float]:
    """Outward fluxes on Dirichlet boundaries from the discrete residual (reaction form).

    With r(w) = a(x_h, w) − L(w) the assembled residual, the outward flux through
    boundary Γ is q_Γ = −r(w_Γ), w_Γ the finite-element function equal to 1 on Γ's DOFs
    and 0 elsewhere. This is exactly conservative and converges faster than integrating
    −c D ∇x_h·n.

    Args:
        residual: Compiled residual form, linear in the test function.
        dof_sets: Boundary name → owned DOFs (from :func:`partition_boundary_dofs`).

    Returns:
        Boundary name → q_Γ [mol/s in 3D, mol/(m s) in 2D, mol/(m^2 s) in 1D].

    Note:
        Collective on the mesh communicator.
    """
    vector = fem.assemble_vector(residual)
    vector.scatter_reverse(la.InsertMode.add)
    comm = residual.mesh.comm
    names = list(dof_sets)
    local = np.array([-vector.array[dof_sets[n]].sum() for n in names], dtype=np.float64)
    total = np.zeros_like(local)
    comm.Allreduce(local, total, op=MPI.SUM)
    return dict(zip(names, (float(v) for v in total), strict=True))


#: Below this fraction of the natural flux scale the boundary fluxes are round-off: the
#: relative balance is then measured against the floor instead of their (noise) sum.
FLUX_FLOOR: float = 1e-6


def flux_scale(domain: Domain, conductance: float) -> float:
    """Natural flux scale q_ref = (c D)_max V / diam² [mol/s; per unit depth/area in 2D/1D].

    The total flux a unit mole-fraction difference drives across the domain. For a slab
    of length L and cross-section A this is (c D)_max A / L (diam ≈ L when L dominates).
    Collective.

    Args:
        domain: The mesh and its regions.
        conductance: The largest c D of the materials [mol/(m s)].
    """
    volume, diameter = domain.extent  # computed once per domain
    return conductance * volume / diameter**2 if diameter > 0 else 0.0


def relative_imbalance(
    net_outflow: float, production: float, fluxes: Mapping[str, float], scale: float
) -> float:
    """|Σ q_Γ − ∫R| / max(Σ |q_Γ| + |∫R|, FLUX_FLOOR q_ref) [-].

    Relative to the throughput when there is one; when every flux is below
    ``FLUX_FLOOR`` of the natural scale ``scale`` (q_ref, :func:`flux_scale`) — a uniform
    state, all fluxes round-off — against that floor, so round-off zeros give a round-off
    balance instead of 1.
    """
    throughput = sum(abs(v) for v in fluxes.values()) + abs(production)
    denominator = max(throughput, FLUX_FLOOR * scale)
    return abs(net_outflow - production) / denominator if denominator > 0 else 0.0
