"""Robust solves of the 1D dusty-gas channel: the isobaric closed form and a collocation BVP.

The helpers of :func:`emcd_fem.analytic.dusty_gas_channel.dusty_gas_channel` (see its
module docstring for the equations) for the cases where shooting alone is fragile:

- :func:`isobaric_binary_flux`: two species, both ends open at the same pressure, no
  reaction. The pressure stays uniform (Σ_i N_i/D^e_iK = 0: Graham's law
  N_B = −(1 − a) N_A, a = 1 − √(M_A/M_B)), and the dusty-gas relation for A,
  N_A (1 − a x_A + G/(c K_A))/G = −x'_A with G = c D^e_AB, integrates in closed form:

      N_A = (G/(a L)) ln[(1 − a x_L + G/(c K_A))/(1 − a x_0 + G/(c K_A))]

  (G/L (x_0 − x_L)/(1 + G/(c K_A)) for a → 0). This is
  :func:`emcd_fem.analytic.dusty_gas.dusty_gas_rate` written with the channel's
  coefficients; u = 1 − a x_A + G/(c K_A) grows as u_0 exp(a N_A z/G).
- :func:`collocation_channel`: ``scipy.integrate.solve_bvp`` on the scaled unknowns
  (c_i/c_0, N_i/N_scale) over z/L, with continuation in the reaction strength from 0 (where
  the linear/uniform start is close). It converges where a shot from z = 0 overflows: the
  stiff viscous (Darcy) term of wide pores, and the large pressure build-up of a
  Knudsen-regime dead-end pore.
"""

from collections.abc import Callable
from typing import Any

import numpy as np

#: Relative collocation tolerance of :func:`collocation_channel` (scipy's residual norm);
#: the solution is then polished by shooting where the shot converges.
COLLOCATION_TOLERANCE: float = 1e-9


def channel_gradients(c: np.ndarray, flux: np.ndarray, coefficients: Any) -> np.ndarray:
    """dc_i/dz [mol/m^4] of the dusty-gas relations at c_i [mol/m^3] and N_i [mol/(m^2 s)].

    ``c`` and ``flux`` have the species first (shape (n,) or (n, m)); ``coefficients`` is
    a :class:`~emcd_fem.analytic.dusty_gas_channel.ChannelCoefficients`. The Sherman–Morrison
    form of the module docstring of :mod:`emcd_fem.analytic.dusty_gas_channel`.
    """
    g, knudsen, beta = coefficients.conductance, coefficients.knudsen, coefficients.viscous
    n = c.shape[0]
    hn = np.empty(np.broadcast(c, flux).shape)
    for i in range(n):
        hn[i] = flux[i] / knudsen[i]
        for j in range(n):
            if j != i:
                hn[i] += (c[j] * flux[i] - c[i] * flux[j]) / g[i, j]
    ratio = c / knudsen.reshape((n,) + (1,) * (c.ndim - 1))
    total = -hn.sum(axis=0) / (1 + beta * ratio.sum(axis=0))
    return -hn - beta * ratio * total


def isobaric_binary_flux(
    length: float, coefficients: Any, concentration: float, x_in: float, x_out: float
) -> tuple[float, Callable[[np.ndarray], np.ndarray]]:
    """N_A [mol/(m^2 s)] of the isobaric binary open channel, and x_A(z) (module docstring).

    Args:
        length: L [m].
        coefficients: the channel's coefficients; a = 1 − D^e_BK/D^e_AK = 1 − √(M_A/M_B)
            since D^e_iK ∝ 1/√M_i.
        concentration: c = p/(R T) at both ends [mol/m^3].
        x_in: x_A(0).
        x_out: x_A(L).
    """
    a = 1.0 - coefficients.knudsen[1] / coefficients.knudsen[0]  # D_iK ∝ 1/√M_i
    g = coefficients.conductance[0, 1]
    u0 = 1.0 - a * x_in + g / (concentration * coefficients.knudsen[0])
    if abs(a) < 1e-12:
        flux = g * (x_in - x_out) / (length * u0)

        def profile(z: np.ndarray) -> np.ndarray:
            return x_in + (x_out - x_in) * np.asarray(z) / length

        return float(flux), profile
    flux = g / (a * length) * np.log1p(a * (x_in - x_out) / u0)

    def profile(z: np.ndarray) -> np.ndarray:  # u(z) − u0 = u0 expm1(a N z/G)
        return x_in - u0 * np.expm1(a * flux * np.asarray(z) / g) / a

    return float(flux), profile


def collocation_channel(
    length: float,
    coefficients: Any,
    c0: np.ndarray,
    *,
    target: np.ndarray | None,
    rates: Callable[[np.ndarray], np.ndarray],
    wall: Callable[[np.ndarray], np.ndarray] | None,
    flux_scale: float,
) -> Callable[[np.ndarray], np.ndarray] | None:
    """The channel solution z ↦ (c_1..c_n, N_1..N_n) by collocation, or None if it fails.

    The returned profile is in SI units (mol/m^3, mol/(m^2 s)) with the species first.

    Args:
        length: L [m].
        coefficients: the channel's coefficients.
        c0: c_i(0) [mol/m^3].
        target: c_i(L) [mol/m^3] of an open outlet, or None for a closed end.
        rates: c ↦ R_i(c) [mol/(m^3 s)] of one point (species first).
        wall: c ↦ N_i(L) at a closed end (None: 0).
        flux_scale: the flux scale N_scale [mol/(m^2 s)].
    """
    from scipy.integrate import solve_bvp  # on use

    n, scale = c0.size, c0.sum()

    def equations(strength: float):
        def rhs(_s: np.ndarray, y: np.ndarray) -> np.ndarray:
            c, flux = y[:n] * scale, y[n:] * flux_scale
            made = np.stack([rates(c[:, k]) for k in range(c.shape[1])], axis=1)
            return np.concatenate(
                [
                    channel_gradients(c, flux, coefficients) * length / scale,
                    strength * made * length / flux_scale,
                ]
            )

        return rhs

    def ends(strength: float):
        def bc(ya: np.ndarray, yb: np.ndarray) -> np.ndarray:
            if target is not None:
                return np.concatenate([ya[:n] - c0 / scale, yb[:n] - target / scale])
            closed = np.zeros(n) if wall is None else strength * wall(yb[:n] * scale)
            return np.concatenate([ya[:n] - c0 / scale, yb[n:] - closed / flux_scale])

        return bc

    s = np.linspace(0.0, 1.0, 41)
    end = c0 if target is None else target
    y = np.zeros((2 * n, s.size))
    y[:n] = (c0[:, None] + (end - c0)[:, None] * s) / scale
    reacting = target is None or wall is not None or np.any(rates(c0) != 0)
    with np.errstate(all="ignore"):
        for strength in np.linspace(0.0, 1.0, 5) if reacting else [1.0]:
            sol = solve_bvp(
                equations(float(strength)),
                ends(float(strength)),
                s,
                y,
                tol=COLLOCATION_TOLERANCE,
                max_nodes=200000,
            )
            bad = not np.all(np.isfinite(sol.y)) or np.any(sol.y[:n] < -1e-9)
            if not sol.success or bad:
                return None
            s, y = sol.x, sol.y
    units = np.concatenate([np.full(n, scale), np.full(n, flux_scale)])

    def profile(z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        return units.reshape((2 * n,) + (1,) * z.ndim) * sol.sol(z / length)

    return profile


__all__ = [
    "COLLOCATION_TOLERANCE",
    "channel_gradients",
    "collocation_channel",
    "isobaric_binary_flux",
]
