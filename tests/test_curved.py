"""Curved (order-2) cells: the balance closes to round-off, P1 on them is flagged.

Before the quadrature was pinned (emcd_fem.mesh.quadrature), the residual a(x_h, w) − L(w)
was integrated with the degree of L (one more than the operator's on curved cells), so
the reaction fluxes missed the balance by 1e-7 (P1, annulus) and the mass-transfer flux by
1e-8: now the post-processing uses the solve's quadrature rules and the balance is the
solver's residual only (LU here: round-off, ~1e-15 observed).
"""

import numpy as np
import pytest
import ufl

import emcd_fem as ef
from emcd_fem.geometry import annulus, sphere_shells
from emcd_fem.mesh.quadrature import linear_field_gradient_error

RADII = [0.5, 0.8, 1.0]


@pytest.fixture(scope="module")
def curved_annulus():
    return annulus(RADII, size=0.15, order=2)


@pytest.fixture(scope="module")
def curved_sphere():
    return sphere_shells(RADII, size=0.35, order=2)


def _materials():
    return {"shell1": ef.Material(2.0e-5, 40.9), "shell2": ef.Material(4.0e-6, 40.9)}


@pytest.mark.parametrize("degree", [1, 2])
@pytest.mark.parametrize("outer", ["mole_fraction", "mass_transfer", "flux"])
def test_balance_round_off_on_curved_annulus(curved_annulus, degree, outer):
    bcs = {
        "inner": ef.MoleFraction(0.9),
        "outer": {
            "mole_fraction": ef.MoleFraction(0.1),
            "mass_transfer": ef.MassTransfer(0.05, 0.05),
            "flux": ef.MolarFlux(1e-5),
        }[outer],
    }
    # a non-polynomial source: its integral depends on the quadrature rule
    x = ufl.SpatialCoordinate(curved_annulus.mesh)
    source = 1e-5 * ufl.exp(x[0])
    solution = ef.solve_emcd(curved_annulus, _materials(), bcs, degree=degree, source=source)
    assert solution.balance.production != 0.0
    assert solution.balance.relative <= 1e-11


@pytest.mark.parametrize("degree", [1, 2])
def test_balance_round_off_on_curved_sphere(curved_sphere, degree):
    bcs = {"inner": ef.MoleFraction(0.9), "outer": ef.MassTransfer(0.5, 0.05)}
    solution = ef.solve_emcd(curved_sphere, _materials(), bcs, degree=degree)
    assert solution.balance.relative <= 1e-11
    assert solution.boundary_flux["outer"] > 0.0


def test_p1_on_curved_mesh_is_flagged_with_its_measured_error(curved_annulus):
    bcs = {"inner": ef.MoleFraction(0.9), "outer": ef.MoleFraction(0.1)}
    p1 = ef.solve_emcd(curved_annulus, _materials(), bcs, degree=1)
    p2 = ef.solve_emcd(curved_annulus, _materials(), bcs, degree=2)
    error = linear_field_gradient_error(curved_annulus.mesh, 1)
    assert 1e-4 < error < 0.1  # curved cells: P1 misses linear fields (measured 1.3e-2)
    assert linear_field_gradient_error(curved_annulus.mesh, 2) < 1e-12
    (message,) = [w for w in p1.warnings if "geometric order 2" in w]
    assert f"{error:.2g}" in message and "degree = 2" in message
    assert not [w for w in p2.warnings if "geometric order" in w]


def test_p1_on_straight_mesh_is_not_flagged():
    domain = annulus(RADII, size=0.3, order=1)
    assert linear_field_gradient_error(domain.mesh, 1) < 1e-12
    bcs = {"inner": ef.MoleFraction(0.9), "outer": ef.MoleFraction(0.1)}
    solution = ef.solve_emcd(domain, _materials(), bcs)
    assert not [w for w in solution.warnings if "geometric order" in w]
    assert np.isfinite(solution.boundary_flux["outer"])


@pytest.mark.parametrize(
    "degree,contact", [(2, False), (1, True)], ids=["continuous-P2", "sipg-contact-P1"]
)
def test_heat_balance_round_off_on_curved_annulus(curved_annulus, degree, contact):
    """The heat problem (CG and the SIPG contact-resistance form) on curved cells.

    The SIPG form used to fail on order-2 meshes ("Not handled: CellDiameter").
    """
    from emcd_fem.models.thermal import Convective, HeatConductionProblem, Temperature

    x = ufl.SpatialCoordinate(curved_annulus.mesh)
    problem = HeatConductionProblem(
        curved_annulus,
        {"shell1": 15.0, "shell2": 0.8},  # W/(m K)
        {"inner": Temperature(350.0), "outer": Convective(25.0, 293.15)},
        degree=degree,
        source=2e3 * ufl.exp(x[1]),  # W/m3, not a polynomial
        contact_resistance={("shell1", "shell2"): 1e-3} if contact else None,
    )
    solution = problem.solve()
    assert solution.heat_flow["outer"] > 0.0
    assert solution.balance <= 1e-11


@pytest.mark.parametrize("degree", [1, 2])
def test_film_balance_round_off_on_curved_annulus(curved_annulus, degree):
    """The film pipeline (blocked forms) on curved cells: was 2.7e-6 with P1."""
    from emcd_fem.models.films import FilmEMCDProblem

    bcs = {"inner": ef.MoleFraction(0.9), "outer": ef.MassTransfer(0.05, 0.1)}
    solution = FilmEMCDProblem(
        curved_annulus, _materials(), bcs, films={("shell1", "shell2"): 2e-3}, degree=degree
    ).solve()
    assert solution.boundary_flux["outer"] > 0.0
    assert solution.balance <= 1e-11


def test_soret_balance_round_off_on_curved_annulus(curved_annulus):
    """Thermal diffusion (Newton) with a Robin boundary on curved P1 cells."""
    from emcd_fem.models.soret import SoretProblem

    x = ufl.SpatialCoordinate(curved_annulus.mesh)
    bcs = {"inner": ef.MoleFraction(0.9), "outer": ef.MassTransfer(0.05, 0.1)}
    solution = SoretProblem(
        curved_annulus,
        _materials(),
        bcs,
        temperature=300.0 + 40.0 * ufl.sqrt(x[0] ** 2 + x[1] ** 2),  # K
        soret={"shell1": 0.01, "shell2": 0.02},  # 1/K
        degree=1,
    ).solve()
    assert solution.boundary_flux["outer"] > 0.0
    assert solution.balance <= 1e-11
