"""``emcd run`` of ``[physics] flux_model = "stefan"``: the 1D Stefan-flow film.

The case (checked by ``case.check_reactions``) is a one-layer 1D slab, a mole-fraction open
end and one surface reaction A -> ν B on the wall, whose state is either a mole fraction
(fast reaction) or the rate k_f [m/s]. The summary reports N_A, N_B = −ν N_A, the net flux
N = N_A + N_B, the EMCD flux for the same end states and their ratio, the closed form
(``emcd_fem.analytic.reactions.stefan_flux``) and the verdict "equimolar: no".
"""

import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

from emcd_fem.case import Case
from emcd_fem.case.check_reactions import build_reactions
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.stefan import StefanFilm
from emcd_fem.pipeline.output import RunResult, common_summary, judge_run, write_outputs
from emcd_fem.pipeline.setup import build_materials, resolve_material
from emcd_fem.pipeline.validity_run import record_failure, report_for_stefan
from emcd_fem.post.result_checks import reference_tolerance


def run_stefan(
    case: Case,
    domain: Domain,
    out: str | Path | None,
    comm: MPI.Comm,
    timings: dict[str, float],
    start: float,
) -> RunResult:
    """Solve, summarise and write a Stefan-flow case (collective)."""
    tic = time.perf_counter()
    (reaction,) = build_reactions(case)
    wall = reaction.boundary
    (open_end,) = [n for n in case.boundaries if n != wall]
    (region,) = list(domain.regions)
    material = build_materials(case, [region])[region]
    nu = reaction.stoichiometry.products.get("B", 0.0)  # 'A -> 0': ν = 0 (Stefan tube)
    wall_bc = case.boundaries.get(wall)
    x_wall = getattr(wall_bc, "value", None)
    film = StefanFilm(
        domain,
        material,
        nu,
        case.boundaries[open_end].value,
        open_end=open_end,
        wall=wall,
        x_wall=x_wall,
        k_s=None if x_wall is not None else reaction.k_f,
        degree=case.discretisation.degree,
    )
    timings["setup"] = time.perf_counter() - tic
    tic = time.perf_counter()
    solution = film.solve()
    timings["solve"] = time.perf_counter() - tic
    tic = time.perf_counter()
    exact = film.closed_form_flux(solution.x_wall)
    error = abs(solution.flux_A - exact) / abs(exact) if exact else 0.0
    stefan: dict[str, Any] = solution.as_dict() | {"nu": nu, "closed_form_flux_A": exact}
    summary: dict[str, Any] = {
        "flux_model": "stefan",
        "boundary_flux": {open_end: -solution.flux_A, wall: solution.flux_A},
        "balance": {"relative": 0.0, "production": 0.0},
        "x_min": min(film.x_range()),
        "x_max": max(film.x_range()),
        "stefan": stefan,
        "reactions": {
            "equimolar": f"no: Δν = {reaction.stoichiometry.delta_nu:+g} (N_A + N_B = "
            f"{solution.net_flux:.6g} mol/(m^2 s)); solved with the Stefan-flow model",
            "reactions": [{"equation": reaction.equation, "delta_nu": nu - 1, "kind": "surface"}],
        },
        "analytic": {
            "boundary_flux": {wall: exact},
            "max_relative_error": error,
            "reference": "Stefan closed form N_A = cD/((1−ν)L) ln[(1−(1−ν)x_L)/(1−(1−ν)x_0)]",
        }
        # like the slab and film references: a tolerance from the run's own discretisation
        # error (consistent vs gradient flux of the same x_A), tight on fine meshes
        | reference_tolerance({wall: solution.flux_A}, {wall: film.gradient_flux()}),
        "solver": {"type": "SNES newtonls, MUMPS LU", "iterations": solution.iterations},
        "warnings": [],
    }
    resolved = {n: resolve_material(case, n) for n in case.materials}
    dofs = solution.mole_fraction.function_space.dofmap.index_map.size_global
    summary |= common_summary(case, domain, dofs, comm, resolved)
    judge_run(case, domain, summary)
    fields = {"mole_fraction": solution.mole_fraction}
    if case.analysis.emcd_validity:  # the same film with ν = 1 (EMCD) beside the run
        summary["validity"], extra = report_for_stefan(case, domain, film, solution, open_end, wall)
        fields |= extra
        record_failure(summary)
    timings["post"] = time.perf_counter() - tic
    if out is None:
        summary["timings"] = timings
        return RunResult(summary, solution, fields, None, domain)
    write_outputs(out, comm, case, domain, fields, summary, None, timings, start)
    return RunResult(summary, solution, fields, Path(out).resolve(), domain)


__all__ = ["run_stefan"]
