"""Independent 1D references for the composed species-transport model (two layers a | b).

Steady N' = R, N = −c D (x' + S_T x (1 − x) T') per layer (c, D, S_T constant), T given in
closed form (linear per layer; solved T with a contact resistance R_c jumps by q R_c at the
interface). Interface laws at z = L_a: flux continuous and either partition equilibrium
x_b = κ x_a (κ = K c_a/c_b) or a film N = k (x_a − x_b/κ). Each layer is mapped onto
s ∈ [0, 1]; ``scipy.integrate.solve_bvp`` solves the 4-unknown system at tol 1e-10.
The isothermal film-with-source case also has a closed form (:func:`film_source_closed_form`).
"""

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_bvp


@dataclass(frozen=True)
class Layer:
    """One layer: thickness [m], c [mol/m^3], D [m^2/s], S_T [1/K], k [W/(m K)]."""

    length: float
    c: float
    D: float
    soret: float = 0.0
    k: float = 1.0


def temperature_gradients(layers, t_left, t_right, contact=0.0):
    """(T(0), T'_a, T'_b, jump) of the conduction solution with a contact resistance."""
    a, b = layers
    q = (t_right - t_left) / (a.length / a.k + contact + b.length / b.k)  # T' k, the same
    return t_left, q / a.k, q / b.k, q * contact


def reference_fluxes(
    layers,
    x_left,
    x_right,
    *,
    partition=1.0,
    film=None,
    source=0.0,
    temperature=None,
):
    """Outward fluxes {"left", "right"} [mol/(m^2 s)] and the film flux of the 1D problem.

    ``temperature``: None (isothermal) or (T_left, T_right, R_c) [K, K, m^2 K/W].
    """
    a, b = layers
    kappa = partition * a.c / b.c
    if temperature is None:
        ga = gb = 0.0
    else:  # S_T, c, D constant: only T' enters (not T itself, nor its jump)
        _, ga, gb, _ = temperature_gradients(layers, *temperature)

    def rhs(s, y):
        xa, na, xb, nb = y
        dxa = -na / (a.c * a.D) - a.soret * xa * (1 - xa) * ga
        dxb = -nb / (b.c * b.D) - b.soret * xb * (1 - xb) * gb
        one = np.ones_like(s)
        return np.vstack(
            [a.length * dxa, a.length * source * one, b.length * dxb, b.length * source * one]
        )

    def bc(y0, y1):
        interface = (
            y0[2] - kappa * y1[0] if film is None else y1[1] - film * (y1[0] - y0[2] / kappa)
        )
        return np.array([y0[0] - x_left, y1[2] - x_right, y1[1] - y0[3], interface])

    s = np.linspace(0, 1, 201)
    guess = np.vstack(
        [
            x_left + 0 * s,
            (x_left - x_right) * a.c * a.D / (a.length + b.length) + 0 * s,
            x_right + 0 * s,
            (x_left - x_right) * a.c * a.D / (a.length + b.length) + 0 * s,
        ]
    )
    sol = solve_bvp(rhs, bc, s, guess, tol=1e-10, bc_tol=1e-12, max_nodes=200000)
    assert sol.success, sol.message
    na0 = float(sol.sol(0.0)[1])
    nb1 = float(sol.sol(1.0)[3])
    return {"left": -na0, "right": nb1, "film": float(sol.sol(1.0)[1])}


def film_source_closed_form(layers, x_left, x_right, k, source, partition=1.0):
    """Outward fluxes of the isothermal film + uniform source problem in closed form.

    N(z) = N_0 + R z; x_a = x_L − (N_0 z + R z²/2)/(c_a D_a); film at L_a:
    x_b(L_a) = κ (x_a(L_a) − N(L_a)/k); x_b(L) = x_b(L_a) − (N(L_a) L_b + R L_b²/2)/(c_b D_b)
    = x_R: linear in N_0.
    """
    a, b = layers
    kappa = partition * a.c / b.c

    def x_right_of(n0):
        ni = n0 + source * a.length
        xa = x_left - (n0 * a.length + source * a.length**2 / 2) / (a.c * a.D)
        xb = kappa * (xa - ni / k)
        return xb - (ni * b.length + source * b.length**2 / 2) / (b.c * b.D)

    f0, f1 = x_right_of(0.0), x_right_of(1.0)
    n0 = (x_right - f0) / (f1 - f0)
    return {"left": -n0, "right": n0 + source * (a.length + b.length)}
