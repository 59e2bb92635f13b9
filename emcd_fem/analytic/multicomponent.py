"""Exact steady 1D Maxwell–Stefan film solution for ideal gases with constant Đ_ij.

Taylor & Krishna, *Multicomponent Mass Transfer* (1993), section 8.3 (the exact "film"
solution, after Toor 1964 and Stewart & Prober 1964). In a film 0 ≤ z ≤ L with uniform c
and constant fluxes (steady, no reactions), the n − 1 independent Maxwell–Stefan equations
are linear in x for given N:

    c dx/dz = [Φ] x + φ,   Φ_ii = N_i/Đ_ie + Σ_{j≠i} N_j/Đ_ij,
                           Φ_ik = −N_i (1/Đ_ik − 1/Đ_ie)  (k ≠ i),   φ_i = −N_i/Đ_ie,

with e the eliminated species (x_e = 1 − Σ x_k) and N_e = −Σ_{k≠e} (ν_k/ν_e) N_k from the
bootstrap Σ ν_i N_i = 0. Hence x(z) = exp([A] z/c) [x(0); 1] with the augmented matrix
[A] = [[Φ, φ], [0, 0]] (the matrix-exponential solution; the augmented form needs no [Φ]^{-1},
so it holds as N → 0 too). The n − 1 fluxes solve the algebraic equations x(L) = x_L
(``scipy.optimize.root``, started from a Fick estimate, converged to ~1e-14).

**Layers with interfaces** (:func:`layered_film_solution` with ``interfaces``): between
layer a and the next layer b, for every independent species k (all but e, which closes
Σ x_i = 1 on each side; its flux follows from the bootstrap), with K_k = c_k,b/c_k,a at
equilibrium, κ_k = K_k c_a/c_b and a film coefficient k_k [mol/(m^2 s)]:

    N_k = k_k (x_k^a − x_k^b/κ_k)   ⇔   x_k^b = κ_k (x_k^a − N_k/k_k)

(no film: 1/k_k = 0, a pure partition jump x_k^b = κ_k x_k^a). The fluxes are the same in
every layer (steady, no sources), so the map from one layer's end to the next layer's start
is explicit and the unknowns stay the n − 1 fluxes (docs/multicomponent.md, "Interfaces").
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from emcd_fem.errors import EmcdInputError, EmcdSolverError


@dataclass(frozen=True)
class FilmSolution:
    """The exact film solution.

    Attributes:
        fluxes: N_i of every species [mol/(m^2 s)] (positive along +z).
        x0: Mole fractions at z = 0.
        length: Film thickness L [m].
        concentration: c [mol/m^3].
        augmented: [A] / c [1/m]: x(z) = expm(augmented z) [x0_ind; 1].
        independent: Indices of the n − 1 independent species.
        eliminated: Index of the eliminated species.
    """

    fluxes: np.ndarray
    x0: np.ndarray
    length: float
    concentration: float
    augmented: np.ndarray
    independent: tuple[int, ...]
    eliminated: int

    def mole_fractions(self, z: float) -> np.ndarray:
        """All n mole fractions at 0 ≤ z ≤ L."""
        import scipy.linalg  # on use: a run that needs no reference does not load scipy

        start = np.append(self.x0[list(self.independent)], 1.0)
        ind = (scipy.linalg.expm(self.augmented * z) @ start)[:-1]
        full = np.empty(self.x0.size)
        full[list(self.independent)] = ind
        full[self.eliminated] = 1.0 - ind.sum()
        return full


def _augmented(
    n_ind: np.ndarray, d: np.ndarray, nu: np.ndarray, e: int, ind: list[int], c: float
) -> np.ndarray:
    n = d.shape[0]
    N = np.zeros(n)
    N[ind] = n_ind
    N[e] = -(nu[ind] @ n_ind) / nu[e]
    m = len(ind)
    A = np.zeros((m + 1, m + 1))
    for a, i in enumerate(ind):
        A[a, a] = N[i] / d[i, e] + sum(N[j] / d[i, j] for j in range(n) if j != i)
        for b, k in enumerate(ind):
            if k != i:
                A[a, b] = -N[i] * (1.0 / d[i, k] - 1.0 / d[i, e])
        A[a, m] = -N[i] / d[i, e]
    return A / c


def film_solution(
    x0: Sequence[float],
    x_length: Sequence[float],
    diffusivities: np.ndarray,
    length: float,
    concentration: float,
    weights: Sequence[float],
    closing: int | None = None,
) -> FilmSolution:
    """Solve the steady film: mole fractions given at both ends, Σ ν_i N_i = 0.

    Args:
        x0: Mole fractions at z = 0 (n values summing to 1).
        x_length: Mole fractions at z = L.
        diffusivities: Đ_ij, n × n symmetric [m^2/s] (diagonal ignored).
        length: L [m] > 0.
        concentration: c [mol/m^3] > 0.
        weights: Bootstrap weights ν_i (same convention as
            :class:`emcd_fem.physics.maxwell_stefan.Bootstrap`).
        closing: Index e of the species that closes Σ x_i = 1 (ν_e ≠ 0); None: the largest
            |ν|, the last on a tie. The exact solution does not depend on it (tested); a
            trace species closing loses the digits that cancel in 1 − Σ x_k.

    Raises:
        EmcdInputError: inconsistent sizes or compositions not summing to 1.
        EmcdSolverError: the flux equations did not converge.
    """
    return layered_film_solution(
        x0, x_length, [(diffusivities, length, concentration)], weights, closing=closing
    )


@dataclass(frozen=True)
class LayerInterface:
    """The interface between layer j and layer j + 1 of :func:`layered_film_solution`.

    Attributes:
        partition: K_k = c_k,(j+1)/c_k,j at equilibrium for the n − 1 independent species
            (all but the bootstrap's eliminated one, in species order); None: x continuous.
        film: Film coefficients k_k [mol/(m^2 s)] of the same species, N_k = k_k (x_k^j −
            x_k^(j+1)/κ_k) with κ_k = K_k c_j/c_(j+1); None: no film.
    """

    partition: Sequence[float] | None = None
    film: Sequence[float] | None = None


def layered_film_solution(
    x0: Sequence[float],
    x_length: Sequence[float],
    layers: Sequence[tuple[np.ndarray, float, float]],
    weights: Sequence[float],
    interfaces: Sequence[LayerInterface] | None = None,
    closing: int | None = None,
) -> FilmSolution:
    """Films in series (a layered slab): the same N_i in every layer.

    Args:
        x0: Mole fractions at z = 0 (n values summing to 1).
        x_length: Mole fractions at the last layer's end.
        layers: (Đ_ij n × n [m^2/s], thickness [m], c [mol/m^3]) per layer from z = 0.
        weights: Bootstrap weights ν_i, as :func:`film_solution`.
        interfaces: One :class:`LayerInterface` per pair of neighbouring layers (partition
            jumps and films of the independent species, see the module docstring); None:
            every mole fraction continuous.
        closing: The species that closes Σ x_i = 1, as :func:`film_solution`.

    Returns:
        The solution; its :meth:`FilmSolution.mole_fractions` describes the first layer.
    """
    a, b = np.asarray(x0, float), np.asarray(x_length, float)
    nu = np.asarray(weights, float)
    n = a.size
    ds = [np.asarray(d, float) for d, _, _ in layers]
    if b.size != n or nu.size != n or any(d.shape != (n, n) for d in ds) or not layers:
        raise EmcdInputError("film_solution: x0, x_length, weights and Đ sizes differ")
    for name, v in (("x0", a), ("x_length", b)):
        if abs(v.sum() - 1.0) > 1e-12:
            raise EmcdInputError(f"film_solution: {name} sums to {v.sum()!r}, not 1")
    size = np.abs(nu)
    e = int(max(k for k in range(n) if size[k] == size.max())) if closing is None else closing
    if not (0 <= e < n and nu[e] != 0):
        raise EmcdInputError(f"film_solution: closing species {e} needs ν ≠ 0 (weights {nu})")
    ind = [k for k in range(n) if k != e]
    start = np.append(a[ind], 1.0)
    jumps = _jumps(interfaces, layers, n - 1)
    import scipy.linalg  # on use: a run that needs no reference does not load scipy
    import scipy.optimize

    def propagate(n_ind: np.ndarray, first: np.ndarray = start) -> tuple[np.ndarray, float]:
        """End state and the amplification Π ‖exp(A_j L_j)‖∞ ‖κ_j‖ of the round-off."""
        state, amplification = first, 1.0
        for j, (d, thickness, c) in enumerate(layers):
            if j > 0:  # x_k^b = κ_k (x_k^a − N_k/k_k)
                kappa, inverse_k = jumps[j - 1]
                state = np.append(kappa * (state[:-1] - inverse_k * n_ind), 1.0)
                amplification *= max(1.0, float(np.max(np.abs(kappa))))
            step = scipy.linalg.expm(_augmented(n_ind, d, nu, e, ind, c) * thickness)
            state = step @ state
            amplification *= float(np.linalg.norm(step, np.inf))
        return state, amplification

    def mismatch(n_ind: np.ndarray) -> np.ndarray:
        return propagate(n_ind)[0][:-1] - b[ind]

    def homotopy(t: float) -> tuple[Any, Any]:
        """(mismatch, amplification) with x(0) = x_L + t (x0 − x_L): t = 1 is the film."""
        first = np.append((b + t * (a - b))[ind], 1.0)
        return (
            lambda n_ind: propagate(n_ind, first)[0][:-1] - b[ind],
            lambda n_ind: propagate(n_ind, first)[1],
        )

    # Fick estimate of the fluxes with a mean Đ and the series resistance Σ L/(c Đ)
    resistance = sum(
        thickness / (c * np.mean([d[i, j] for i in range(n) for j in range(n) if i != j]))
        for d, thickness, c in layers
    ) + sum(float(np.mean(inverse_k)) for _, inverse_k in jumps)
    guess = (a[ind] - b[ind]) / resistance
    scale = 1.0 / resistance
    result = _root(mismatch, lambda n: propagate(n)[1], guess / scale, scale)
    if result is None:  # from the nearly uniform film (t → 0) to this one, step by step
        result = _continuation(homotopy, scale, len(ind))
    if result is None:  # no start reached the residual bound
        raise EmcdSolverError(
            "film_solution: the flux equations have no root from any of the starts tried "
            "(the Fick estimate, its sign changes and magnitudes 0.1 to 10 times it, and a "
            "continuation from the uniform film); a "
            "species absent at one end but present at the other under a bootstrap that "
            "keeps its flux zero (stagnant) has no steady film"
        )
    n_ind = result * scale
    N = np.zeros(n)
    N[ind] = n_ind
    N[e] = -(nu[ind] @ n_ind) / nu[e]
    d, thickness, c = layers[0]
    return FilmSolution(
        fluxes=N,
        x0=a,
        length=float(thickness),
        concentration=float(c),
        augmented=_augmented(n_ind, np.asarray(d, float), nu, e, ind, c),
        independent=tuple(ind),
        eliminated=e,
    )


@np.errstate(all="ignore")  # bad starts overflow exp(A L): expected, judged by residual
def _root(mismatch: Any, amplification: Any, guess: np.ndarray, scale: float) -> np.ndarray | None:
    """A root (scaled fluxes) of ``mismatch(s * scale)`` to round-off, or None.

    Newton-type (MINPACK hybrd) from the Fick estimate first; then from its sign changes
    and other magnitudes: a species can diffuse up its own gradient (a stagnant gas piling
    up, reverse diffusion), and the Fick start can then lie in the wrong basin (a Stefan
    film with 1e-3 of the stagnant gas at one end did: "not making good progress"). A root
    is accepted when the residual is within 1e-12 or 16 ε times the amplification of the
    propagator, whichever is larger: a stagnant gas growing by e^10 across the film
    (1e-5 → 0.4) amplifies round-off by ~1e5, and no start can get below that.
    """
    import scipy.optimize

    magnitude = np.maximum(np.abs(guess), np.max(np.abs(guess), initial=1.0) * 1e-2)
    starts = [guess]
    for factor in (1.0, 0.1, 10.0, 0.3, 3.0):
        for signs in itertools.product((1.0, -1.0), repeat=guess.size):
            starts.append(factor * magnitude * np.array(signs))
    for start in starts:
        result = scipy.optimize.root(lambda s: mismatch(s * scale), start, method="hybr", tol=1e-14)
        if _at_round_off(mismatch, amplification, result.x * scale):
            return result.x
    return None


@np.errstate(all="ignore")
def _at_round_off(mismatch: Any, amplification: Any, fluxes: np.ndarray) -> bool:
    """Whether ``fluxes`` solve the film to round-off.

    Finite, and the residual within 1e-12 or 16 ε times the propagator's amplification
    (success or "no further improvement" of the root finder alike: judged by the residual).
    """
    if not np.all(np.isfinite(fluxes)):
        return False
    bound = max(1e-12, 16 * np.finfo(float).eps * amplification(fluxes))
    return bool(np.max(np.abs(mismatch(fluxes))) <= bound)


@np.errstate(all="ignore")
def _continuation(homotopy: Any, scale: float, size: int) -> np.ndarray | None:
    """The root at t = 1 of ``homotopy(t)``, followed from t = 0 (scaled fluxes) or None.

    At t = 0 both ends have the same composition (fluxes 0 without interfaces); each step
    starts from the previous root, halving the step when the root is lost.
    """
    import scipy.optimize

    t, step, root = 0.0, 0.05, None
    while t < 1.0:
        target = min(1.0, t + step) if root is not None else 0.0
        mismatch, amplification = homotopy(target)
        start = root if root is not None else np.zeros(size)
        found = scipy.optimize.root(lambda s: mismatch(s * scale), start, method="hybr", tol=1e-14)
        if _at_round_off(mismatch, amplification, found.x * scale):
            root, t, step = found.x, target, min(0.25, step * 1.5)
        elif root is None or step < 1e-4:
            return None
        else:
            step /= 2
    return root


def _jumps(
    interfaces: Sequence[LayerInterface] | None,
    layers: Sequence[tuple[np.ndarray, float, float]],
    size: int,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(κ_k, 1/k_k) per interface (checked: sizes, K > 0, k > 0)."""
    if interfaces is None:
        interfaces = [LayerInterface()] * (len(layers) - 1)
    if len(interfaces) != len(layers) - 1:
        raise EmcdInputError(
            f"layered_film_solution: {len(interfaces)} interfaces for {len(layers)} layers"
        )
    out = []
    for j, face in enumerate(interfaces):
        ratio = layers[j][2] / layers[j + 1][2]  # c_a/c_b
        K = np.ones(size) / ratio if face.partition is None else np.asarray(face.partition, float)
        k = np.full(size, np.inf) if face.film is None else np.asarray(face.film, float)
        if K.shape != (size,) or k.shape != (size,) or not (np.all(K > 0) and np.all(k > 0)):
            raise EmcdInputError(
                f"layered_film_solution: interface {j} needs {size} partition and film "
                "coefficients > 0 (one per independent species)"
            )
        out.append((K * ratio, 1.0 / k))
    return out


__all__ = ["FilmSolution", "LayerInterface", "film_solution", "layered_film_solution"]
