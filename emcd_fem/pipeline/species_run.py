"""The shared tail of the steady n-species runs: balance, verdicts, checks, writing.

``pipeline.multicomponent_run`` (Maxwell–Stefan, mixture-averaged) and
``pipeline.dusty_gas_run`` (dusty gas) solve different models but report them alike:
:func:`species_balance` (per species: net outflow, production, relative imbalance),
:func:`equimolar_verdict` (Σ_i q_i per boundary), :func:`solver_record` and
:func:`finish_species_run` (common summary entries, the run's own checks, the timings and
the output directory, or none).
"""

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from mpi4py import MPI

from emcd_fem.case import Case
from emcd_fem.mesh.domain import Domain
from emcd_fem.pipeline.output import RunResult, common_summary, write_outputs
from emcd_fem.post.result_checks import species_balance_failures

#: Σ_i q_i below this fraction of Σ_i |q_i| on every boundary is "equimolar: yes" (Newton
#: stops at rtol 1e-12; the bootstrap makes Σ ν_i q_i = 0 exact in the discrete fluxes).
EQUIMOLAR_RTOL: float = 1e-8


def species_balance(solution: Any) -> dict[str, dict[str, float]]:
    """Species → ``net_outflow`` Σ_Γ q_Γ, ``production`` ∫ R dx, ``relative`` imbalance.

    Args:
        solution: A solution with ``species``, ``boundary_flux`` (species → boundary → q
            [mol/s in 3D]), ``production`` and ``imbalance`` (species → value).
    """
    flux = solution.boundary_flux
    return {
        s: {
            "net_outflow": sum(flux[s].values()),
            "production": solution.production[s],
            "relative": solution.imbalance[s],
        }
        for s in solution.species
    }


def bootstrap_record(bootstrap: Any, species: Any) -> dict[str, Any]:
    """The summary's bootstrap: kind, ν_i by species and the species closing Σ x_i = 1.

    Keyed by species name (not list position), so it reads the same whatever order the case
    lists the species in.
    """
    return {
        "kind": bootstrap.kind,
        "weights": dict(zip(species, bootstrap.weights, strict=True)),
        "closing_species": species[bootstrap.eliminated],
    }


def equimolar_verdict(total: Mapping[str, float], flux: Mapping[str, Mapping[str, float]]) -> str:
    """Verdict yes/no (Σ_i q_i vs Σ_i |q_i| per boundary, EQUIMOLAR_RTOL) with the numbers."""
    if not total:
        return "yes: no open boundary (a closed vessel: Σ N_i = 0 by the bootstrap)"
    sizes = {b: sum(abs(q[b]) for q in flux.values()) for b in total}
    worst = max((abs(t) / sizes[b] if sizes[b] > 0 else 0.0) for b, t in total.items())
    numbers = ", ".join(f"{b}: Σ q_i = {t:.6g}" for b, t in sorted(total.items()))
    verdict = "yes" if worst <= EQUIMOLAR_RTOL else "no"
    return f"{verdict}: {numbers} (largest |Σ q_i| / Σ |q_i| = {worst:.3g})"


def solver_record(solution: Any) -> dict[str, Any]:
    """The summary's ``solver`` entry of a Newton (SNES) solve with MUMPS inside."""
    return {
        "type": "SNES newtonls (bt line search), MUMPS LU",
        "iterations": solution.iterations,
        "reason": solution.reason,
    }


def judge(summary: dict[str, Any], error: float | None, disagreement: str) -> None:
    """The run's own checks: every species' balance closes, the reference agrees.

    Sets ``summary["status"]`` (``"ok"``/``"failed"``) and ``summary["failures"]``.

    Args:
        summary: With ``boundary_flux``, ``balance`` and ``analytic`` (None, or a record
            with its ``tolerance``).
        error: The relative disagreement with the reference (None without one).
        disagreement: The failure's start, e.g. "the exact film disagrees with the
            finite-element fluxes".
    """
    failures = species_balance_failures(summary["boundary_flux"], summary["balance"])
    reference = summary["analytic"]
    if reference is not None and not error <= reference["tolerance"]:
        failures.append(
            f"{disagreement} by {error:.3e} > {reference['tolerance']:g}: refine the mesh"
        )
    summary["status"] = "failed" if failures else "ok"
    summary["failures"] = failures


class SpeciesRun(NamedTuple):
    """A solved n-species run before its tail.

    Attributes:
        summary: The model's summary entries (``boundary_flux``, ``balance``, ``analytic``).
        solution: The model's solution.
        fields: Name → Function to write.
        dofs: Number of unknowns.
    """

    summary: dict[str, Any]
    solution: Any
    fields: dict[str, Any]
    dofs: int


def finish_species_run(
    case: Case,
    domain: Domain,
    out: str | Path | None,
    comm: MPI.Comm,
    run: SpeciesRun,
    check: tuple[float | None, str],
    timings: dict[str, float],
    times: tuple[float, float],
    *,
    mesh_reused: bool = False,
) -> RunResult:
    """Common summary entries, the run's own checks (:func:`judge`), then write (collective).

    Args:
        case: The case.
        domain: Its domain.
        out: Output directory, or None (nothing written; the timings go to the summary).
        comm: The run's communicator.
        run: The solved run.
        check: (relative disagreement with the run's reference or None, the failure's
            start), the arguments of :func:`judge`.
        timings: Stage → seconds so far; ``post`` is added.
        times: (start of the post-processing, start of the run) from
            :func:`time.perf_counter`.
        mesh_reused: The domain was given to the run.
    """
    summary = run.summary
    common = common_summary(case, domain, run.dofs, comm, {}, mesh_reused=mesh_reused)
    summary |= {k: v for k, v in common.items() if k not in summary}  # e.g. the run's materials
    judge(summary, *check)
    tic, start = times
    timings["post"] = time.perf_counter() - tic
    if out is None:
        summary["timings"] = timings
        return RunResult(summary, run.solution, run.fields, None, domain)
    write_outputs(out, comm, case, domain, run.fields, summary, None, timings, start)
    return RunResult(summary, run.solution, run.fields, Path(out).resolve(), domain)


__all__ = [
    "EQUIMOLAR_RTOL",
    "SpeciesRun",
    "equimolar_verdict",
    "finish_species_run",
    "judge",
    "solver_record",
    "species_balance",
]
