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

from emcd_fem.analytic.ends import RTOL, check_profile, scaled_condition, solve_two_ends
from emcd_fem.errors import AdmissibilityError, EmcdInputError
from emcd_fem.materials import Material
from emcd_fem.physics.conditions import (
    BoundaryCondition,
    MolarFlux,
)


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
    solubilities: tuple[float, ...] | None = None
    potentials: tuple[float, ...] | None = None

    @property
    def boundary_flux(self) -> dict[str, float]:
        """Outward fluxes N_A·n at the ends: ``{"left": −N, "right": N}`` [mol/(m^2 s)]."""
        return {"left": -self.flux, "right": self.flux}

    def mole_fraction(self, z: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """x_A at positions z [m], piecewise linear.

        With partitions, the value of the layer containing z (jumps at interfaces).
        """
        z = np.asarray(z, dtype=np.float64)
        if self.solubilities is None:
            return np.interp(z, self.positions, self.mole_fractions)
        layer = np.clip(
            np.searchsorted(self.positions, z, side="right") - 1, 0, len(self.solubilities) - 1
        )
        return np.interp(z, self.positions, self.potentials) * np.asarray(self.solubilities)[layer]


def composite_slab(
    thicknesses: Sequence[float],
    materials: Sequence[Material],
    left: BoundaryCondition,
    right: BoundaryCondition,
    *,
    inventory_mole_fraction: float | None = None,
    solubilities: Sequence[float] | None = None,
) -> SlabSolution:
    """Exact steady profile and flux through an n-layer composite slab.

    With partition coefficients, ``solubilities`` gives H_i per layer (x_A = H_i μ with μ
    continuous: c_A,i+1 / c_A,i = c_{i+1} H_{i+1} / (c_i H_i) at each interface); the
    resistances become L_i/(c_i D_i H_i) in μ and the profile jumps at interfaces.

    Args:
        thicknesses: Layer thicknesses [m], from z = 0.
        materials: Material of each layer (c [mol/m^3], D [m^2/s]).
        left: Condition at z = 0 (outward flux convention).
        right: Condition at z = L.
        inventory_mole_fraction: Mean mole fraction ∫c x_A dz / ∫c dz, needed when both
            ends prescribe a flux.
        solubilities: H_i per layer (partition coefficients), default 1.

    Returns:
        The exact solution.

    Raises:
        AdmissibilityError: unbalanced fluxes, or no profile within [0, 1].
        EmcdInputError: inconsistent arguments.
    """
    thick = np.asarray(thicknesses, dtype=np.float64)
    if len(materials) != thick.size or thick.size == 0 or np.any(thick <= 0):
        raise EmcdInputError("need one material per layer and positive thicknesses")
    h = np.ones(thick.size) if solubilities is None else np.asarray(solubilities, dtype=float)
    if h.shape != thick.shape or np.any(h <= 0):
        raise EmcdInputError("need one positive solubility per layer")
    cD = np.array([m.concentration * m.diffusivity for m in materials]) * h
    conc = np.array([m.concentration for m in materials]) * h
    positions = np.concatenate([[0.0], np.cumsum(thick)])
    resistances = np.concatenate([[0.0], np.cumsum(thick / cD)])  # r(z_i)
    total_resistance = float(resistances[-1])

    ends = solve_two_ends(
        scaled_condition(left, h[0]), scaled_condition(right, h[-1]), total_resistance
    )
    if ends is None:
        flux_from_left = -left.value if isinstance(left, MolarFlux) else 0.0
        flux_from_right = right.value if isinstance(right, MolarFlux) else 0.0
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
        plain_c = np.array([m.concentration for m in materials])
        x0 = (inventory_mole_fraction * (plain_c * thick).sum() + flux * c_r.sum()) / (
            conc * thick
        ).sum()
    else:
        x0, flux = ends
    potential = x0 - flux * resistances
    # x on both sides of every interface: H of the layer on the left and on the right
    left_values, right_values = potential[:-1] * h, potential[1:] * h
    check_profile(np.concatenate([left_values, right_values]), left, right, total_resistance)
    return SlabSolution(
        positions=tuple(float(p) for p in positions),
        mole_fractions=tuple(float(v) for v in potential * np.concatenate([h, h[-1:]])),
        flux=float(flux),
        solubilities=tuple(float(v) for v in h),
        potentials=tuple(float(v) for v in potential),
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
