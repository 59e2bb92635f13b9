"""Is EMCD valid here? The comparison of a binary run with a fuller model, and its verdict.

Equimolar counterdiffusion (N_A + N_B = 0 with Fick's law) is exact for a binary gas at
uniform temperature and pressure with mole-balanced reactions, and for a porous medium only
when the molar masses are equal (Graham's law, Σ N_i √M_i = 0, holds in pores at every
Knudsen number). The report (``pipeline.validity_run``) re-solves the same geometry with
the fuller model that applies and compares, per boundary, the outward flow of A,
q_Γ = ∫_Γ N_A·n ds, and the net molar flow ∫_Γ (N_A + N_B)·n ds (0 in EMCD).

This module holds the pure parts: the regime numbers (α = 1 − √(M_A/M_B), Knudsen numbers,
the Soret number S_T ΔT, Δν and R_T of the reactions), the per-boundary comparison, the
plain-language verdict and the local deviation field |N_EMCD − N_full| / max |N_full|.

The deviation of a boundary is q_EMCD/q_full − 1: negative when EMCD under-predicts the
magnitude of the flow. It is not reported (None) where |q_full| is below
:data:`FLUX_NOISE` of the largest |q_full| (an impermeable boundary).
"""

import math
from collections.abc import Mapping, Sequence
from typing import Any

import ufl
from dolfinx import fem

from emcd_fem.post.fields import interpolate_expression
from emcd_fem.post.integrals import owned_range

#: Largest |deviation| reported as "valid": the fuller model and EMCD differ only by solver
#: tolerance (direct solves: round-off; the default iterative solve's relative residual
#: 1e-10 and the balance test's 1e-6 bound what a converged pair of solves can differ by).
VALID_TOLERANCE: float = 1e-6

#: Largest |deviation| reported as "approximate"; beyond it EMCD is "not valid".
APPROXIMATE_LIMIT: float = 0.10

#: Boundaries with |q_full| below this fraction of the largest |q_full| carry no deviation.
FLUX_NOISE: float = 1e-9


def mass_ratio_alpha(molar_mass_a: float, molar_mass_b: float) -> float:
    """α = 1 − √(M_A/M_B) [-]: 0 for equal molar masses (Graham's ratio is then −1).

    Args:
        molar_mass_a: M_A [kg/mol] > 0.
        molar_mass_b: M_B [kg/mol] > 0.
    """
    return 1.0 - math.sqrt(molar_mass_a / molar_mass_b)


def compare_boundaries(
    emcd_flux: Mapping[str, float],
    full_flux_a: Mapping[str, float],
    full_flux_b: Mapping[str, float] | None = None,
) -> dict[str, dict[str, float | None]]:
    """Per boundary: the EMCD and the fuller model's flows of A and net flows.

    Args:
        emcd_flux: Boundary → outward flow of A in EMCD [mol/s; per unit depth in 2D; per
            unit area in 1D].
        full_flux_a: Boundary → outward flow of A in the fuller model [same units].
        full_flux_b: Boundary → outward flow of B in the fuller model; None when the fuller
            model is equimolar too (N_B = −N_A, e.g. the binary Soret run).

    Returns:
        Boundary → ``emcd_flux_A``, ``full_flux_A``, ``relative_deviation``
        (q_EMCD/q_full − 1, or None on an impermeable boundary), ``emcd_net_flux`` (0),
        ``full_flux_B`` and ``full_net_flux`` (q_A + q_B of the fuller model), in the
        order of ``full_flux_a``.
    """
    largest = max((abs(q) for q in full_flux_a.values()), default=0.0)
    rows: dict[str, dict[str, float | None]] = {}
    for name, q_full in full_flux_a.items():
        q_emcd = float(emcd_flux.get(name, 0.0))
        q_b = -q_full if full_flux_b is None else float(full_flux_b.get(name, 0.0))
        carries = largest > 0 and abs(q_full) > FLUX_NOISE * largest
        rows[name] = {
            "emcd_flux_A": q_emcd,
            "full_flux_A": float(q_full),
            "relative_deviation": q_emcd / q_full - 1.0 if carries else None,
            "emcd_net_flux": 0.0,
            "full_flux_B": q_b,
            "full_net_flux": float(q_full) + q_b,
        }
    return rows


def worst_deviation(rows: Mapping[str, Mapping[str, float | None]]) -> float:
    """The largest |relative deviation| over the boundaries (0 when none carries flux)."""
    values = [abs(r["relative_deviation"]) for r in rows.values() if r["relative_deviation"]]
    return max(values, default=0.0)


def net_flux_share(rows: Mapping[str, Mapping[str, float | None]]) -> float:
    """Max |q_A + q_B| / max |q_A| of the fuller model [-]: 0 when it is equimolar too."""
    largest = max((abs(r["full_flux_A"]) for r in rows.values()), default=0.0)
    net = max((abs(r["full_net_flux"]) for r in rows.values()), default=0.0)
    return net / largest if largest > 0 else 0.0


def verdict(
    rows: Mapping[str, Mapping[str, float | None]],
    reasons: Sequence[str],
    *,
    tolerance: float = VALID_TOLERANCE,
) -> str:
    """The plain-language verdict: "valid", "approximate: X % off because ..." or "not valid".

    Args:
        rows: :func:`compare_boundaries`.
        reasons: Why the fuller model differs from EMCD (one phrase each, e.g. "thermal
            diffusion (S_T ΔT = 0.03)"); used in the text when EMCD is off.
        tolerance: Largest |deviation| called "valid" (default :data:`VALID_TOLERANCE`).
    """
    worst = worst_deviation(rows)
    share = net_flux_share(rows)
    because = "; ".join(reasons) if reasons else "the fuller model differs"
    net = (
        f"; the exchange is not equimolar: |N_A + N_B| reaches {share:.3g} |N_A|"
        if share > tolerance
        else ""
    )
    if worst <= tolerance:
        if share > tolerance:
            return f"approximate: the flux of A is right but{net[1:]} ({because})"
        return (
            f"valid: EMCD and the fuller model agree to {worst:.1e} (solver tolerance "
            f"{tolerance:g})"
        )
    text = f"{100 * worst:.3g} % off because {because}{net}"
    if worst <= APPROXIMATE_LIMIT:
        return f"approximate: {text}"
    return f"not valid: {text}"


def deviation_field(
    emcd_flux: ufl.core.expr.Expr,
    full_flux: ufl.core.expr.Expr,
    V: fem.FunctionSpace,
    name: str = "emcd_deviation",
) -> tuple[fem.Function, float]:
    """|N_EMCD − N_full| / max |N_full| in the scalar space ``V`` (collective).

    Both fluxes are interpolated at the nodes of ``V`` (a DG space of the fluxes' degree
    holds them exactly for Lagrange unknowns of one degree higher); the maximum is over
    those nodes on every rank.

    Args:
        emcd_flux: N_A of the EMCD solution (UFL vector) [mol/(m^2 s)].
        full_flux: N_A of the fuller model [mol/(m^2 s)].
        V: Scalar space of the field (e.g. DG(p − 1)).
        name: The field's name.

    Returns:
        The field and max |N_full| [mol/(m^2 s)] (0: the field is |N_EMCD − N_full|).
    """
    size = interpolate_expression(ufl.sqrt(ufl.inner(full_flux, full_flux)), V, "full_flux")
    _, largest = owned_range(size)
    difference = emcd_flux - full_flux
    magnitude = ufl.sqrt(ufl.inner(difference, difference))
    scale = fem.Constant(V.mesh, 1.0 / largest if largest > 0 else 1.0)
    return interpolate_expression(magnitude * scale, V, name), largest


def uniform_field(V: fem.FunctionSpace, value: float, name: str = "emcd_deviation") -> fem.Function:
    """A field equal to ``value`` everywhere (a 1D film, where N_A is uniform in both models)."""
    field = fem.Function(V, name=name)
    field.x.array[:] = value
    return field


def regime_numbers(
    *,
    molar_masses: tuple[float, float] | None,
    materials: Mapping[str, Mapping[str, Any]],
    porous: Sequence[str],
    soret: Mapping[str, float] | None = None,
    temperature_range: tuple[float, float] | None = None,
    reactions: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The numbers behind the verdict.

    Args:
        molar_masses: (M_A, M_B) [kg/mol], or None when the case does not give them.
        materials: Region → material diagnostics (``knudsen_number``,
            ``dusty_gas_deviation``, ``graham_flux_ratio`` where the material has them).
        porous: The porous regions (ε < 1, τ > 1 or a pore diameter).
        soret: Region → S_T [1/K] (with a temperature field).
        temperature_range: (T_min, T_max) [K] of the run.
        reactions: Per reaction: ``equation``, ``delta_nu`` and its molar rate where known.

    Returns:
        ``alpha`` (None without molar masses), ``graham_flux_ratio`` (N_A/N_B at uniform
        pressure in pores), ``knudsen_number`` (region → Kn, porous regions and regions
        with a length scale), ``porous_regions``, ``soret_number`` (region → S_T ΔT),
        ``delta_T`` [K] and ``reactions`` (equation, Δν; R_T = Δν r is 0 for Δν = 0).
    """
    numbers: dict[str, Any] = {"alpha": None, "graham_flux_ratio": None}
    if molar_masses is not None:
        m_a, m_b = molar_masses
        numbers["alpha"] = mass_ratio_alpha(m_a, m_b)
        numbers["graham_flux_ratio"] = -math.sqrt(m_b / m_a)
        numbers["molar_masses"] = {"A": m_a, "B": m_b}
    numbers["knudsen_number"] = {
        r: d["knudsen_number"] for r, d in sorted(materials.items()) if "knudsen_number" in d
    }
    numbers["porous_regions"] = sorted(porous)
    numbers["isobaric_dusty_gas_estimate"] = {
        r: d["dusty_gas_deviation"]
        for r, d in sorted(materials.items())
        if "dusty_gas_deviation" in d
    }
    if soret and temperature_range is not None:
        delta_t = temperature_range[1] - temperature_range[0]
        numbers["delta_T"] = delta_t
        numbers["soret_number"] = {r: s * delta_t for r, s in sorted(soret.items())}
    numbers["reactions"] = [dict(r) for r in reactions]
    return numbers


__all__ = [
    "APPROXIMATE_LIMIT",
    "FLUX_NOISE",
    "VALID_TOLERANCE",
    "compare_boundaries",
    "deviation_field",
    "mass_ratio_alpha",
    "net_flux_share",
    "regime_numbers",
    "uniform_field",
    "verdict",
    "worst_deviation",
]
