"""Exact EMCD in concentric cylindrical and spherical shells (series resistances)."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from emcd_fem.analytic.ends import check_profile, scaled_condition, solve_two_ends
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import Material
from emcd_fem.physics.conditions import (
    BoundaryCondition,
)


@dataclass(frozen=True)
class ShellSolution:
    """Exact solution through concentric cylindrical or spherical shells.

    Attributes:
        kind: ``"cylinder"`` or ``"sphere"``.
        radii: r_0 < r_1 < ... < r_n, the shell boundaries [m].
        mole_fractions: x_A at those radii [-].
        rate: Q, the rate of A flowing outwards (+r) [mol/s] (cylinders: through height
            ``height``).
        resistances: Resistance of each shell [s/mol].
        height: Cylinder height [m] (1 for spheres).
        conductances: c D of each shell [mol/(m s)].
    """

    kind: str
    radii: tuple[float, ...]
    mole_fractions: tuple[float, ...]
    rate: float
    resistances: tuple[float, ...]
    height: float
    conductances: tuple[float, ...]
    solubilities: tuple[float, ...] | None = None
    potentials: tuple[float, ...] | None = None

    @property
    def boundary_flux(self) -> dict[str, float]:
        """Outward boundary fluxes (totals, mol/s): ``{"inner": −Q, "outer": Q}``."""
        return {"inner": -self.rate, "outer": self.rate}

    def mole_fraction(self, r: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """x_A at radii r [m] (log profile in cylinders, 1/r profile in spheres)."""
        r = np.asarray(r, dtype=np.float64)
        radii = np.asarray(self.radii)
        shell = np.clip(np.searchsorted(radii, r) - 1, 0, len(radii) - 2)
        r_in = radii[shell]
        cD = np.asarray(self.conductances)[shell]
        if self.kind == "cylinder":
            drop = np.log(r / r_in) / (2 * np.pi * self.height * cD)
        else:
            drop = (1.0 / r_in - 1.0 / r) / (4 * np.pi * cD)
        if self.solubilities is None:
            return np.asarray(self.mole_fractions)[shell] - self.rate * drop
        h = np.asarray(self.solubilities)[shell]
        return (np.asarray(self.potentials)[shell] - self.rate * drop) * h


def shell_resistance(
    kind: str, r_in: float, r_out: float, material: Material, height: float = 1.0
) -> float:
    """Diffusion resistance of one shell [s/mol].

    Cylinder of height H: ln(r_out/r_in) / (2π H c D); sphere: (1/r_in − 1/r_out)/(4π c D).
    """
    cD = material.concentration * material.diffusivity
    if kind == "cylinder":
        return float(np.log(r_out / r_in) / (2 * np.pi * height * cD))
    if kind == "sphere":
        return float((1.0 / r_in - 1.0 / r_out) / (4 * np.pi * cD))
    raise EmcdInputError(f"kind must be 'cylinder' or 'sphere', got {kind!r}")


def concentric_shells(
    kind: str,
    radii: Sequence[float],
    materials: Sequence[Material],
    inner: BoundaryCondition,
    outer: BoundaryCondition,
    *,
    height: float = 1.0,
    solubilities: Sequence[float] | None = None,
) -> ShellSolution:
    """Exact steady EMCD through n concentric shells (resistances in series).

    Args:
        kind: ``"cylinder"`` (2D annulus per unit depth with ``height=1``, or a cylinder of
            height H with impermeable ends) or ``"sphere"``.
        radii: r_0 < ... < r_n [m].
        materials: One per shell.
        inner: Condition on r = r_0 (outward normal −r).
        outer: Condition on r = r_n.
        height: Cylinder height H [m].
        solubilities: H_i per shell (partition coefficients, x_A = H_i μ), default 1.

    Returns:
        The solution; flux-only pairs are rejected (no inventory support here).
    """
    radii_arr = np.asarray(radii, dtype=np.float64)
    if radii_arr.size != len(materials) + 1 or np.any(np.diff(radii_arr) <= 0) or radii_arr[0] <= 0:
        raise EmcdInputError("need increasing radii r_0 > 0 and one material per shell")
    h = np.ones(len(materials)) if solubilities is None else np.asarray(solubilities, float)
    scaled = [
        Material(m.diffusivity * hh, m.concentration) for m, hh in zip(materials, h, strict=True)
    ]
    resistances = np.array(
        [
            shell_resistance(kind, radii_arr[i], radii_arr[i + 1], m, height)
            for i, m in enumerate(scaled)
        ]
    )
    cumulative = np.concatenate([[0.0], np.cumsum(resistances)])
    if kind == "cylinder":
        areas = 2 * np.pi * radii_arr[[0, -1]] * height
    else:
        areas = 4 * np.pi * radii_arr[[0, -1]] ** 2
    ends = solve_two_ends(
        scaled_condition(inner, h[0]),
        scaled_condition(outer, h[-1]),
        float(cumulative[-1]),
        (areas[0], areas[1]),
    )
    if ends is None:
        raise EmcdInputError("concentric_shells: a flux–flux pair is not supported")
    x0, rate = ends
    potential = x0 - rate * cumulative
    check_profile(
        np.concatenate([potential[:-1] * h, potential[1:] * h]), inner, outer, float(cumulative[-1])
    )
    values = potential * np.concatenate([h, h[-1:]])
    return ShellSolution(
        kind=kind,
        radii=tuple(float(r) for r in radii_arr),
        mole_fractions=tuple(float(v) for v in values),
        rate=float(rate),
        resistances=tuple(float(r) for r in resistances),
        height=float(height),
        conductances=tuple(m.concentration * m.diffusivity for m in scaled),
        solubilities=tuple(float(v) for v in h),
        potentials=tuple(float(v) for v in potential),
    )
