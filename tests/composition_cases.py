"""The composition matrix of issue 17: cases and references independent of emcd_fem.

Not a test module (shared by ``tests/test_composition.py`` and
``tests/mpi/test_composition_mpi.py``).

A 1D three-layer slab (layers 0.3 | 0.4 | 0.3 m along x, total length 1 m), x_A = 0.6 at
x = 0 and 0.1 at x = 1, combined over

* interfaces (``kind``): ``plain`` (x_A continuous), ``partition`` (K = 0.25 and 3.0 on the
  two interfaces) or ``film`` (a film k = 2 on the first interface, a film k = 5 *and* a
  partition K = 3 on the second);
* temperature (``thermal``): ``isothermal`` (no [thermal], no Soret data), ``prescribed``
  (T = 400 − 150 x + 50 x², Soret coefficients in all three layers, one of them through
  α_T = S_T T, a power-law D(T) in the middle layer) or ``solved`` (heat conduction,
  T = 400 K / 300 K at the ends, contact resistances 0.5 and 1.0 m² K/W, same Soret data);
* a uniform species source R_A = 0.2 mol/(m³ s) or none (``source``).

The references here use only numpy/scipy and the laws as README ("Interface coefficients",
"Thermal diffusion") and ``emcd_fem/models/films.py`` document them, for the pair written [a, b]
with n_ab from a into b (here a is the left layer, so N_A·n_ab = N):

    partition  x_b = κ x_a,               κ = K c_a / c_b,
    film       N = k (x_a − x_b / κ)       (κ = 1 without a partition),
    Soret      N = −c D(T) (dx/dz + S_T(T) x (1 − x) dT/dz),   dN/dz = R_A,
    contact    T_a − T_b = R_c q,  q = −k dT/dz (piecewise linear T with constant k).

* :func:`closed_form`: isothermal (any kind, any source): x is a quadratic in each layer,
  x_i(s) = x_i0 − (N_i0 s + R s²/2)/(c_i D_i), s = z − z_i; the six unknowns
  (x_i0, N_i0) follow from one 6×6 linear system (series resistances when R = 0).
* :func:`bvp_reference`: every case, ``scipy.integrate.solve_bvp`` on the 6 unknowns
  (x_i, N_i) with each layer mapped onto s ∈ [0, 1] and the interface laws as boundary
  conditions, at tolerance 1e-10 (validated against :func:`closed_form` and against a
  quadrature of the separable single-layer Soret equation in ``test_composition.py``).

Every combination runs through the one composed model (``emcd_fem.models``); none is
refused by the case check.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pytest
from scipy.integrate import solve_bvp

THICK = (0.3, 0.4, 0.3)  # m
CELLS = (6, 8, 6)  # cells per layer: h = 0.05 m everywhere
CONC = (2.0, 1.0, 1.5)  # c [mol/m^3]
DIFF = (1.0, 0.1, 0.5)  # D [m^2/s] (at T_REF_D in the middle layer when T is not uniform)
X_LEFT, X_RIGHT = 0.6, 0.1
SOURCE = 0.2  # R_A [mol/(m^3 s)]
PARTITION = (0.25, 3.0)  # K of interface j written [j, j+1] (``partition`` kind)
FILM_K = (2.0, 5.0)  # film k of interface j written [j, j+1] (``film`` kind)
FILM_PARTITION = (None, 3.0)  # the film kind's partition coefficients
CONDUCTIVITY = (1.0, 0.2, 0.5)  # k [W/(m K)]
CONTACT = (0.5, 1.0)  # R_c [m^2 K/W] of interface j (``solved``)
T_LEFT, T_RIGHT = 400.0, 300.0
T_PRESCRIBED = "400 - 150*x + 50*x**2"  # K, x in m
SORET = (4e-3, 6e-3, None)  # S_T [1/K]; layer 3 uses α_T instead
ALPHA = (None, None, -0.9)  # α_T [-], S_T = α_T / T
T_REF_D, EXPONENT_D = 350.0, 1.5  # middle layer: D = D_1 (T/T_REF_D)^1.5

NAMES = ("left_layer", "middle_layer", "right_layer")
KINDS = ("plain", "partition", "film")
THERMALS = ("isothermal", "prescribed", "solved")


def combo(kind: str, thermal: str, source: bool, *values) -> object:
    """``pytest.param(kind, thermal, source, *values)`` with a readable id."""
    return pytest.param(
        kind,
        thermal,
        source,
        *values,
        id=f"{kind}-{thermal}-{'source' if source else 'nosource'}",
    )


def all_combos() -> list:
    """The 18 combinations of the matrix."""
    return [combo(k, t, s) for k in KINDS for t in THERMALS for s in (False, True)]


# ---------------------------------------------------------------------------------------
# interface data (as seen from the left layer of each interface)


def partitions(kind: str) -> tuple[float | None, float | None]:
    """K_{j,j+1} of each interface (None: x_A continuous at equilibrium)."""
    return {"plain": (None, None), "partition": PARTITION, "film": FILM_PARTITION}[kind]


def films(kind: str) -> tuple[float | None, float | None]:
    """k_{j,j+1} of each interface (None: no film)."""
    return FILM_K if kind == "film" else (None, None)


def kappas(kind: str) -> tuple[float, float]:
    """κ_j = K_j c_j / c_{j+1} (1 without a partition): x_{j+1} = κ_j x_j at equilibrium."""
    return tuple(
        1.0 if k is None else k * CONC[j] / CONC[j + 1] for j, k in enumerate(partitions(kind))
    )


# ---------------------------------------------------------------------------------------
# the case file (as a dict: what a TOML file would hold)


def case_dict(
    kind: str,
    thermal: str,
    source: bool,
    *,
    dim: int = 1,
    cells: Sequence[int] = CELLS,
    cells_across: int = 1,
    names: Sequence[str] = NAMES,
    order: Sequence[int] = (0, 1),
    flipped: Sequence[bool] = (False, False),
    degree: int = 2,
) -> dict:
    """The case of one combination. Layer i is named ``names[i]`` (its material has the same
    name); ``[[interfaces]]`` entries are listed in ``order``; interface j is written
    [j+1, j] with K_ba = 1/K_ab, k_ba = k_ab/κ_ab (README "Interface coefficients") when
    ``flipped[j]`` (the same physical problem)."""
    layers = [
        {"name": n, "thickness": t, "cells": c} for n, t, c in zip(names, THICK, cells, strict=True)
    ]
    geometry = {"kind": "layered_slab", "dim": dim, "layers": layers}
    if dim > 1:
        geometry["cells_across"] = cells_across
    materials = {n: {"D": d, "c": c} for n, d, c in zip(names, DIFF, CONC, strict=True)}
    case = {
        "geometry": geometry,
        "materials": materials,
        "boundaries": {
            "left": {"type": "mole_fraction", "value": X_LEFT},
            "right": {"type": "mole_fraction", "value": X_RIGHT},
        },
        "discretisation": {"degree": degree},
    }
    if source:
        case["physics"] = {"source": SOURCE}
    if thermal != "isothermal":
        for i, n in enumerate(names):
            if SORET[i] is not None:
                materials[n]["soret_coefficient"] = SORET[i]
            if ALPHA[i] is not None:
                materials[n]["thermal_diffusion_factor"] = ALPHA[i]
        middle = materials[names[1]]
        middle |= {"T": T_REF_D, "diffusivity_law": "power", "diffusivity_exponent": EXPONENT_D}
    if thermal == "prescribed":
        case["thermal"] = {"temperature": T_PRESCRIBED}
    elif thermal == "solved":
        for n, k in zip(names, CONDUCTIVITY, strict=True):
            materials[n]["thermal_conductivity"] = k
        case["thermal"] = {
            "boundaries": {
                "left": {"type": "temperature", "value": T_LEFT},
                "right": {"type": "temperature", "value": T_RIGHT},
            }
        }
    interfaces = []
    for j in order:
        spec = {"materials": [names[j], names[j + 1]]}
        part, film = partitions(kind)[j], films(kind)[j]
        if part is not None:
            spec["partition"] = part
        if film is not None:
            spec["film"] = film
        if thermal == "solved":
            spec["contact_resistance"] = CONTACT[j]
        if len(spec) == 1:
            continue
        if flipped[j]:
            spec["materials"] = spec["materials"][::-1]
            if part is not None:
                spec["partition"] = 1.0 / part
            if film is not None:
                spec["film"] = film / kappas(kind)[j]
        interfaces.append(spec)
    if interfaces:
        case["interfaces"] = interfaces
    return case


# ---------------------------------------------------------------------------------------
# the 1D problem as data, and its references


@dataclass(frozen=True)
class Slab:
    """The 1D problem: per layer L, c, D(T), S_T(T), T(z), dT/dz(z); per interface κ, k."""

    thick: tuple[float, ...]
    conc: tuple[float, ...]
    diffusivity: Callable[[int, np.ndarray], np.ndarray]
    soret: Callable[[int, np.ndarray], np.ndarray]
    temperature: Callable[[int, np.ndarray], np.ndarray]
    gradient: Callable[[int, np.ndarray], np.ndarray]
    kappa: tuple[float, ...]
    film: tuple[float | None, ...]
    source: float
    x_left: float = X_LEFT
    x_right: float = X_RIGHT

    @property
    def starts(self) -> np.ndarray:
        """z of the left end of each layer."""
        return np.concatenate([[0.0], np.cumsum(self.thick)[:-1]])

    @property
    def isothermal(self) -> bool:
        return self.soret is None


def solved_temperature() -> tuple[Callable, Callable]:
    """Piecewise-linear T of the ``solved`` case: q = ΔT/(Σ L_i/k_i + Σ R_c)."""
    resist = [t / k for t, k in zip(THICK, CONDUCTIVITY, strict=True)]
    q = (T_LEFT - T_RIGHT) / (sum(resist) + sum(CONTACT))
    t0 = [T_LEFT]
    for i in range(2):
        t0.append(t0[-1] - q * (resist[i] + CONTACT[i]))
    z0 = np.concatenate([[0.0], np.cumsum(THICK)[:-1]])

    def temperature(i, z):
        return t0[i] - q * (np.asarray(z) - z0[i]) / CONDUCTIVITY[i]

    def gradient(i, z):
        return np.full_like(np.asarray(z, dtype=float), -q / CONDUCTIVITY[i])

    return temperature, gradient


def slab(kind: str, thermal: str, source: bool) -> Slab:
    """The 1D problem of one combination."""
    if thermal == "isothermal":
        temperature = gradient = soret = None

        def diffusivity(i, T):
            return DIFF[i]

    else:
        if thermal == "prescribed":

            def temperature(i, z):
                return 400.0 - 150.0 * z + 50.0 * z**2

            def gradient(i, z):
                return -150.0 + 100.0 * z

        else:
            temperature, gradient = solved_temperature()

        def soret(i, T):
            return SORET[i] if SORET[i] is not None else ALPHA[i] / T

        def diffusivity(i, T):
            return DIFF[i] * (T / T_REF_D) ** EXPONENT_D if i == 1 else DIFF[i]

    return Slab(
        thick=THICK,
        conc=CONC,
        diffusivity=diffusivity,
        soret=soret,
        temperature=temperature,
        gradient=gradient,
        kappa=kappas(kind),
        film=films(kind),
        source=SOURCE if source else 0.0,
    )


@dataclass(frozen=True)
class Reference:
    """A reference solution: the flux at both ends and x_A(z) (z inside a layer)."""

    flux_left: float  # N(0) [mol/(m^2 s)], along +z
    flux_right: float  # N(L)
    profile: Callable[[np.ndarray], np.ndarray]
    layer_ends: np.ndarray  # (layers, 2): x_A at the left and right end of each layer

    def outward(self) -> dict[str, float]:
        """Outward boundary fluxes as in summary.json (left: −N(0), right: +N(L))."""
        return {"left": -self.flux_left, "right": self.flux_right}


def _layer_of(s: Slab, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ends = np.cumsum(s.thick)
    layer = np.searchsorted(ends[:-1], z)
    return layer, (z - s.starts[layer]) / np.asarray(s.thick)[layer]


def closed_form(s: Slab) -> Reference:
    """Isothermal: piecewise quadratics from one linear system in (x_i0, N_i0).

    In layer i (s = z − z_i): N_i = N_i0 + R s, x_i = x_i0 − (N_i0 s + R s²/2)/(c_i D_i).
    """
    assert s.isothermal
    n = len(s.thick)
    R = s.source
    cd = [s.conc[i] * s.diffusivity(i, None) for i in range(n)]

    def right_end(i):
        """(coefficients of x_i0, N_i0; constant) of x_i(L_i), and of N_i(L_i)."""
        L = s.thick[i]
        return (1.0, -L / cd[i], -R * L**2 / (2 * cd[i])), (0.0, 1.0, R * L)

    a = np.zeros((2 * n, 2 * n))
    b = np.zeros(2 * n)
    a[0, 0], b[0] = 1.0, s.x_left
    row = 1
    for j in range(n - 1):
        (xa0, xan, xac), (na0, nan, nac) = right_end(j)
        # flux continuity: N_j(L_j) = N_{j+1,0}
        a[row, [2 * j, 2 * j + 1, 2 * j + 3]] = [na0, nan, -1.0]
        b[row] = -nac
        row += 1
        if s.film[j] is None:  # x_{j+1,0} = κ x_j(L_j)
            a[row, [2 * j, 2 * j + 1, 2 * j + 2]] = [-s.kappa[j] * xa0, -s.kappa[j] * xan, 1.0]
            b[row] = s.kappa[j] * xac
        else:  # N_j(L_j) = k (x_j(L_j) − x_{j+1,0}/κ)
            k = s.film[j]
            a[row, [2 * j, 2 * j + 1, 2 * j + 2]] = [
                na0 - k * xa0,
                nan - k * xan,
                k / s.kappa[j],
            ]
            b[row] = k * xac - nac
        row += 1
    (xa0, xan, xac), _ = right_end(n - 1)
    a[row, [2 * n - 2, 2 * n - 1]] = [xa0, xan]
    b[row] = s.x_right - xac
    coef = np.linalg.solve(a, b)
    x0, n0 = coef[0::2], coef[1::2]

    def profile(z):
        z = np.asarray(z, dtype=float)
        layer, _ = _layer_of(s, z)
        d = z - s.starts[layer]
        return x0[layer] - (n0[layer] * d + R * d**2 / 2) / np.asarray(cd)[layer]

    ends = np.array(
        [[x0[i], x0[i] - (n0[i] * L + R * L**2 / 2) / cd[i]] for i, L in enumerate(s.thick)]
    )
    return Reference(n0[0], n0[-1] + R * s.thick[-1], profile, ends)


def bvp_reference(s: Slab, tol: float = 1e-10, nodes: int = 41) -> Reference:
    """``scipy.integrate.solve_bvp``: unknowns (x_i, N_i) of each layer on s ∈ [0, 1].

    dx_i/ds = L_i (−N_i/(c_i D_i(T)) − S_T,i(T) x_i (1 − x_i) dT/dz),  dN_i/ds = L_i R;
    boundary conditions x_0(0) = x_left, x_2(1) = x_right and, at interface j, N_j(1) =
    N_{j+1}(0) with x_{j+1}(0) = κ_j x_j(1) or N_j(1) = k_j (x_j(1) − x_{j+1}(0)/κ_j).
    """
    n = len(s.thick)
    L = np.asarray(s.thick)
    z0 = s.starts

    def rhs(t, y):
        dy = np.empty_like(y)
        for i in range(n):
            x, flux = y[2 * i], y[2 * i + 1]
            z = z0[i] + L[i] * t
            if s.isothermal:
                cd, thermal = s.conc[i] * s.diffusivity(i, None), 0.0
            else:
                T = s.temperature(i, z)
                cd = s.conc[i] * s.diffusivity(i, T)
                thermal = s.soret(i, T) * x * (1 - x) * s.gradient(i, z)
            dy[2 * i] = L[i] * (-flux / cd - thermal)
            dy[2 * i + 1] = L[i] * s.source
        return dy

    def bc(ya, yb):
        res = [ya[0] - s.x_left]
        for j in range(n - 1):
            xa, na, xb, nb = yb[2 * j], yb[2 * j + 1], ya[2 * j + 2], ya[2 * j + 3]
            res.append(na - nb)
            if s.film[j] is None:
                res.append(xb - s.kappa[j] * xa)
            else:
                res.append(na - s.film[j] * (xa - xb / s.kappa[j]))
        res.append(yb[2 * n - 2] - s.x_right)
        return np.array(res)

    # start from the isothermal closed form
    guess = closed_form(
        Slab(
            s.thick,
            s.conc,
            lambda i, T: DIFF[i],
            None,
            None,
            None,
            s.kappa,
            s.film,
            s.source,
            s.x_left,
            s.x_right,
        )
    )
    t = np.linspace(0.0, 1.0, nodes)
    y0 = np.empty((2 * n, nodes))
    for i in range(n):
        z = z0[i] + L[i] * np.clip(t, 1e-12, 1 - 1e-12)
        y0[2 * i] = guess.profile(z)
        y0[2 * i + 1] = guess.flux_left + s.source * z
    sol = solve_bvp(rhs, bc, t, y0, tol=tol, bc_tol=1e-13, max_nodes=200_000)
    assert sol.success, sol.message

    def profile(z):
        z = np.asarray(z, dtype=float)
        layer, local = _layer_of(s, z)
        values = sol.sol(local)
        return values[2 * layer, np.arange(z.size)]

    ends = np.array([[sol.y[2 * i, 0], sol.y[2 * i, -1]] for i in range(n)])
    return Reference(float(sol.y[1, 0]), float(sol.y[2 * n - 1, -1]), profile, ends)


def reference(kind: str, thermal: str, source: bool) -> Reference:
    """The most accurate reference of a combination (closed form where it exists)."""
    s = slab(kind, thermal, source)
    return closed_form(s) if s.isothermal else bvp_reference(s)


#: Sample points: vertices of the (6, 8, 6)-cell mesh (h = 0.05) away from the interfaces
#: at 0.3 and 0.7, where x_A may jump.
PROBES_Z = np.array([0.05, 0.15, 0.25, 0.35, 0.45, 0.5, 0.6, 0.65, 0.75, 0.85, 0.95])


def probes(dim: int, z: np.ndarray = PROBES_Z) -> np.ndarray:
    """Points (n, 3) at x = z, in the middle of the cross-section in 2D/3D."""
    points = np.zeros((z.size, 3))
    points[:, 0] = z
    points[:, 1:dim] = 0.5 if dim > 1 else 0.0
    return points


def mismatch(summary_flux: dict[str, float], ref: Reference) -> float:
    """Largest relative difference of the outward boundary fluxes."""
    out = ref.outward()
    scale = max(abs(v) for v in out.values())
    return max(abs(summary_flux[b] - out[b]) / scale for b in out)


assert math.isclose(sum(THICK), 1.0)
