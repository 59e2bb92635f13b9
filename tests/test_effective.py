"""Effective diffusivity of periodic arrays vs Hashin–Shtrikman bounds and Rayleigh.

At low φ the matrix-side Hashin–Shtrikman bound (Maxwell-Garnett) is within 1e-4 of the
true value, so the bound checks allow for the discretisation error. Measured agreement with
the Rayleigh/Perrins formula (2D, P2 on order-2 geometry, cell
size r/6): 2e-6 (φ = 0.1) … 1e-4 (φ = 0.5, the formula's own accuracy there); 3D spheres
(cell size r/2.5): within 0.15 %.
"""

import math

import pytest

import emcd_fem as ef
from emcd_fem import analytic
from emcd_fem.geometry import matrix_with_inclusions
from emcd_fem.post.mesh_report import mesh_report
from emcd_fem.studies.effective import effective_diffusivity


def cell(dim, fraction, size_per_radius, order=2):
    if dim == 2:
        radius = math.sqrt(fraction / math.pi)
        domain = matrix_with_inclusions(
            (1.0, 1.0), [[0.5, 0.5]], radius, size=radius / size_per_radius, order=order
        )
    else:
        radius = (3 * fraction / (4 * math.pi)) ** (1 / 3)
        domain = matrix_with_inclusions(
            (1.0, 1.0, 1.0),
            [[0.5, 0.5, 0.5]],
            radius,
            kind="sphere",
            size=radius / size_per_radius,
            order=order,
        )
    meshed_fraction = mesh_report(domain)["region_measures"]["inclusion"]
    return domain, meshed_fraction


@pytest.mark.parametrize("beta", [0.1, 10.0])
@pytest.mark.parametrize("fraction", [0.1, 0.3, 0.5])
def test_square_array_of_circles(fraction, beta):
    materials = {"matrix": ef.Material(1.0), "inclusion": ef.Material(beta)}
    rayleigh = analytic.rayleigh_square_cylinders(fraction, 1.0, beta)
    errors = []
    for size_per_radius in (3, 6):
        domain, meshed = cell(2, fraction, size_per_radius)
        d_eff = effective_diffusivity(domain, materials, (1.0, 1.0), axes=[0])[0]
        low, high = analytic.hashin_shtrikman_bounds(meshed, 1.0, beta, 2)
        # within the bounds up to the discretisation error (FE is slightly stiff: ≤ 3e-5)
        assert low * (1 - 1e-4) <= d_eff <= high * (1 + 1e-4)
        errors.append(abs(d_eff - rayleigh) / rayleigh)
    assert errors[1] < errors[0]
    assert errors[1] < (2e-4 if fraction == 0.5 else 3e-5)


def test_square_array_is_isotropic():
    domain, _ = cell(2, 0.3, 4)
    materials = {"matrix": ef.Material(1.0, 2.0), "inclusion": ef.Material(0.1, 2.0)}
    d = effective_diffusivity(domain, materials, (1.0, 1.0))
    assert d[0] == pytest.approx(d[1], rel=1e-4)  # unstructured mesh: symmetric to ~h^3


@pytest.mark.parametrize("beta", [0.1, 10.0])
@pytest.mark.parametrize("fraction", [0.1, 0.3])
def test_cubic_array_of_spheres(fraction, beta):
    materials = {"matrix": ef.Material(1.0), "inclusion": ef.Material(beta)}
    domain, meshed = cell(3, fraction, 2.5)
    d_eff = effective_diffusivity(domain, materials, (1.0, 1.0, 1.0), axes=[0])[0]
    low, high = analytic.hashin_shtrikman_bounds(meshed, 1.0, beta, 3)
    # within the bounds up to the discretisation error (≤ 2e-4 on these coarse meshes)
    assert low * (1 - 5e-4) <= d_eff <= high * (1 + 5e-4)
    rayleigh = analytic.rayleigh_cubic_spheres(fraction, 1.0, beta)
    assert d_eff == pytest.approx(rayleigh, rel=3e-3)


def test_bounds_nest_and_limits():
    for beta in (0.1, 10.0):
        for dim in (2, 3):
            lo_w, hi_w = analytic.wiener_bounds(0.3, 1.0, beta)
            lo, hi = analytic.hashin_shtrikman_bounds(0.3, 1.0, beta, dim)
            assert lo_w < lo < hi < hi_w
    assert analytic.maxwell_garnett(0.4, 2.0, 2.0, 3) == pytest.approx(2.0)
    assert analytic.rayleigh_square_cylinders(1e-6, 1.0, 10.0) == pytest.approx(
        analytic.maxwell_garnett(1e-6, 1.0, 10.0, 2), rel=1e-12
    )


def test_unequal_concentrations_rejected():
    domain, _ = cell(2, 0.1, 2, order=1)
    with pytest.raises(ef.EmcdInputError, match="one concentration"):
        effective_diffusivity(
            domain,
            {"matrix": ef.Material(1.0, 1.0), "inclusion": ef.Material(1.0, 2.0)},
            (1.0, 1.0),
        )
