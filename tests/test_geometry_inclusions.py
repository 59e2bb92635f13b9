"""Matrix with inclusions: names, exact vs meshed volume fractions, packings, errors."""

import math

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem.geometry import (
    matrix_with_inclusions,
    periodic_array,
    random_inclusions,
    random_packing,
)
from emcd_fem.post.mesh_report import mesh_report

MATS = {"matrix": ef.Material(1.0), "inclusion": ef.Material(0.1)}
BCS = {"left": ef.MoleFraction(1.0), "right": ef.MoleFraction(0.0)}


def meshed_fraction(domain):
    report = mesh_report(domain)
    return report["region_measures"]["inclusion"] / math.prod(domain.layout.extents)


def test_periodic_circles_fraction_and_names():
    centers = periodic_array((1.0, 1.0), (3, 3))
    exact = 9 * math.pi * 0.12**2
    errors = {}
    for order in (1, 2):
        domain = matrix_with_inclusions((1.0, 1.0), centers, 0.12, size=0.04, order=order)
        assert set(domain.regions) == {"matrix", "inclusion"}
        assert set(domain.boundaries) == {"left", "right", "bottom", "top"}
        assert set(domain.interfaces) == {"interface"}
        assert domain.layout.volume_fraction == pytest.approx(exact)
        errors[order] = abs(meshed_fraction(domain) - exact) / exact
        perimeter = mesh_report(domain)["interface_measures"]["interface"]
        assert perimeter == pytest.approx(9 * 2 * math.pi * 0.12, rel=0.01)
    # inscribed polygons lose ≈ (h/r)²/6 ≈ 2 % of the area; curved cells ≈ 1e-5
    assert errors[1] < 0.03
    assert errors[2] < 1e-4


def test_random_packing_reproducible_and_valid():
    a = random_packing((1.0, 1.0), 0.08, 0.3, seed=3)
    b = random_packing((1.0, 1.0), 0.08, 0.3, seed=3)
    c = random_packing((1.0, 1.0), 0.08, 0.3, seed=4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    v = math.pi * 0.08**2
    assert 0.3 <= len(a) * v < 0.3 + v
    delta = a[:, None, :] - a[None, :, :]
    delta -= np.round(delta)  # minimum image in the unit cell
    distance = np.linalg.norm(delta, axis=2) + 10 * np.eye(len(a))
    assert distance.min() >= 2 * 0.08


def test_random_circles_cut_by_the_cell_keep_the_fraction():
    domain = random_inclusions((1.0, 1.0), 0.08, 0.3, seed=3, size=0.05, order=2)
    assert meshed_fraction(domain) == pytest.approx(domain.layout.volume_fraction, rel=1e-3)
    solution = ef.solve_emcd(domain, MATS, BCS, degree=2)
    assert solution.balance.relative < 1e-10
    assert 0 < solution.boundary_flux["right"] < 1.0  # below the inclusion-free value c D Δx / L


def test_unreachable_fraction_is_an_error():
    with pytest.raises(ef.EmcdInputError, match=r"jams near 0\.547"):
        random_inclusions((1.0, 1.0), 0.1, 0.6, seed=1, size=0.1, max_attempts=20_000)


@pytest.mark.parametrize(
    "kind,extents,counts,radius,size",
    [
        ("sphere", (1.0, 1.0, 1.0), (2, 2, 2), 0.2, 0.15),
        ("fibre", (1.0, 1.0, 0.5), (2, 2), 0.2, 0.12),
    ],
)
def test_spheres_and_fibres(kind, extents, counts, radius, size):
    centers = periodic_array(extents[: 3 if kind == "sphere" else 2], counts)
    domain = matrix_with_inclusions(extents, centers, radius, kind=kind, size=size, order=2)
    assert set(domain.boundaries) == {"left", "right", "bottom", "top", "front", "back"}
    assert set(domain.interfaces) == {"interface"}
    # order-2 tetrahedra: 0.3 % (spheres, h = 0.75 r), order-2 prisms of fibres: < 0.1 %
    assert meshed_fraction(domain) == pytest.approx(domain.layout.volume_fraction, rel=5e-3)


def test_same_material_inclusions_reproduce_the_plain_slab():
    """With D_inclusion = D_matrix the linear profile is exact on any conforming mesh."""
    domain = random_inclusions((1.0, 0.5), 0.06, 0.2, seed=7, size=0.05)
    same = {"matrix": ef.Material(2.0, 3.0), "inclusion": ef.Material(2.0, 3.0)}
    solution = ef.solve_emcd(domain, same, BCS)
    assert solution.boundary_flux["right"] == pytest.approx(6.0 * 0.5, rel=1e-10)


def test_bad_inclusion_input():
    with pytest.raises(ef.EmcdInputError, match="kind must be"):
        matrix_with_inclusions((1.0, 1.0), [[0.5, 0.5]], 0.1, kind="cube", size=0.1)
    with pytest.raises(ef.EmcdInputError, match="need 3 positive extents"):
        matrix_with_inclusions((1.0, 1.0), [[0.5, 0.5, 0.5]], 0.1, kind="sphere", size=0.1)
    with pytest.raises(ef.EmcdInputError, match="too large"):
        random_packing((1.0, 1.0), 0.6, 0.3)
