"""The Duncan–Toor barrier time between samples (tester1 #6: the fast demo reported the
coarse grid's sample, 7.4 h, where the barrier is at ~6.5 h)."""

import numpy as np
import pytest

from emcd_fem.studies.two_bulb import sampled_peak


def test_parabola_vertex_is_exact_between_samples():
    t = np.linspace(0.25, 20.0, 12)  # the fast demo's grid (1.8 h spacing)
    t_star, y_star = 6.5, 0.2
    t_k, y_k = sampled_peak(t, y_star - 0.01 * (t - t_star) ** 2)
    assert t_k == pytest.approx(t_star, rel=1e-12)  # a parabola: exact up to round-off
    assert y_k == pytest.approx(y_star, rel=1e-12)


def test_smooth_peak_converges_at_third_order():
    def history(t):
        return np.exp(-(((t - 6.5) / 4.0) ** 2)) + 0.05 * t  # peak near 6.66 h

    fine = np.linspace(0.0, 20.0, 200001)
    exact = fine[np.argmax(history(fine))]
    errors = []
    for n in (12, 24, 48):
        t = np.linspace(0.25, 20.0, n)
        errors.append(abs(sampled_peak(t, history(t))[0] - exact))
        assert errors[-1] < (t[1] - t[0]) / 2  # better than the nearest sample's bound
    # O(h^3) for the location in the asymptotic range (ratio 8 per halving; allow 4)
    assert errors[1] / errors[2] > 4, errors


def test_an_end_sample_is_returned_as_is():
    t = np.linspace(0.0, 1.0, 5)
    assert sampled_peak(t, t) == (1.0, 1.0)
