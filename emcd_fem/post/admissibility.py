"""Admissibility: can the data have a steady state with 0 <= x_A <= 1, and does the result?

One check shared by every pipeline (plain, partition, film, thermal):

* before the solve, :func:`check_inventory` and :func:`check_flux_balance` refuse data that
  admit no steady state at all (a flux-only problem whose fluxes do not balance the
  production, an inventory that is not a mole fraction);
* after the solve, :func:`check_range` judges the physical mole fraction x_A (= H μ region
  by region with partition coefficients, so jumps are included) against [0, 1] and names
  the boundary data responsible.

When the range check refuses, and when it only warns
-----------------------------------------------------
Without flux data (no non-zero ``flux`` boundary, no source) the exact potential μ obeys
the maximum principle: it stays within the range of the data μ_D = x_D / H_b of the
``mole_fraction`` and ``mass_transfer`` boundaries (film resistances do not change this:
they only couple values that already lie in that range). Thermal diffusion keeps x_A in
[0, 1] by a comparison principle (x_A = 0 and 1 are solutions); so do reactions
(homogeneous, on walls, on interfaces), which pull x_A towards their equilibrium
compositions, possibly outside the data range: with either, the overshoot warning compares
with [0, 1] only (``maximum_principle=False``). So when moreover every
region satisfies H_r max μ_D <= 1, the exact x_A lies in [0, 1] and an excursion of the
discrete x_A is discretisation error: beyond the data range it is reported as a warning,
beyond [0, 1] by more than the tolerance below as :class:`~emcd_fem.errors.EmcdResultError`
(refine the mesh). Otherwise the data themselves can push x_A out of [0, 1] and an
excursion beyond the tolerance is an :class:`~emcd_fem.errors.AdmissibilityError` that
names the flux boundaries, the source, the inventory or the partition coefficients.

Tolerance: ``1e-9 + (h / d)^(p + 1)`` with h the largest cell diameter, d the diameter of
the mesh's bounding box and p the element degree. Nodal values of P_p converge like
h^(p+1) relative to the variation of x_A, which is at most 1 for admissible data; 1e-9
covers the iterative solver's noise (relative tolerance 1e-10).
"""

import logging
from collections.abc import Iterable, Mapping

from dolfinx import mesh as dmesh

from emcd_fem.errors import AdmissibilityError, EmcdInputError, EmcdResultError
from emcd_fem.mesh.domain import Domain
from emcd_fem.physics.conditions import BoundaryCondition, MassTransfer, MolarFlux
from emcd_fem.post.integrals import mesh_size

logger = logging.getLogger("emcd_fem")

#: Relative tolerance of the balance of flux-only data:
#: |Σ_Γ q_Γ − ∫R dx| <= BALANCE_RTOL (Σ_Γ |q_Γ| + |∫R dx|).
BALANCE_RTOL: float = 1e-9

#: Noise level of x_A that never counts as an excursion (iterative-solver tolerance 1e-10).
ROUND_OFF: float = 1e-9


# -- before the solve -----------------------------------------------------------------------
def check_inventory(inventory: float | None, boundaries: Iterable[str]) -> None:
    """Refuse a flux-only problem without a valid mean mole fraction.

    Args:
        inventory: ∫c x_A dx / ∫c dx, or None.
        boundaries: The boundary names (for the message).

    Raises:
        EmcdInputError: no inventory given. AdmissibilityError: not in [0, 1].
    """
    if inventory is None:
        raise EmcdInputError(
            "every boundary prescribes a flux, so the mole fraction is fixed only up to a "
            "constant: give inventory_mole_fraction (the mean mole fraction of A, "
            "∫c x_A dx / ∫c dx) or make one boundary a mole_fraction or mass_transfer "
            f"boundary (boundaries: {sorted(boundaries)})"
        )
    if not (isinstance(inventory, int | float) and 0.0 <= inventory <= 1.0):
        raise AdmissibilityError(
            f"inventory_mole_fraction = {inventory!r} must be a mole fraction in [0, 1]"
        )


def check_flux_balance(outflow: Mapping[str, float], production: float) -> None:
    """Refuse flux-only data whose outflow does not balance the production.

    Args:
        outflow: Boundary name → integrated outward flux q_Γ [mol/s, mol/(m s), mol/(m^2 s)].
        production: ∫ R_A dx in the same units.

    Raises:
        AdmissibilityError: |Σ q_Γ − ∫R dx| > BALANCE_RTOL (Σ |q_Γ| + |∫R dx|): no steady
            state exists; the message lists the integrated fluxes.
    """
    net = sum(outflow.values())
    scale = sum(abs(v) for v in outflow.values()) + abs(production)
    if abs(net - production) <= BALANCE_RTOL * scale:
        return
    detail = ", ".join(f"{n}: {v:.6g}" for n, v in outflow.items() if v != 0.0)
    raise AdmissibilityError(
        "the prescribed fluxes admit no steady state: every boundary prescribes a "
        f"flux and the total outflow {net:.6g} differs from the production "
        f"{production:.6g} (relative {abs(net - production) / scale:.2e} > "
        f"{BALANCE_RTOL:g}); integrated outward fluxes: {{{detail}}}. Make the "
        "outward fluxes (times their boundary areas) sum to the production, or "
        "replace one flux boundary by a mole_fraction boundary."
    )


def flux_only(conditions: Mapping[str, BoundaryCondition]) -> bool:
    """True when no boundary fixes the level of x_A (no mole_fraction or mass_transfer)."""
    return not any(bc.is_dirichlet or isinstance(bc, MassTransfer) for bc in conditions.values())


# -- after the solve ------------------------------------------------------------------------
def range_tolerance(msh: dmesh.Mesh | Domain, degree: int) -> float:
    """``1e-9 + (h / d)^(p + 1)``: what the discretisation can explain (collective).

    Args:
        msh: The mesh, or the domain (h: largest cell diameter, d: bounding-box diameter;
            ``post.integrals.mesh_size``).
        degree: Element degree p.
    """
    h, diameter = mesh_size(msh)
    return ROUND_OFF + (h / diameter) ** (degree + 1)


def flux_data(conditions: Mapping[str, BoundaryCondition], production: float) -> list[str]:
    """Names of the data that can drive x_A out of its data range.

    Non-zero flux boundaries and ``"source"`` when ∫R dx ≠ 0, in the user's order.
    """
    names = [n for n, bc in conditions.items() if isinstance(bc, MolarFlux) and _nonzero(bc.value)]
    return names + (["source"] if production != 0.0 else [])


def _nonzero(value: object) -> bool:
    return not (isinstance(value, int | float) and value == 0.0)


def check_range(
    x_min: float,
    x_max: float,
    *,
    msh: dmesh.Mesh | Domain,
    degree: int,
    conditions: Mapping[str, BoundaryCondition],
    dirichlet_ranges: Mapping[str, tuple[float, float]] | None = None,
    boundary_solubility: Mapping[str, float] | None = None,
    region_solubility: Mapping[str, float] | None = None,
    production: float = 0.0,
    inventory: float | None = None,
    potential_range: tuple[float, float] | None = None,
    model: str = "",
    advice: str = "",
    maximum_principle: bool = True,
) -> list[str]:
    """Judge the computed physical mole fraction against [0, 1] (collective).

    Args:
        x_min: Smallest nodal x_A over all ranks (with partition coefficients: of
            x_A = H μ cell by cell, so each region's own values count).
        x_max: Largest nodal x_A.
        msh: The mesh, or the domain (its cached cell statistics give h), for the
            tolerance.
        degree: Element degree.
        conditions: Boundary name → condition, every boundary, in the user's order.
        dirichlet_ranges: Boundary → (min, max) of the prescribed x_A for function-valued
            mole_fraction data (numbers are read from ``conditions``).
        boundary_solubility: Boundary → H along it (default 1): μ_D = x_D / H.
        region_solubility: Region → H (default: every H = 1).
        production: ∫R_A dx (non-zero: a source is flux data).
        inventory: The prescribed mean mole fraction of a flux-only problem.
        potential_range: (min, max) of the discrete potential μ; compared with the data
            range for the overshoot warning (default: the x_A range when every H = 1).
        model: What else shapes x_A, e.g. ``"film resistances"`` or ``"thermal diffusion
            (S_T)"``, named among the responsible data.
        advice: Extra advice appended to the refusal, e.g. on a cell Péclet number.
        maximum_principle: False when the model keeps x_A within [0, 1] but not within the
            range of the boundary data (thermal diffusion, reactions: their equilibrium
            compositions): the overshoot warning then compares with [0, 1].

    Returns:
        Warnings (the discrete x_A overshoots the data range by discretisation error).

    Raises:
        AdmissibilityError: the data can drive x_A out of [0, 1] and the result is out by
            more than :func:`range_tolerance`; names the data responsible.
        EmcdResultError: the data guarantee 0 <= x_A <= 1 but the discrete x_A is out by
            more than the tolerance (the mesh is too coarse for the solution).
    """
    tol = range_tolerance(msh, degree)
    pushers = flux_data(conditions, production)
    h_b = dict(boundary_solubility or {})
    h_r = dict(region_solubility or {})
    partitioned = any(h != 1.0 for h in h_r.values())
    culprits = [
        f"{n!r} ({conditions[n].describe()})" if n != "source" else "the source" for n in pushers
    ]
    if inventory is not None and flux_only(conditions):
        culprits.append(f"inventory_mole_fraction={inventory:g}")
    bound = f"x_A = {x_max:.6g} > 1" if x_max > 1.0 + tol else f"x_A = {x_min:.6g} < 0"
    out = x_min < -tol or x_max > 1.0 + tol
    if not pushers:
        lo, hi = _data_range(conditions, dirichlet_ranges or {}, h_b, inventory)
        if not maximum_principle:
            lo, hi = 0.0, 1.0
        bounded = max(h_r.values(), default=1.0) * hi <= 1.0 + ROUND_OFF and not (
            partitioned and inventory is not None and flux_only(conditions)
        )
        if not bounded:  # x_A = H μ with μ in the data range can exceed 1 in some region
            if not out:
                return []
            regions = {r: round(h, 6) for r, h in h_r.items()}
            also = f" and {model}" if model else ""
            raise AdmissibilityError(
                f"the partition coefficients{also} push the mole fraction to [{x_min:.6g}, "
                f"{x_max:.6g}], outside [0, 1] (x_A = H μ with H per region: {regions}; "
                f"the data fix μ in [{lo:.6g}, {hi:.6g}]): the data are not consistent with "
                "a binary mixture; check the partition coefficients (interfaces.partition)"
                f"{', ' + model if model else ''} and the boundary mole fractions"
            )
        if out:
            raise EmcdResultError(
                f"the discrete mole fraction reaches {bound} (tolerance {tol:.1e}) although "
                "the boundary data keep the exact x_A within [0, 1]: the discretisation "
                "error is larger than this mesh should give; refine the mesh where the "
                f"solution is steep{_sentence(advice)}"
            )
        mu_min, mu_max = potential_range if potential_range is not None else (x_min, x_max)
        if mu_min < lo - ROUND_OFF or mu_max > hi + ROUND_OFF:
            what = "potential μ = x_A/H" if partitioned else "mole fraction"
            message = (
                f"the discrete {what} [{mu_min:.6g}, {mu_max:.6g}] overshoots the data "
                f"range [{lo:g}, {hi:g}] by {max(lo - mu_min, mu_max - hi):.2e}; the exact "
                "solution stays within it (maximum principle), so this is discretisation "
                f"error (P{degree} elements, obtuse cells or a steep drift): refine the mesh"
                f"{_sentence(advice)}"
            )
            logger.warning(message)
            return [message]
        return []
    if not out:
        return []
    if model:
        culprits.append(model)
    if partitioned:  # x_A = H μ: a partition coefficient can lift x_A above 1 on its own
        culprits.append("the partition coefficients (interfaces.partition)")
    spread = x_max - x_min
    hint = (
        "the prescribed flux needs a mole-fraction difference of "
        f"{spread:.4g} > 1 across the domain (in 1D: |q| <= c D / L)"
        if spread > 1.0
        else "shift the data (inventory or boundary mole fractions) so that the profile "
        "fits in [0, 1] (in 1D: 0 <= x_0 - q L/(c D) <= 1)"
    )
    raise AdmissibilityError(
        f"inadmissible flux data: the solution reaches {bound} (tolerance {tol:.1e}); "
        f"responsible data: {', '.join(culprits)}; {hint}. Lower the flux magnitude"
        f"{' or the source' if 'source' in pushers else ''}"
        f"{', or check the partition coefficients' if partitioned else ''}{_sentence(advice)}."
    )


def _sentence(advice: str) -> str:
    return f"; {advice}" if advice else ""


def _data_range(
    conditions: Mapping[str, BoundaryCondition],
    dirichlet_ranges: Mapping[str, tuple[float, float]],
    boundary_solubility: Mapping[str, float],
    inventory: float | None,
) -> tuple[float, float]:
    """Range of the potential data μ_D = x_D / H_b (the maximum principle's bounds)."""
    values: list[float] = []
    for name, bc in conditions.items():
        h = boundary_solubility.get(name, 1.0)
        if bc.is_dirichlet:
            if name in dirichlet_ranges:
                values += [v / h for v in dirichlet_ranges[name]]
            elif isinstance(bc.value, int | float):
                values.append(float(bc.value) / h)
        elif isinstance(bc, MassTransfer) and isinstance(bc.ambient, int | float):
            values.append(float(bc.ambient) / h)
    if inventory is not None and flux_only(conditions):
        values.append(float(inventory))
    if not values:  # no level data at all: nothing bounds μ but [0, 1]
        return 0.0, 1.0
    return min(values), max(values)


__all__ = [
    "BALANCE_RTOL",
    "check_flux_balance",
    "check_inventory",
    "check_range",
    "flux_data",
    "flux_only",
    "range_tolerance",
]
