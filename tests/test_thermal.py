"""Steady heat conduction: exact series-resistance references, contact resistances, errors.

Layers in series with fixed-temperature or convective ends have a piecewise-linear exact
temperature; P1 elements with nodes on the interfaces reproduce it to round-off, in 1D, 2D
and 3D, for both the continuous (perfect contact) and the SIPG (contact resistance)
discretisations: tolerances are round-off (1e-10 relative).
"""

import pytest

import emcd_fem as ef
from emcd_fem import analytic
from emcd_fem.models.thermal import (
    Convective,
    HeatConductionProblem,
    HeatFlux,
    Insulated,
    Temperature,
)

K = {"a": 1.5, "b": 0.3}


def slab(dim):
    return ef.layered_slab(
        [0.1, 0.2], region_names=["a", "b"], dim=dim, cells_per_layer=[3, 4], width=0.5, depth=0.4
    )


@pytest.mark.parametrize("dim", [1, 2, 3])
@pytest.mark.parametrize("contact", [None, 2e-3])
def test_series_slab_exact(dim, contact):
    domain = slab(dim)
    problem = HeatConductionProblem(
        domain,
        K,
        {"left": Temperature(350.0), "right": Convective(25.0, 290.0)},
        contact_resistance={("a", "b"): contact} if contact else None,
    )
    solution = problem.solve()
    ref = analytic.conduction_slab(
        [0.1, 0.2], [1.5, 0.3], ("temperature", 350.0), ("convective", 25.0, 290.0), [contact or 0]
    )
    area = domain.slab.area
    assert solution.heat_flow["right"] / area == pytest.approx(ref.heat_flux, rel=1e-10)
    assert solution.heat_flow["left"] / area == pytest.approx(-ref.heat_flux, rel=1e-10)
    assert solution.balance < 1e-10
    assert problem.discontinuous == (contact is not None)
    T = solution.temperature
    if contact is None:  # nodal values (DG nodes sit on both sides of the jump)
        coords = T.function_space.tabulate_dof_coordinates()[:, 0]
        assert T.x.array == pytest.approx(ref.temperature(coords), rel=1e-12)
    else:
        # the jump across the contact equals R_c q
        assert solution.t_min == pytest.approx(float(ref.temperature(0.3)), rel=1e-12)
        jump = ref.left_temperatures[0] - ref.heat_flux * 0.1 / 1.5 - ref.left_temperatures[1]
        assert jump == pytest.approx(contact * ref.heat_flux, rel=1e-12)


def test_heat_flux_and_source():
    """Heat flux in at the left, source Q: T(0) = T_R + q L/k + Q L^2/(2k)."""
    domain = ef.layered_slab([0.4], region_names=["a"], cells_per_layer=8)
    q, Q, k = 200.0, 1.0e3, 2.0
    problem = HeatConductionProblem(
        domain,
        {"a": k},
        {"left": HeatFlux(-q), "right": Temperature(300.0)},
        source=Q,
        degree=2,
    )
    solution = problem.solve()
    expected = 300.0 + q * 0.4 / k + Q * 0.4**2 / (2 * k)
    assert solution.t_max == pytest.approx(expected, rel=1e-12)
    assert solution.heat_flow["right"] == pytest.approx(q + Q * 0.4, rel=1e-12)
    assert solution.balance < 1e-12


def test_bad_input():
    domain = slab(1)
    fixed = {"left": Temperature(350.0)}
    with pytest.raises(ef.EmcdInputError, match="conductivity of region 'b' must be"):
        HeatConductionProblem(domain, {"a": 1.0, "b": 0.0}, fixed)
    with pytest.raises(ef.EmcdInputError, match=r"no thermal conductivity for region\(s\) \['b'\]"):
        HeatConductionProblem(domain, {"a": 1.0}, fixed)
    with pytest.raises(ef.EmcdInputError, match="Did you mean 'left'"):
        HeatConductionProblem(domain, K, {"lefft": Temperature(300.0)})
    with pytest.raises(ef.EmcdInputError, match="only up to a constant"):
        HeatConductionProblem(domain, K, {"left": HeatFlux(1.0), "right": Insulated()})
    with pytest.raises(ef.AdmissibilityError, match="temperatures must be > 0 K"):
        Temperature(-5.0)
    with pytest.raises(ef.AdmissibilityError, match="ambient"):
        Convective(10.0, 0.0)
    with pytest.raises(ef.EmcdInputError, match="coefficient must be > 0"):
        Convective(0.0, 300.0)
    with pytest.raises(ef.EmcdInputError, match="contact resistance"):
        HeatConductionProblem(domain, K, fixed, contact_resistance={("a", "b"): -1.0})
    three = ef.layered_slab([0.1, 0.1, 0.1], region_names=["a", "b", "c"], cells_per_layer=2)
    with pytest.raises(ef.EmcdInputError, match="do not share an interface"):
        HeatConductionProblem(
            three, {"a": 1, "b": 1, "c": 1}, fixed, contact_resistance={("a", "c"): 1e-3}
        )
    # heat drawn out faster than the fixed temperature can supply: T < 0 somewhere
    problem = HeatConductionProblem(domain, K, {"left": Temperature(300.0), "right": HeatFlux(1e5)})
    with pytest.raises(ef.AdmissibilityError, match=r"reaches .* K <= 0"):
        problem.solve()


def test_callable_temperature_checked():
    domain = slab(2)
    with pytest.raises(ef.AdmissibilityError, match=r"'left'.*reaches"):
        HeatConductionProblem(domain, K, {"left": Temperature(lambda x: 300.0 - 1e4 * x[1])})
