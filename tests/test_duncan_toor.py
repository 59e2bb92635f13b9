"""Duncan & Toor (1962): H2/N2/CO2 in two bulbs joined by a capillary (issue 19).

Reference: the quasi-steady Maxwell–Stefan model of the cell, written here with scipy
only (independent of emcd_fem): the bulbs are well mixed, c V_1 dx_1/dt = −A N,
c V_2 dx_2/dt = A N, and N is the steady film flux for the current bulb compositions (the
MS film equations −c dx_i/dz = Σ_j (x_j N_i − x_i N_j)/Đ_ij are linear in x for fixed N:
x(L) = expm(M(N) L) x(0), and N (Σ N_i = 0) is found by fsolve), integrated with Radau at
rtol 1e-10. The finite-element cell (studies.two_bulb: meshed bulbs, transient MS) differs
from it by the capillary's own hold-up (A L / V = 0.4 %) and its ~L²/Đ = 7 min start-up:
the bulb N2 mole fractions agree within 1 mol% (the prompt's criterion; measured below).

Against the experiment: Duncan & Toor's measured bulb compositions at 3.8, 8, 12 and 16.8 h
(studies.two_bulb.DUNCAN_TOOR_MEASURED, read off their figure) — every species in both
bulbs within 1 mol% (the accuracy the literature reports for the cell; measured 0.93 mol% at
worst, CO2 at 12 h; N2 0.87 mol%), and the mixture-averaged (Fick) model misses the N2 points
by over 2 mol%.
"""

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.optimize

from emcd_fem.studies.two_bulb import DUNCAN_TOOR, DUNCAN_TOOR_MEASURED, two_bulb_cell

MEASURED = DUNCAN_TOOR_MEASURED
HOURS = np.union1d([0.5, 1, 2, 3, 5, 8, 12, 16, 20], MEASURED["hours"]) * 3600.0
AT_MEASURED = np.searchsorted(HOURS, MEASURED["hours"] * 3600.0)
S = DUNCAN_TOOR["species"]


def _film_flux(x1, x2, d, c, length, guess):
    def matrix(n):
        # dx_i/dz = −(1/c) Σ_j (x_j N_i − x_i N_j)/Đ_ij (linear in x for fixed N)
        m = np.zeros((3, 3))
        for i in range(3):
            for j in range(3):
                if i != j:
                    m[i, j] -= n[i] / (c * d[i, j])
                    m[i, i] += n[j] / (c * d[i, j])
        return m

    def mismatch(n2):
        n = np.array([n2[0], n2[1], -n2[0] - n2[1]])
        return (scipy.linalg.expm(matrix(n) * length) @ x1 - x2)[:2]

    root = scipy.optimize.fsolve(mismatch, guess, xtol=1e-13, full_output=True)
    n2 = root[0]
    return np.array([n2[0], n2[1], -n2[0] - n2[1]])


def quasi_steady_reference(times):
    data = DUNCAN_TOOR
    c = data["P"] / (8.314462618 * data["T"])
    area = np.pi * data["diameter"] ** 2 / 4
    v1, v2 = data["volumes"]
    d = np.ones((3, 3))
    for (a, b), value in data["diffusivities"].items():
        d[S.index(a), S.index(b)] = d[S.index(b), S.index(a)] = value
    guess = [0.0, 0.0]

    def rhs(t, y):
        x1, x2 = y[:3], y[3:]
        fick = c * np.array([d[0, 1], d[1, 2]]) * (x1[:2] - x2[:2]) / data["length"]
        n = _film_flux(x1, x2, d, c, data["length"], guess if np.any(guess) else fick)
        guess[:] = n[:2]
        return np.concatenate([-area * n / (c * v1), area * n / (c * v2)])

    y0 = np.concatenate([[data["initial"][k][s] for s in S] for k in (0, 1)])
    sol = scipy.integrate.solve_ivp(
        rhs, (0, times[-1]), y0, method="LSODA", t_eval=times, rtol=1e-10, atol=1e-12
    )
    assert sol.success
    return sol.y[:3], sol.y[3:]


@pytest.fixture(scope="module")
def reference():
    return quasi_steady_reference(HOURS)


@pytest.fixture(scope="module")
def maxwell_stefan():
    return two_bulb_cell(HOURS)


def test_bulb_n2_follows_the_quasi_steady_reference(reference, maxwell_stefan):
    one, two = reference
    fe = maxwell_stefan
    error = max(np.abs(fe.bulb1["N2"] - one[1]).max(), np.abs(fe.bulb2["N2"] - two[1]).max())
    assert error < 0.01, error  # 1 mol% (see the module docstring; measured 1.2e-4)
    assert error < 1e-3, error  # and tighter: the hold-up effect is 0.4 % of 0.14
    for k, s in enumerate(S):  # the other species too
        assert np.abs(fe.bulb1[s] - one[k]).max() < 0.01, s
    # closed cell: Σ N_i = 0 on its ends and each species' amount conserved
    assert fe.total_flux < 1e-14
    v1, v2 = DUNCAN_TOOR["volumes"]
    for s in S:
        start = v1 * DUNCAN_TOOR["initial"][0][s] + v2 * DUNCAN_TOOR["initial"][1][s]
        assert np.abs(v1 * fe.bulb1[s] + v2 * fe.bulb2[s] - start).max() < 0.01 * (v1 + v2)


def _deviation_from_measured(history, species):
    """Largest |model − measured| of one species over both bulbs and every measured time."""
    assert np.allclose(history.times[AT_MEASURED], MEASURED["hours"] * 3600.0)
    return max(
        np.abs(getattr(history, b)[species][AT_MEASURED] - MEASURED[b][species]).max()
        for b in ("bulb1", "bulb2")
    )


def test_measured_bulb_compositions(maxwell_stefan):
    # the experiment itself: every species in both bulbs within 1 mol% at every measured
    # time (N2 0.87 mol%, CO2 0.93 mol% at worst: the measured points carry ~1 mol%)
    for s in S:
        assert _deviation_from_measured(maxwell_stefan, s) < 0.01, s
    # the reverse diffusion is in the data: bulb 2 holds more N2 than bulb 1 throughout
    # (0.57 against 0.43 at 3.8 h from 0.499 against 0.501), and the model agrees on the gap
    measured_gap = MEASURED["bulb2"]["N2"] - MEASURED["bulb1"]["N2"]
    model_gap = (maxwell_stefan.bulb2["N2"] - maxwell_stefan.bulb1["N2"])[AT_MEASURED]
    assert np.all(measured_gap > 0.08) and np.all(model_gap > 0.08)
    assert np.abs(model_gap - measured_gap).max() < 0.02


def _n2(history):
    return history.bulb1["N2"], history.bulb2["N2"]


def test_reverse_diffusion_osmotic_and_barrier(reference, maxwell_stefan):
    # the three effects, read from the independent reference and from the FE cell alike
    start = DUNCAN_TOOR["initial"][0]["N2"] - DUNCAN_TOOR["initial"][1]["N2"]  # +0.00207
    fe = _n2(maxwell_stefan)
    for one, two in ((reference[0][1], reference[1][1]), fe):
        difference = one - two  # x_N2 in bulb 1 − bulb 2
        # osmotic diffusion: N2 starts (almost) equal, yet moves: after 30 min the bulbs
        # differ by over 10 times the initial difference, and the other way round
        assert difference[0] < -10 * start
        # reverse diffusion: bulb 2 has more N2 and still gains N2 (flux from lean to rich)
        rising = np.diff(two) > 0
        assert np.any(rising & (difference[1:] < -0.05))
        # diffusion barrier: the N2 flux turns (bulb 2's N2 peaks) while the bulbs still
        # differ by over 10 mol%: a gradient without a flux
        peak = int(np.argmax(two))
        assert 0 < peak < len(two) - 1 and difference[peak] < -0.1


def test_fickian_models_fail():
    # pseudo-binary Fick for N2 (N_N2 = −c D_N2,m ∇x_N2, any D > 0) moves N2 down its
    # difference only: the bulb difference decays monotonically from +0.00207, never
    # reversing. The mixture-averaged model (Wilke D_im with the Σ N_i = 0 correction)
    # does show the effect but misses the reference's bulb difference by > 2 mol% (its
    # peak 20 % low; MS: < 0.1 mol%).
    data = DUNCAN_TOOR
    area, (v1, v2) = np.pi * data["diameter"] ** 2 / 4, data["volumes"]
    rate = area * 16.8e-6 / data["length"] * (1 / v1 + 1 / v2)  # the slowest Đ
    start = data["initial"][0]["N2"] - data["initial"][1]["N2"]
    fick = start * np.exp(-rate * HOURS)
    assert np.all(fick > 0) and np.all(np.diff(fick) < 0)
    one, two = quasi_steady_reference(HOURS)
    assert np.min(one[1] - two[1]) < -0.1  # the measured (MS) difference: −14 mol%
    averaged = two_bulb_cell(HOURS, model="mixture_averaged")
    error = np.abs(averaged.bulb1["N2"] - averaged.bulb2["N2"] - (one[1] - two[1])).max()
    assert error > 0.02, error
    # and it misses the measured N2 points by over 2 mol% (MS: < 1 mol%, above)
    assert _deviation_from_measured(averaged, "N2") > 0.02
