"""Mixture-averaged (Wilke / generalised Fick) fluxes: the cheap multicomponent option, as UFL.

Each species diffuses with its own mixture-averaged diffusivity (Wilke 1950; Taylor &
Krishna 1993, eq. 6.1.14)

    D_im = (1 − x_i) / Σ_{j≠i} x_j/Đ_ij,   J_i = −c D_im ∇x_i,

and a correction shared by all species restores the bootstrap Σ ν_i N_i = 0:
N_i = J_i + x_i V, V = −Σ ν_k J_k / Σ ν_k x_k (for ν = 1 the usual "correction velocity").
Exact when every Đ_ij is the same (then Maxwell–Stefan is Fick with that Đ) and for n = 2;
each J_i runs down its own ∇x_i, and only the shared correction x_i V couples the species,
so reverse diffusion comes out wrong in size (H2/N2/CO2 film of the tests: N2 flux 26 % low).

**When it is wrong — the coupling criterion** (:func:`coupling_strength`): the spread
max Đ_ij / min Đ_ij over the pairs. The Maxwell–Stefan fluxes differ from the mixture-
averaged ones by terms proportional to the differences 1/Đ_ij − 1/Đ_ik; with a spread above
:data:`STRONG_COUPLING` = 2 (e.g. H2/N2/CO2: 5.0) a species with a small gradient can
change the sign of its flux. ``models.multicomponent`` warns above it.
"""

from collections.abc import Mapping

import numpy as np
import ufl

from emcd_fem.physics.maxwell_stefan import Bootstrap, all_mole_fractions

#: Spread max Đ_ij / min Đ_ij above which the mixture-averaged model is flagged.
STRONG_COUPLING: float = 2.0
#: Regularisation of D_im at a pure species (x_i = 1, 0/0); far below any mole fraction used.
_EPS: float = 1e-12


def coupling_strength(diffusivities: np.ndarray) -> float:
    """The spread max Đ_ij / min Đ_ij over the pairs i ≠ j of an n × n array (1: none)."""
    d = np.asarray(diffusivities, float)
    off = d[~np.eye(d.shape[0], dtype=bool)]
    return float(off.max() / off.min())


def mixture_averaged_fluxes(
    x: ufl.core.expr.Expr,
    concentration: ufl.core.expr.Expr,
    diffusivity: Mapping[tuple[int, int], ufl.core.expr.Expr],
    bootstrap: Bootstrap,
) -> list:
    """Mixture-averaged N_i of every species (list of n UFL vectors) [mol/(m^2 s)].

    The unknowns are those of :func:`emcd_fem.physics.maxwell_stefan.molar_fluxes`.
    """
    nu = bootstrap.weights
    xs = all_mole_fractions(x, bootstrap)
    n = len(nu)
    grads = [None] * n
    for m, k in enumerate(bootstrap.independent):
        grads[k] = ufl.grad(x[m])
    grads[bootstrap.eliminated] = -sum(ufl.grad(x[m]) for m in range(n - 1))

    def d_mix(i: int) -> ufl.core.expr.Expr:
        others = [j for j in range(n) if j != i]
        mean_inv = sum(1 / diffusivity[(min(i, j), max(i, j))] for j in others) / len(others)
        numerator = sum(xs[j] for j in others) + _EPS
        denominator = sum(xs[j] / diffusivity[(min(i, j), max(i, j))] for j in others)
        return numerator / (denominator + _EPS * mean_inv)

    J = [-concentration * d_mix(i) * grads[i] for i in range(n)]
    weighted_x = sum(nu[k] * xs[k] for k in range(n) if nu[k] != 0)
    V = -sum(nu[k] * J[k] for k in range(n) if nu[k] != 0) / weighted_x
    return [J[i] + xs[i] * V for i in range(n)]


__all__ = ["STRONG_COUPLING", "coupling_strength", "mixture_averaged_fluxes"]
