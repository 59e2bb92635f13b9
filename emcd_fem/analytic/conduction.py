"""Exact steady heat conduction across a layered slab with contact resistances."""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from emcd_fem.errors import EmcdInputError


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
