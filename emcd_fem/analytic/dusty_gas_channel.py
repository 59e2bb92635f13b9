"""The 1D dusty-gas channel and pellet (n species, pressure free), integrated by shooting.

The references for the dead-end pore, the open channel and the reacting pellet of the
dusty-gas model (:mod:`emcd_fem.models.dusty_gas`).

**Equations** (isothermal; z along the channel, 0 ≤ z ≤ L; unknowns the concentrations
c_i(z) = p_i/(R T) and the fluxes N_i(z); c = Σ c_i, p = R T c). The dusty-gas relations
(:mod:`emcd_fem.physics.dusty_gas`) in the concentration form,

    [H] N = −c' − β [H] c c'_tot,    H_ii = 1/K_i + Σ_{j≠i} c_j/G_ij,  H_ij = −c_i/G_ij,

with G_ij = (ε/τ) c_ref Đ_ij, K_i = D^e_iK, β = B_0 R T/μ and c'_tot = Σ_i c'_i. Since
([H] c)_i = c_i/K_i, the gradients solve (I + β (c/K) 1ᵀ) c' = −[H] N, i.e. (Sherman–
Morrison)

    c'_tot = −Σ_i ([H] N)_i / (1 + β Σ_i c_i/K_i),    c'_i = −([H] N)_i − β (c_i/K_i) c'_tot,

and the balances N'_i = R_i(c). That is 2n first-order ODEs with n conditions at each end:

- inlet z = 0: c_i(0) = x_i p_0/(R T) (pressure and composition given);
- closed end z = L (a dead-end pore): N_i(L) = 0 for every species, or N_i(L) = −ν_i r_s
  with a wall reaction there; or an open outlet: c_i(L) = x_i p_L/(R T).

**Method**: two species with both ends open at one pressure and no reaction: the closed
form (:func:`emcd_fem.analytic.dusty_gas_bvp.isobaric_binary_flux`, uniform pressure,
Graham's law). Otherwise shooting on the n inlet fluxes N_i(0): ``scipy.integrate.solve_ivp``
(DOP853, rtol 1e-12 by default) from 0 to L and ``scipy.optimize.root`` (hybr) on the n end
conditions, scaled by the natural flux scale; a shot that overflows or lands on an
unphysical root (c_i < 0) is replaced by collocation (``solve_bvp`` on scaled unknowns,
continuation in the reaction strength, :mod:`emcd_fem.analytic.dusty_gas_bvp`), polished
by a shot from its inlet fluxes where that converges. With R = 0 and a closed end the solution is
uniform; with a mole-balanced reaction (Σ_i R_i = 0) the summed balance gives Σ_i N_i = 0
everywhere — zero net molar flow — while the pressure p(L) − p(0) that builds up at the
closed end is what the viscous flow needs to cancel the Knudsen imbalance.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from emcd_fem.analytic.dusty_gas_bvp import (
    channel_gradients,
    collocation_channel,
    isobaric_binary_flux,
)
from emcd_fem.analytic.mass_action import mass_action_production
from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.porous import DustyGas, PorousMedium

#: Largest end-condition mismatch (relative to the concentration or flux scale) accepted
#: when the root finder stops on round-off ("not making good progress"): the ODE
#: integration itself is accurate to ~rtol = 1e-12.
SHOOTING_TOLERANCE: float = 1e-10


@dataclass(frozen=True)
class ChannelCoefficients:
    """The dusty-gas coefficients of one medium and gas at T (SI units).

    Attributes:
        conductance: G_ij = (ε/τ) c_ref Đ_ij, n × n (diagonal unused) [mol/(m s)].
        knudsen: D^e_iK per species [m^2/s].
        viscous: β = B_0 R T/μ [m^5/(mol s)].
        temperature: T [K].
    """

    conductance: np.ndarray
    knudsen: np.ndarray
    viscous: float
    temperature: float


def channel_coefficients(
    medium: PorousMedium, gas: DustyGas, temperature: float
) -> ChannelCoefficients:
    """G_ij, D^e_iK and B_0 R T/μ of a medium and gas at T [K] (as the model builds them)."""
    eps_tau = medium.porosity_over_tortuosity
    knudsen = np.array([medium.knudsen_diffusivity(temperature, m) for m in gas.masses])
    beta = medium.viscous_permeability * GAS_CONSTANT * temperature / gas.viscosity
    return ChannelCoefficients(
        eps_tau * gas.molecular_conductance(), knudsen, float(beta), float(temperature)
    )


@dataclass(frozen=True)
class ChannelSolution:
    """The 1D dusty-gas channel solution.

    Attributes:
        length: L [m].
        inlet_flux: N_i(0), along +z (into the channel) [mol/(m^2 s)].
        outlet_flux: N_i(L) along +z [mol/(m^2 s)] (0 at a closed end, to the root tolerance).
        profile: z ↦ (c_1..c_n, N_1..N_n) (the dense ODE solution, array of shape (2n, ...)).
        temperature: T [K].
    """

    length: float
    inlet_flux: np.ndarray
    outlet_flux: np.ndarray
    profile: Callable[[np.ndarray], np.ndarray]
    temperature: float

    def pressure(self, z: float | np.ndarray) -> np.ndarray:
        """p(z) = R T Σ_i c_i(z) [Pa]."""
        n = self.inlet_flux.size
        return GAS_CONSTANT * self.temperature * np.asarray(self.profile(z))[:n].sum(axis=0)

    def mole_fractions(self, z: float | np.ndarray) -> np.ndarray:
        """x_i(z) (array with the species first)."""
        n = self.inlet_flux.size
        c = np.asarray(self.profile(z))[:n]
        return c / c.sum(axis=0)

    @property
    def pressure_difference(self) -> float:
        """p(L) − p(0) [Pa]: the pressure built up along the channel."""
        return float(self.pressure(self.length) - self.pressure(0.0))


def _physical(c: np.ndarray, flux: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(c)) and np.all(np.isfinite(flux)) and np.all(c >= 0))


def dusty_gas_channel(
    length: float,
    coefficients: ChannelCoefficients,
    inlet: tuple[float, Sequence[float]],
    *,
    outlet: tuple[float, Sequence[float]] | None = None,
    production: Callable[[np.ndarray], np.ndarray] | None = None,
    wall: Callable[[np.ndarray], np.ndarray] | None = None,
    rtol: float = 1e-12,
) -> ChannelSolution:
    """Integrate the 1D dusty-gas channel (see the module docstring).

    Args:
        length: L > 0 [m].
        coefficients: :func:`channel_coefficients` of the medium and gas.
        inlet: (p_0 [Pa], x_i(0)) at z = 0.
        outlet: (p_L [Pa], x_i(L)) at z = L, or None for a closed end (N_i(L) = 0).
        production: c ↦ R_i(c) [mol/(m^3 s)] (None: no reaction).
        wall: c ↦ N_i(L) [mol/(m^2 s)], a reaction on the closed end (N_i(L) = −ν_i r_s(c),
            outward): the closed-end condition becomes N_i(L) = wall(c(L)) (None: 0).
        rtol: Relative tolerance of the ODE integration (absolute: rtol × the scale).

    Raises:
        EmcdInputError: bad arguments, or the shooting did not converge.
    """
    from scipy.integrate import solve_ivp  # on use: the API's solve path does not load scipy
    from scipy.optimize import root

    if not length > 0:
        raise EmcdInputError(f"dusty_gas_channel: length must be > 0, got {length!r}")
    rt = GAS_CONSTANT * coefficients.temperature
    c0 = np.asarray(inlet[1], dtype=float) * inlet[0] / rt
    n = c0.size
    target = None if outlet is None else np.asarray(outlet[1], dtype=float) * outlet[0] / rt
    rates = production or (lambda c: np.zeros(n))
    g = coefficients.conductance[~np.eye(n, dtype=bool)]
    flux_scale = max(g.max(), (c0.sum() * coefficients.knudsen).max()) / length
    atol = np.concatenate([np.full(n, rtol * c0.sum()), np.full(n, rtol * flux_scale)])

    def rhs(_z: float, y: np.ndarray) -> np.ndarray:
        c, flux = y[:n], y[n:]
        return np.concatenate([channel_gradients(c, flux, coefficients), rates(c)])

    def shoot(scaled: np.ndarray, dense: bool = False):
        y0 = np.concatenate([c0, scaled * flux_scale])
        return solve_ivp(
            rhs, (0.0, length), y0, method="DOP853", rtol=rtol, atol=atol, dense_output=dense
        )

    def mismatch(scaled: np.ndarray) -> np.ndarray:
        end = shoot(scaled).y[:, -1]
        if target is None:
            closed = np.zeros(n) if wall is None else wall(end[:n])
            return (end[n:] - closed) / flux_scale
        return (end[:n] - target) / c0.sum()

    if target is not None and production is None and n == 2:
        closed = _isobaric(length, coefficients, c0, target)
        if closed is not None:
            return closed
    guess = np.zeros(n)
    if target is not None:
        guess = (c0 - target) / c0.sum()
    # a converging shot needs far fewer than 50 (n + 1) evaluations; a stiff one that
    # exhausts them falls through to collocation sooner
    with np.errstate(all="ignore"):
        found = root(mismatch, guess, method="hybr", tol=1e-14, options={"maxfev": 50 * (n + 1)})
        final = shoot(found.x, dense=True)
    if _converged(found, mismatch) and _physical(final.y[:n], final.y[n:]):
        return ChannelSolution(
            length=float(length),
            inlet_flux=found.x * flux_scale,
            outlet_flux=final.y[n:, -1],
            profile=final.sol,
            temperature=coefficients.temperature,
        )
    # the shot overflowed or found an unphysical root (stiff Darcy term of wide pores,
    # large pressure build-up of a Knudsen dead end): collocation, then a polishing shot
    profile = collocation_channel(
        length,
        coefficients,
        c0,
        target=target,
        rates=rates,
        wall=wall,
        flux_scale=flux_scale,
    )
    if profile is None:
        raise EmcdInputError(
            f"dusty_gas_channel: neither shooting nor collocation converged ({found.message})"
        )
    inlet_flux = profile(np.array(0.0))[n:]
    with np.errstate(all="ignore"):
        polished = root(mismatch, inlet_flux / flux_scale, method="hybr", tol=1e-14)
        final = shoot(polished.x, dense=True)
    close = np.allclose(polished.x * flux_scale, inlet_flux, rtol=1e-6, atol=1e-9 * flux_scale)
    if _converged(polished, mismatch) and close and _physical(final.y[:n], final.y[n:]):
        return ChannelSolution(
            length=float(length),
            inlet_flux=polished.x * flux_scale,
            outlet_flux=final.y[n:, -1],
            profile=final.sol,
            temperature=coefficients.temperature,
        )
    return ChannelSolution(
        length=float(length),
        inlet_flux=inlet_flux,
        outlet_flux=profile(np.array(length))[n:],
        profile=profile,
        temperature=coefficients.temperature,
    )


def _converged(found: Any, mismatch: Callable[[np.ndarray], np.ndarray]) -> bool:
    with np.errstate(all="ignore"):
        error = np.abs(mismatch(found.x)).max()
    return bool(np.isfinite(error) and (found.success or error <= SHOOTING_TOLERANCE))


def _isobaric(
    length: float, coefficients: ChannelCoefficients, c0: np.ndarray, target: np.ndarray
) -> ChannelSolution | None:
    """The closed form of two species, both ends open at one pressure (no reaction)."""
    concentration = c0.sum()
    if abs(target.sum() - concentration) > 1e-12 * concentration:
        return None
    flux, x_a = isobaric_binary_flux(
        length, coefficients, concentration, c0[0] / concentration, target[0] / concentration
    )
    ratio = coefficients.knudsen[1] / coefficients.knudsen[0]  # Graham: N_B = −√(M_A/M_B) N_A
    fluxes = np.array([flux, -ratio * flux])

    def profile(z: np.ndarray) -> np.ndarray:
        x = np.asarray(x_a(np.asarray(z, dtype=float)))
        shape = (2,) + (1,) * x.ndim
        return np.concatenate(
            [
                concentration * np.stack([x, 1.0 - x]),
                np.broadcast_to(fluxes.reshape(shape), (2, *x.shape)),
            ]
        )

    return ChannelSolution(
        length=float(length),
        inlet_flux=fluxes,
        outlet_flux=fluxes.copy(),
        profile=profile,
        temperature=coefficients.temperature,
    )


def dusty_gas_pellet(
    kind: str,
    radius: float,
    coefficients: ChannelCoefficients,
    surface: tuple[float, Sequence[float]],
    production: Callable[[np.ndarray], np.ndarray],
    *,
    rtol: float = 1e-12,
) -> ChannelSolution:
    """A reacting pellet (slab half-thickness, cylinder or sphere radius R) by shooting.

    The balances in the radial coordinate r (k = 0 slab, 1 cylinder, 2 sphere) are
    (r^k N_i)'/r^k = R_i(c), i.e. N'_i = R_i − k N_i/r, with the same gradient relation as
    :func:`dusty_gas_channel`; symmetry at the centre (N_i(0) = 0) and the surface state
    c_i(R) = x_i p_s/(R T). Shooting on the n centre concentrations c_i(0); the integration
    starts at r_0 = 1e-7 R from the series N_i ≈ R_i(c(0)) r/(k + 1), c ≈ c(0) (its error is
    O(r_0²) ≈ 1e-14 relative). The solution's ``profile`` runs from r_0 to R, its
    ``inlet_flux`` is the flux at the surface (outward positive) and
    ``pressure_difference`` is p(R) − p(r_0) (the surface minus the centre pressure).

    Args:
        kind: ``"slab"``, ``"cylinder"`` or ``"sphere"``.
        radius: R > 0 [m].
        coefficients: :func:`channel_coefficients` of the medium and gas.
        surface: (p_s [Pa], x_i) at r = R.
        production: c ↦ R_i(c) [mol/(m^3 s)].
        rtol: Relative tolerance of the ODE integration.

    Raises:
        EmcdInputError: bad arguments, or the shooting did not converge.
    """
    from scipy.integrate import solve_ivp  # on use: the API's solve path does not load scipy
    from scipy.optimize import root

    shapes = {"slab": 0, "cylinder": 1, "sphere": 2}
    if kind not in shapes or not radius > 0:
        raise EmcdInputError(
            f"dusty_gas_pellet: kind must be one of {sorted(shapes)} and radius > 0, got "
            f"{kind!r}, {radius!r}"
        )
    k = shapes[kind]
    rt = GAS_CONSTANT * coefficients.temperature
    target = np.asarray(surface[1], dtype=float) * surface[0] / rt
    n, scale = target.size, target.sum()
    r0 = 1e-7 * radius
    g = coefficients.conductance[~np.eye(n, dtype=bool)]
    flux_scale = max(g.max(), (scale * coefficients.knudsen).max()) / radius
    atol = np.concatenate([np.full(n, rtol * scale), np.full(n, rtol * flux_scale)])

    def shoot(scaled: np.ndarray, strength: float = 1.0, dense: bool = False):
        def rhs(r: float, y: np.ndarray) -> np.ndarray:
            c, flux = y[:n], y[n:]
            rates = strength * production(c)
            return np.concatenate([channel_gradients(c, flux, coefficients), rates - k * flux / r])

        c0 = scaled * scale
        y0 = np.concatenate([c0, strength * production(c0) * r0 / (k + 1)])
        return solve_ivp(
            rhs, (r0, radius), y0, method="DOP853", rtol=rtol, atol=atol, dense_output=dense
        )

    def solve(guess: np.ndarray, strength: float):
        def mismatch(scaled: np.ndarray) -> np.ndarray:
            return (shoot(scaled, strength).y[:n, -1] - target) / scale

        found = root(mismatch, guess, method="hybr", tol=1e-14)
        ok = found.success or np.abs(mismatch(found.x)).max() <= SHOOTING_TOLERANCE
        return found, ok

    # the centre state is far from the surface state for a fast reaction: when the direct
    # shot misses, continue in the reaction strength from 0 (where c(0) = c(R))
    found, ok = solve(target / scale, 1.0)
    if not ok:
        guess = target / scale
        for strength in np.linspace(0.0, 1.0, 9)[1:]:
            found, ok = solve(guess, float(strength))
            if not ok:
                break
            guess = found.x
    if not ok:
        raise EmcdInputError(f"dusty_gas_pellet: shooting did not converge ({found.message})")
    final = shoot(found.x, dense=True)

    def profile(r: float | np.ndarray) -> np.ndarray:
        return final.sol(np.maximum(r, r0))

    return ChannelSolution(
        length=float(radius),
        inlet_flux=final.y[n:, -1],
        outlet_flux=final.y[n:, 0],
        profile=profile,
        temperature=coefficients.temperature,
    )


__all__ = [
    "SHOOTING_TOLERANCE",
    "ChannelCoefficients",
    "ChannelSolution",
    "channel_coefficients",
    "dusty_gas_channel",
    "dusty_gas_pellet",
    "mass_action_production",
]
