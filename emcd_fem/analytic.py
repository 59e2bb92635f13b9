"""Exact 1D solutions of steady equimolar counterdiffusion (the verification oracles).

A composite slab of layers i = 1..n (thickness L_i, concentration c_i, diffusivity D_i)
occupies 0 <= z <= L. At steady state with no reaction the flux N = N_A,z is the same in
every layer and the profile is piecewise linear:

    x_A(z) = x_A(0) − N r(z),   r(z) = ∫_0^z dz' / (c D)   (series resistances).

Boundary conditions are given in the project's outward convention (``q = N_A·n``):
at z = 0 the outward normal is −z, so q_left = −N; at z = L, q_right = +N.

=============== ================================== ========================
condition       left end (z = 0)                   right end (z = L)
=============== ================================== ========================
MoleFraction    x_A(0) = v                         x_A(L) = v
MolarFlux q     −N = q                             N = q
MassTransfer    −N = k_c (x_A(0) − x_∞)            N = k_c (x_A(L) − x_∞)
ZeroFlux        N = 0                              N = 0
=============== ================================== ========================

Admissibility (a steady state with 0 <= x_A <= 1 must exist): with two flux conditions
the fluxes must balance (q_left = −q_right) and |q| Σ L_i/(c_i D_i) <= 1 (one layer:
|q| <= c D / L), and the inventory (mean) mole fraction fixes the constant; Dirichlet x_0
at z = 0 with outward flux q at z = L needs 0 <= x_0 − q L/(c D) <= 1. In general: every
value of the linear profile must lie in [0, 1].
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from emcd_fem.boundary import BoundaryCondition, MassTransfer, MolarFlux, MoleFraction, ZeroFlux
from emcd_fem.errors import AdmissibilityError, EmcdInputError
from emcd_fem.materials import Material

#: Relative tolerance of the flux balance and bound checks in this module.
RTOL: float = 1e-12


@dataclass(frozen=True)
class SlabSolution:
    """Exact solution of a 1D composite slab.

    Attributes:
        positions: z of the slab ends and interfaces, 0 = z_0 < ... < z_n = L [m].
        mole_fractions: x_A at those positions [-].
        flux: N_A,z, the molar flux of A in the +z direction [mol/(m^2 s)].
    """

    positions: tuple[float, ...]
    mole_fractions: tuple[float, ...]
    flux: float

    @property
    def boundary_flux(self) -> dict[str, float]:
        """Outward fluxes N_A·n at the ends: ``{"left": −N, "right": N}`` [mol/(m^2 s)]."""
        return {"left": -self.flux, "right": self.flux}

    def mole_fraction(self, z: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """x_A at positions z [m] (piecewise linear between interfaces)."""
        return np.interp(np.asarray(z, dtype=np.float64), self.positions, self.mole_fractions)


def _end_row(bc: BoundaryCondition, side: str, resistance: float) -> tuple[list[float], float]:
    """Linear equation row · (x_A(0), N) = rhs expressing one end condition."""
    if side == "left":
        if isinstance(bc, MoleFraction):
            return [1.0, 0.0], bc.value
        if isinstance(bc, MolarFlux):
            return [0.0, 1.0], -bc.value
        if isinstance(bc, MassTransfer):
            return [bc.coefficient, 1.0], bc.coefficient * bc.ambient
    else:
        if isinstance(bc, MoleFraction):
            return [1.0, -resistance], bc.value
        if isinstance(bc, MolarFlux):
            return [0.0, 1.0], bc.value
        if isinstance(bc, MassTransfer):
            k = bc.coefficient
            return [k, -(1.0 + k * resistance)], k * bc.ambient
    if isinstance(bc, ZeroFlux):
        return [0.0, 1.0], 0.0
    raise EmcdInputError(f"{side} end: unsupported boundary condition {bc!r}")


def composite_slab(
    thicknesses: Sequence[float],
    materials: Sequence[Material],
    left: BoundaryCondition,
    right: BoundaryCondition,
    *,
    inventory_mole_fraction: float | None = None,
) -> SlabSolution:
    """Exact steady profile and flux through an n-layer composite slab.

    Args:
        thicknesses: Layer thicknesses [m], from z = 0.
        materials: Material of each layer (c [mol/m^3], D [m^2/s]).
        left: Condition at z = 0 (outward flux convention).
        right: Condition at z = L.
        inventory_mole_fraction: Mean mole fraction ∫c x_A dz / ∫c dz, needed when both
            ends prescribe a flux.

    Returns:
        The exact solution.

    Raises:
        AdmissibilityError: unbalanced fluxes, or no profile within [0, 1].
        EmcdInputError: inconsistent arguments.
    """
    thick = np.asarray(thicknesses, dtype=np.float64)
    if len(materials) != thick.size or thick.size == 0 or np.any(thick <= 0):
        raise EmcdInputError("need one material per layer and positive thicknesses")
    cD = np.array([m.concentration * m.diffusivity for m in materials])
    conc = np.array([m.concentration for m in materials])
    positions = np.concatenate([[0.0], np.cumsum(thick)])
    resistances = np.concatenate([[0.0], np.cumsum(thick / cD)])  # r(z_i)
    total_resistance = float(resistances[-1])

    row_l, rhs_l = _end_row(left, "left", total_resistance)
    row_r, rhs_r = _end_row(right, "right", total_resistance)
    flux_only = isinstance(left, MolarFlux | ZeroFlux) and isinstance(right, MolarFlux | ZeroFlux)
    if flux_only:
        flux_from_left, flux_from_right = rhs_l, rhs_r  # N implied by each end
        scale = max(abs(flux_from_left), abs(flux_from_right))
        if abs(flux_from_left - flux_from_right) > RTOL * scale:
            raise AdmissibilityError(
                f"flux–flux slab: the outward fluxes {-flux_from_left:.6g} (left) and "
                f"{flux_from_right:.6g} (right) do not sum to zero, so no steady state exists"
            )
        flux = flux_from_right
        if abs(flux) * total_resistance > 1.0 + RTOL:
            raise AdmissibilityError(
                f"flux–flux slab: |q| = {abs(flux):.6g} exceeds the largest sustainable flux "
                f"1/Σ L/(c D) = {1.0 / total_resistance:.6g} (one layer: c D / L): the "
                f"mole-fraction drop would be {abs(flux) * total_resistance:.6g} > 1"
            )
        if inventory_mole_fraction is None:
            raise EmcdInputError(
                "flux–flux slab: give inventory_mole_fraction to fix the free constant"
            )
        # ∫ c r dz over each layer = c_i (r_i L_i + L_i^2 / (2 c_i D_i))
        c_r = conc * (resistances[:-1] * thick + thick**2 / (2.0 * cD))
        x0 = inventory_mole_fraction + flux * c_r.sum() / (conc * thick).sum()
    else:
        matrix = np.array([row_l, row_r])
        if abs(np.linalg.det(matrix)) < 1e-300:
            raise EmcdInputError("the end conditions do not determine a unique solution")
        x0, flux = np.linalg.solve(matrix, [rhs_l, rhs_r])
    values = x0 - flux * resistances
    low, high = float(values.min()), float(values.max())
    if low < -RTOL or high > 1.0 + RTOL:
        extreme = int(values.argmin()) if low < -RTOL else int(values.argmax())
        where = {0: "left", len(values) - 1: "right"}.get(extreme, "an interface")
        raise AdmissibilityError(
            f"slab with {left.describe()} at z=0 and {right.describe()} at z=L: the profile "
            f"would span [{low:.6g}, {high:.6g}] (extreme at the {where} end), outside [0, 1]; "
            f"with a mole fraction x_0 at z=0 and outward flux q at z=L the data must satisfy "
            f"0 <= x_0 − q Σ L/(c D) <= 1 (Σ L/(c D) = {total_resistance:.6g})"
        )
    return SlabSolution(
        positions=tuple(float(p) for p in positions),
        mole_fractions=tuple(float(v) for v in values),
        flux=float(flux),
    )


def slab(
    length: float,
    material: Material,
    left: BoundaryCondition,
    right: BoundaryCondition,
    *,
    inventory_mole_fraction: float | None = None,
) -> SlabSolution:
    """Exact solution for a single homogeneous slab of thickness ``length`` [m]."""
    return composite_slab(
        [length], [material], left, right, inventory_mole_fraction=inventory_mole_fraction
    )
