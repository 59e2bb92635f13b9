"""Exact EMCD across film (mass-transfer) resistances between slab layers and shells."""

from collections.abc import Sequence

import numpy as np

from emcd_fem.analytic.shells import shell_resistance
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import Material


def film_slab(
    thicknesses: Sequence[float],
    materials: Sequence[Material],
    x_left: float,
    x_right: float,
    films: Sequence[float],
    *,
    solubilities: Sequence[float] | None = None,
) -> tuple[float, list[tuple[float, float]]]:
    """Composite slab with interfacial films between its layers, mole fractions at both ends.

    Resistance network: N = (μ_left − μ_right) / (Σ L_i/(c_i D_i H_i) + Σ 1/(k_j H_j)), with
    μ = x_A/H (H_i = 1 without partition coefficients; c_{j+1} H_{j+1} = K_j c_j H_j) and the
    film laws N = k_j (x_j − x_{j+1}/κ_j) = k_j H_j (μ_j − μ_{j+1}), κ_j = H_{j+1}/H_j, x_j and
    x_{j+1} the mole fractions either side of film j (see :mod:`emcd_fem.models.films`).

    Args:
        thicknesses: Layer thicknesses [m].
        materials: One per layer.
        x_left: x_A at z = 0.
        x_right: x_A at z = L.
        films: k_j [mol/(m^2 s)] of the film between layers j and j+1, oriented from layer j
            into layer j+1 (n − 1 values).
        solubilities: H_i per layer (any common factor).

    Returns:
        N [mol/(m^2 s)] and, per interface, (μ on the left, μ on the right).
    """
    thick = np.asarray(thicknesses, dtype=float)
    h = np.ones(thick.size) if solubilities is None else np.asarray(solubilities, dtype=float)
    k = np.asarray(films, dtype=float)
    if k.size != thick.size - 1 or np.any(k <= 0):
        raise EmcdInputError("need one film coefficient k > 0 per interface")
    layer_r = np.array(
        [
            t / (m.concentration * m.diffusivity * hh)
            for t, m, hh in zip(thick, materials, h, strict=True)
        ]
    )
    film_r = 1.0 / (k * h[:-1])
    flux = (x_left / h[0] - x_right / h[-1]) / (layer_r.sum() + film_r.sum())
    jumps, mu = [], x_left / h[0]
    for i in range(k.size):
        mu -= flux * layer_r[i]
        jumps.append((float(mu), float(mu - flux * film_r[i])))
        mu -= flux * film_r[i]
    return float(flux), jumps


def film_shells(
    kind: str,
    radii: Sequence[float],
    materials: Sequence[Material],
    x_inner: float,
    x_outer: float,
    films: Sequence[float],
    *,
    height: float = 1.0,
    solubilities: Sequence[float] | None = None,
) -> float:
    """Rate Q [mol/s] outwards through concentric shells with films at the interfaces.

    Q = (μ_inner − μ_outer) / (Σ R_shell,i + Σ 1/(k_j H_j A_j)), A_j the interface area
    (2π r_j h for cylinders of height h, 4π r_j² for spheres), μ = x_A/H, shell resistances
    with c D H, k_j oriented outwards (from shell j into shell j+1) as in :func:`film_slab`.
    """
    r = np.asarray(radii, dtype=float)
    h = np.ones(len(materials)) if solubilities is None else np.asarray(solubilities, float)
    k = np.asarray(films, dtype=float)
    if k.size != len(materials) - 1 or np.any(k <= 0):
        raise EmcdInputError("need one film coefficient k > 0 per interface")
    shells = sum(
        shell_resistance(
            kind, r[i], r[i + 1], Material(m.diffusivity * h[i], m.concentration), height
        )
        for i, m in enumerate(materials)
    )
    inner = r[1:-1]
    areas = 2 * np.pi * inner * height if kind == "cylinder" else 4 * np.pi * inner**2
    films_r = (1.0 / (k * h[:-1] * areas)).sum()
    return float((x_inner / h[0] - x_outer / h[-1]) / (shells + films_r))
