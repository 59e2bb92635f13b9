"""``emcd run`` of a ``[multicomponent] model = "dusty_gas"`` case: porous media, pressure free.

:func:`run_dusty_gas` builds :class:`~emcd_fem.models.dusty_gas.DustyGasModel` from the
section (``case.multicomponent.build_inputs`` for the gas of each region,
``case.dusty_gas.build_dusty_gas`` for the rest), solves it and writes through the same
output code as every run. The summary has ``boundary_flux`` (species → boundary → q),
``total_flux``, ``balance`` per species, ``x_range``, ``pressure`` (``range``,
``boundary_mean``, ``difference``: "b - a" → p̄_b − p̄_a for every pair of boundaries),
``viscous_flux`` and ``viscous_share`` per boundary, ``net_production`` (∫ R_T dx),
``equimolar`` (the verdict on Σ_i q_i with its numbers), ``analytic`` (the 1D shooting
reference of a one-layer 1D slab: :mod:`emcd_fem.analytic.dusty_gas_channel`) and
``solver``. Fields: ``pressure``, ``x_<species>``, ``molar_flux_<species>`` and the viscous
(Darcy) molar flux ``viscous_flux``.
"""

import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

from emcd_fem.analytic.dusty_gas_channel import (
    ChannelSolution,
    channel_coefficients,
    dusty_gas_channel,
    mass_action_production,
)
from emcd_fem.case import Case, LayeredSlab
from emcd_fem.case.dusty_gas import DustyGasInputs, build_dusty_gas
from emcd_fem.case.multicomponent import build_inputs
from emcd_fem.errors import EmcdInputError
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.dusty_gas import DustyGasModel
from emcd_fem.pipeline.output import RunResult
from emcd_fem.pipeline.species_run import (
    SpeciesRun,
    equimolar_verdict,
    finish_species_run,
    solver_record,
    species_balance,
)
from emcd_fem.post.fields import flux_space, interpolate_expression

#: Relative tolerance of the 1D reference (of max_i |N_i|, and of the pressure difference
#: where one builds up): the P1 reaction fluxes carry an O((h/L)²) error of the nonlinear
#: flux law, 2e-3 at h = L/10 for the dead-end pore of the tests; P2 is far closer.
REFERENCE_TOLERANCE: float = 1e-2


def channel_reference(case: Case, inputs: DustyGasInputs) -> ChannelSolution | None:
    """The 1D reference of a one-layer 1D slab: open at left, open or closed at right."""
    g = case.geometry
    if not isinstance(g, LayeredSlab) or g.dim != 1 or len(g.layers) != 1:
        return None
    if "left" not in inputs.states or any(r.kind == "surface" for r in inputs.reactions):
        return None
    species = case.multicomponent.species
    layer = g.layers[0]
    coefficients = channel_coefficients(inputs.media[layer.name], inputs.gas, inputs.temperature)

    def state(name: str) -> tuple[float, list[float]] | None:
        if name not in inputs.states:
            return None
        s = inputs.states[name]
        return s.pressure, [s.mole_fractions[k] for k in species]

    production = (
        mass_action_production(inputs.reactions, species, inputs.temperature)
        if inputs.reactions
        else None
    )
    return dusty_gas_channel(
        layer.thickness,
        coefficients,
        state("left"),
        outlet=state("right"),
        production=production,
    )


def safe_channel_reference(
    case: Case, inputs: DustyGasInputs
) -> tuple[ChannelSolution | None, str | None]:
    """:func:`channel_reference`, or (None, a warning) when it cannot be computed.

    A reference the program cannot compute never turns a valid case into an invalid one:
    the run goes ahead without it and says so.
    """
    try:
        return channel_reference(case, inputs), None
    except (EmcdInputError, ArithmeticError, ValueError) as exc:
        return None, (
            f"the 1D dusty-gas reference could not be computed ({exc}); the run is not "
            "compared with a reference"
        )


def dusty_gas_report(case: Case) -> dict[str, Any]:
    """``emcd check`` of a dusty-gas case: the inputs build, the 1D reference if any.

    Raises:
        CaseError: data errors found while building the inputs, with their key paths.
    """
    spec = case.multicomponent
    inputs = build_dusty_gas(spec, build_inputs(spec).mixtures)
    report: dict[str, Any] = {
        "flux_only": False,
        "admissibility": "judged after the solve (emcd run): x_i ranges and balances",
        "dusty_gas": {
            name: {
                "porosity_over_tortuosity": medium.porosity_over_tortuosity,
                "permeability": medium.viscous_permeability,
                "knudsen_diffusivity": {
                    s: medium.knudsen_diffusivity(inputs.temperature, m)
                    for s, m in zip(inputs.gas.species, inputs.gas.masses, strict=True)
                },
            }
            for name, medium in inputs.media.items()
        },
    }
    reference, warning = safe_channel_reference(case, inputs)
    if warning is not None:
        report["warnings"] = [warning]
    if reference is not None:
        species = case.multicomponent.species
        report["analytic_flux_per_area"] = dict(
            zip(species, map(float, reference.inlet_flux), strict=True)
        )
        report["analytic_pressure_difference"] = reference.pressure_difference
    return report


def _analytic(reference: ChannelSolution | None, solution: Any) -> dict | None:
    if reference is None:
        return None
    species = solution.species
    exact = {s: {"left": -float(reference.inlet_flux[k])} for k, s in enumerate(species)}
    for k, s in enumerate(species):
        exact[s]["right"] = float(reference.outlet_flux[k])
    scale = max(abs(v) for row in exact.values() for v in row.values())
    error = max(abs(solution.boundary_flux[s][b] - exact[s][b]) for s in species for b in exact[s])
    dp_exact = reference.pressure_difference
    dp = solution.pressure_difference[("left", "right")]
    mean = 0.5 * sum(solution.boundary_pressure[b] for b in ("left", "right"))
    dp_error = abs(dp - dp_exact) / max(abs(dp_exact), 1e-6 * mean)
    return {
        "boundary_flux": exact,
        "pressure_difference": dp_exact,
        "max_relative_error": error / scale if scale > 0 else 0.0,
        "pressure_relative_error": dp_error,
        "tolerance": REFERENCE_TOLERANCE,
        "basis": "1D dusty-gas ODEs by shooting (analytic.dusty_gas_channel), flux error / "
        "max_i |N_i|, pressure error / max(|Δp|, 1e-6 p)",
    }


def run_dusty_gas(
    case: Case,
    domain: Domain,
    out: str | Path | None,
    comm: MPI.Comm,
    timings: dict[str, float],
    start: float,
    *,
    mesh_reused: bool = False,
) -> RunResult:
    """Build, solve, summarise and write a dusty-gas case (collective)."""
    tic = time.perf_counter()
    spec = case.multicomponent
    inputs = build_dusty_gas(spec, build_inputs(spec).mixtures)
    model = DustyGasModel(
        domain,
        inputs.media,
        inputs.gas,
        inputs.states,
        temperature=inputs.temperature,
        reactions=inputs.reactions,
        degree=case.discretisation.degree,
        petsc_options=case.solver.petsc_options,
    )
    timings["setup"] = time.perf_counter() - tic
    tic = time.perf_counter()
    solution = model.solve()
    timings["solve"] = time.perf_counter() - tic
    tic = time.perf_counter()
    species = list(solution.species)
    reference, warning = safe_channel_reference(case, inputs)
    fields: dict[str, Any] = {"pressure": solution.pressure}
    for s in species:
        fields[f"x_{s}"] = solution.mole_fractions[s]
    space = flux_space(solution.pressure)
    for k, s in enumerate(species):
        name = f"molar_flux_{s}"
        fields[name] = interpolate_expression(model.fluxes[k], space, name)
    fields["viscous_flux"] = interpolate_expression(sum(model.viscous), space, "viscous_flux")
    flux = solution.boundary_flux
    summary: dict[str, Any] = {
        "model": "dusty_gas",
        "species": species,
        "temperature": inputs.temperature,
        "viscosity": inputs.gas.viscosity,
        "boundary_flux": flux,
        "total_flux": solution.total_flux,
        "equimolar": equimolar_verdict(solution.total_flux, flux),
        "balance": species_balance(solution),
        "net_production": solution.net_production,
        "x_range": {s: list(r) for s, r in solution.x_range.items()},
        "pressure": {
            "range": list(solution.pressure_range),
            "boundary_mean": solution.boundary_pressure,
            "difference": {f"{b} - {a}": v for (a, b), v in solution.pressure_difference.items()},
        },
        "viscous_flux": solution.viscous_flux,
        "viscous_share": solution.viscous_share,
        "analytic": _analytic(reference, solution),
        "solver": solver_record(solution),
        "warnings": list(solution.warnings) + ([] if warning is None else [warning]),
    }
    dofs = model.space.dofmap.index_map.size_global * len(species)
    reference = summary["analytic"]
    error = (
        None
        if reference is None
        else max(reference["max_relative_error"], reference["pressure_relative_error"])
    )
    return finish_species_run(
        case,
        domain,
        out,
        comm,
        SpeciesRun(summary, solution, fields, dofs),
        (error, "the 1D dusty-gas reference disagrees with the finite-element solution"),
        timings,
        (tic, start),
        mesh_reused=mesh_reused,
    )


__all__ = [
    "REFERENCE_TOLERANCE",
    "channel_reference",
    "dusty_gas_report",
    "run_dusty_gas",
    "safe_channel_reference",
]
