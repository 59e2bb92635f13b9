"""Results never depend on region names or on how the interfaces are written.

A three-layer slab is solved with every permutation of its region names (chosen so that
their sort order changes), both orders of the ``[[interfaces]]`` entries and both
orientations ``materials = [a, b]`` / ``[b, a]`` of each entry, the coefficients of a
swapped entry transformed as README ("Interface coefficients") says:

    K_ba = 1/K_ab,   k_ba = k_ab/κ_ab,   κ_ab = K_ab c_a/c_b.

Every variant is the same physical problem, so the boundary fluxes and x_A agree to
rounding. The problems are linear and small (1D, 10 cells; direct solves), so rounding is
~1e-14; rtol 1e-10 leaves room for the reordered block systems and still catches any real
dependence (the old internal scaling changed the flux by 17-29 %). The thermal (Soret)
variant is a Newton solve converged to its default tolerance: rtol 1e-8 there.

Also an exact check of a partition + film slab against a series formula derived by hand
here (not with :mod:`emcd_fem.analytic`).
"""

import copy
import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

from emcd_fem.pipeline.run import run_case
from emcd_fem.post.sampling import evaluate_at_points

sys.path.insert(0, str(Path(__file__).resolve().parent))
from layered_cases import CONC, DIFF, FILM, THICK, X_LEFT, X_RIGHT, kappa, slab_case

# names whose sort order differs from the layer order in most permutations
NAMES = ("zeta", "alpha", "mu")
# points strictly inside the layers (x_A jumps at 0.3 and 0.7)
PROBES = np.array([[z, 0.0, 0.0] for z in (0.05, 0.17, 0.29, 0.31, 0.5, 0.69, 0.71, 0.9, 0.99)])


def _solve(case: dict) -> tuple[dict[str, float], np.ndarray]:
    result = run_case(copy.deepcopy(case))
    flux = {n: result.summary["boundary_flux"][n] for n in ("left", "right")}
    values = evaluate_at_points(result.fields["mole_fraction"], PROBES)
    return flux, values[:, 0]


def _variants():
    """(names, interface order, flipped) over every permutation of the names, each paired
    with one of the four order/orientation combinations, plus all of those for one naming."""
    combos = [
        ((0, 1), (False, False)),
        ((1, 0), (True, False)),
        ((0, 1), (False, True)),
        ((1, 0), (True, True)),
    ]
    perms = list(itertools.permutations(NAMES))
    out = [(p, *combos[i % 4]) for i, p in enumerate(perms)]
    out += [(perms[3], order, flipped) for order, flipped in combos]
    return out


@pytest.mark.parametrize(
    "kind",
    [
        {"films": True, "partitions": True},
        {"films": True, "partitions": False},
        {"films": False, "partitions": True},
    ],
    ids=["film+partition", "film", "partition"],
)
def test_names_and_interface_order_do_not_matter(kind):
    reference = None
    for names, order, flipped in _variants():
        flux, values = _solve(slab_case(names, order, flipped, **kind))
        if reference is None:
            reference = (flux, values)
            continue
        for n in flux:
            assert flux[n] == pytest.approx(reference[0][n], rel=1e-10), (names, order, flipped)
        assert values == pytest.approx(reference[1], rel=1e-10, abs=1e-13), (names, order, flipped)


def test_thermal_case_names_and_interface_order_do_not_matter():
    """Soret with heat conduction and contact resistances (symmetric, no orientation)."""
    reference = None
    variants = [
        (p, (0, 1) if i % 2 else (1, 0), (i % 2 == 0, i % 3 == 0))
        for i, p in enumerate(itertools.permutations(NAMES))
    ]
    for names, order, flipped in variants:
        case = slab_case(names, order, flipped, films=False, partitions=False, thermal=True)
        flux, values = _solve(case)
        if reference is None:
            reference = (flux, values)
            continue
        for n in flux:
            assert flux[n] == pytest.approx(reference[0][n], rel=1e-8), names
        assert values == pytest.approx(reference[1], rel=1e-8, abs=1e-12), names


def test_partition_and_films_against_the_series_formula_by_hand():
    """N through layers 1|2|3 with partitions and films, both films written reversed.

    Let x_i^L, x_i^R be x_A at the left and right of layer i. Layers: x_i^L − x_i^R =
    N L_i/(c_i D_i). Film i (between layers i and i+1), written [i, i+1]:
    N = k_i (x_i^R − x_{i+1}^L/κ_i), κ_i = K_i c_i/c_{i+1}. Eliminating the interior values
    gives a linear system in (x_1^R, x_2^L, x_2^R, x_3^L, N), solved here directly.
    """
    unknowns = 5  # x1R, x2L, x2R, x3L, N
    a = np.zeros((unknowns, unknowns))
    rhs = np.zeros(unknowns)
    r = [t / (c * d) for t, c, d in zip(THICK, CONC, DIFF, strict=True)]
    a[0, [0, 4]] = [1.0, r[0]]  # x1R + N r1 = x_left
    rhs[0] = X_LEFT
    a[1, [0, 1, 4]] = [FILM[0], -FILM[0] / kappa(0), -1.0]  # film 1
    a[2, [1, 2, 4]] = [1.0, -1.0, -r[1]]  # layer 2
    a[3, [2, 3, 4]] = [FILM[1], -FILM[1] / kappa(1), -1.0]  # film 2
    a[4, [3, 4]] = [1.0, -r[2]]  # x3L − N r3 = x_right
    rhs[4] = X_RIGHT
    x1r, x2l, x2r, x3l, flux = np.linalg.solve(a, rhs)

    case = slab_case(NAMES, (1, 0), (True, True))
    result = run_case(copy.deepcopy(case))
    summary = result.summary
    # P1 holds the piecewise-linear exact solution: rounding only
    assert summary["boundary_flux"]["right"] == pytest.approx(flux, rel=1e-10)
    assert summary["boundary_flux"]["left"] == pytest.approx(-flux, rel=1e-10)
    # the program's own network reference agrees (it uses the same law)
    assert summary["analytic"]["network_flux"] == pytest.approx(flux, rel=1e-12)
    assert summary["analytic"]["max_relative_error"] < 1e-10
    # the film fluxes as written ([b, a]: from b into a, so −N)
    film_flux = summary["film_flux"]
    assert film_flux[f"{NAMES[1]}|{NAMES[0]}"] == pytest.approx(-flux, rel=1e-10)
    assert film_flux[f"{NAMES[2]}|{NAMES[1]}"] == pytest.approx(-flux, rel=1e-10)
    eps = 1e-9
    points = np.array([[0.3 - eps, 0, 0], [0.3 + eps, 0, 0], [0.7 - eps, 0, 0], [0.7 + eps, 0, 0]])
    values = evaluate_at_points(result.fields["mole_fraction"], points)[:, 0]
    assert values == pytest.approx([x1r, x2l, x2r, x3l], abs=1e-8)


@pytest.mark.parametrize(
    ("interfaces", "culprit", "words"),
    [
        (
            [
                {"materials": ["zeta", "alpha"], "film": 1.0},
                {"materials": ["alpha", "zeta"], "film": 2.0},
            ],
            "interfaces[1].materials",
            "give each material pair once",
        ),
        (
            [{"materials": ["zeta", "zeta"], "partition": 2.0}],
            "interfaces[0].partition",
            "K = 1",
        ),
    ],
    ids=["pair-twice", "self-partition"],
)
def test_ambiguous_interfaces_are_refused(interfaces, culprit, words):
    """A pair given twice (its orientation would decide the answer) or a material with a
    partition coefficient against itself (no orientation can make it consistent)."""
    from emcd_fem.case import CaseError, load_case

    case = slab_case(NAMES, (0, 1), (False, False))
    case["interfaces"] = interfaces
    with pytest.raises(CaseError) as info:
        load_case(case)
    assert any(loc == culprit and words in msg for loc, msg in info.value.problems), (
        info.value.problems
    )


def test_shells_reference_and_fe_keep_the_orientation():
    """Cylinder shells with a partition and a film written [outer, inner] (transformed) or
    [inner, outer]: the same network rate (rounding) and the same FE rate (P2 on an order-2
    mesh of size 0.1: measured 9.3e-7 from the network, bound 1e-5), the two FE rates equal to
    rounding."""
    c_in, c_out, k_part, k_film = 2.0, 1.0, 0.4, 1.5
    kappa_io = k_part * c_in / c_out

    def shells(flip: bool) -> dict:
        interface = {"materials": ["core", "shell"], "partition": k_part, "film": k_film}
        if flip:
            interface = {
                "materials": ["shell", "core"],
                "partition": 1.0 / k_part,
                "film": k_film / kappa_io,
            }
        return {
            "geometry": {
                "kind": "cylinder_shells",
                "radii": [0.5, 0.8, 1.0],
                "size": 0.1,
                "order": 2,
                "names": ["core", "shell"],
            },
            "materials": {"core": {"D": 1.0, "c": c_in}, "shell": {"D": 0.2, "c": c_out}},
            "interfaces": [interface],
            "discretisation": {"degree": 2},
            "boundaries": {
                "inner": {"type": "mole_fraction", "value": 0.9},
                "outer": {"type": "mole_fraction", "value": 0.1},
            },
        }

    # by hand: Q = (x_i − x_o/κ) / (R_1/(c_1 D_1) + 1/(k A) + R_2/(c_2 D_2 κ)), R = ln(r2/r1)/(2π)
    r1, r2, r3 = 0.5, 0.8, 1.0
    res = (
        np.log(r2 / r1) / (2 * np.pi * c_in * 1.0)
        + 1.0 / (k_film * 2 * np.pi * r2)
        + np.log(r3 / r2) / (2 * np.pi * c_out * 0.2 * kappa_io)
    )
    rate = (0.9 - 0.1 / kappa_io) / res
    fe = []
    for flip in (False, True):
        summary = run_case(shells(flip)).summary
        assert summary["analytic"]["network_flux"] == pytest.approx(rate, rel=1e-12), flip
        assert summary["boundary_flux"]["outer"] == pytest.approx(rate, rel=1e-5), flip
        fe.append(summary["boundary_flux"]["outer"])
    assert fe[1] == pytest.approx(fe[0], rel=1e-10)
