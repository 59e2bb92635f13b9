"""``emcd run`` of a ``[multicomponent]`` case: n-species Maxwell–Stefan gas transport.

:func:`run_multicomponent` builds :class:`~emcd_fem.models.multicomponent.MaxwellStefanModel`
from ``case.multicomponent.build_inputs``, solves it and writes through the same output
code as every run (summary.json, fields, pictures). The summary has ``boundary_flux``
(species → boundary → q [mol/s in 3D]), ``total_flux`` (boundary → Σ_i q_i), the verdict
``equimolar`` ("yes"/"no" with the numbers), ``balance`` per species, ``x_range``,
``analytic`` (the exact film of a 1D layered slab with compositions at both ends and no
sources: :func:`emcd_fem.analytic.multicomponent.layered_film_solution`) and ``solver``.
Fields: every species' mole fraction ``x_<species>``, molar flux ``molar_flux_<species>``
and, with every molar mass known, the mass-average velocity.
"""

import itertools
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
from emcd_fem.case.multicomponent_interfaces import interface_inputs
from emcd_fem.case.multicomponent_reactions import region_temperatures
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_films import MaxwellStefanFilmModel
from emcd_fem.pipeline.output import RunResult, common_summary, write_outputs
from emcd_fem.post.fields import flux_space, interpolate_expression
from emcd_fem.post.result_checks import species_balance_failures

#: Relative flux tolerance of the exact film (of max_i |N_i|): the boundary reaction
#: fluxes of P1 carry an O((h/L)²) error of the nonlinear flux law, 1e-2 at h = L/10 and
#: steep profiles (as pipeline.stefan_run); P2 is far closer (the tests check 1e-6).
FILM_TOLERANCE: float = 1e-2
#: Σ_i q_i below this fraction of Σ_i |q_i| on every boundary is "equimolar: yes" (Newton
#: stops at rtol 1e-12; the bootstrap makes Σ ν_i q_i = 0 exact in the discrete fluxes).
EQUIMOLAR_RTOL: float = 1e-8


def film_reference(case: Case, inputs: ModelInputs) -> FilmSolution | None:
    """The exact film of a 1D layered slab with compositions at both ends, nothing produced."""
    g = case.geometry
    if not isinstance(g, LayeredSlab) or g.dim != 1 or inputs.sources or inputs.reactions:
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
    return layered_film_solution(left, right, layers, inputs.bootstrap.weights, faces)


def equimolar_verdict(total: dict[str, float], flux: dict[str, dict[str, float]]) -> str:
    """Verdict yes/no (Σ_i q_i vs Σ_i |q_i| per boundary, EQUIMOLAR_RTOL) with the numbers."""
    if not total:
        return "yes: no open boundary (a closed vessel: Σ N_i = 0 by the bootstrap)"
    sizes = {b: sum(abs(q[b]) for q in flux.values()) for b in total}
    worst = max((abs(t) / sizes[b] if sizes[b] > 0 else 0.0) for b, t in total.items())
    numbers = ", ".join(f"{b}: Σ q_i = {t:.6g}" for b, t in sorted(total.items()))
    verdict = "yes" if worst <= EQUIMOLAR_RTOL else "no"
    return f"{verdict}: {numbers} (largest |Σ q_i| / Σ |q_i| = {worst:.3g})"


def _analytic(film: FilmSolution | None, flux: dict, species: list[str]) -> dict | None:
    if film is None:
        return None
    exact = {s: {"left": -float(n), "right": float(n)} for s, n in zip(species, film.fluxes)}
    scale = float(np.max(np.abs(film.fluxes)))
    error = max(abs(flux[s][b] - exact[s][b]) for s in species for b in ("left", "right"))
    return {
        "boundary_flux": exact,
        "max_relative_error": error / scale if scale > 0 else 0.0,
        "tolerance": FILM_TOLERANCE,
        "basis": "exact Maxwell–Stefan film (matrix exponential), error / max_i |N_i|",
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
    case: Case, domain: Domain, inputs: ModelInputs, *, closed: bool = False
) -> "MaxwellStefanModel | MaxwellStefanFilmModel":
    """The case's n-species model (collective): with films the block model, else one field.

    ``closed``: admit no boundary composition (a closed vessel, transient runs).
    """
    partitions, films = interface_inputs(case.multicomponent)
    common = {
        "degree": case.discretisation.degree,
        "model": inputs.model,
        "partitions": partitions,
        "closed": closed,
        "petsc_options": case.solver.petsc_options,
    }
    args = (domain, inputs.mixtures, inputs.compositions, inputs.bootstrap)
    if films:  # a block (submesh) per film-free group of regions
        return MaxwellStefanFilmModel(*args, films=films, **common)
    return MaxwellStefanModel(
        *args,
        sources=inputs.sources,
        reactions=inputs.reactions,
        temperatures=region_temperatures(case.multicomponent),
        **common,
    )


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
    films = interface_inputs(spec)[1]
    model = build_model(case, domain, inputs)
    timings["setup"] = time.perf_counter() - tic
    tic = time.perf_counter()
    solution = model.solve()
    timings["solve"] = time.perf_counter() - tic
    tic = time.perf_counter()
    species = list(solution.species)
    fields = result_fields(model, solution.mole_fractions, spec)
    flux = solution.boundary_flux
    balance = {
        s: {
            "net_outflow": sum(flux[s].values()),
            "production": solution.production[s],
            "relative": solution.imbalance[s],
        }
        for s in species
    }
    summary: dict[str, Any] = {
        "model": inputs.model,
        "species": species,
        "bootstrap": {"kind": inputs.bootstrap.kind, "weights": list(inputs.bootstrap.weights)},
        "boundary_flux": flux,
        "total_flux": solution.total_flux,
        "equimolar": equimolar_verdict(solution.total_flux, flux),
        "balance": balance,
        "x_range": {s: list(r) for s, r in solution.x_range.items()},
        "analytic": _analytic(film_reference(case, inputs), flux, species),
        "solver": {
            "type": "SNES newtonls (bt line search), MUMPS LU",
            "iterations": solution.iterations,
            "reason": solution.reason,
        },
        "warnings": list(solution.warnings),
    }
    if films:
        summary["film_flux"] = model.film_flux  # "a|b" → species → rate from a into b
    dofs = sum(u.function_space.dofmap.index_map.size_global for u in model.unknowns)
    dofs *= len(species) - 1
    summary |= common_summary(case, domain, dofs, comm, {}, mesh_reused=mesh_reused)
    judge(summary)
    timings["post"] = time.perf_counter() - tic
    if out is None:
        summary["timings"] = timings
        return RunResult(summary, solution, fields, None, domain)
    write_outputs(out, comm, case, domain, fields, summary, [], timings, start)
    return RunResult(summary, solution, fields, Path(out).resolve(), domain)


def judge(summary: dict[str, Any]) -> None:
    """The run's own checks: every species' balance closes, the exact film agrees."""
    failures = species_balance_failures(summary["boundary_flux"], summary["balance"])
    reference = summary["analytic"]
    if reference is not None and not reference["max_relative_error"] <= reference["tolerance"]:
        failures.append(
            f"the exact film disagrees with the finite-element fluxes by "
            f"{reference['max_relative_error']:.3e} > {reference['tolerance']:g}: refine the mesh"
        )
    summary["status"] = "failed" if failures else "ok"
    summary["failures"] = failures


__all__ = [
    "EQUIMOLAR_RTOL",
    "FILM_TOLERANCE",
    "build_model",
    "equimolar_verdict",
    "film_reference",
    "judge",
    "molar_masses",
    "result_fields",
    "run_multicomponent",
]
