"""Converged effective diffusivity of square and hexagonal arrays of cylinders (multipoles).

Rayleigh's (1892) multipole method as extended by Perrins, McKenzie & McPhedran (Proc. R.
Soc. A 369, 207, 1979), solved to convergence instead of truncated to a formula. Around a
cylinder of radius a (diffusivity D_i) in a matrix D_m the potential is
Re Σ_n (A_n z^n + B_n z^-n) over odd n; the interface conditions give A_n = T B_n a^(-2n)
with T = (D_m + D_i)/(D_m − D_i), and expanding the fields of all other cylinders about
the origin (Rayleigh's identity) gives the infinite linear system

    T u_n + Σ_m C(m + n − 1, n) S_(m+n) a^(m+n) u_m = δ_n1 a,   u_n = B_n a^(-n),

with the lattice sums S_k = Σ'_p z_p^(-k) (k >= 4; zero unless 4 | k on the square and
6 | k on the hexagonal lattice) and S_2 → π/A_c (the conditionally convergent sum, fixed
by the macroscopic field; A_c the cell area). Then D_eff/D_m = 1 − 2π a u_1/A_c. Truncated
to n = 1 this is Maxwell-Garnett; keeping n = 1, 3, 5, 7 at lowest order gives Perrins'
formulas (``analytic.rayleigh_square_cylinders``, ``analytic.rayleigh_hexagonal_cylinders``).

S_4 and S_6 come from the q-expansion of the Eisenstein series,
G_k(τ) = 2ζ(k) + 2 (2πi)^k/(k − 1)! Σ σ_(k−1)(n) q^n, q = exp(2πiτ) (|q| ≤ 0.0044 here),
the others by direct summation over |m|, |n| ≤ 60 (tail below 1e-10 for k >= 8).
"""

from functools import cache
from math import comb, factorial, pi

import numpy as np
from scipy.special import zeta

from emcd_fem.errors import EmcdInputError

#: Lattice generator τ (nearest-neighbour distance 1) and cell area A_c per lattice.
LATTICES: dict[str, tuple[complex, float]] = {
    "square": (1j, 1.0),
    "hexagonal": (complex(0.5, np.sqrt(3.0) / 2.0), np.sqrt(3.0) / 2.0),
}

#: Close-packing fractions π/4 (square) and π/(2√3) (hexagonal).
TOUCHING: dict[str, float] = {"square": pi / 4.0, "hexagonal": pi / (2.0 * np.sqrt(3.0))}


def _eisenstein(k: int, tau: complex, terms: int = 40) -> float:
    q = np.exp(2j * pi * tau)
    series = sum(
        sum(d ** (k - 1) for d in range(1, n + 1) if n % d == 0) * q**n for n in range(1, terms)
    )
    return float((2.0 * zeta(k) + 2.0 * (2j * pi) ** k / factorial(k - 1) * series).real)


@cache
def lattice_sums(lattice: str, k_max: int) -> dict[int, float]:
    """S_k = Σ' z_p^(-k) for even 4 <= k <= k_max (real by symmetry) [-].

    Args:
        lattice: ``"square"`` or ``"hexagonal"`` (nearest-neighbour distance 1).
        k_max: Largest order.
    """
    tau, _ = LATTICES[lattice]
    index = np.arange(-60, 61)
    m, n = np.meshgrid(index, index, indexing="ij")
    z = (m + n * tau).ravel()
    z = z[z != 0]
    sums = {}
    for k in range(4, k_max + 1, 2):
        sums[k] = _eisenstein(k, tau) if k <= 6 else float((z ** (-k)).sum().real)
        if abs(sums[k]) < 1e-12 * 6:  # zero by symmetry (rounding of the direct sum)
            sums[k] = 0.0
    return sums


def cylinder_array(
    fraction: float,
    d_matrix: float,
    d_inclusion: float,
    lattice: str = "square",
    *,
    multipoles: int = 60,
) -> float:
    """Transverse D_eff of a square or hexagonal array of parallel cylinders [m^2/s].

    Converged multipole solution (module docstring). With the default 60 odd multipoles
    (orders 1 … 119), perfectly conducting cylinders (the slowest case) are converged to
    1e-12 (relative) up to φ = 0.77 (square; touching 0.785) and φ = 0.88 (hexagonal;
    touching 0.907), 1e-9 at φ = 0.78 / 0.89 (measured against 240 multipoles); nearer
    touching raise ``multipoles``.

    Args:
        fraction: Cylinder area fraction φ, below touching (π/4 square, π/(2√3) hexagonal).
        d_matrix: Matrix diffusivity [m^2/s].
        d_inclusion: Cylinder diffusivity [m^2/s] (may be 0 or very large).
        lattice: ``"square"`` or ``"hexagonal"``.
        multipoles: Number of odd orders kept.

    Returns:
        D_eff [m^2/s] (isotropic in the plane for both lattices).

    Raises:
        EmcdInputError: unknown lattice, φ outside [0, touching), non-positive D_m.
    """
    if lattice not in LATTICES:
        raise EmcdInputError(f"lattice must be 'square' or 'hexagonal', got {lattice!r}")
    if not 0.0 <= fraction < TOUCHING[lattice]:
        raise EmcdInputError(
            f"{lattice} array: fraction {fraction} outside [0, {TOUCHING[lattice]:.6f}) "
            "(cylinders would overlap)"
        )
    if not d_matrix > 0 or d_inclusion < 0:
        raise EmcdInputError("need D_m > 0 and D_i >= 0")
    if d_inclusion == d_matrix or fraction == 0.0:
        return d_matrix
    _, area = LATTICES[lattice]
    sums = lattice_sums(lattice, 4 * multipoles)
    t = (d_matrix + d_inclusion) / (d_matrix - d_inclusion)
    a = np.sqrt(fraction * area / pi)
    orders = range(1, 2 * multipoles, 2)
    matrix = np.zeros((multipoles, multipoles))
    for i, n in enumerate(orders):
        matrix[i, i] = t
        for j, m in enumerate(orders):
            k = n + m
            s_k = pi / area if k == 2 else sums.get(k, 0.0)
            if s_k:
                matrix[i, j] += comb(m + n - 1, n) * s_k * a**k
    rhs = np.zeros(multipoles)
    rhs[0] = a
    u = np.linalg.solve(matrix, rhs)
    return float(d_matrix * (1.0 - 2.0 * pi * a * u[0] / area))
