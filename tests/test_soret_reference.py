"""The Soret slab reference (``analytic.soret_slab``) against an independent solve.

The independent solve is collocation (``scipy.integrate.solve_bvp``, tolerance 1e-10 on
the residual, up to 2e5 nodes) of x' = k x (x − 1) − n, n' = 0 with x(0) = x_0,
x(L) = x_L: nothing is shared with the closed form (no root bracket, no Riccati forms).
The sweep covers weak to strong thermal diffusion (k L = S_T ΔT from 1e-9 to 10, both
signs), end values at 0, 1 and equal, and the issue's case S_T = 0.5 1/K, where the old
bracketing returned −0.0449 instead of −0.0020913 mol/(m² s).
"""

import itertools

import numpy as np
import pytest
from scipy.integrate import solve_bvp

import emcd_fem as ef

MAT = ef.Material(2e-5, 40.9)
LENGTH = 0.5


def collocation(k: float, x0: float, x1: float) -> tuple[float, object]:
    z = np.linspace(0.0, LENGTH, 401)
    guess = np.vstack([x0 + (x1 - x0) * z / LENGTH, np.full_like(z, (x0 - x1) / LENGTH)])
    result = solve_bvp(
        lambda _z, y: np.vstack([k * y[0] * (y[0] - 1.0) - y[1], np.zeros_like(y[1])]),
        lambda a, b: np.array([a[0] - x0, b[0] - x1]),
        z,
        guess,
        tol=1e-10,
        max_nodes=200_000,
    )
    assert result.status == 0, result.message
    return float(result.y[1, 0]), result


def test_issue_case_strong_soret():
    ref = ef.analytic.soret_slab(LENGTH, MAT, 0.5, (300.0, 312.0), (0.6, 0.4))
    assert ref.flux == pytest.approx(-0.0020913, rel=5e-5)
    n, _ = collocation(ref.k, 0.6, 0.4)
    assert ref.n == pytest.approx(n, rel=1e-9)


@pytest.mark.parametrize(
    "k_l,ends",
    list(
        itertools.product(
            [1e-9, 0.05, -0.3, 1.0, -2.5, 6.0, -10.0],
            [(0.6, 0.4), (0.4, 0.6), (1.0, 0.0), (0.0, 1.0), (0.95, 0.9), (0.1, 0.2), (0.3, 0.3)],
        )
    ),
)
def test_closed_form_matches_collocation(k_l, ends):
    # S_T ΔT = k L: ΔT = 12 K, S_T chosen to give the sweep value
    soret = k_l / 12.0
    ref = ef.analytic.soret_slab(LENGTH, MAT, soret, (300.0, 312.0), ends)
    n, result = collocation(ref.k, *ends)
    # collocation residual 1e-10 on a unit-scale problem: n agrees to ~1e-9 (absolute
    # 1e-9 covers n ≈ 0 for equal ends with tiny k)
    assert ref.n == pytest.approx(n, rel=1e-8, abs=1e-9)
    assert ref.flux == pytest.approx(n * MAT.concentration * MAT.diffusivity, rel=1e-8, abs=1e-15)
    z = np.linspace(0.0, LENGTH, 21)
    profile = ref.mole_fraction(z)
    assert np.all(np.isfinite(profile))
    assert profile == pytest.approx(result.sol(z)[0], abs=1e-8)
    assert profile[0] == pytest.approx(ends[0], abs=1e-12)
    assert profile[-1] == pytest.approx(ends[1], abs=1e-9)


def test_weak_soret_tends_to_fick():
    # k → 0: the well-conditioned forms give the linear profile without cancellation
    ref = ef.analytic.soret_slab(LENGTH, MAT, 1e-14, (300.0, 312.0), (0.6, 0.4))
    assert ref.n == pytest.approx(0.2 / LENGTH, rel=1e-12)
    z = np.linspace(0, LENGTH, 5)
    assert ref.mole_fraction(z) == pytest.approx(0.6 - 0.4 * z, abs=1e-13)


@pytest.mark.parametrize("soret", [0.5, -0.5, 2.0])
def test_run_reports_the_reference_for_strong_soret(soret):
    """`emcd run` prints the reference next to the FE flux: with the old bracketing a
    correct run at S_T = 0.5 1/K was reported 95 % wrong; now P2 on 40 cells agrees to
    ~1e-9 (measured 4.5e-10 at 0.5)."""
    from pathlib import Path

    from emcd_fem.pipeline.run import run_case

    case = Path(__file__).resolve().parent.parent / "demos" / "soret_slab_1d.toml"
    summary = run_case(case, overrides=[f"materials.gas.soret_coefficient={soret}"]).summary
    assert summary["analytic"]["max_relative_error"] < 1e-7


@pytest.mark.parametrize("soret", [0.012, 0.5, -0.5])
def test_shooting_reference_matches_closed_form(soret):
    """``soret_slab_numerical`` (shooting, used by `emcd verify` for T-dependent
    properties) with constant properties against the closed form — two independent
    methods; it failed to bracket the root at S_T = 0.5 before."""
    cd = MAT.concentration * MAT.diffusivity
    flux, profile = ef.analytic.soret_slab_numerical(
        LENGTH, lambda t: cd + 0 * t, lambda t: soret + 0 * t, (300.0, 312.0), (0.6, 0.4)
    )
    ref = ef.analytic.soret_slab(LENGTH, MAT, soret, (300.0, 312.0), (0.6, 0.4))
    assert flux == pytest.approx(ref.flux, rel=1e-10)
    z = np.linspace(0, LENGTH, 7)
    assert profile(z) == pytest.approx(ref.mole_fraction(z), abs=1e-10)


@pytest.mark.parametrize("k_l", [40.0, -40.0, 120.0, -120.0])
@pytest.mark.parametrize("ends", [(0.95, 0.5), (0.5, 0.95), (1.0, 0.0)])
def test_very_strong_soret_boundary_layers(k_l, ends):
    """S_T ΔT far beyond the sweep (a boundary layer of width ~L/|k L|): next to its
    fixed point the travel integral's arctanh argument rounds to ±1; the reference must
    still be a number (it ended as an "internal error": brentq on NaN) and solve the BVP.

    Collocation from a linear guess fails here (singular Jacobian), so it starts from the
    reference profile on 4001 nodes: the BVP has one solution, the guess only helps Newton.
    """
    ref = ef.analytic.soret_slab(LENGTH, MAT, k_l / 12.0, (300.0, 312.0), ends)
    assert np.isfinite(ref.flux)
    z = np.linspace(0.0, LENGTH, 4001)
    guess = np.vstack([ref.mole_fraction(z), np.full_like(z, ref.n)])
    result = solve_bvp(
        lambda _z, y: np.vstack([ref.k * y[0] * (y[0] - 1.0) - y[1], np.zeros_like(y[1])]),
        lambda a, b: np.array([a[0] - ends[0], b[0] - ends[1]]),
        z,
        guess,
        tol=1e-9,
        max_nodes=400_000,
    )
    assert result.status == 0, result.message
    assert ref.n == pytest.approx(float(result.y[1, 0]), rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("k_l", [1200.0, -1200.0, 1e5])
def test_extreme_soret_reference_is_a_number(k_l):
    # beyond what collocation resolves: a finite flux next to the fixed-point value
    # k x (x − 1) of the end value that the drift pins (the layer sits at the other end)
    for ends in [(0.95, 0.5), (0.5, 0.95)]:
        ref = ef.analytic.soret_slab(LENGTH, MAT, k_l / 12.0, (300.0, 312.0), ends)
        edges = [ref.k * x * (x - 1.0) for x in ends]
        assert np.isfinite(ref.n)
        assert min(abs(ref.n - e) for e in edges) <= 1e-4 * abs(ref.k)


def test_soret_slab_with_a_species_source_has_no_closed_form_reference():
    """The closed form knows no species source: with [physics] source the run must not
    compare against it (it used to report a correct run 186 % wrong). The FE fluxes are
    checked against collocation of N' = R, x' = −N/(cD) − S_T x(1−x) T' instead (P2 on 40
    cells: smooth solution, error ~1e-9; 1e-6 leaves room for the solver tolerance)."""
    from pathlib import Path

    from emcd_fem.pipeline.run import run_case

    case = Path(__file__).resolve().parent.parent / "demos" / "soret_slab_1d.toml"
    source, soret, t0, t1 = -0.002, 0.012, 300.0, 312.0
    result = run_case(case, overrides=[f"physics.source={source}"])
    assert result.summary["analytic"] is None
    c, d = 40.9, 2.0e-5
    grad_t = (t1 - t0) / LENGTH
    z = np.linspace(0.0, LENGTH, 401)
    reference = solve_bvp(
        lambda _z, y: np.vstack(
            [-y[1] / (c * d) - soret * y[0] * (1 - y[0]) * grad_t, np.full_like(y[1], source)]
        ),
        lambda a, b: np.array([a[0] - 0.6, b[0] - 0.4]),
        z,
        np.vstack([0.6 - 0.2 * z / LENGTH, np.full_like(z, 3e-4)]),
        tol=1e-10,
        max_nodes=200_000,
    )
    assert reference.status == 0, reference.message
    fluxes = result.summary["boundary_flux"]
    expected = {"left": -reference.y[1, 0], "right": reference.y[1, -1]}
    for name, value in expected.items():
        assert abs(fluxes[name] - value) < 1e-6 * abs(value), (name, fluxes[name], value)
