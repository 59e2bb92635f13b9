"""Post-solve quantities of the composed species-transport model (``models.transport``).

Boundary fluxes in the reaction (residual) form on mole-fraction boundaries and from the
solve's own boundary term elsewhere (:func:`boundary_fluxes`), the molar flow through each
film (:func:`film_fluxes`) and the Fickian/thermal split of each boundary flux
(:func:`flux_split`), and the judged state of a solved model (:func:`judged_state`: x_A,
thermal diagnostics, range check). All are collective on the mesh communicator and return the same
numbers on every rank.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from mpi4py import MPI

import ufl
from dolfinx import fem, la

from emcd_fem.materials.partition import regions_on_boundary
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.blocks import Block, boundary_dofs
from emcd_fem.models.thermal_support import cell_peclet, thermal_diagnostics
from emcd_fem.physics.conditions import BoundaryCondition
from emcd_fem.physics.terms import film_flux
from emcd_fem.post import admissibility
from emcd_fem.post.fields import interpolate_expression
from emcd_fem.post.integrals import integrate, owned_range


def boundary_fluxes(
    domain: Domain,
    blocks: list[Block],
    conditions: Mapping[str, BoundaryCondition],
    block_of_boundary: Mapping[str, int],
    residuals: list[fem.Form],
    data_flux_forms: Mapping[str, fem.Form],
) -> dict[str, float]:
    """Outward molar flow q_Γ [mol/s] (per unit depth in 2D) through every boundary.

    Mole-fraction boundaries: −(sum of the assembled residual over the boundary dofs);
    flux-data boundaries: the compiled ``data_flux_forms``; zero-flux and unnamed
    boundaries: 0. Keys in the order of ``conditions``, then the unnamed boundaries.

    Args:
        domain: The domain.
        blocks: The model's blocks.
        conditions: Boundary → condition (the user's order).
        block_of_boundary: Boundary → index of its block.
        residuals: Compiled residual per block at the current potentials.
        data_flux_forms: Boundary → compiled flux of a flux-data boundary.
    """
    fluxes: dict[str, float] = {}
    for i, block in enumerate(blocks):
        names = [
            (n, domain.boundaries[n])
            for n, bc in conditions.items()
            if bc.is_dirichlet and block_of_boundary[n] == i
        ]
        if not names:
            continue
        vector = fem.assemble_vector(residuals[i])
        vector.scatter_reverse(la.InsertMode.add)
        for n, dofs in boundary_dofs(block, names).items():
            fluxes[n] = domain.comm.allreduce(-float(vector.array[dofs].sum()), op=MPI.SUM)
    result = {}
    for n in conditions:  # the user's order
        if n in fluxes:
            result[n] = fluxes[n]
        elif n in data_flux_forms:
            result[n] = integrate(data_flux_forms[n])
        else:  # zero flux
            result[n] = 0.0
    for name in domain.boundaries:  # unnamed boundaries are impermeable
        result.setdefault(name, 0.0)
    return result


def film_fluxes(
    film_data: Mapping[tuple[str, str], tuple[int, fem.Constant]],
    block_of: Mapping[str, int],
    potentials: list[fem.Function],
    dS: ufl.Measure | None,
    entity_maps: list | None,
) -> dict[tuple[str, str], float]:
    """(a, b) → molar flow from a to b through the film [mol/s], ∫ k_ab H_a (μ_a − μ_b) dS."""
    film = {}
    for (a, b), (j, k) in film_data.items():
        A, B = block_of[a], block_of[b]
        q = film_flux(k, potentials[A]("+"), potentials[B]("-"))
        film[(a, b)] = integrate(fem.form(q * dS(j), entity_maps=entity_maps))
    return film


def flux_split(
    domain: Domain, fick: ufl.core.expr.Expr, thermal: Any, metadata: dict | None = None
) -> dict[str, dict[str, float]]:
    """Boundary → {"fickian", "thermal"} outward flows [mol/s]; empty without a thermal part.

    ``metadata``: of the thermal part's measure (``TransportFields.law_quadrature``).
    """
    split: dict[str, dict[str, float]] = {}
    if thermal is None:
        return split
    n = ufl.FacetNormal(domain.mesh)
    for name, tag in domain.boundaries.items():
        split[name] = {
            "fickian": integrate(fem.form(ufl.dot(fick, n) * domain.ds(tag))),
            "thermal": integrate(
                fem.form(ufl.dot(thermal, n) * domain.ds(tag, metadata=metadata or {}))
            ),
        }
    return split


def judge_range(
    domain: Domain,
    x_min: float,
    x_max: float,
    *,
    degree: int,
    conditions: Mapping[str, BoundaryCondition],
    solubility: Mapping[str, float],
    dirichlet_ranges: Mapping[str, tuple[float, float]],
    production: float,
    potential_range: tuple[float, float],
    model: str = "",
    advice: str = "",
    maximum_principle: bool = True,
    inventory: float | None = None,
) -> list[str]:
    """``post.admissibility.check_range`` with a species-transport model's data (collective).

    Args:
        domain: The domain.
        x_min: Smallest nodal x_A (over all ranks).
        x_max: Largest nodal x_A.
        degree: Lagrange degree of the potentials.
        conditions: Boundary → condition.
        solubility: Region → H [-].
        dirichlet_ranges: Mole-fraction boundary → (min, max) of its data.
        production: ∫R_A dx [mol/s].
        potential_range: Range of the potentials μ.
        model: What else shapes x_A (named among the responsible data).
        advice: Extra advice for the refusal.
        maximum_principle: False when x_A may leave the data range (thermal diffusion).
        inventory: The prescribed mean x_A of a flux-only problem (``models.inventory``).

    Returns:
        Warnings. Raises AdmissibilityError or EmcdResultError (see there).
    """
    return admissibility.check_range(
        x_min,
        x_max,
        msh=domain,  # h from the domain's cached cell statistics
        degree=degree,
        conditions=conditions,
        boundary_solubility=(
            dict.fromkeys(conditions, next(iter(solubility.values())))
            if len(set(solubility.values())) == 1  # one H: no need to find the regions
            else {n: solubility[regions_on_boundary(domain, n)[0]] for n in conditions}
        ),
        region_solubility=solubility,
        dirichlet_ranges=dirichlet_ranges,
        production=production,
        inventory=inventory,
        potential_range=potential_range,
        model=model,
        advice=advice,
        maximum_principle=maximum_principle,
    )


def range_check(
    domain: Domain,
    mole_fraction: fem.Function,
    potentials: list[fem.Function],
    *,
    conditions: Mapping[str, BoundaryCondition],
    solubility: Mapping[str, float],
    dirichlet_ranges: Mapping[str, tuple[float, float]],
    production: float,
    films: bool,
    thermal: bool,
    peclet: float,
    inventory: float | None = None,
    judge: bool = True,
    reactions: bool = False,
    reaction_labels: Sequence[str] = (),
) -> tuple[float, float, list[str]]:
    """x_A within [0, 1] (:func:`judge_range`) after a solve of the composed model.

    Args:
        domain: The domain.
        mole_fraction: x_A on the whole mesh.
        potentials: The block potentials (their range bounds the discrete solution).
        conditions: Boundary → condition.
        solubility: Region → H [-].
        dirichlet_ranges: Mole-fraction boundary → (min, max) of its data.
        production: ∫R_A dx [mol/s].
        films: Whether the model has film resistances (named in messages).
        thermal: Whether the flux has a thermal part (no maximum principle then).
        peclet: The cell Péclet number of the thermal drift (advice when > 1).
        inventory: The prescribed mean x_A of a flux-only problem (``models.inventory``).
        judge: False: only the range, no check (an intermediate solve).
        reactions: Whether reactions (homogeneous, wall or interface) shape x_A: they pull
            it towards their equilibrium compositions, so no maximum principle then.
        reaction_labels: The reactions' labels in the case's order (named in messages as
            ``reactions[i]``).

    Returns:
        (x_min, x_max, warnings).

    Raises:
        AdmissibilityError: flux data drove x_A out of [0, 1].
        EmcdResultError: x_A out of [0, 1] by more than the discretisation explains.
    """
    x_min, x_max = owned_range(mole_fraction)
    if not judge:
        return x_min, x_max, []
    ranges = [owned_range(p) for p in potentials]
    what = []
    if films:
        what.append("the film resistances (interfaces.film)")
    if thermal:
        what.append("the thermal diffusion (S_T, temperature gradient)")
    if reactions:
        named = ", ".join(f"reactions[{i}] {r!r}" for i, r in enumerate(reaction_labels))
        what.append(
            f"the reactions ({named + ': ' if named else ''}their equilibrium compositions)"
        )
    warnings = judge_range(
        domain,
        x_min,
        x_max,
        degree=potentials[0].function_space.element.basix_element.degree,
        conditions=conditions,
        solubility=solubility,
        dirichlet_ranges=dirichlet_ranges,
        production=production,
        potential_range=(min(r[0] for r in ranges), max(r[1] for r in ranges)),
        model=" and ".join(what),
        advice=f"the cell Péclet number of the thermal drift is {peclet:.3g} > 1: refine "
        "where T is steep"
        if peclet > 1
        else "",
        maximum_principle=not (thermal or reactions),
        inventory=inventory,
    )
    return x_min, x_max, list(warnings)


def judged_state(
    model: Any, mu: fem.Function, production: float, *, judge: bool = True
) -> dict[str, Any]:
    """x_A, the flux split, the thermal diagnostics and the range check of a solved model.

    Args:
        model: The solved ``models.transport.SpeciesTransportModel`` (its public data).
        mu: The potential on the whole mesh (``blocks.whole_mesh_field``).
        production: ∫R_A dx [mol/s; mol/(m s) in 2D; mol/(m^2 s) in 1D], reactions included.
        judge: False: only the range, no check (an intermediate solve).

    Returns:
        The ``TransportSolution`` fields ``mole_fraction``, ``flux_split``,
        ``thermal_fraction``, ``alpha_t``, ``cell_peclet``, ``x_min``, ``x_max`` and
        ``warnings`` (the thermal notes, then the range warnings). Collective.
    """
    domain = model.domain
    plain = len(model.blocks) == 1 and all(h == 1.0 for h in model.solubility.values())
    if plain:  # x_A = μ: a copy, no expression to compile
        x = fem.Function(mu.function_space, name="mole_fraction_A")
        x.x.array[:] = mu.x.array
    else:
        x = interpolate_expression(
            model.fields.partition * mu, mu.function_space, "mole_fraction_A"
        )
    fick, thermal = model.fluxes(mu)
    law = {} if thermal is None else model.transport.law_quadrature(x, model.temperature)
    split = flux_split(domain, fick, thermal, law)
    fraction, alpha, peclet, notes = None, None, 0.0, ()
    if thermal is not None:
        fraction, alpha, notes = thermal_diagnostics(
            domain, model.transport, x, model.temperature, fick, thermal
        )
        peclet = cell_peclet(domain, model.transport, model.temperature, x)
    x_min, x_max, warnings = range_check(  # nodal x_A: μ itself when x_A = μ
        domain,
        model.potentials[0] if plain else x,
        model.potentials,
        conditions=model.conditions,
        solubility=model.solubility,
        dirichlet_ranges=model.dirichlet_ranges,
        production=production,
        films=bool(model.films),
        thermal=thermal is not None,
        peclet=peclet,
        inventory=model.inventory.value if model.inventory is not None else None,
        judge=judge,
        reactions=model.reactions is not None,
        reaction_labels=[r.label for r in model.reactions.reactions] if model.reactions else (),
    )
    return {
        "mole_fraction": x,
        "flux_split": split,
        "thermal_fraction": fraction,
        "alpha_t": alpha,
        "cell_peclet": peclet,
        "x_min": x_min,
        "x_max": x_max,
        "warnings": tuple(notes) + tuple(warnings),
    }


__all__ = [
    "boundary_fluxes",
    "film_fluxes",
    "flux_split",
    "judge_range",
    "judged_state",
    "range_check",
]
