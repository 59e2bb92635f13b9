"""``[analysis] emcd_validity``: "is EMCD valid here?" for a steady binary run.

Which fuller model applies is read from what the case declares:

=============================================  ==============================================
the case                                       the fuller model (``pipeline.validity_models``)
=============================================  ==============================================
``[thermal]`` (a temperature field)             the run itself (Soret); EMCD re-solved without
``flux_model = "stefan"`` (A -> ν B, ν ≠ 1)     the run itself; EMCD = the film with ν = 1
porous regions (pore diameters, one gas)       the dusty-gas model (``models.dusty_gas``);
                                               without its data: the isobaric 1D estimate
                                               (M_A ≠ M_B) and what to add
otherwise (free gas, or equal molar masses)    binary Maxwell–Stefan (= EMCD: "valid")
=============================================  ==============================================

More species than two cannot be declared in a binary case ([multicomponent] runs are
Maxwell–Stefan already: the check refuses the option there), and a reaction that is not
mole-balanced is refused by EMCD's own check (R_T ≠ 0), except a wall reaction of a 1D
film (the Stefan model). Missing data (molar masses of a porous case) are named with
what to add. The report never changes the run's results; when it fails itself, the
summary records the failure (``validity.status = "failed"``, a failure of the run:
exit code 7 after the results are written).
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from dolfinx import fem

from emcd_fem.agreement import checkpoint, settle, verdict_of
from emcd_fem.case import Case
from emcd_fem.case.check_reactions import build_reactions
from emcd_fem.materials.properties import KN_WARN
from emcd_fem.mesh.domain import Domain
from emcd_fem.pipeline.setup import build_materials, resolve_material
from emcd_fem.pipeline.validity_models import (
    Comparison,
    dusty_gas_comparison,
    dusty_gas_problem,
    maxwell_stefan_comparison,
    maxwell_stefan_problem,
    soret_comparison,
    stefan_comparison,
)
from emcd_fem.post import validity

logger = logging.getLogger("emcd_fem")

#: Name of the local deviation field |N_EMCD − N_full| / max |N_full| in the output.
FIELD = "emcd_deviation"


def molar_masses(case: Case) -> tuple[tuple[float, float] | None, str]:
    """(M_A, M_B) [kg/mol] from ``[species]``, else from the materials' gases, and the source.

    Returns (None, what to add) when the case gives neither, or gases of different pairs.
    """
    if case.species is not None:
        return (case.species.A.molar_mass, case.species.B.molar_mass), "[species]"
    from emcd_fem.materials import kinetic_theory as kt

    pairs = {tuple(m.gases) for m in case.materials.values() if m.gases}
    if len(pairs) == 1:
        a, b = pairs.pop()
        return (kt.gas(a).molar_mass, kt.gas(b).molar_mass), f"materials' gases [{a}, {b}]"
    return None, (
        "give [species] A.molar_mass and B.molar_mass [kg/mol] (or materials.<name>.gases "
        "= [A, B] from the built-in table)"
    )


def porous_regions(case: Case, regions: list[str]) -> list[str]:
    """Regions whose material is porous (ε < 1, τ > 1 or a pore diameter)."""
    out = []
    for region in sorted(regions):
        spec = case.materials[case.material_of(region)]
        if spec.porosity < 1 or spec.tortuosity > 1 or spec.pore_diameter is not None:
            out.append(region)
    return out


def _regime(case: Case, domain: Domain, summary: dict[str, Any]) -> dict[str, Any]:
    masses, _ = molar_masses(case)
    regions = sorted(domain.regions)
    diagnostics = {r: resolve_material(case, case.material_of(r)).diagnostics for r in regions}
    soret, t_range = {}, None
    if case.thermal is not None and "thermal" in summary:
        t_range = (summary["thermal"]["t_min"], summary["thermal"]["t_max"])
        mean = 0.5 * (t_range[0] + t_range[1])
        for r in regions:
            spec = case.materials[case.material_of(r)]
            alpha = ((summary.get("soret") or {}).get("alpha_t") or {}).get(r)
            if spec.soret_coefficient is not None:
                soret[r] = spec.soret_coefficient
            elif alpha is not None:  # S_T = α_T / T (the run's α_T at the region's mean T)
                soret[r] = alpha / mean
    listed = (summary.get("reactions") or {}).get("reactions", [])
    reactions = [
        {"equation": r["equation"], "delta_nu": r["delta_nu"], "R_T": 0.0}
        for r in listed
        if r["delta_nu"] == 0  # Δν ≠ 0 is refused by EMCD's check (or run by Stefan's model)
    ]
    return validity.regime_numbers(
        molar_masses=masses,
        materials=diagnostics,
        porous=porous_regions(case, regions),
        soret=soret,
        temperature_range=t_range,
        reactions=reactions,
    )


def _finish(
    comparison: Comparison | None,
    regime: dict[str, Any],
    domain: Domain,
    degree: int,
    reasons: list[str],
    **entries: Any,
) -> tuple[dict[str, Any], dict[str, fem.Function]]:
    """The summary block and the deviation field of a comparison (collective)."""
    report: dict[str, Any] = {
        "status": "ok",
        "regime": regime,
        "tolerance": validity.VALID_TOLERANCE,
    }
    fields: dict[str, fem.Function] = {}
    if comparison is not None:
        rows = validity.compare_boundaries(
            comparison.emcd_flux, comparison.full_flux_a, comparison.full_flux_b
        )
        checkpoint(domain.comm, "validity field")
        V = fem.functionspace(domain.mesh, ("DG", max(degree - 1, 0)))
        worst = validity.worst_deviation(rows)
        if comparison.emcd_vector is not None and comparison.full_vector is not None:
            field, largest = validity.deviation_field(
                comparison.emcd_vector, comparison.full_vector, V, FIELD
            )
        else:  # a 1D film: N_A is uniform in both models, so is their difference
            field, largest = validity.uniform_field(V, worst, FIELD), None
        fields[FIELD] = field
        report |= {
            "model": comparison.model,
            "description": comparison.description,
            "verdict": validity.verdict(rows, reasons),
            "boundaries": rows,
            "max_relative_deviation": worst,
            "net_flux_share": validity.net_flux_share(rows),
            "deviation_field": {"name": FIELD, "max_full_flux": largest},
            **comparison.extra,
        }
    return report | entries, fields


def _graham_reason(regime: dict[str, Any], porous: list[str]) -> str:
    """Why pores with M_A ≠ M_B break EMCD, with the numbers."""
    kn = {r: regime["knudsen_number"].get(r) for r in porous}
    return (
        f"unequal molar masses in the pores of {', '.join(porous)} (α = "
        f"{regime['alpha']:.3g}, Kn = "
        f"{', '.join(f'{v:.3g}' if v is not None else 'n/a' for v in kn.values())}): at "
        f"uniform pressure Graham's law N_A/N_B = {regime['graham_flux_ratio']:.3g} holds "
        "at every Knudsen number"
    )


def _porous_estimate(regime: dict[str, Any], porous: list[str], problem: str) -> dict[str, Any]:
    """Verdict entries from the isobaric 1D dusty-gas estimate of the porous materials."""
    estimates = regime["isobaric_dusty_gas_estimate"]
    worst = max(estimates.values(), key=abs) if estimates else 0.0
    because = _graham_reason(regime, porous)
    level = "approximate" if abs(worst) <= validity.APPROXIMATE_LIMIT else "not valid"
    return {
        "model": "dusty_gas (isobaric 1D estimate)",
        "description": (
            f"the dusty-gas model cannot re-solve this case ({problem}): the deviation is "
            "the isobaric 1D estimate (analytic.dusty_gas_rate, x_A from 1 to 0) of each "
            "porous material, not a re-solve of this geometry"
        ),
        "verdict": f"{level} (estimate): {100 * abs(worst):.3g} % off because {because}",
        "max_relative_deviation": abs(worst),
        "boundaries": {},
    }


def report_for_model(
    case: Case,
    domain: Domain,
    model: Any,
    solution: Any,
    summary: dict[str, Any],
    build_model: Callable[[Case, Domain], Any],
) -> tuple[dict[str, Any], dict[str, fem.Function]]:
    """The ``validity`` block and field of a steady run of the composed model (collective).

    Never raises for a failure of the report itself (returns ``status = "failed"`` with the
    error, the same on every rank); KeyboardInterrupt passes.

    Args:
        case: The case.
        domain: Its domain.
        model: The solved :class:`~emcd_fem.models.transport.SpeciesTransportModel`.
        solution: Its solution.
        summary: The run's summary so far (T range, reactions).
        build_model: ``pipeline.model_run.build_model`` (builds the EMCD re-solve).
    """

    def run() -> tuple[dict[str, Any], dict[str, fem.Function]]:
        regime = _regime(case, domain, summary)
        checkpoint(domain.comm, "validity regime numbers")  # rank-local work above
        regions = sorted(domain.regions)
        porous = porous_regions(case, regions)
        masses, missing = molar_masses(case)
        unequal = masses is not None and masses[0] != masses[1]
        degree = case.discretisation.degree
        not_covered = []
        if case.thermal is not None and any(r.arrhenius_A for r in case.reactions):
            report, fields = _finish(None, regime, domain, degree, [])
            return report | {
                "model": None,
                "verdict": "not compared: the reactions' Arrhenius rates need the temperature "
                "field, so an isothermal EMCD run is not the same case (give k_f, k_b instead "
                "of arrhenius_A to compare at one temperature)",
                "not_covered": ["thermal diffusion with temperature-dependent rates"],
            }, fields
        if case.thermal is not None:
            if porous and unequal:
                not_covered.append(
                    f"Graham's law in the porous regions {porous} (the dusty-gas model is "
                    "isothermal)"
                )
            soret_max = max((abs(v) for v in regime.get("soret_number", {}).values()), default=0)
            reasons = [f"thermal diffusion (|S_T ΔT| up to {soret_max:.3g})"]
            if any(
                case.materials[case.material_of(r)].diffusivity_law != "constant"
                or case.materials[case.material_of(r)].concentration_law != "constant"
                for r in regions
            ):
                reasons.append("c and D depending on T (EMCD: their reference values)")
            comparison = soret_comparison(case, domain, model, solution, build_model)
            return _finish(comparison, regime, domain, degree, reasons, not_covered=not_covered)
        free = [r for r in regions if r not in porous]
        kn_free = {r: k for r, k in regime["knudsen_number"].items() if r in free and k > KN_WARN}
        if kn_free:
            not_covered.append(
                f"slip/transition effects of the free gas at Kn = {kn_free} (> {KN_WARN})"
            )
        if porous and masses is not None and dusty_gas_problem(case, regions) is None:
            resolved = {r: resolve_material(case, case.material_of(r)) for r in regions}
            comparison, pressure = dusty_gas_comparison(
                case, domain, model, solution, resolved, build_reactions(case)
            )
            reasons = [_graham_reason(regime, porous)] if unequal else []
            drop = max(
                (abs(v) for v in comparison.extra["pressure_difference"].values()), default=0
            )
            low, high = comparison.extra["pressure_range"]
            if high - low > 1e-6 * high:  # not isobaric: say what the pressure does
                share = max(abs(v) for v in comparison.extra["viscous_share"].values())
                reasons.append(
                    f"a pressure build-up inside (p from {low:.6g} to {high:.6g} Pa, "
                    f"{drop:.3g} Pa between boundaries; viscous share of the flux up to "
                    f"{share:.2g})"
                )
            if any(case.materials[case.material_of(r)].knudsen == "off" for r in porous):
                reasons.append(
                    "Knudsen diffusion in the pores, which the run leaves out (knudsen = 'off')"
                )
            report, fields = _finish(
                comparison, regime, domain, degree, reasons, not_covered=not_covered
            )
            return report, fields | {pressure.name: pressure}
        if porous and masses is None:
            report, fields = _finish(None, regime, domain, degree, [])
            return report | {
                "model": None,
                "verdict": f"unknown: the porous regions {porous} need the molar masses to "
                f"tell whether Graham's law breaks EMCD; {missing}",
                "missing_data": [missing],
                "not_covered": not_covered,
            }, fields
        if porous and unequal:
            report, fields = _finish(None, regime, domain, degree, [])
            problem = dusty_gas_problem(case, regions)
            return report | _porous_estimate(regime, porous, problem) | {
                "not_covered": not_covered,
                "missing_data": [problem] if problem.startswith("add ") else [],
            }, fields
        problem = maxwell_stefan_problem(case, domain, model)
        if problem is None:
            materials = build_materials(case, regions)
            comparison = maxwell_stefan_comparison(case, domain, model, solution, materials)
            return _finish(comparison, regime, domain, degree, [], not_covered=not_covered)
        report, fields = _finish(None, regime, domain, degree, [])
        return report | {
            "model": None,
            "verdict": "valid (by its conditions, not re-solved): a binary gas at uniform T "
            "and P with mole-balanced reactions"
            + (" and equal molar masses in the pores" if porous else "")
            + f"; the binary Maxwell–Stefan model is EMCD itself (not re-solved: {problem})",
            "not_covered": not_covered,
        }, fields

    return _guarded(domain, run)


def report_for_stefan(
    case: Case, domain: Domain, film: Any, solution: Any, open_end: str, wall: str
) -> tuple[dict[str, Any], dict[str, fem.Function]]:
    """The ``validity`` block of a Stefan-flow film run (collective).

    As :func:`report_for_model`, it never raises for a failure of the report itself.

    Args:
        case: The case.
        domain: Its 1D domain.
        film: The solved :class:`~emcd_fem.models.stefan.StefanFilm`.
        solution: Its solution.
        open_end: The open end's boundary name.
        wall: The reacting wall's boundary name.
    """

    def run() -> tuple[dict[str, Any], dict[str, fem.Function]]:
        regime = _regime(case, domain, {})
        checkpoint(domain.comm, "validity regime numbers")  # rank-local work above
        (reaction,) = case.reactions
        delta_nu = film.nu - 1.0
        regime["reactions"] = [
            {
                "equation": reaction.equation,
                "delta_nu": delta_nu,
                "R_T": delta_nu * solution.flux_A,  # mol/(m^2 s) made at the wall
            }
        ]
        reasons = [
            f"the wall reaction {reaction.equation!r} is not mole-balanced (Δν = {delta_nu:+g}: "
            f"Stefan flow N_A + N_B = (1 − ν) N_A)"
        ]
        comparison = stefan_comparison(film, solution, case, domain, open_end, wall)
        return _finish(comparison, regime, domain, case.discretisation.degree, reasons)

    return _guarded(domain, run)


def _guarded(
    domain: Domain, run: Callable[[], tuple[dict[str, Any], dict[str, fem.Function]]]
) -> tuple[dict[str, Any], dict[str, fem.Function]]:
    """Run the report; a failure on any rank becomes ``status = "failed"`` on every rank."""
    comm = domain.comm
    tic = time.perf_counter()
    try:
        checkpoint(comm, "validity report")
        report, fields = run()
        checkpoint(comm, "validity report done")
    except Exception as exc:  # the report must not cost the main run its results
        error = settle(comm, exc)  # the same error on every rank (agreed once)
        found = verdict_of(error)
        if found is not None and found.timed_out:
            raise error from None
        message = f"{type(error).__name__}: {error}"
        logger.error("the EMCD validity report failed (the main results are kept): %s", message)
        return {"status": "failed", "error": message, "verdict": None}, {}
    report["seconds"] = time.perf_counter() - tic
    logger.info("is EMCD valid here? %s", report.get("verdict"))
    return report, fields


def record_failure(summary: dict[str, Any]) -> None:
    """Make a failed report a failure of the run (after ``judge_run``; exit code 7)."""
    report = summary.get("validity") or {}
    if report.get("status") != "failed":
        return
    summary.setdefault("failures", []).append(
        "the EMCD validity report ([analysis] emcd_validity) failed; the main results are "
        f"complete and unaffected: {report['error']}"
    )
    summary["status"] = "failed"


__all__ = [
    "FIELD",
    "molar_masses",
    "porous_regions",
    "record_failure",
    "report_for_model",
    "report_for_stefan",
]
