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

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from emcd_fem.errors import AdmissibilityError, EmcdInputError
from emcd_fem.materials import Material
from emcd_fem.physics.conditions import (
    BoundaryCondition,
    MassTransfer,
    MolarFlux,
    MoleFraction,
    ZeroFlux,
)

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


def _end_row(
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


def _solve_two_ends(
    left: BoundaryCondition,
    right: BoundaryCondition,
    total_resistance: float,
    areas: tuple[float, float] = (1.0, 1.0),
) -> tuple[float, float] | None:
    """(x_A at the start, Q) for two end conditions; None when both prescribe fluxes."""
    row_l, rhs_l = _end_row(left, "left", total_resistance, areas[0])
    row_r, rhs_r = _end_row(right, "right", total_resistance, areas[1])
    if isinstance(left, MolarFlux | ZeroFlux) and isinstance(right, MolarFlux | ZeroFlux):
        return None
    matrix = np.array([row_l, row_r])
    if abs(np.linalg.det(matrix)) < 1e-300:
        raise EmcdInputError("the end conditions do not determine a unique solution")
    x0, rate = np.linalg.solve(matrix, [rhs_l, rhs_r])
    return float(x0), float(rate)


def _check_profile(values: npt.NDArray[np.float64], left, right, total_resistance: float) -> None:
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

    ends = _solve_two_ends(_scaled(left, h[0]), _scaled(right, h[-1]), total_resistance)
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
    _check_profile(np.concatenate([left_values, right_values]), left, right, total_resistance)
    return SlabSolution(
        positions=tuple(float(p) for p in positions),
        mole_fractions=tuple(float(v) for v in potential * np.concatenate([h, h[-1:]])),
        flux=float(flux),
        solubilities=tuple(float(v) for v in h),
        potentials=tuple(float(v) for v in potential),
    )


def _scaled(bc: BoundaryCondition, h: float) -> BoundaryCondition:
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


@dataclass(frozen=True)
class ShellSolution:
    """Exact solution through concentric cylindrical or spherical shells.

    Attributes:
        kind: ``"cylinder"`` or ``"sphere"``.
        radii: r_0 < r_1 < ... < r_n, the shell boundaries [m].
        mole_fractions: x_A at those radii [-].
        rate: Q, the rate of A flowing outwards (+r) [mol/s] (cylinders: through height
            ``height``).
        resistances: Resistance of each shell [s/mol].
        height: Cylinder height [m] (1 for spheres).
        conductances: c D of each shell [mol/(m s)].
    """

    kind: str
    radii: tuple[float, ...]
    mole_fractions: tuple[float, ...]
    rate: float
    resistances: tuple[float, ...]
    height: float
    conductances: tuple[float, ...]
    solubilities: tuple[float, ...] | None = None
    potentials: tuple[float, ...] | None = None

    @property
    def boundary_flux(self) -> dict[str, float]:
        """Outward boundary fluxes (totals, mol/s): ``{"inner": −Q, "outer": Q}``."""
        return {"inner": -self.rate, "outer": self.rate}

    def mole_fraction(self, r: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """x_A at radii r [m] (log profile in cylinders, 1/r profile in spheres)."""
        r = np.asarray(r, dtype=np.float64)
        radii = np.asarray(self.radii)
        shell = np.clip(np.searchsorted(radii, r) - 1, 0, len(radii) - 2)
        r_in = radii[shell]
        cD = np.asarray(self.conductances)[shell]
        if self.kind == "cylinder":
            drop = np.log(r / r_in) / (2 * np.pi * self.height * cD)
        else:
            drop = (1.0 / r_in - 1.0 / r) / (4 * np.pi * cD)
        if self.solubilities is None:
            return np.asarray(self.mole_fractions)[shell] - self.rate * drop
        h = np.asarray(self.solubilities)[shell]
        return (np.asarray(self.potentials)[shell] - self.rate * drop) * h


def shell_resistance(
    kind: str, r_in: float, r_out: float, material: Material, height: float = 1.0
) -> float:
    """Diffusion resistance of one shell [s/mol].

    Cylinder of height H: ln(r_out/r_in) / (2π H c D); sphere: (1/r_in − 1/r_out)/(4π c D).
    """
    cD = material.concentration * material.diffusivity
    if kind == "cylinder":
        return float(np.log(r_out / r_in) / (2 * np.pi * height * cD))
    if kind == "sphere":
        return float((1.0 / r_in - 1.0 / r_out) / (4 * np.pi * cD))
    raise EmcdInputError(f"kind must be 'cylinder' or 'sphere', got {kind!r}")


def concentric_shells(
    kind: str,
    radii: Sequence[float],
    materials: Sequence[Material],
    inner: BoundaryCondition,
    outer: BoundaryCondition,
    *,
    height: float = 1.0,
    solubilities: Sequence[float] | None = None,
) -> ShellSolution:
    """Exact steady EMCD through n concentric shells (resistances in series).

    Args:
        kind: ``"cylinder"`` (2D annulus per unit depth with ``height=1``, or a cylinder of
            height H with impermeable ends) or ``"sphere"``.
        radii: r_0 < ... < r_n [m].
        materials: One per shell.
        inner: Condition on r = r_0 (outward normal −r).
        outer: Condition on r = r_n.
        height: Cylinder height H [m].
        solubilities: H_i per shell (partition coefficients, x_A = H_i μ), default 1.

    Returns:
        The solution; flux-only pairs are rejected (no inventory support here).
    """
    radii_arr = np.asarray(radii, dtype=np.float64)
    if radii_arr.size != len(materials) + 1 or np.any(np.diff(radii_arr) <= 0) or radii_arr[0] <= 0:
        raise EmcdInputError("need increasing radii r_0 > 0 and one material per shell")
    h = np.ones(len(materials)) if solubilities is None else np.asarray(solubilities, float)
    scaled = [
        Material(m.diffusivity * hh, m.concentration) for m, hh in zip(materials, h, strict=True)
    ]
    resistances = np.array(
        [
            shell_resistance(kind, radii_arr[i], radii_arr[i + 1], m, height)
            for i, m in enumerate(scaled)
        ]
    )
    cumulative = np.concatenate([[0.0], np.cumsum(resistances)])
    if kind == "cylinder":
        areas = 2 * np.pi * radii_arr[[0, -1]] * height
    else:
        areas = 4 * np.pi * radii_arr[[0, -1]] ** 2
    ends = _solve_two_ends(
        _scaled(inner, h[0]), _scaled(outer, h[-1]), float(cumulative[-1]), (areas[0], areas[1])
    )
    if ends is None:
        raise EmcdInputError("concentric_shells: a flux–flux pair is not supported")
    x0, rate = ends
    potential = x0 - rate * cumulative
    _check_profile(
        np.concatenate([potential[:-1] * h, potential[1:] * h]), inner, outer, float(cumulative[-1])
    )
    values = potential * np.concatenate([h, h[-1:]])
    return ShellSolution(
        kind=kind,
        radii=tuple(float(r) for r in radii_arr),
        mole_fractions=tuple(float(v) for v in values),
        rate=float(rate),
        resistances=tuple(float(r) for r in resistances),
        height=float(height),
        conductances=tuple(m.concentration * m.diffusivity for m in scaled),
        solubilities=tuple(float(v) for v in h),
        potentials=tuple(float(v) for v in potential),
    )


# -- effective diffusivity of two-phase composites -------------------------------------------
def wiener_bounds(fraction: float, d_matrix: float, d_inclusion: float) -> tuple[float, float]:
    """Wiener bounds (series, parallel) on the effective diffusivity [m^2/s].

    Args:
        fraction: Inclusion volume fraction φ.
        d_matrix: Matrix diffusivity.
        d_inclusion: Inclusion diffusivity.
    """
    series = 1.0 / (fraction / d_inclusion + (1 - fraction) / d_matrix)
    parallel = fraction * d_inclusion + (1 - fraction) * d_matrix
    return series, parallel


def maxwell_garnett(fraction: float, d_matrix: float, d_inclusion: float, dim: int) -> float:
    """Maxwell-Garnett (Clausius–Mossotti) estimate, the matrix-side Hashin–Shtrikman bound.

    D/D_m = 1 + d φ (D_i − D_m) / (D_i + (d − 1) D_m − φ (D_i − D_m)), d = 2 or 3.
    """
    delta = d_inclusion - d_matrix
    return d_matrix * (
        1 + dim * fraction * delta / (d_inclusion + (dim - 1) * d_matrix - fraction * delta)
    )


def hashin_shtrikman_bounds(
    fraction: float, d_matrix: float, d_inclusion: float, dim: int
) -> tuple[float, float]:
    """Hashin–Shtrikman bounds (lower, upper) for an isotropic two-phase composite [m^2/s].

    One bound is Maxwell-Garnett with the matrix as host, the other with the phases swapped.
    """
    matrix_host = maxwell_garnett(fraction, d_matrix, d_inclusion, dim)
    inclusion_host = maxwell_garnett(1 - fraction, d_inclusion, d_matrix, dim)
    return min(matrix_host, inclusion_host), max(matrix_host, inclusion_host)


def rayleigh_square_cylinders(fraction: float, d_matrix: float, d_inclusion: float) -> float:
    """Square array of parallel cylinders: transverse effective diffusivity [m^2/s].

    Rayleigh (1892) with the higher-order terms of Perrins, McKenzie & McPhedran
    (Proc. R. Soc. A 369, 207, 1979, their truncation to multipoles 1, 3, 5, 7):

    D/D_m = 1 − 2φ / (T + φ − 0.305827 φ⁴ T/(T² − 1.402958 φ⁸) − 0.013362 φ⁸/T),
    T = (D_m + D_i)/(D_m − D_i).

    The coefficients are 3 S_4²/π⁴, 735 S_8²/π⁸ and 7 S_8²/π⁸ with the square-lattice sums
    S_4 = 3.151212, S_8 = 4.255773 (``emcd_fem.analytic.multipole``). Accuracy against the converged
    multipole solution (``emcd_fem.analytic.multipole.cylinder_array``), worst case over contrasts
    D_i/D_m from 0 to ∞ (the extremes are the worst), relative: 1e-8 for φ <= 0.3, 2e-7 at
    φ = 0.4, 7e-6 at 0.5, 2.2e-4 at 0.6, 7e-3 at 0.7, 6e-2 at 0.75; at contrasts 0.1 … 10:
    2.2e-6 at φ = 0.5, 6e-5 at 0.6, 1.4e-3 at 0.7 (tested).
    """
    if d_inclusion == d_matrix:
        return d_matrix
    t = (d_matrix + d_inclusion) / (d_matrix - d_inclusion)
    f = fraction
    denominator = t + f - 0.305827 * f**4 * t / (t**2 - 1.402958 * f**8) - 0.013362 * f**8 / t
    return d_matrix * (1 - 2 * f / denominator)


def rayleigh_hexagonal_cylinders(fraction: float, d_matrix: float, d_inclusion: float) -> float:
    """Hexagonal (triangular) array of parallel cylinders: transverse D_eff [m^2/s].

    Perrins, McKenzie & McPhedran (1979), truncation to multipoles 1, 5, 7, 11:

    D/D_m = 1 − 2φ / (T + φ − 0.075422 φ⁶ T/(T² − 1.060283 φ¹²) − 0.000076 φ¹²/T),
    T = (D_m + D_i)/(D_m − D_i)

    (coefficients 5 S_6² (A_c/π)⁶, 462·330 S_12² (A_c/π)¹², 11 S_12² (A_c/π)¹² with the
    hexagonal lattice sums, A_c = √3/2; ``emcd_fem.analytic.multipole``). The array is isotropic in
    the plane. Accuracy against the converged multipole solution, worst case over all
    contrasts, relative: 1e-7 for φ <= 0.6, 5e-6 at 0.7, 3.6e-4 at 0.8, 4.7e-3 at 0.85
    (tested).
    """
    if d_inclusion == d_matrix:
        return d_matrix
    t = (d_matrix + d_inclusion) / (d_matrix - d_inclusion)
    f = fraction
    denominator = t + f - 0.075422 * f**6 * t / (t**2 - 1.060283 * f**12) - 0.000076 * f**12 / t
    return d_matrix * (1 - 2 * f / denominator)


def rayleigh_cubic_spheres(fraction: float, d_matrix: float, d_inclusion: float) -> float:
    """Simple cubic array of spheres: effective diffusivity [m^2/s].

    Rayleigh's (Phil. Mag. 34, 481, 1892) dipole–octupole truncation, with the octupole
    coefficient recomputed here from the lattice sum (McPhedran & McKenzie, Proc. R. Soc. A
    359, 45, 1978, extend the method to high multipoles):

    D/D_m = 1 − 3φ / (T + φ − 1.3047 ((1 − β)/(β + 4/3)) φ^(10/3)),
    β = D_i/D_m, T = (β + 2)/(1 − β).

    Derivation: the z-dipoles of the lattice induce an l = 3 field −4 Σ_4 B_1 at a sphere
    and the octupoles feed back −4 Σ_4 B_3 into the dipole field, with
    Σ_4 = Σ' P_4(cos Θ)/R^5 = 3.10823 over the unit simple cubic lattice; the octupole
    responds with B_3 = A_3 a^7 (1 − β)/(β + 4/3), so the coefficient is
    16 Σ_4² (3/(4π))^(10/3) = 1.3047 (tested). Rayleigh's printed 1.65 does not follow from
    this sum and is further from converged cell solves (below).
    Accuracy against high-resolution cell solves (P2 on order-2 geometry, cell size r/8):
    at φ = 0.3 about 1e-5 for β = 0.1 and 4e-4 for β = 10 (Rayleigh's 1.65: 8e-4 and
    1.9e-3; tested at r/6). Higher multipoles (l = 5, 7, …) grow with φ and contrast: do
    not rely on it to better than 1e-3 above φ ≈ 0.3 or for β → 0, ∞.
    """
    if d_inclusion == d_matrix:
        return d_matrix
    beta = d_inclusion / d_matrix
    t = (beta + 2) / (1 - beta)
    f = fraction
    octupole = 1.3047 * (1 - beta) / (beta + 4 / 3) * f ** (10 / 3)
    return d_matrix * (1 - 3 * f / (t + f - octupole))


def film_slab(
    thicknesses: Sequence[float],
    materials: Sequence[Material],
    x_left: float,
    x_right: float,
    films: Sequence[float],
    *,
    solubilities: Sequence[float] | None = None,
) -> tuple[float, list[tuple[float, float]]]:
    """Composite slab with interfacial films between its layers, mole fractions at both ends.

    Resistance network: N = (μ_left − μ_right) / (Σ L_i/(c_i D_i H_i) + Σ 1/(k_j H_j)), with
    μ = x_A/H (H_i = 1 without partition coefficients; c_{j+1} H_{j+1} = K_j c_j H_j) and the
    film laws N = k_j (x_j − x_{j+1}/κ_j) = k_j H_j (μ_j − μ_{j+1}), κ_j = H_{j+1}/H_j, x_j and
    x_{j+1} the mole fractions either side of film j (see :mod:`emcd_fem.films`).

    Args:
        thicknesses: Layer thicknesses [m].
        materials: One per layer.
        x_left: x_A at z = 0.
        x_right: x_A at z = L.
        films: k_j [mol/(m^2 s)] of the film between layers j and j+1, oriented from layer j
            into layer j+1 (n − 1 values).
        solubilities: H_i per layer (any common factor).

    Returns:
        N [mol/(m^2 s)] and, per interface, (μ on the left, μ on the right).
    """
    thick = np.asarray(thicknesses, dtype=float)
    h = np.ones(thick.size) if solubilities is None else np.asarray(solubilities, dtype=float)
    k = np.asarray(films, dtype=float)
    if k.size != thick.size - 1 or np.any(k <= 0):
        raise EmcdInputError("need one film coefficient k > 0 per interface")
    layer_r = np.array(
        [
            t / (m.concentration * m.diffusivity * hh)
            for t, m, hh in zip(thick, materials, h, strict=True)
        ]
    )
    film_r = 1.0 / (k * h[:-1])
    flux = (x_left / h[0] - x_right / h[-1]) / (layer_r.sum() + film_r.sum())
    jumps, mu = [], x_left / h[0]
    for i in range(k.size):
        mu -= flux * layer_r[i]
        jumps.append((float(mu), float(mu - flux * film_r[i])))
        mu -= flux * film_r[i]
    return float(flux), jumps


def film_shells(
    kind: str,
    radii: Sequence[float],
    materials: Sequence[Material],
    x_inner: float,
    x_outer: float,
    films: Sequence[float],
    *,
    height: float = 1.0,
    solubilities: Sequence[float] | None = None,
) -> float:
    """Rate Q [mol/s] outwards through concentric shells with films at the interfaces.

    Q = (μ_inner − μ_outer) / (Σ R_shell,i + Σ 1/(k_j H_j A_j)), A_j the interface area
    (2π r_j h for cylinders of height h, 4π r_j² for spheres), μ = x_A/H, shell resistances
    with c D H, k_j oriented outwards (from shell j into shell j+1) as in :func:`film_slab`.
    """
    r = np.asarray(radii, dtype=float)
    h = np.ones(len(materials)) if solubilities is None else np.asarray(solubilities, float)
    k = np.asarray(films, dtype=float)
    if k.size != len(materials) - 1 or np.any(k <= 0):
        raise EmcdInputError("need one film coefficient k > 0 per interface")
    shells = sum(
        shell_resistance(
            kind, r[i], r[i + 1], Material(m.diffusivity * h[i], m.concentration), height
        )
        for i, m in enumerate(materials)
    )
    inner = r[1:-1]
    areas = 2 * np.pi * inner * height if kind == "cylinder" else 4 * np.pi * inner**2
    films_r = (1.0 / (k * h[:-1] * areas)).sum()
    return float((x_inner / h[0] - x_outer / h[-1]) / (shells + films_r))


# -- thermal diffusion (Soret) -------------------------------------------------------------------
@dataclass(frozen=True)
class SoretSlabSolution:
    """Exact steady EMCD with thermal diffusion in a slab with a linear temperature.

    N_A = −c D (dx/dz + S_T x (1 − x) dT/dz) is constant; with G = dT/dz and k = S_T G,
    x' = k x² − k x − N/(c D), a Riccati equation with constant coefficients.

    Attributes:
        length: L [m].
        flux: N_A [mol/(m^2 s)] in +z.
        k: S_T G [1/m].
        n: N/(c D) [1/m].
        x0: x_A(0).
    """

    length: float
    flux: float
    k: float
    n: float
    x0: float

    def mole_fraction(self, z: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """x_A(z) in closed form (0 <= z <= L)."""
        return _riccati(np.asarray(z, dtype=float), self.k, self.n, self.x0)


def _riccati(z: np.ndarray, k: float, n: float, x0: float) -> np.ndarray:
    """Solution of x' = k (x² − x) − n, x(0) = x0, on the pole-free stretch from z = 0.

    With y = x − ½ and m = n + k/4 the equation is y' = k y² − m, solved in the forms that
    stay well conditioned as k → 0 (they tend to the linear profile y0 − n z):
    k m > 0, s = sqrt(m/k): y = s tanh(atanh(y0/s) − k s z) for |y0| < s, y = s coth(...)
    for |y0| > s, y = ±s (a fixed point) for |y0| = s; k m < 0, w = sqrt(−m/k):
    y = w tan(atan(y0/w) + k w z); m = 0: y = y0/(1 − k y0 z); k = 0: y = y0 − n z.
    """
    y0 = x0 - 0.5
    if k == 0.0:
        return x0 - n * z
    m = n + 0.25 * k
    if m == 0.0:
        return 0.5 + y0 / (1.0 - k * y0 * z)
    ratio = m / k
    if ratio > 0:
        s = np.sqrt(ratio)
        if abs(y0) < s:
            return 0.5 + s * np.tanh(np.arctanh(y0 / s) - k * s * z)
        if abs(y0) > s:
            return 0.5 + s / np.tanh(np.arctanh(s / y0) - k * s * z)
        return np.full_like(z, x0)
    w = np.sqrt(-ratio)
    return 0.5 + w * np.tan(np.arctan(y0 / w) + k * w * z)


def _riccati_travel(k: float, m: float, y0: float, y1: float) -> float:
    """Distance z over which y' = k y² − m carries y from y0 to y1.

    The caller guarantees that k y² − m has one sign on [y0, y1] (monotone, no fixed point
    between them). The inverse of the forms in ``_riccati`` (∫ dy/(k y² − m) in closed form).
    """
    if k == 0.0:
        return (y0 - y1) / m
    if m == 0.0:
        return (1.0 / y0 - 1.0 / y1) / k
    ratio = m / k
    if ratio > 0:
        s = np.sqrt(ratio)

        def atanh(v: float) -> float:
            # next to the fixed point (m at its edge value) v rounds to ±1 or just beyond:
            # the travel there is large but finite, never inf/NaN (brentq needs a number)
            edge = np.nextafter(1.0, 0.0)
            return float(np.arctanh(np.clip(v, -edge, edge)))

        if max(abs(y0), abs(y1)) < s:
            return float((atanh(y0 / s) - atanh(y1 / s)) / (k * s))
        return float((atanh(s / y0) - atanh(s / y1)) / (k * s))
    w = np.sqrt(-ratio)
    return float((np.arctan(y1 / w) - np.arctan(y0 / w)) / (k * w))


def soret_slab(
    length: float,
    material: Material,
    soret_coefficient: float,
    temperatures: tuple[float, float],
    mole_fractions: tuple[float, float],
) -> SoretSlabSolution:
    """Exact steady profile and flux with a linear temperature between the ends.

    Valid for every S_T, ΔT and end values in [0, 1]: the steady x_A lies between 0 and 1
    (x_A = 0 and 1 are solutions and the problem has a comparison principle) and is
    monotone (x' = k x² − k x − n vanishes only at a fixed point), so n = N/(c D) is the
    unique root of L = ∫_{x_L}^{x_0} dx / (n − k (x² − x)) with the integrand of one sign
    between the end values. That integral is in closed form (``_riccati_travel``) and
    decreases strictly from ∞ to 0 as n moves away from the extreme of k (x² − x) on the
    interval, so the root is bracketed and found by brentq on a logarithmic scale (to
    round-off; checked against an independent collocation solve, ``scipy.integrate.
    solve_bvp``, for |S_T ΔT| up to 10 in the tests). Equal end values give the constant
    profile, N = c D k x_0 (x_0 − 1).

    Args:
        length: L [m].
        material: c [mol/m^3], D [m^2/s] (constant).
        soret_coefficient: S_T [1/K]; S_T > 0 drives A towards the cold side.
        temperatures: (T(0), T(L)) [K], both > 0.
        mole_fractions: (x_A(0), x_A(L)) in [0, 1].

    Returns:
        The solution.

    Raises:
        EmcdInputError: temperatures <= 0, L <= 0 or end values outside [0, 1].
    """
    from scipy.optimize import brentq

    if min(temperatures) <= 0:
        raise EmcdInputError("temperatures must be > 0 K")
    if not length > 0:
        raise EmcdInputError(f"soret_slab: the length must be positive, got {length}")
    x0, x_l = (float(v) for v in mole_fractions)
    if not (0.0 <= x0 <= 1.0 and 0.0 <= x_l <= 1.0):
        raise EmcdInputError(f"soret_slab: end mole fractions {mole_fractions} outside [0, 1]")
    k = soret_coefficient * (temperatures[1] - temperatures[0]) / length
    cd = material.concentration * material.diffusivity
    y0, y1 = x0 - 0.5, x_l - 0.5
    if y0 == y1:
        n = k * (x0 * x0 - x0)
        return SoretSlabSolution(length=length, flux=n * cd, k=k, n=n, x0=x0)
    # decreasing profile (y0 > y1): k y² − m < 0 on [y1, y0], i.e. m > m_edge; increasing:
    # m < m_edge. ∫ grows without bound as m → m_edge and falls below L at m_edge ± Δ/L.
    lo, hi = min(y0, y1), max(y0, y1)
    candidates = [k * lo * lo, k * hi * hi] + ([0.0] if lo < 0.0 < hi else [])
    sign = 1.0 if y0 > y1 else -1.0
    m_edge = max(candidates) if sign > 0 else min(candidates)
    span = (hi - lo) / length

    def mismatch(log_t: float) -> float:
        m = m_edge + sign * span * np.exp(log_t)
        with np.errstate(divide="ignore", invalid="ignore"):  # an end at y = 0: s/y = ±inf
            return _riccati_travel(k, m, y0, y1) - length

    low = -1.0
    while mismatch(low) <= 0.0 and low > -700.0:
        low *= 2.0
    if mismatch(0.0) == 0.0:
        log_t = 0.0
    elif mismatch(low) <= 0.0:  # a boundary layer thinner than round-off: the edge value
        log_t = low
    else:
        log_t = brentq(mismatch, low, 0.0, xtol=1e-15, rtol=1e-15, maxiter=500)
    m = m_edge + sign * span * np.exp(log_t)
    n = float(m - 0.25 * k)
    return SoretSlabSolution(length=length, flux=n * cd, k=k, n=n, x0=x0)


def soret_flux_split(solution: SoretSlabSolution, material: Material, z: npt.ArrayLike) -> dict:
    """Fickian and thermal-diffusion parts of the constant flux at positions z.

    N_Fick = −c D x' = c D (n + k x (1 − x)) and N_thermal = −c D k x (1 − x) [mol/(m^2 s)];
    they add up to N at every z.
    """
    cd = material.concentration * material.diffusivity
    x = solution.mole_fraction(z)
    thermal = -cd * solution.k * x * (1.0 - x)
    return {"fickian": cd * solution.n - thermal, "thermal": thermal}


# -- heat conduction ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConductionSlabSolution:
    """Exact steady conduction through layers in series.

    Attributes:
        heat_flux: q [W/m^2] in +z (constant).
        resistances: Every series resistance [m^2 K/W]: end conditions, layers, contacts.
        positions: Layer boundaries z_0 = 0 < z_1 < ... < z_n [m].
        left_temperatures: T at the left side of each layer [K].
        conductivities: k per layer [W/(m K)].
    """

    heat_flux: float
    resistances: tuple[float, ...]
    positions: tuple[float, ...]
    left_temperatures: tuple[float, ...]
    conductivities: tuple[float, ...]

    def temperature(self, z: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """T(z) [K] (the left-layer value at an interface with a contact jump)."""
        z = np.asarray(z, dtype=float)
        edges = np.asarray(self.positions)
        layer = np.clip(np.searchsorted(edges, z, side="right") - 1, 0, len(edges) - 2)
        start = np.asarray(self.left_temperatures)[layer]
        k = np.asarray(self.conductivities)[layer]
        return start - self.heat_flux * (z - edges[layer]) / k


def conduction_slab(
    thicknesses: list[float],
    conductivities: list[float],
    left: tuple,
    right: tuple,
    contact_resistances: list[float] | None = None,
) -> ConductionSlabSolution:
    """Steady 1D conduction through layers (thermal resistances in series).

    Args:
        thicknesses: Layer thicknesses [m].
        conductivities: k per layer [W/(m K)].
        left: ``("temperature", T)`` or ``("convective", h, T_inf)`` at z = 0.
        right: The same at z = L.
        contact_resistances: R_c [m^2 K/W] of each interface (len = layers − 1), 0 = perfect.

    Returns:
        The heat flux and the piecewise-linear profile.
    """
    n = len(thicknesses)
    contacts = list(contact_resistances or [0.0] * (n - 1))
    if len(conductivities) != n or len(contacts) != n - 1:
        raise EmcdInputError("need one conductivity per layer and one contact per interface")

    def end(condition: tuple) -> tuple[float, float]:
        if condition[0] == "temperature":
            return condition[1], 0.0
        if condition[0] == "convective":
            return condition[2], 1.0 / condition[1]
        raise EmcdInputError(f"end condition must be temperature or convective: {condition!r}")

    (t_left, r_left), (t_right, r_right) = end(left), end(right)
    layers = [t / k for t, k in zip(thicknesses, conductivities, strict=True)]
    resistances = [r_left]
    for i, r in enumerate(layers):
        resistances.append(r)
        if i < n - 1:
            resistances.append(contacts[i])
    resistances.append(r_right)
    q = (t_left - t_right) / sum(resistances)
    starts, t = [], t_left - q * r_left
    for i, r in enumerate(layers):
        starts.append(t)
        t -= q * r + (q * contacts[i] if i < n - 1 else 0.0)
    positions = tuple(np.concatenate([[0.0], np.cumsum(thicknesses)]).tolist())
    return ConductionSlabSolution(
        heat_flux=q,
        resistances=tuple(resistances),
        positions=positions,
        left_temperatures=tuple(starts),
        conductivities=tuple(conductivities),
    )


def soret_slab_numerical(
    length: float,
    conductance: Callable[[np.ndarray], np.ndarray],
    soret: Callable[[np.ndarray], np.ndarray],
    temperatures: tuple[float, float],
    mole_fractions: tuple[float, float],
) -> tuple[float, Callable[[np.ndarray], np.ndarray]]:
    """High-accuracy 1D reference with T-dependent properties and a linear temperature.

    Solves x' = −N/(c D)(T) − S_T(T) x (1 − x) T' with T(z) linear between the ends by
    shooting on N (DOP853 with rtol 1e-13, brentq to 1e-15): a numerical reference for
    the temperature-dependent problem, which has no closed form. x(L) decreases strictly
    with N (comparison principle), and a trajectory that leaves [−1, 2] is stopped and
    counted as above/below the target, so the bracket is widened until it holds the root
    whatever the strength of thermal diffusion (tested against the closed form up to
    |S_T ΔT| = 6).

    Args:
        length: L [m].
        conductance: T [K] → c(T) D(T) [mol/(m s)].
        soret: T [K] → S_T(T) [1/K].
        temperatures: (T(0), T(L)) [K].
        mole_fractions: (x_A(0), x_A(L)).

    Returns:
        (N [mol/(m^2 s)], z → x_A(z)).
    """
    from scipy.integrate import solve_ivp
    from scipy.optimize import brentq

    t0, t1 = temperatures
    gradient = (t1 - t0) / length
    target = mole_fractions[1]

    def rhs(n: float):
        def f(z, x):
            t = t0 + gradient * z
            return -n / conductance(t) - soret(t) * x * (1 - x) * gradient

        return f

    def escape(_z, x):
        return (x[0] + 1.0) * (2.0 - x[0])

    escape.terminal = True

    def shoot(n: float):
        return solve_ivp(
            rhs(n),
            (0.0, length),
            [mole_fractions[0]],
            method="DOP853",
            rtol=1e-13,
            atol=1e-15,
            dense_output=True,
            events=escape,
        )

    def mismatch(n: float) -> float:
        result = shoot(n)
        if result.status == 1:  # left [−1, 2] before z = L: beyond any target in [0, 1]
            return 3.0 if result.y[0, -1] > 0.5 else -3.0
        return float(result.y[0, -1] - target)

    cd0 = float(conductance(np.array(t0)))
    n_fick = cd0 * (mole_fractions[0] - target) / length
    span = abs(n_fick) + cd0 / length
    low, high = n_fick - span, n_fick + span
    for _ in range(200):
        f_low, f_high = mismatch(low), mismatch(high)
        if f_low >= 0 >= f_high:
            break
        if f_low < 0:
            low -= span
        if f_high > 0:
            high += span
        span *= 2.0
    flux = brentq(mismatch, low, high, xtol=1e-16 * max(abs(n_fick), 1e-30), rtol=1e-14)
    solution = shoot(flux)
    return float(flux), lambda z: solution.sol(np.asarray(z, dtype=float))[0]


def dusty_gas_rate(
    kind: str,
    r_in: float,
    r_out: float,
    *,
    concentration: float,
    d_molecular: float,
    d_knudsen_a: float,
    molar_mass_a: float,
    molar_mass_b: float,
    x_in: float,
    x_out: float,
    porosity_over_tortuosity: float = 1.0,
    height: float = 1.0,
) -> float:
    """Rate of A through a porous slab/shell by the isobaric binary dusty-gas model [mol/s].

    The reference for the equimolar (Bosanquet) approximation. At uniform pressure the
    dusty-gas model fixes the flux ratio by Graham's law, N_B = −sqrt(M_A/M_B) N_A, and
    then gives N_A = −c D_A(x_A) ∇x_A with

        1/D_A = (τ/ε) [1/D_K,A + (1 − α x_A)/D_AB],   α = 1 − sqrt(M_A/M_B).

    With β = D_AB/D_K,A the profile integral is closed form:
    ṅ = (ε/τ) c (D_AB/α) ln[(β + 1 − α x_out)/(β + 1 − α x_in)] / R_g, where R_g is the
    geometric resistance (slab: (r_out − r_in) per unit area; cylinder:
    ln(r_out/r_in)/(2π H); sphere: (1/r_in − 1/r_out)/(4π)). For α → 0 (M_A = M_B) it is
    the Bosanquet/EMCD rate (ε/τ) c D_AB (x_in − x_out)/((β + 1) R_g); in the Knudsen limit
    (β → ∞) both models give (ε/τ) c D_K,A (x_in − x_out)/R_g for A (but EMCD's N_B = −N_A
    is still wrong there).

    Args:
        kind: ``"slab"``, ``"cylinder"`` or ``"sphere"``.
        r_in: Inner radius, or the slab's start coordinate [m].
        r_out: Outer radius, or the slab's end coordinate [m].
        concentration: c [mol/m^3].
        d_molecular: D_AB, free-gas binary diffusivity [m^2/s].
        d_knudsen_a: D_K,A, Knudsen diffusivity of A in the pores [m^2/s].
        molar_mass_a: M_A [kg/mol].
        molar_mass_b: M_B [kg/mol].
        x_in: x_A at r_in.
        x_out: x_A at r_out.
        porosity_over_tortuosity: ε/τ.
        height: Cylinder height H [m].

    Returns:
        The rate of A from r_in to r_out (outward positive): mol/s for shells, mol/(m^2 s)
        for a slab.
    """
    values = {
        "concentration": concentration,
        "d_molecular": d_molecular,
        "d_knudsen_a": d_knudsen_a,
        "molar_mass_a": molar_mass_a,
        "molar_mass_b": molar_mass_b,
        "porosity_over_tortuosity": porosity_over_tortuosity,
        "height": height,
        "r_out - r_in": r_out - r_in,
    }
    for name, value in values.items():
        if not value > 0:
            raise EmcdInputError(f"dusty_gas_rate: {name} must be positive, got {value}")
    for name, value in (("x_in", x_in), ("x_out", x_out)):
        if not 0.0 <= value <= 1.0:
            raise EmcdInputError(f"dusty_gas_rate: {name} = {value} is outside [0, 1]")
    if kind == "slab":
        geometric = r_out - r_in
    elif kind in ("cylinder", "sphere"):
        if not r_in > 0:
            raise EmcdInputError(f"dusty_gas_rate: r_in must be positive, got {r_in}")
        geometric = shell_resistance(kind, r_in, r_out, Material(1.0, 1.0), height)
    else:
        raise EmcdInputError(f"kind must be 'slab', 'cylinder' or 'sphere', got {kind!r}")
    alpha = 1.0 - np.sqrt(molar_mass_a / molar_mass_b)
    beta = d_molecular / d_knudsen_a
    base = beta + 1.0 - alpha * x_in
    if abs(alpha) < 1e-12:
        integral = (x_in - x_out) / (beta + 1.0)
    else:  # log1p keeps digits when α (x_in − x_out) is small
        integral = np.log1p(alpha * (x_in - x_out) / base) / alpha
    return float(porosity_over_tortuosity * concentration * d_molecular * integral / geometric)
