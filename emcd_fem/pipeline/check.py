"""``emcd check``: the admissibility of a validated case, without solving.

:func:`check_case` refuses flux-only data that do not balance (slab faces), inadmissible
1D data (a layered slab or shells with a closed form) and bad temperature expressions,
and says whether the run will have 0 <= x_A <= 1 proven or judged after the solve.
Called by :func:`emcd_fem.pipeline.run.run_case` before meshing and by ``emcd check``.
"""

from collections.abc import Mapping
from typing import Any

from emcd_fem import analytic
from emcd_fem.case import Case, CaseError, CylinderShells, LayeredSlab, SphereShells, mesh_budget
from emcd_fem.case.check_geometry import partition_boundary_problems, series_contacts
from emcd_fem.errors import AdmissibilityError
from emcd_fem.physics.conditions import BoundaryCondition, MolarFlux
from emcd_fem.pipeline.setup import (
    analytic_reference,
    build_boundary_conditions,
    resolve_material,
)
from emcd_fem.post import admissibility


def check_case(case: Case) -> dict[str, Any]:
    """Admissibility of a validated case without solving.

    Checks the flux balance of flux-only cases (boundary measures of the slab faces) and,
    when the case is a 1D-exact layered slab, the analytic bounds (0 <= x_A <= 1).

    Returns:
        A short report (``analytic_flux`` when a 1D reference exists).

    Raises:
        AdmissibilityError: naming the data responsible.
    """
    from emcd_fem.case import temperature_expression_problems

    for key, message in temperature_expression_problems(case):
        raise AdmissibilityError(f"{key}: {message}")
    if case.multicomponent is not None:
        return _multicomponent_report(case)
    resolved = {n: resolve_material(case, n) for n in case.materials}  # regime guard first
    g = case.geometry
    if isinstance(g, LayeredSlab | CylinderShells | SphereShells):  # as the run refuses it
        touching, adjacent = series_contacts(g)
        problems = partition_boundary_problems(case, g.region_names(), touching, adjacent)
        if problems:
            raise CaseError(problems, "case against its geometry")
    conditions = build_boundary_conditions(case)
    flux_only = admissibility.flux_only(conditions)
    g = case.geometry
    # in time a closed (flux-only) run needs no balance: its inventory changes with it;
    # reactions (first order, case.check_reactions) consume what the data feed
    if flux_only and case.time is None and isinstance(g, LayeredSlab) and not case.reactions:
        outflow = {
            name: bc.value * g.boundary_measure(name)
            for name, bc in conditions.items()
            if isinstance(bc, MolarFlux)
        }
        try:
            admissibility.check_flux_balance(outflow, case.physics.source * g.volume())
        except AdmissibilityError as exc:
            raise AdmissibilityError(f"boundaries: {exc}") from None
    try:
        closed = flux_only and case.time is not None  # no steady state to refer to
        reference = analytic_reference(case) if case.thermal is None and not closed else None
    except AdmissibilityError as exc:
        named = ", ".join(
            f"boundaries.{n}" for n in ("left", "right", "inner", "outer") if n in case.boundaries
        )
        raise AdmissibilityError(f"{named}: {exc}") from None
    report: dict[str, Any] = {"flux_only": flux_only}
    report["admissibility"] = _admissibility_verdict(case, conditions, reference)
    report["materials"] = {n: r.diagnostics for n, r in resolved.items()}
    warnings = [w for r in resolved.values() for w in r.warnings]
    if (problem := mesh_budget.memory_problem(g, 1, mesh_budget.machine_memory())) is not None:
        warnings.append(f"geometry: {problem} (emcd run refuses it on fewer)")
    if case.thermal is not None:
        from emcd_fem.case.soret_sign import sign_warnings

        warnings += sign_warnings(case)
    if warnings:
        report["warnings"] = warnings
    if case.thermal is not None:
        from emcd_fem.pipeline.thermal_case import soret_reference

        found = soret_reference(case)
        if found is not None:
            report["analytic_flux_per_area"] = found[0].flux
    if isinstance(reference, analytic.SlabSolution):
        report["analytic_flux_per_area"] = reference.flux
    elif reference is not None:
        report["analytic_rate"] = reference.rate
    return report


def _multicomponent_report(case: Case) -> dict[str, Any]:
    """``emcd check`` of a ``[multicomponent]`` case: the mixtures build, the exact film."""
    from emcd_fem.case.multicomponent import build_inputs
    from emcd_fem.case.multicomponent_data import unit_notes
    from emcd_fem.pipeline.multicomponent_run import film_reference

    if case.multicomponent.model == "dusty_gas":
        from emcd_fem.pipeline.dusty_gas_run import dusty_gas_report

        return dusty_gas_report(case)
    inputs = build_inputs(case.multicomponent)  # CaseError with key paths
    report: dict[str, Any] = {
        "flux_only": False,
        "admissibility": "judged after the solve (emcd run): x_i ranges and balances",
        "mixtures": {
            name: {"concentration": mix.concentration, "species": list(mix.species)}
            for name, mix in sorted(inputs.mixtures.items())
        },
    }
    notes = unit_notes(case.multicomponent)
    if notes:
        report["warnings"] = notes
    film = film_reference(case, inputs)
    if film is not None:
        species = case.multicomponent.species
        report["analytic_flux_per_area"] = dict(zip(species, map(float, film.fluxes)))
    return report


def _admissibility_verdict(
    case: Case, conditions: Mapping[str, BoundaryCondition], reference: Any
) -> str:
    """``"proven"`` when the pre-checks settle 0 <= x_A <= 1, else what the run will judge.

    Proven: no flux data and no partition coefficient (maximum principle; with thermal
    diffusion a comparison principle), or a 1D solution checked in full (no films, no
    thermal diffusion).
    """
    pushers = admissibility.flux_data(conditions, case.physics.source)
    partitions = any(spec.partition is not None for spec in case.interfaces)
    films = any(spec.film is not None for spec in case.interfaces)
    if not pushers and not partitions:
        return "proven"
    if reference is not None and not films and case.thermal is None:
        return "proven"
    data = ", ".join(pushers + (["interfaces.partition"] if partitions else []))
    return f"judged after the solve (emcd run): {data} without a 1D solution to check"


__all__ = ["check_case"]
