"""Effective diffusivity of two-phase composites: bounds and Rayleigh expansions."""


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
    this sum and is further from converged cell solves.
    Accuracy against the converged multipole solution
    (``emcd_fem.analytic.multipole.sphere_array``), worst case over contrasts D_i/D_m from
    0 to ∞ (the perfectly conducting extreme is the worst), relative: 1e-6 for φ <= 0.1,
    7e-5 at φ = 0.2, 1.1e-3 at 0.3, 1.1e-2 at 0.4, 3.5e-2 at 0.45, 0.15 at 0.5; at contrasts
    0.1 … 10: 4e-7 at φ = 0.1, 3e-5 at 0.2, 4e-4 at 0.3, 3.3e-3 at 0.4, 1e-2 at 0.45
    (tested). The missing terms (multipoles l >= 5, octupole self-interaction) grow with φ
    and contrast: use ``multipole.sphere_array`` above φ ≈ 0.2.
    """
    if d_inclusion == d_matrix:
        return d_matrix
    beta = d_inclusion / d_matrix
    t = (beta + 2) / (1 - beta)
    f = fraction
    octupole = 1.3047 * (1 - beta) / (beta + 4 / 3) * f ** (10 / 3)
    return d_matrix * (1 - 3 * f / (t + f - octupole))
