"""``emcd run`` of a ``[multicomponent]`` case: n-species Maxwell–Stefan gas transport.

:func:`run_multicomponent` builds :class:`~emcd_fem.models.multicomponent.MaxwellStefanModel`
from ``case.multicomponent.build_inputs``, solves it and writes through the same output
code as every run (summary.json, fields, pictures). The summary has ``boundary_flux``
(species → boundary → q [mol/s in 3D]), ``total_flux`` (boundary → Σ_i q_i), the verdict
``equimolar`` ("yes"/"no" with the numbers), ``balance`` per species, ``x_range``,
``analytic`` (the exact film of a layered slab, 1D or a 2D/3D slab of the same layers,
with compositions on ``left`` and ``right`` only, the other faces impermeable, and no
sources or reactions: :func:`emcd_fem.analytic.multicomponent.layered_film_solution`, its
flux per area times the slab's cross-section), ``solver``, ``materials`` (per region
the c and Đ_ij used, with units) and ``warnings`` (unit-slip notes included).
Fields: every species' mole fraction ``x_<species>``, molar flux ``molar_flux_<species>``
and, with every molar mass known, the mass-average velocity.
"""

import itertools
import logging
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.analytic.multicomponent import FilmSolution, LayerInterface, layered_film_solution
from emcd_fem.case import Case, LayeredSlab
from emcd_fem.case.multicomponent import ModelInputs, MulticomponentSpec, build_inputs
from emcd_fem.case.multicomponent_data import mixtures_record, unit_notes
from emcd_fem.case.multicomponent_interfaces import interface_inputs
from emcd_fem.case.multicomponent_reactions import region_temperatures
from emcd_fem.errors import EmcdInputError, EmcdSolverError
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_films import MaxwellStefanFilmModel
from emcd_fem.models.multicomponent_thermal import ThermalDiffusionInputs
from emcd_fem.pipeline.multicomponent_thermal import soret_summary, thermal_setup
from emcd_fem.pipeline.output import RunResult
from emcd_fem.pipeline.species_run import (
    SpeciesRun,
    bootstrap_record,
    equimolar_verdict,
    finish_species_run,
    solver_record,
    species_balance,
)
from emcd_fem.post.fields import flux_space, interpolate_expression

#: Relative flux tolerance of the exact film (of max_i |N_i|): the boundary reaction
#: fluxes of P1 carry an O((h/L)²) error of the nonlinear flux law, 1e-2 at h = L/10 and
#: steep profiles (as pipeline.stefan_run); P2 is far closer (the tests check 1e-6).
FILM_TOLERANCE: float = 1e-2

logger = logging.getLogger("emcd_fem")


def film_reference(case: Case, inputs: ModelInputs) -> FilmSolution | None:
    """The exact film of a layered slab with compositions at both ends, nothing produced.

    Any dimension: in 2D/3D the faces other than ``left``/``right`` carry no composition,
    so they are impermeable and the solution is the 1D film across the layers (the slab
    shape of ``pipeline.setup.analytic_reference``). None for the mixture-averaged model: the
    film is the Maxwell–Stefan solution, which that model misses by design (by 16.5 % for the
    Duncan–Toor gas), not by its discretisation.
    """
    g = case.geometry
    if not isinstance(g, LayeredSlab) or inputs.sources or inputs.reactions:
        return None
    if case.thermal is not None:  # the isothermal film does not apply
        return None
    if inputs.model != "maxwell_stefan":
        return None
    if sorted(inputs.compositions) != ["left", "right"]:
        return None
    species = case.multicomponent.species
    layers = [
        (
            inputs.mixtures[layer.name].matrix,
            layer.thickness,
            inputs.mixtures[layer.name].concentration,
        )
        for layer in g.layers
    ]
    left, right = ([inputs.compositions[side][s] for s in species] for side in ("left", "right"))
    # as the model: the closing species is 1 − Σ of the others (the case allows Σ x = 1 to
    # within its SUM_TOLERANCE; the film needs it to round-off)
    e = inputs.bootstrap.eliminated
    for x in (left, right):
        x[e] = 1.0 - sum(v for k, v in enumerate(x) if k != e)
    ind = [species[k] for k in inputs.bootstrap.independent]
    partitions, films = interface_inputs(case.multicomponent)
    faces = []
    for first, second in itertools.pairwise(g.layers):  # the coefficients oriented a → b
        pair, swapped = (first.name, second.name), (second.name, first.name)
        c_a, c_b = (inputs.mixtures[r].concentration for r in pair)
        K = partitions.get(pair)
        if K is None and swapped in partitions:  # K_ab = 1/K_ba
            K = {s: 1.0 / v for s, v in partitions[swapped].items()}
        k = films.get(pair)
        if k is None and swapped in films:  # k_ab = k_ba κ_ab, κ_ab = K_ab c_a/c_b
            K_ab = K or dict.fromkeys(ind, c_b / c_a)
            k = {s: v * K_ab[s] * c_a / c_b for s, v in films[swapped].items()}
        K_list = None if K is None else [K[s] for s in ind]
        faces.append(LayerInterface(K_list, None if k is None else [k[s] for s in ind]))
    try:
        return layered_film_solution(
            left,
            right,
            layers,
            inputs.bootstrap.weights,
            faces,
            closing=inputs.bootstrap.eliminated,
        )
    except EmcdSolverError as exc:  # the reference judges the run; it must not stop it
        logger.warning("no exact film reference (the run is not judged against one): %s", exc)
        return None


def cross_section(case: Case) -> float:
    """Measure of a layered slab's ``left``/``right`` face: 1 (1D), width [m] (2D), area [m^2]."""
    g = case.geometry
    return g.boundary_measure("left") if isinstance(g, LayeredSlab) else 1.0


def film_summary(
    film: FilmSolution | None, flux: dict, species: list[str], area: float = 1.0
) -> dict | None:
    """The exact film's boundary fluxes next to the FE ones (None without a film).

    Args:
        film: The exact film (fluxes per area [mol/(m^2 s)]).
        flux: Species → boundary → FE outward flux q [mol/s in 3D].
        species: Species names in the film's order.
        area: Cross-section of the slab (:func:`cross_section`) the film flux crosses.

    Returns:
        ``flux_per_area`` and ``boundary_flux`` (species → left/right) of the film,
        ``relative_error`` per species and ``max_relative_error`` (|q − q_exact| over
        max_i |q_exact,i|), ``tolerance`` (:data:`FILM_TOLERANCE`) and ``basis``.
    """
    if film is None:
        return None
    per_area = {s: float(n) for s, n in zip(species, film.fluxes, strict=True)}
    exact = {s: {"left": -n * area, "right": n * area} for s, n in per_area.items()}
    scale = float(np.max(np.abs(film.fluxes))) * area
    errors = {
        s: max(abs(flux[s][b] - exact[s][b]) for b in ("left", "right")) / scale
        if scale > 0
        else 0.0
        for s in species
    }
    return {
        "flux_per_area": per_area,
        "cross_section": area,
        "boundary_flux": exact,
        "relative_error": errors,
        "max_relative_error": max(errors.values()),
        "tolerance": FILM_TOLERANCE,
        "basis": "exact Maxwell–Stefan film (matrix exponential) across the layers, "
        "error / max_i |q_i|",
    }


def result_fields(
    model: MaxwellStefanModel, fractions: dict[str, fem.Function], spec: MulticomponentSpec
) -> dict[str, fem.Function]:
    """The run's fields from the model's current state.

    ``x_<s>``, ``molar_flux_<s>`` and, with every molar mass known, the mass-average
    velocity v = Σ M_i N_i / ρ [m/s].
    """
    species = list(model.species)
    fields: dict[str, Any] = {fractions[s].name: fractions[s] for s in species}
    space = flux_space(fractions[species[0]])
    for k, s in enumerate(species):
        name = f"molar_flux_{s}"
        if ufl.domain.extract_domains(model.fluxes[k]):
            fields[name] = interpolate_expression(model.fluxes[k], space, name)
        else:  # the stagnant species: N = 0 identically (a UFL zero has no mesh)
            fields[name] = fem.Function(space, name=name)
    masses = molar_masses(spec)
    if all(s in masses for s in species):
        fields["mass_average_velocity"] = model.mass_average_velocity(masses)
    return fields


def molar_masses(spec: MulticomponentSpec) -> dict[str, float]:
    """M_i [kg/mol]: given in the section, else of the built-in gases (others absent)."""
    masses = dict(spec.molar_masses or {})
    return masses | {
        s: kt.GASES[s].molar_mass for s in spec.species if s not in masses and s in kt.GASES
    }


def build_model(
    case: Case,
    domain: Domain,
    inputs: ModelInputs,
    *,
    closed: bool = False,
    thermal: ThermalDiffusionInputs | None = None,
) -> "MaxwellStefanModel | MaxwellStefanFilmModel":
    """The case's n-species model (collective): with films the block model, else one field.

    ``closed``: admit no boundary composition (a closed vessel, transient runs).
    ``thermal``: thermal diffusion (steady, no films: the case check refuses the rest).
    """
    partitions, films = interface_inputs(case.multicomponent)
    common = {
        "degree": case.discretisation.degree,
        "model": inputs.model,
        "partitions": partitions,
        "sources": inputs.sources,
        "reactions": inputs.reactions,
        "temperatures": region_temperatures(case.multicomponent),
        "closed": closed,
        "petsc_options": case.solver.petsc_options,
    }
    args = (domain, inputs.mixtures, inputs.compositions, inputs.bootstrap)
    if films:  # a block (submesh) per film-free group of regions
        if thermal is not None:
            raise EmcdInputError("thermal diffusion with films between regions is not supported")
        return MaxwellStefanFilmModel(*args, films=films, **common)
    return MaxwellStefanModel(*args, thermal=thermal, **common)


def run_multicomponent(
    case: Case,
    domain: Domain,
    out: str | Path | None,
    comm: MPI.Comm,
    timings: dict[str, float],
    start: float,
    *,
    mesh_reused: bool = False,
) -> RunResult:
    """Build, solve, summarise and write a steady ``[multicomponent]`` case (collective).

    With ``[time]``: ``pipeline.multicomponent_transient.run_transient_multicomponent``.
    """
    tic = time.perf_counter()
    spec = case.multicomponent
    inputs = build_inputs(spec)
    notes = unit_notes(spec)  # values that look like unit slips: noted, never refused
    for note in notes:
        logger.warning(note)
    films = interface_inputs(spec)[1]
    setup = thermal_setup(case, domain) if case.thermal is not None else None
    model = build_model(case, domain, inputs, thermal=setup.inputs if setup else None)
    timings["setup"] = time.perf_counter() - tic
    tic = time.perf_counter()
    solution = model.solve()
    timings["solve"] = time.perf_counter() - tic
    tic = time.perf_counter()
    species = list(solution.species)
    fields = result_fields(model, solution.mole_fractions, spec)
    flux = solution.boundary_flux
    summary: dict[str, Any] = {
        "model": inputs.model,
        "species": species,
        "bootstrap": bootstrap_record(inputs.bootstrap, species),
        "boundary_flux": flux,
        "total_flux": solution.total_flux,
        "equimolar": equimolar_verdict(solution.total_flux, flux),
        "balance": species_balance(solution),
        "x_range": {s: list(r) for s, r in solution.x_range.items()},
        "analytic": film_summary(film_reference(case, inputs), flux, species, cross_section(case)),
        "solver": solver_record(solution),
        "materials": mixtures_record(spec, inputs.mixtures),  # the c and Đ_ij used
        "warnings": list(solution.warnings) + notes,
    }
    if setup is not None:
        summary |= soret_summary(model, domain, setup)
        fields["temperature"] = setup.temperature
    if films:
        summary["film_flux"] = model.film_flux  # "a|b" → species → rate from a into b
    dofs = sum(u.function_space.dofmap.index_map.size_global for u in model.unknowns)
    dofs *= len(species) - 1
    analytic = summary["analytic"]
    return finish_species_run(
        case,
        domain,
        out,
        comm,
        SpeciesRun(summary, solution, fields, dofs),
        (
            None if analytic is None else analytic["max_relative_error"],
            "the exact film disagrees with the finite-element fluxes",
        ),
        timings,
        (tic, start),
        mesh_reused=mesh_reused,
    )


__all__ = [
    "FILM_TOLERANCE",
    "build_model",
    "cross_section",
    "film_reference",
    "film_summary",
    "molar_masses",
    "result_fields",
    "run_multicomponent",
]
