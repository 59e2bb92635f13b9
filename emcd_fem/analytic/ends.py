"""End conditions of 1D references: the shared algebra of the slab and shell families.

Each end condition (mole fraction, flux, mass transfer, zero flux) is one row of the
linear system for the two end values; ``check_profile`` refuses a profile outside
[0, 1] (no admissible steady state).
"""

import numpy as np
import numpy.typing as npt

from emcd_fem.errors import AdmissibilityError, EmcdInputError
from emcd_fem.physics.conditions import (
    BoundaryCondition,
    MassTransfer,
    MolarFlux,
    MoleFraction,
    ZeroFlux,
)

#: Relative tolerance of the flux balance and bound checks in this module.
RTOL: float = 1e-12


def end_row(
    bc: BoundaryCondition, side: str, resistance: float, area: float = 1.0
) -> tuple[list[float], float]:
    """Linear equation row · (x_A(start), Q) = rhs for one end condition.

    Q is the rate of A through the series in the +z (+r) direction: a flux per unit area
    for a slab (area 1), mol/s for shells; ``area`` is the measure of the end face.
    """
    if side == "left":
        if isinstance(bc, MoleFraction):
            return [1.0, 0.0], bc.value
        if isinstance(bc, MolarFlux):
            return [0.0, 1.0], -bc.value * area
        if isinstance(bc, MassTransfer):
            return [bc.coefficient * area, 1.0], bc.coefficient * area * bc.ambient
    else:
        if isinstance(bc, MoleFraction):
            return [1.0, -resistance], bc.value
        if isinstance(bc, MolarFlux):
            return [0.0, 1.0], bc.value * area
        if isinstance(bc, MassTransfer):
            k = bc.coefficient * area
            return [k, -(1.0 + k * resistance)], k * bc.ambient
    if isinstance(bc, ZeroFlux):
        return [0.0, 1.0], 0.0
    raise EmcdInputError(f"{side} end: unsupported boundary condition {bc!r}")


def solve_two_ends(
    left: BoundaryCondition,
    right: BoundaryCondition,
    total_resistance: float,
    areas: tuple[float, float] = (1.0, 1.0),
) -> tuple[float, float] | None:
    """(x_A at the start, Q) for two end conditions; None when both prescribe fluxes."""
    row_l, rhs_l = end_row(left, "left", total_resistance, areas[0])
    row_r, rhs_r = end_row(right, "right", total_resistance, areas[1])
    if isinstance(left, MolarFlux | ZeroFlux) and isinstance(right, MolarFlux | ZeroFlux):
        return None
    matrix = np.array([row_l, row_r])
    if abs(np.linalg.det(matrix)) < 1e-300:
        raise EmcdInputError("the end conditions do not determine a unique solution")
    x0, rate = np.linalg.solve(matrix, [rhs_l, rhs_r])
    return float(x0), float(rate)


def check_profile(values: npt.NDArray[np.float64], left, right, total_resistance: float) -> None:
    """Refuse a profile outside [0, 1] (no admissible steady state), naming the ends.

    Raises:
        AdmissibilityError: some value of ``values`` lies outside [0, 1] beyond RTOL.
    """
    low, high = float(values.min()), float(values.max())
    if low < -RTOL or high > 1.0 + RTOL:
        extreme = int(values.argmin()) if low < -RTOL else int(values.argmax())
        where = {0: "at the left end", len(values) - 1: "at the right end"}.get(
            extreme, "at an interface"
        )
        raise AdmissibilityError(
            f"{left.describe()} at the start and {right.describe()} at the end: the profile "
            f"would span [{low:.6g}, {high:.6g}] (extreme {where}), outside [0, 1]; "
            f"with a mole fraction x_0 at the start and outward flux q at the end the data "
            f"must satisfy 0 <= x_0 − q Σ R <= 1 (Σ R = {total_resistance:.6g}, per unit "
            "end area)"
        )


def scaled_condition(bc: BoundaryCondition, h: float) -> BoundaryCondition:
    """An end condition on x_A = H μ rewritten for μ (Dirichlet value / H, Robin k H)."""
    if h == 1.0:
        return bc
    if isinstance(bc, MoleFraction):
        return MoleFraction(bc.value / h) if bc.value / h <= 1 else _RawDirichlet(bc.value / h)
    if isinstance(bc, MassTransfer):
        return _RawRobin(bc.coefficient * h, bc.ambient / h)
    return bc


class _RawDirichlet(MoleFraction):
    """A Dirichlet value on μ, which may exceed 1 (μ is not a mole fraction)."""

    def __post_init__(self) -> None:
        pass


class _RawRobin(MassTransfer):
    """A Robin law on μ: k H (μ − x_∞/H)."""

    def __post_init__(self) -> None:
        pass
