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
* Reference reproduced exactly by the elements (layered slabs without a source: the exact
  x_A is linear in each layer and the mesh follows the layers, so P_p holds it exactly,
  films and partition jumps included): :data:`REFERENCE_FLOOR` = 1e-6, far above the
  solver's effect on the fluxes (LU: round-off; the default iterative solver's relative
  residual 1e-10) and far below any modelling error worth reporting.
* Otherwise ``REFERENCE_FLOOR + (h/ℓ)^q + (2 Pe)^(2p)``, h the largest cell diameter, ℓ
  the smallest length of the reference (a layer or shell thickness, an inner radius), p
  the element degree and q the order at which the boundary flux converges: 2p for the
  reaction flux of a straight geometry, min(2p, g + 1) on curved boundaries meshed with
  order-g cells (the boundary is off by O(h^(g+1))), and Pe the cell Péclet number of a
  thermal drift. The leading constant is 1: the measured errors of the shipped demos and
  tests are 10–1000 times smaller, while a wrong reference or a wrong interface law
  (errors of 1e-2 and more) stays far above it on any mesh a user would run.
"""

from collections.abc import Mapping
from typing import Any

from dolfinx import mesh as dmesh

from emcd_fem.errors import EmcdResultError
from emcd_fem.postprocess import mesh_size

#: Relative disagreement with a reference that the elements reproduce exactly.
REFERENCE_FLOOR: float = 1e-6

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
    msh: dmesh.Mesh,
    degree: int,
    *,
    exact: bool,
    length: float = 1.0,
    curved: bool = False,
    peclet: float = 0.0,
) -> dict[str, Any]:
    """What the discretisation can explain of a disagreement with a reference (collective).

    Args:
        msh: The mesh.
        degree: Element degree p.
        exact: The elements reproduce the reference solution exactly.
        length: Smallest length ℓ of the reference [m].
        curved: The reference's boundaries are curved (shells).
        peclet: Cell Péclet number of a thermal drift.

    Returns:
        ``{"tolerance": float, "basis": str}`` for the summary.
    """
    if exact:
        return {
            "tolerance": REFERENCE_FLOOR,
            "basis": "exact in the finite-element space (piecewise linear x_A, mesh follows "
            "the layers): solver and round-off only",
        }
    h, _ = mesh_size(msh)
    geometric = msh.geometry.cmaps[0].degree
    q = min(2 * degree, geometric + 1) if curved else 2 * degree
    tolerance = REFERENCE_FLOOR + (h / length) ** q + (2.0 * peclet) ** (2 * degree)
    basis = f"1e-6 + (h/l)^{q} with h = {h:.3g} m, l = {length:.3g} m"
    if peclet:
        basis += f" + (2 Pe)^{2 * degree} with cell Péclet {peclet:.3g}"
    return {"tolerance": tolerance, "basis": basis}


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
            f"production {production:.6g}); the linear solve did not deliver converged "
            "fluxes: use a direct solver ([solver] petsc_options: ksp_type = 'preonly', "
            "pc_type = 'lu', pc_factor_mat_solver_type = 'mumps') or tighten ksp_rtol"
        )
    summary["status"] = "failed" if failures else "ok"
    summary["failures"] = failures
    return failures


def raise_on_failure(result: Any) -> None:
    """Raise :class:`EmcdResultError` when ``result.summary["status"]`` is ``"failed"``.

    Args:
        result: A :class:`~emcd_fem.simulation.RunResult` (kept on the exception).
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


__all__ = [
    "BALANCE_FAIL_RTOL",
    "REFERENCE_FLOOR",
    "flux_unit",
    "raise_on_failure",
    "record",
    "reference_tolerance",
]
