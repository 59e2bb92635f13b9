"""Rayleigh/Perrins formulas against converged multipole values and published tables.

Published values: Perrins, McKenzie & McPhedran, "Transport properties of regular arrays
of cylinders", Proc. R. Soc. A 369, 207 (1979), their table of the effective conductivity
of a square array of perfectly conducting cylinders (σ_cyl/σ_matrix = ∞), quoted to the
four significant figures printed there:

    φ      0.1    0.2    0.3    0.4    0.5    0.6    0.7
    σ_eff  1.222  1.500  1.860  2.351  3.080  4.342  7.433

The converged multipole solution (``emcd_fem.analytic.multipole.cylinder_array``) must reproduce
them to the last printed digit; the truncated formulas are then tested against it over
contrasts 0 … ∞ with the accuracies their docstrings state. The hexagonal array is checked
against its own converged multipole solution and a finite-element cell solve.

The simple cubic array of spheres: McPhedran & McKenzie's table (Proc. R. Soc. A 359, 45,
1978) could not be consulted from here, so the converged multipole solution
``multipole.sphere_array`` is verified on its own in tests/test_sphere_array.py (lattice
sums, order convergence, dilute limit, finite-element cells converging to it), and
``analytic.rayleigh_cubic_spheres`` is tested against it below.
"""

import math

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem import analytic
from emcd_fem.analytic import multipole
from emcd_fem.geometry import matrix_with_inclusions
from emcd_fem.studies.effective import effective_diffusivity

PERRINS_SQUARE_PERFECT = {
    0.1: 1.222,
    0.2: 1.500,
    0.3: 1.860,
    0.4: 2.351,
    0.5: 3.080,
    0.6: 4.342,
    0.7: 7.433,
}
CONTRASTS = [0.0, 1e-3, 0.1, 0.5, 2.0, 10.0, 1e3, 1e15]


def test_lattice_sums_closed_forms():
    # S_4 (square) = Γ(1/4)^8 / (960 π²) (Rayleigh 1892; Perrins et al. 1979: 3.15121)
    s4 = multipole.lattice_sums("square", 8)[4]
    assert s4 == pytest.approx(math.gamma(0.25) ** 8 / (960 * math.pi**2), rel=1e-13)
    # symmetry: square sums vanish unless 4 | k, hexagonal unless 6 | k
    square, hexagonal = (
        multipole.lattice_sums("square", 24),
        multipole.lattice_sums("hexagonal", 24),
    )
    assert all(square[k] == 0.0 for k in square if k % 4)
    assert all(hexagonal[k] == 0.0 for k in hexagonal if k % 6)
    # Perrins' formula coefficients follow from the sums
    assert 3 * s4**2 / math.pi**4 == pytest.approx(0.305827, abs=1e-6)
    assert 7 * square[8] ** 2 / math.pi**8 == pytest.approx(0.013362, abs=1e-6)
    area = math.sqrt(3) / 2
    assert 5 * hexagonal[6] ** 2 * (area / math.pi) ** 6 == pytest.approx(0.075422, abs=1e-6)


@pytest.mark.parametrize("fraction,published", sorted(PERRINS_SQUARE_PERFECT.items()))
def test_multipole_reproduces_perrins_table(fraction, published):
    value = multipole.cylinder_array(fraction, 1.0, 1e15, "square")
    assert round(value, 3) == pytest.approx(published, abs=1e-12)


def test_multipole_converged_and_limits():
    for lattice, fraction in (("square", 0.77), ("hexagonal", 0.88)):
        coarse = multipole.cylinder_array(fraction, 1.0, 1e15, lattice, multipoles=60)
        fine = multipole.cylinder_array(fraction, 1.0, 1e15, lattice, multipoles=200)
        assert coarse == pytest.approx(fine, rel=1e-11)
    # dilute limit: Maxwell-Garnett; insulating ↔ perfectly conducting reciprocity (Keller:
    # σ(φ, 0) σ(φ, ∞) = 1 in 2D for arrays symmetric under 90°/60° rotation)
    assert multipole.cylinder_array(1e-4, 1.0, 5.0) == pytest.approx(
        analytic.maxwell_garnett(1e-4, 1.0, 5.0, 2), rel=1e-12
    )
    for lattice in ("square", "hexagonal"):
        for fraction in (0.3, 0.6):
            product = multipole.cylinder_array(fraction, 1.0, 0.0, lattice) * (
                multipole.cylinder_array(fraction, 1.0, 1e15, lattice)
            )
            assert product == pytest.approx(1.0, rel=1e-12)
    with pytest.raises(ef.EmcdInputError, match="overlap"):
        multipole.cylinder_array(0.8, 1.0, 2.0, "square")


# (fraction, worst relative error over all contrasts) as stated in the docstrings
SQUARE_ACCURACY = [(0.3, 1e-8), (0.4, 2e-7), (0.5, 7e-6), (0.6, 2.2e-4), (0.7, 7e-3)]
HEXAGONAL_ACCURACY = [(0.6, 1e-7), (0.7, 5e-6), (0.8, 3.6e-4), (0.85, 4.7e-3)]


@pytest.mark.parametrize("fraction,tolerance", SQUARE_ACCURACY)
def test_square_formula_accuracy(fraction, tolerance):
    errors = [
        abs(
            analytic.rayleigh_square_cylinders(fraction, 1.0, beta)
            / multipole.cylinder_array(fraction, 1.0, beta, "square")
            - 1
        )
        for beta in CONTRASTS
    ]
    assert max(errors) < tolerance
    assert max(errors) > tolerance / 30  # the stated accuracy is not a loose bound


def test_square_formula_fourth_term_has_one_over_t():
    # the φ⁸ term is 0.013362 φ⁸ / T (T = (D_m + D_i)/(D_m − D_i)); the earlier version
    # without 1/T was 3.6e-3 off at φ = 0.7, β = 10 and 1.3e-2 for perfect conductors
    fraction = 0.7
    for beta, tolerance in ((10.0, 1.4e-3), (1e15, 6.8e-3)):
        exact = multipole.cylinder_array(fraction, 1.0, beta)
        t = (1 + beta) / (1 - beta)
        without = 1 - 2 * fraction / (
            t
            + fraction
            - 0.305827 * fraction**4 * t / (t**2 - 1.402958 * fraction**8)
            - 0.013362 * fraction**8
        )
        assert abs(without / exact - 1) > 1.8 * tolerance
        assert analytic.rayleigh_square_cylinders(fraction, 1.0, beta) == pytest.approx(
            exact, rel=tolerance
        )


@pytest.mark.parametrize("fraction,tolerance", HEXAGONAL_ACCURACY)
def test_hexagonal_formula_accuracy(fraction, tolerance):
    errors = [
        abs(
            analytic.rayleigh_hexagonal_cylinders(fraction, 1.0, beta)
            / multipole.cylinder_array(fraction, 1.0, beta, "hexagonal")
            - 1
        )
        for beta in CONTRASTS
    ]
    assert max(errors) < tolerance
    assert max(errors) > tolerance / 30


@pytest.mark.parametrize("beta", [0.1, 10.0])
def test_hexagonal_array_finite_elements(beta):
    """A mirror-symmetric cell 1 × √3 of the hexagonal lattice (cylinders at the corners and
    the centre), P2 on order-2 geometry: D_xx and D_yy both match the multipole value
    (the array is isotropic)."""
    fraction = 0.5
    height = math.sqrt(3.0)
    radius = math.sqrt(fraction * height / (2 * math.pi))
    centers = [[0.0, 0.0], [0.5, height / 2]]  # images at the other corners are added
    domain = matrix_with_inclusions((1.0, height), centers, radius, size=radius / 6, order=2)
    materials = {"matrix": ef.Material(1.0), "inclusion": ef.Material(beta)}
    d = effective_diffusivity(domain, materials, (1.0, height))
    exact = multipole.cylinder_array(fraction, 1.0, beta, "hexagonal")
    # measured 1e-5 … 3e-5 at this resolution (P2, order 2, size r/6)
    assert d[0] == pytest.approx(exact, rel=1e-4)
    assert d[1] == pytest.approx(exact, rel=1e-4)
    assert analytic.rayleigh_hexagonal_cylinders(fraction, 1.0, beta) == pytest.approx(
        exact, rel=1e-8
    )


@pytest.mark.parametrize("beta,tolerance", [(0.1, 1e-4), (10.0, 6e-4)])
def test_cubic_spheres_formula_against_fine_cell(beta, tolerance):
    """Simple cubic spheres at φ = 0.3: P2 on order-2 geometry with cell size r/6 is within
    1e-4 of its r/8 value (measured 4e-5 and 7e-5), so it resolves the formula's error:
    measured 1e-5 (β = 0.1) and 4e-4 (β = 10) with the recomputed octupole coefficient
    1.3047, against 8e-4 and 1.9e-3 with Rayleigh's 1.65."""
    fraction = 0.3
    radius = (3 * fraction / (4 * math.pi)) ** (1 / 3)
    domain = matrix_with_inclusions(
        (1.0, 1.0, 1.0), [[0.5, 0.5, 0.5]], radius, kind="sphere", size=radius / 6, order=2
    )
    materials = {"matrix": ef.Material(1.0), "inclusion": ef.Material(beta)}
    d_eff = effective_diffusivity(domain, materials, (1.0, 1.0, 1.0), axes=[0])[0]
    formula = analytic.rayleigh_cubic_spheres(fraction, 1.0, beta)
    assert d_eff == pytest.approx(formula, rel=tolerance)
    t = (beta + 2) / (1 - beta)
    rayleigh_1892 = 1 - 3 * fraction / (
        t + fraction + 1.65 * (beta - 1) / (beta + 4 / 3) * fraction ** (10 / 3)
    )
    assert abs(d_eff / rayleigh_1892 - 1) > 1.3 * abs(d_eff / formula - 1) + 2e-4


def test_sigma4_lattice_sum_gives_the_octupole_coefficient():
    # Σ_4 = Σ' P_4(cos Θ)/R^5 over the unit simple cubic lattice, by direct summation over
    # |i|, |j|, |k| <= 40 (tail ≈ 1.5e-4, estimated from the N = 20, 40 sums)
    r = np.arange(-40, 41, dtype=float)
    x, y, z = np.meshgrid(r, r, r, indexing="ij")
    rr = np.sqrt(x**2 + y**2 + z**2)
    mask = rr > 0
    c = z[mask] / rr[mask]
    sigma4 = float(((35 * c**4 - 30 * c**2 + 3) / 8 / rr[mask] ** 5).sum())
    assert sigma4 == pytest.approx(3.10823, abs=2e-4)
    coefficient = 16 * 3.10823**2 * (3 / (4 * math.pi)) ** (10 / 3)
    assert coefficient == pytest.approx(1.3047, abs=1e-4)


# (fraction, worst relative error over all contrasts 0 … 1e15; over contrasts 0.1 … 10), as
# stated in the docstring of analytic.rayleigh_cubic_spheres
CUBIC_ACCURACY = [
    (0.1, 1e-6, 4e-7),
    (0.2, 7e-5, 3e-5),
    (0.3, 1.1e-3, 4e-4),
    (0.4, 1.1e-2, 3.3e-3),
    (0.45, 3.5e-2, 1e-2),
    (0.5, 0.15, 3e-2),
]


@pytest.mark.parametrize("fraction,tolerance,moderate_tolerance", CUBIC_ACCURACY)
def test_cubic_formula_accuracy(fraction, tolerance, moderate_tolerance):
    def worst(contrasts):
        return max(
            abs(
                analytic.rayleigh_cubic_spheres(fraction, 1.0, beta)
                / multipole.sphere_array(fraction, 1.0, beta)
                - 1
            )
            for beta in contrasts
        )

    everywhere = worst(CONTRASTS)
    moderate = worst([0.1, 0.2, 0.5, 2.0, 5.0, 10.0])
    assert everywhere < tolerance
    assert everywhere > tolerance / 30  # the stated accuracy is not a loose bound
    assert moderate < moderate_tolerance
    assert moderate > moderate_tolerance / 30
