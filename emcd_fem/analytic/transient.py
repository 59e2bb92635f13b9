"""Transient diffusion in a slab: Fourier series and the short-time erfc form.

Slab 0 < z < L, c ∂x/∂t = c D ∂²x/∂z², uniform initial x_0, both ends held at x_1 from
t = 0 (Carslaw & Jaeger §3.3; Crank, *The Mathematics of Diffusion*, eq. 4.17–4.18). With
the Fourier number Fo = D t / L²:

    x(z, t) = x_1 + (x_0 − x_1) (4/π) Σ_{n odd} sin(nπz/L) exp(−n²π² Fo) / n,

and the outward flux at either end, q = N_A·n = (x_0 − x_1)·(4 c D / L) Σ_{n odd}
exp(−n²π² Fo) [mol/(m^2 s)]. For small Fo the series converges slowly; the equivalent
image (erfc) series

    x(z, t) = x_1 + (x_0 − x_1) [1 − Σ_{m≥0} (−1)^m (erfc((mL + z)/(2√(Dt)))
                                    + erfc(((m+1)L − z)/(2√(Dt))))]

converges fast there (written with m = 0..M); :func:`slab_fourier` uses the series whose
truncation error bound is smaller.
"""

import math

import numpy as np
import numpy.typing as npt
from scipy.special import erfc

from emcd_fem.errors import EmcdInputError


def _check(length: float, diffusivity: float, t: float) -> None:
    if not (length > 0 and diffusivity > 0 and t > 0):
        raise EmcdInputError("need L > 0 m, D > 0 m^2/s and t > 0 s")


def slab_fourier(
    z: npt.ArrayLike,
    t: float,
    *,
    length: float,
    diffusivity: float,
    x_initial: float,
    x_ends: float,
    terms: int = 400,
) -> npt.NDArray[np.float64]:
    """x_A(z, t) [-] of the slab (module text), z in m, t in s.

    Uses the Fourier series when Fo ≥ 0.01 (first omitted term < exp(−π² (2·terms)² Fo)),
    the erfc series (``terms`` images) below.
    """
    _check(length, diffusivity, t)
    z = np.asarray(z, dtype=np.float64)
    fo = diffusivity * t / length**2
    if fo >= 0.01:
        n = np.arange(1, 2 * terms, 2, dtype=np.float64)[:, None]
        series = (4 / np.pi) * np.sum(
            np.sin(n * np.pi * z[None, :] / length) * np.exp(-((n * np.pi) ** 2) * fo) / n, axis=0
        )
        return x_ends + (x_initial - x_ends) * series.reshape(z.shape)
    s = 2 * math.sqrt(diffusivity * t)
    m = np.arange(terms, dtype=np.float64)[:, None]
    sign = (-1.0) ** m
    images = np.sum(
        sign * (erfc((m * length + z[None, :]) / s) + erfc(((m + 1) * length - z[None, :]) / s)),
        axis=0,
    )
    return x_ends + (x_initial - x_ends) * (1 - images).reshape(z.shape)


def slab_fourier_flux(
    t: float,
    *,
    length: float,
    diffusivity: float,
    concentration: float,
    x_initial: float,
    x_ends: float,
    terms: int = 400,
) -> float:
    """Outward flux N_A·n at either end [mol/(m^2 s)] (module text); t in s.

    Fo ≥ 0.01: (x_0 − x_1) (4cD/L) Σ_{n odd} exp(−n²π² Fo); below, the image series
    (x_0 − x_1) (c D/√(π D t)) [1 + 2 Σ_{m≥1} (−1)^m exp(−m²L²/(4Dt))].
    """
    _check(length, diffusivity, t)
    fo = diffusivity * t / length**2
    scale = (x_initial - x_ends) * concentration * diffusivity
    if fo >= 0.01:
        n = np.arange(1, 2 * terms, 2, dtype=np.float64)
        return float(scale * 4 / length * np.sum(np.exp(-((n * np.pi) ** 2) * fo)))
    m = np.arange(1, terms, dtype=np.float64)
    images = 1 + 2 * np.sum((-1.0) ** m * np.exp(-(m**2) * length**2 / (4 * diffusivity * t)))
    return float(scale / math.sqrt(math.pi * diffusivity * t) * images)


def permeation_flux(
    t: float,
    *,
    length: float,
    diffusivity: float,
    concentration: float,
    x_feed: float,
    terms: int = 400,
) -> float:
    """Permeate-side flux N_A [mol/(m^2 s)] of a membrane started empty (Daynes–Barrer).

    Slab 0 < z < L with x = 0 at t = 0, x(0) = x_feed and x(L) = 0 for t > 0:
    N(L, t) = (c D x_feed / L) [1 + 2 Σ_{n≥1} (−1)^n exp(−n²π² D t / L²)] (Crank eq. 4.24a);
    for τ = D t / L² < 0.1 its Jacobi transform (c D x_feed / L) (2/√(πτ)) Σ_{m≥0}
    exp(−(2m+1)²/(4τ)), which converges fast at small τ (a truncated Fourier sum does not).
    Its integral tends to (c D x_feed / L)(t − θ), θ = L²/(6D) (:func:`time_lag`).
    """
    _check(length, diffusivity, t)
    tau = diffusivity * t / length**2
    if tau < 0.1:  # the Fourier series needs ~1/sqrt(tau) terms: its Jacobi transform
        m = np.arange(0, terms, dtype=np.float64)  # converges fast here (Crank eq. 4.24b)
        series = 2 / np.sqrt(np.pi * tau) * np.sum(np.exp(-((2 * m + 1) ** 2) / (4 * tau)))
    else:
        n = np.arange(1, terms + 1, dtype=np.float64)
        series = 1 + 2 * np.sum((-1.0) ** n * np.exp(-((n * np.pi) ** 2) * tau))
    return float(concentration * diffusivity * x_feed / length * series)


def time_lag(length: float, diffusivity: float) -> float:
    """Barrer's time lag θ = L²/(6D) [s] of a single-layer membrane started empty."""
    if not (length > 0 and diffusivity > 0):
        raise EmcdInputError("need L > 0 m and D > 0 m^2/s")
    return length**2 / (6 * diffusivity)


__all__ = ["permeation_flux", "slab_fourier", "slab_fourier_flux", "time_lag"]
