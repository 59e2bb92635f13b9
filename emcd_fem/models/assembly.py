"""Form building of the composed species-transport model (``models.transport``).

From the model's terms (``emcd_fem.physics.terms``) on its blocks (``models.blocks``):
one residual F_b per block (:func:`residuals`), its Jacobian (:func:`jacobian`), and the
three solve set-ups the model uses: the assembled-once linear problem (:func:`build_linear`,
also Newton's start; its fluxes and production: :func:`measured_forms`), the Newton problem
with a temperature (:func:`build_nonlinear`) and the monolithic Newton on (x_A, T)
(:func:`build_monolithic`). The functions take every
input explicitly through :class:`FormInputs`; they build PETSc objects but solve nothing.
"""

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mpi4py import MPI

import dolfinx.fem.petsc
import ufl
from dolfinx import fem
from dolfinx.fem.forms import derivative_block

from emcd_fem.compile_guard import compiled_forms
from emcd_fem.errors import EmcdInputError
from emcd_fem.interrupts import deferred_call
from emcd_fem.materials import MaterialFields
from emcd_fem.mesh.domain import Domain
from emcd_fem.mesh.quadrature import pin_quadrature, tested_residual
from emcd_fem.models.blocks import Block
from emcd_fem.models.residual_cells import flux_residual
from emcd_fem.models.thermal import HeatConductionProblem
from emcd_fem.physics.conditions import BoundaryCondition, ZeroFlux
from emcd_fem.physics.reaction import interface_sink_term
from emcd_fem.physics.terms import (
    boundary_term,
    film_flux,
    flux_term,
    potential_fluxes,
    source_term,
)
from emcd_fem.solvers import linear as solver_mod
from emcd_fem.solvers.dirichlet_rows import ScaledDirichletRows
from emcd_fem.solvers.linear import DIRECT_OPTIONS
from emcd_fem.solvers.nonlinear import split_fields

_ids = itertools.count()


@dataclass(frozen=True)
class FormInputs:
    """Everything the residual of the composed model is built from.

    Attributes:
        domain: The domain.
        blocks: The blocks of regions joined without a film.
        block_of: Region → index of its block.
        potentials: One potential Function μ per block (x_A = H μ).
        fields: The DG0 material fields (c, D, H).
        transport: T-dependent transport fields (``physics.soret.transport_fields``) or
            None (isothermal).
        source: R_A [mol/(m^3 s)] as a UFL expression, or None when it is zero (no
            integral of it is built).
        film_data: (a, b) → (dS subdomain id, k_ab H_a as a Constant).
        dS: The film interior-facet measure (None without films).
        conditions: Boundary → condition (the user's order).
        block_of_boundary: Boundary → index of the block it lies in.
        constants: Boundary → the condition's bound constants.
        entity_maps: The blocks' submesh maps (None with one block on the whole mesh).
        reactions: The reactions (``models.reacting.ReactionTerms``) or None.
        interface_ids: Reacting interface → its subdomain id in ``dS``.
    """

    domain: Domain
    blocks: list[Block]
    block_of: dict[str, int]
    potentials: list[fem.Function]
    fields: MaterialFields
    transport: Any
    source: ufl.core.expr.Expr
    film_data: dict[tuple[str, str], tuple[int, fem.Constant]]
    dS: ufl.Measure | None
    conditions: dict[str, BoundaryCondition]
    block_of_boundary: dict[str, int]
    constants: dict[str, Any]
    entity_maps: list | None
    reactions: Any = None
    interface_ids: Mapping[str, int] = field(default_factory=dict)


def residuals(inputs: FormInputs, temperature: Any, tests: list | None = None) -> list[ufl.Form]:
    """One residual F_b per block: flux, source, reaction, film and boundary terms.

    Args:
        inputs: The model's data.
        temperature: None (isothermal) or T [K] as UFL.
        tests: Test functions per block (default: one ``TestFunction`` per block space).
    """
    domain, us = inputs.domain, inputs.potentials
    ws = tests if tests is not None else [ufl.TestFunction(b.space) for b in inputs.blocks]
    F: list = [0] * len(inputs.blocks)
    for region, tag in sorted(domain.regions.items()):
        i = inputs.block_of[region]
        fick, thermal = potential_fluxes(us[i], inputs.fields, temperature, inputs.transport)
        law = {} if thermal is None else inputs.transport.law_quadrature(us[i], temperature)
        if law:  # α_T(T, x_A): the thermal part on its own quadrature rule
            F[i] += flux_term(fick, ws[i], domain.dx(tag))
            F[i] += flux_term(thermal, ws[i], domain.dx(tag, metadata=law))
        else:
            flux = fick if thermal is None else fick + thermal
            F[i] += flux_term(flux, ws[i], domain.dx(tag))
        if inputs.source is not None:
            F[i] += source_term(inputs.source, ws[i], domain.dx(tag))
        rate = (
            None
            if inputs.reactions is None
            else inputs.reactions.production(region, inputs.fields.partition * us[i], inputs.fields)
        )
        if rate is not None:  # homogeneous reactions: R_A(x_A)
            F[i] += source_term(rate, ws[i], domain.dx(tag))
    for (a, b), (j, k) in inputs.film_data.items():
        A, B = inputs.block_of[a], inputs.block_of[b]
        q = film_flux(k, us[A]("+"), us[B]("-"))
        F[A] += q * ws[A]("+") * inputs.dS(j)
        F[B] += -q * ws[B]("-") * inputs.dS(j)
    for n, bc in inputs.conditions.items():
        i = inputs.block_of_boundary[n]
        x = inputs.fields.partition * us[i]
        ds = domain.ds(domain.boundaries[n])
        term = boundary_term(bc, x, ws[i], ds, inputs.constants[n])
        if term is not None:
            F[i] += term
    for n in inputs.reactions.walls() if inputs.reactions is not None else ():
        i = inputs.block_of[inputs.reactions.wall_region(n)]  # reacting wall: ∫ N_A·n w ds
        q = inputs.reactions.wall_flux(n, inputs.fields.partition * us[i], inputs.fields)
        F[i] += q * ws[i] * domain.ds(domain.boundaries[n])
    for n, j in sorted(inputs.interface_ids.items()):  # reacting interface: ∫ q w('+') dS
        i = inputs.block_of[inputs.reactions.interfaces[n].plus]
        q = inputs.reactions.interface_flux(n, inputs.fields.partition * us[i], inputs.fields)
        F[i] += interface_sink_term(q, ws[i]("+"), inputs.dS(j))
    return [pin_quadrature(f) for f in F]


def jacobian(
    F: list[ufl.Form], potentials: list[fem.Function], trials: list
) -> list[list[ufl.Form | None]]:
    """∂F_i/∂μ_j in the directions ``trials`` (None for an empty block)."""
    J = []
    for Fi in F:
        row = []
        for u, du in zip(potentials, trials, strict=True):
            d = ufl.algorithms.expand_derivatives(ufl.derivative(Fi, u, du))
            row.append(None if d.empty() else pin_quadrature(d))
        J.append(row)
    return J


def build_linear(
    inputs: FormInputs,
    bcs: list[fem.DirichletBC],
    user_options: Mapping[str, Any],
    *,
    singular: bool = False,
) -> dict:
    """The assembled-once linear path: a(μ, w) = L(w) with a = ∂F/∂μ, L = −F(0; w).

    One block: the defaults and robust fallback of ``emcd_fem.solvers.linear`` (LU for
    small systems, CG + GAMG otherwise); several blocks: the block system with MUMPS LU
    (films). ``singular`` (flux-only, one block): CG + GAMG with the constant null space.

    Returns:
        ``{"linear": problem}`` (the forms measured after the solve: :func:`measured_forms`).
    """
    domain, us, maps = inputs.domain, inputs.potentials, inputs.entity_maps
    spaces = [b.space for b in inputs.blocks]
    if len(spaces) == 1:
        trials, tests = [ufl.TrialFunction(spaces[0])], [ufl.TestFunction(spaces[0])]
    else:
        W = ufl.MixedFunctionSpace(*spaces)
        trials, tests = list(ufl.TrialFunctions(W)), list(ufl.TestFunctions(W))
    F = residuals(inputs, None, tests)
    a = jacobian(F, us, trials)
    zero = fem.Constant(domain.mesh, 0.0)
    L: list = []
    for Fi, w, block in zip(F, tests, inputs.blocks, strict=True):
        at_zero = ufl.replace(Fi, {u: ufl.as_ufl(0.0) for u in us})
        if len(spaces) == 1:  # L = 0 without sources or flux data: no integral at all
            L.append(ufl.ZeroBaseForm((w,)) if at_zero.empty() else pin_quadrature(-at_zero))
            continue
        # every row integrates over its own block's cells (a submesh test function has
        # no values elsewhere)
        dx0 = domain.dx(domain.regions[block.regions[0]])
        L.append(pin_quadrature(-at_zero + zero * w * dx0))
    prefix = f"emcd_model_{next(_ids)}_"
    if len(spaces) == 1:
        n_dofs = spaces[0].dofmap.index_map.size_global
        options = solver_mod.merge_petsc_options(n_dofs, user_options, singular=singular)
        problem = solver_mod.linear_problem(
            a[0][0], L[0], us[0], bcs, prefix=prefix, petsc_options=options
        )
        if singular:
            solver_mod.attach_constant_null_space(problem)
    else:
        user = dict(user_options)  # a user's method replaces the default one whole
        options = {} if "ksp_type" in user or "pc_type" in user else dict(DIRECT_OPTIONS)
        options.update(user)
        problem = deferred_call(
            dolfinx.fem.petsc.LinearProblem,
            a,
            L,
            bcs=bcs,
            u=us,
            kind="mpi",
            entity_maps=maps,
            petsc_options_prefix=prefix,
            petsc_options=options,
        )
    return {"linear": problem}


def measured_forms(inputs: FormInputs) -> dict:
    """The isothermal residuals and the forms measured from them (no PETSc solver).

    Returns:
        ``{"residuals": compiled F per block, exact at the DOFs of the block's
        mole-fraction boundaries only (its cell terms on the cells of those DOFs:
        ``models.residual_cells``), "data_flux_forms": boundary → compiled flux
        of a flux-data boundary (the solve's own boundary term, else the condition's own
        flux), "production_form": ∫R_A dx from the solve's own cell terms (tested with 1,
        so the balance closes with the solve's quadrature; reactions excluded; None
        without a source term)}``.
    """
    domain, us, maps = inputs.domain, inputs.potentials, inputs.entity_maps
    F = residuals(inputs, None)
    ones = []
    for block in inputs.blocks:  # Σ_i φ_i = 1: a residual tested with it is an integral
        ones.append(fem.Function(block.space))
        ones[-1].x.array[:] = 1.0
    data_flux_forms = {}
    for n, bc in inputs.conditions.items():
        if bc.is_dirichlet or isinstance(bc, ZeroFlux):
            continue
        i = inputs.block_of_boundary[n]
        tag = domain.boundaries[n]
        flux = tested_residual(None, -F[i], "exterior_facet", tag, us[i], ones[i])
        if flux is None:  # no boundary term: the condition's own (zero) flux
            x = inputs.fields.partition * us[i]
            flux = bc.outward_flux(x, inputs.constants[n]) * domain.ds(tag)
        data_flux_forms[n] = fem.form(flux, entity_maps=maps)
    # reactions are not sources: R_A(0) would count k_b; ReactionTerms.report measures them
    plain = replace(inputs, reactions=None, interface_ids={})
    sourced = F if inputs.reactions is None else residuals(plain, None)
    production = []
    for Fi, u, one, block in zip(sourced, us, ones, inputs.blocks, strict=True):
        at_zero = ufl.replace(Fi, {v: ufl.as_ufl(0.0) for v in us})  # the source terms only
        for region in block.regions:
            part = tested_residual(None, at_zero, "cell", domain.regions[region], u, one)
            if part is not None:  # −(−∫R w dx) at w = 1
                production.append(part)
    compiled = []
    for i, (Fi, block) in enumerate(zip(F, inputs.blocks, strict=True)):
        tags = [  # its mole-fraction boundaries: the only DOFs its fluxes sum F over
            domain.boundaries[n]
            for n, bc in inputs.conditions.items()
            if bc.is_dirichlet and inputs.block_of_boundary[n] == i
        ]
        compiled.append(fem.form(flux_residual(Fi, domain, block, tags), entity_maps=maps))
    return {
        "residuals": compiled,
        "data_flux_forms": data_flux_forms,
        "production_form": (  # None: no source term, nothing to integrate
            fem.form(sum(production[1:], production[0]), entity_maps=maps) if production else None
        ),
    }


def build_nonlinear(
    inputs: FormInputs, bcs: list[fem.DirichletBC], temperature: Any, options: dict
) -> dict:
    """Newton (SNES) on the residuals with a temperature.

    Returns:
        ``{"problem": NonlinearProblem, "residuals": compiled F, "F": the UFL residuals}``.
    """
    F = residuals(inputs, temperature)
    us, maps = inputs.potentials, inputs.entity_maps
    J = jacobian(F, us, [ufl.TrialFunction(u.function_space) for u in us])
    single = len(us) == 1
    # compiled first, where a signal may end the run (emcd_fem.compile_guard); the
    # problem's own set-up, a critical section, then takes the compiled forms
    comm = inputs.domain.mesh.comm
    compiled, J = compiled_forms([F, J], comm, entity_maps=maps)
    problem = deferred_call(
        dolfinx.fem.petsc.NonlinearProblem,
        compiled[0] if single else compiled,
        us[0] if single else us,
        bcs=bcs,
        J=J[0][0] if single else J,
        kind=None if single else "mpi",
        entity_maps=maps,
        petsc_options_prefix=f"emcd_model_{next(_ids)}_",
        petsc_options=options,
    )
    problem.solver.setConvergenceHistory()
    rows = ScaledDirichletRows(problem, bcs)  # Dirichlet rows at the Jacobian's scale
    return {"problem": problem, "residuals": compiled, "F": F, "rows": rows}


def build_monolithic(
    domain: Domain,
    n_blocks: int,
    species_residual: ufl.Form,
    potential: fem.Function,
    heat: HeatConductionProblem,
    bcs: list[fem.DirichletBC],
    conductance: float,
    options: dict,
) -> dict:
    """One Newton on (x_A, T) for a film-free problem (as ``SoretProblem``).

    Args:
        domain: The domain.
        n_blocks: Number of blocks (must be 1).
        species_residual: The species residual with T (``build_nonlinear(...)["F"][0]``).
        potential: The species potential.
        heat: The heat problem (its temperature is the second unknown).
        bcs: The species Dirichlet conditions.
        conductance: max c D [mol/(m s)]: the scale of the species residual.
        options: SNES/KSP options (``solvers.nonlinear.newton_petsc_options(..., split=True)``).

    Raises:
        EmcdInputError: several blocks (films).
    """
    if n_blocks > 1:
        raise EmcdInputError(
            "coupling = 'monolithic' is available for film-free problems only (the block "
            "system of the films plus T is not assembled); use coupling = 'staggered': T "
            "does not depend on x_A, so it converges in two passes"
        )
    msh, T = domain.mesh, heat.temperature
    # scale the heat residual to the species one (c D ΔT/T vs k ΔT): Newton steps are
    # unchanged, but the line search and the stopping test weigh both equations
    a_T, L_T = heat.forms
    k_max = msh.comm.allreduce(float(heat.conductivity.x.array.max(initial=0.0)), op=MPI.MAX)
    scale = fem.Constant(msh, conductance / (k_max * heat.initial_guess()))
    F_T = scale * (ufl.action(a_T, T) - L_T)
    F = [species_residual, F_T]
    # the Jacobian NonlinearProblem would build, compiled where a signal may end the run
    # (emcd_fem.compile_guard)
    F, J = compiled_forms([F, derivative_block(F, [potential, T])], msh.comm)
    problem = deferred_call(
        dolfinx.fem.petsc.NonlinearProblem,
        F,
        [potential, T],
        J=J,
        bcs=[*bcs, *heat.bcs],
        kind="mpi",
        petsc_options_prefix=f"emcd_model_{next(_ids)}_",
        petsc_options=options,
    )
    problem.solver.setConvergenceHistory()
    rows = ScaledDirichletRows(problem, [*bcs, *heat.bcs])  # per field: x_A's and T's scale
    sizes = [u.function_space.dofmap.index_map.size_local for u in (potential, T)]
    split_fields(
        problem.solver, problem.A, sizes, options
    )  # a fieldsplit PC (the default at scale)
    return {"problem": problem, "rows": rows}


__all__ = [
    "FormInputs",
    "build_linear",
    "build_monolithic",
    "build_nonlinear",
    "jacobian",
    "measured_forms",
    "residuals",
]
