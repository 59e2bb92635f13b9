"""Checks of a finished run against what the program knows itself.

Two things a run can see are wrong without any outside help:

* its **own analytic reference** (the 1D composite slab or shells, the film network, the
  Soret slab) disagrees with the finite-element boundary fluxes by more than the
  discretisation can explain (:func:`reference_tolerance`);
* the **species balance** Σ_Γ q_Γ = ∫R dx does not close (:data:`BALANCE_FAIL_RTOL`).

:func:`record` writes the verdict into the summary (``status``: ``"ok"`` or ``"failed"``,
``failures``: one sentence each); :func:`raise_on_failure` then raises
:class:`~emcd_fem.errors.EmcdResultError` (``emcd run`` exit code 7) after the results were
written, so the failed run can be inspected.

Tolerances
----------
``REFERENCE_FLOOR + SAFETY (e_h + e_g)``, measured on the run itself:

* e_h = d², the discretisation error of the solution, from d, the largest relative
  difference between the reported boundary flux (the reaction of the discrete equations:
  conservative, a functional whose error is the product of the primal and dual energy
  errors, order h^2p) and the flux from the gradient of the same solution (error of the
  primal's order h^p, so d ≈ that error). Measured on the shipped shell demos, the
  actual error is 0.09–0.9 d². d vanishes where the elements hold the exact solution
  (layered slabs: x_A linear in each layer, films and partition jumps included).
* e_g, the error of the meshed geometry (shells: :func:`shell_geometry_error`, from the
  meshed boundary measures), which e_h cannot see.
* :data:`REFERENCE_FLOOR` = 1e-6 covers the solver (LU: round-off; the default iterative
  solver's relative residual 1e-10) and :data:`SAFETY` = 10 the pre-asymptotic range.
* The tolerance never exceeds :data:`TOLERANCE_CAP` = 0.3, so a flux off by a factor 2
  (relative error ≥ 0.5) or of the wrong sign (≥ 1) always fails. When the estimate
  e_h + e_g itself exceeds :data:`ESTIMATE_LIMIT` (the mesh is too coarse for the estimate
  to mean much), the reference cannot judge the result: ``analytic.judged`` is false and
  the run warns (refine the mesh, raise the degree or the geometric order).

A wrong reference or a wrong interface law disagrees by far more than that (the
name-dependent film law of issue 15 by 1.7e-1).
"""

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from emcd_fem.errors import EmcdResultError

#: Relative disagreement with a reference that the elements reproduce exactly.
REFERENCE_FLOOR: float = 1e-6

#: Factor on the measured discretisation error (pre-asymptotic meshes).
SAFETY: float = 10.0

#: Largest tolerance against a reference: a factor 2 (relative error ≥ 0.5) or a wrong
#: sign (≥ 1) fails however coarse the mesh.
TOLERANCE_CAP: float = 0.3

#: Largest discretisation estimate e_h + e_g at which the reference still judges the result:
#: beyond 5 % the estimate is pre-asymptotic (the shell demos' actual error is 0.09–0.9 d²
#: only in the asymptotic range), so SAFETY x estimate (> 0.5) would be a guess.
ESTIMATE_LIMIT: float = 0.05

#: Largest relative species imbalance |Σ q_Γ − ∫R dx| / (Σ |q_Γ| + |∫R dx|) accepted.
#: Direct solves close the balance to round-off (1e-12), the default iterative solver to
#: about 1e-7 (stomatal-pore demo, the worst shipped case); beyond 1e-6 the fluxes carry a
#: solver error that the report would hide.
BALANCE_FAIL_RTOL: float = 1e-6

#: Fluxes below this fraction of the flux a unit mole-fraction difference drives are
#: round-off zero: the balance is judged against at least this scale, so a case with no
#: transport at all (every q_Γ ≈ 1e-17) is not a failed balance.
FLUX_NOISE: float = 1e-6


def reference_tolerance(
    reaction: Mapping[str, float],
    gradient: Mapping[str, float],
    geometric: float = 0.0,
) -> dict[str, Any]:
    """What the discretisation can explain of a disagreement with a reference.

    Args:
        reaction: Boundary → the reported (conservative) flux q_Γ.
        gradient: Boundary → ∫_Γ N_A(x_h)·n ds from the gradient of the same solution.
        geometric: Relative error of the flux due to the meshed geometry (0 for straight
            boundaries), e.g. from :func:`shell_geometry_error`.

    Returns:
        ``{"tolerance": float, "basis": str, "discretisation_estimate": float,
        "judged": bool}`` for the summary (``judged`` false: the estimate exceeds
        :data:`ESTIMATE_LIMIT`, the tolerance is capped at :data:`TOLERANCE_CAP`).
    """
    d = max(
        (abs(q - gradient[n]) / abs(q) for n, q in reaction.items() if q != 0.0),
        default=0.0,
    )
    estimate = d**2 + geometric
    basis = (
        f"{REFERENCE_FLOOR:g} + {SAFETY:g} x (d^2 + geometry) with d = {d:.2e} "
        f"(reaction vs gradient flux), geometry {geometric:.2e}"
    )
    raw = REFERENCE_FLOOR + SAFETY * estimate
    if raw > TOLERANCE_CAP:
        basis += f", capped at {TOLERANCE_CAP:g}"
    return {
        "tolerance": min(raw, TOLERANCE_CAP),
        "discretisation_estimate": estimate,
        "basis": basis,
        "judged": estimate <= ESTIMATE_LIMIT,
    }


def shell_geometry_error(
    kind: str, radii: Sequence[float], measures: Mapping[str, float], height: float = 1.0
) -> float:
    """Flux error of concentric shells due to the meshed (polygonal) circles or spheres.

    The relative error ε of the meshed inner and outer boundary measures shifts a radius
    by about ε r (cylinder) or ε r/2 (sphere); a shell's resistance ln(r_o/r_i) or
    1/r_i − 1/r_o then changes by at most ε (r_o + r_i)/(r_o − r_i) relative.

    Args:
        kind: ``"cylinder"`` or ``"sphere"``.
        radii: r_0 < ... < r_n [m].
        measures: Boundary → measure of the mesh, with ``inner`` and ``outer``.
        height: Cylinder height (1 for the 2D annulus).
    """
    exact = {
        "inner": _shell_measure(kind, radii[0], height),
        "outer": _shell_measure(kind, radii[-1], height),
    }
    eps = max(abs(measures[n] - a) / a for n, a in exact.items() if n in measures)
    amplification = max((b + a) / (b - a) for a, b in itertools.pairwise(radii))
    return eps * amplification


def _shell_measure(kind: str, r: float, height: float) -> float:
    return 4 * math.pi * r**2 if kind == "sphere" else 2 * math.pi * r * height


def flux_unit(materials: Mapping[str, Any], boundary_measure: float, diameter: float) -> float:
    """The flux a unit mole-fraction difference drives across the domain: max(c D) |∂Ω| / d.

    Args:
        materials: Region → :class:`~emcd_fem.Material`.
        boundary_measure: Total measure of the named boundaries.
        diameter: Bounding-box diameter of the mesh [m].
    """
    cd = max((m.concentration * m.diffusivity for m in materials.values()), default=0.0)
    return cd * boundary_measure / diameter if diameter > 0 else 0.0


def record(summary: dict[str, Any], *, unit: float) -> list[str]:
    """Judge a run's summary; set ``status`` and ``failures`` in it.

    Args:
        summary: The run summary, with ``boundary_flux``, ``balance`` (``relative``, and
            ``production`` when there is a source) and ``analytic`` (with
            ``max_relative_error`` and ``tolerance``) or None.
        unit: :func:`flux_unit` of the case.

    Returns:
        The failures (empty: status ``"ok"``).
    """
    failures = []
    reference = summary.get("analytic") or {}
    if reference.get("judged") is False:
        summary.setdefault("warnings", []).append(
            "the mesh is too coarse for the run's own analytic reference to judge the result: "
            f"the estimated discretisation error {reference['discretisation_estimate']:.2e} "
            f"exceeds {ESTIMATE_LIMIT:g} (summary.json analytic.judged = false); the check "
            f"only catches errors beyond {reference['tolerance']:g} (relative). Refine the "
            "mesh (geometry size/cells), or raise discretisation.degree or geometry.order"
        )
    error, tolerance = reference.get("max_relative_error"), reference.get("tolerance")
    if error is not None and tolerance is not None and not error <= tolerance:
        failures.append(
            f"the run's own analytic reference disagrees with the finite-element boundary "
            f"fluxes by {error:.3e} (relative), more than the discretisation explains "
            f"({tolerance:.3e}: {reference.get('basis', '')}); expected "
            f"{reference.get('boundary_flux')}, computed "
            f"{ {n: summary['boundary_flux'][n] for n in reference.get('boundary_flux', {})} }"
        )
    relative = summary["balance"]["relative"]
    fluxes = summary["boundary_flux"].values()
    production = summary["balance"].get("production", 0.0)
    scale = sum(abs(q) for q in fluxes) + abs(production)
    if relative * scale > BALANCE_FAIL_RTOL * max(scale, FLUX_NOISE * unit):
        failures.append(
            f"the species balance does not close: relative imbalance {relative:.3e} > "
            f"{BALANCE_FAIL_RTOL:g} (boundary fluxes {dict(summary['boundary_flux'])}, "
            f"production {production:.6g}): the fluxes are not those of a converged "
            "solution and cannot be trusted; please report it with the case file"
        )
    summary["status"] = "failed" if failures else "ok"
    summary["failures"] = failures
    return failures


def mark_interrupted(summary: dict[str, Any]) -> None:
    """``status = "interrupted"`` for a transient run stopped by a signal whose checks pass.

    Its results are the state at the interruption, not at ``t_end``: a reader of
    ``status`` must not take them for a finished run (``emcd run --resume`` continues it).
    """
    if summary.get("transient", {}).get("reason") == "interrupted" and summary["status"] == "ok":
        summary["status"] = "interrupted"


def raise_on_failure(result: Any) -> None:
    """Raise :class:`EmcdResultError` when ``result.summary["status"]`` is ``"failed"``.

    Args:
        result: A :class:`~emcd_fem.pipeline.run.RunResult` (kept on the exception).
    """
    summary = result.summary
    if summary.get("status") != "failed":
        return
    where = f"; results written to {result.output_dir}" if result.output_dir else ""
    raise EmcdResultError(
        "the result fails the program's own checks (summary.json status = 'failed')"
        f"{where}: " + " | ".join(summary["failures"]),
        result,
    )


def species_balance_failures(
    boundary_flux: Mapping[str, Mapping[str, float]], balance: Mapping[str, Mapping[str, float]]
) -> list[str]:
    """Failures of the per-species balances of an n-species run (empty when all close).

    Args:
        boundary_flux: Species → boundary → outward flux q_Γ,i [mol/s in 3D].
        balance: Species → record with ``relative`` (|Σ_Γ q − P| / (Σ|q| + |P|)) and
            ``production`` P_i [mol/s in 3D].

    A species whose throughput is below :data:`FLUX_NOISE` of the largest one is judged
    against that floor (a species that hardly moves carries noise only).
    """
    size = {
        s: sum(abs(q) for q in boundary_flux[s].values()) + abs(r["production"])
        for s, r in balance.items()
    }
    floor = FLUX_NOISE * max(size.values())
    return [
        f"the balance of {s} does not close: relative imbalance {r['relative']:.3e} > "
        f"{BALANCE_FAIL_RTOL:g} (boundary fluxes {dict(boundary_flux[s])}); please report it "
        "with the case file"
        for s, r in balance.items()
        if r["relative"] * size[s] > BALANCE_FAIL_RTOL * max(size[s], floor)
    ]


__all__ = [
    "BALANCE_FAIL_RTOL",
    "ESTIMATE_LIMIT",
    "REFERENCE_FLOOR",
    "TOLERANCE_CAP",
    "flux_unit",
    "raise_on_failure",
    "record",
    "reference_tolerance",
    "shell_geometry_error",
    "species_balance_failures",
]
