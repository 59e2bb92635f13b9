"""Transient temperature: ρ c_p ∂T/∂t − ∇·(k∇T) = Q marched with the species (issue 18).

The heat equation is the species equation with diffusivity α = k/(ρ c_p) and "concentration"
ρ c_p: the Fourier series of ``emcd_fem.analytic.transient`` is its exact slab solution
(T ↔ x, k = ρ c_p α ↔ c D, heat flux ↔ molar flux).
"""

import math

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem.analytic.transient import slab_fourier, slab_fourier_flux
from emcd_fem.errors import EmcdInputError
from emcd_fem.models.march import TimeSettings, march
from emcd_fem.models.thermal import HeatConductionProblem, HeatFlux, Temperature
from emcd_fem.models.transient import TransientModel
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.solvers.time_stepping import StepControl

K, RC, L, T0, T1 = 2.0, 4.0, 1.0, 300.0, 350.0  # W/(m K), J/(m^3 K), m, K, K
ALPHA = K / RC  # thermal diffusivity [m^2/s]
TIMES = [f * L**2 / ALPHA for f in (0.005, 0.02, 0.1)]  # Fourier numbers α t / L²
X = 0.3


def _models(cells, heat_bcs, *, soret=0.0, source=0.0, dim=1, x_bcs=None):
    domain = ef.layered_slab([L], region_names=["s"], dim=dim, cells_per_layer=cells)
    heat = HeatConductionProblem(domain, {"s": K}, heat_bcs, source=source)
    x_bcs = x_bcs or {"left": ef.MoleFraction(X), "right": ef.MoleFraction(X)}
    model = SpeciesTransportModel(
        domain, {"s": ef.Material(0.5, 2.0)}, x_bcs, temperature=heat, soret={"s": soret}
    )
    return domain, heat, model


def heat_slab_run(cells, dt, t_end, scheme, *, outputs=()):
    """Slab at T0, both ends at T1 from t = 0; returns (records, {t: (z, T)}, model)."""
    _, _, model = _models(cells, {"left": Temperature(T1), "right": Temperature(T1)})
    transient = TransientModel(model, scheme=scheme, heat_capacity={"s": RC})
    model.potentials[0].x.array[:] = X
    transient.heat.set_initial(T0, 0.0)
    state = transient.initial_state(0.0, dt)
    profiles = {}

    def keep(record, at_output):
        if at_output:
            T = model.temperature
            n = T.function_space.dofmap.index_map.size_local
            z = T.function_space.tabulate_dof_coordinates()[:n, 0]
            profiles[record.t] = (z.copy(), T.x.array[:n].copy())

    march(transient, state, TimeSettings(0.0, t_end, dt, output_times=outputs), on_step=keep)
    return state.records, profiles, model


def _reference_flow(t):
    # outward heat flux at either end [W/m^2] (1D: the flow is the flux)
    return slab_fourier_flux(
        t, length=L, diffusivity=ALPHA, concentration=RC, x_initial=T0, x_ends=T1
    )


def test_heat_slab_profiles_and_flows_vs_fourier():
    errors = {}
    for cells, dt in ((200, 1e-3), (400, 5e-4)):
        records, profiles, model = heat_slab_run(cells, dt, TIMES[-1], "bdf2", outputs=TIMES)
        errors[cells] = []
        for t in TIMES:
            z, T = profiles[t]
            exact = slab_fourier(z, t, length=L, diffusivity=ALPHA, x_initial=T0, x_ends=T1)
            errors[cells].append(float(np.abs(T - exact).max()) / (T1 - T0))
        flows = {r.t: r.heat_flow for r in records}
        flow_errors = [abs(flows[t]["left"] / _reference_flow(t) - 1) for t in TIMES]
        # the energy balance is the solve's own residual: round-off of LU (relative 1e-10)
        scale = max(abs(q) for r in records for q in r.heat_flow.values())
        assert max(abs(r.heat_balance) for r in records) < 1e-10 * scale
        assert all(
            r.heat_flow["left"] == pytest.approx(r.heat_flow["right"], rel=1e-9) for r in records
        )
        # the species is uniform and stays so (S_T = 0): T does not act on it here
        assert np.abs(model.potentials[0].x.array - X).max() < 1e-12
    # the same PDE as tests/test_transient.py's species slab: the same error levels
    # (relative to the jump T1 − T0; species test: 2.2e-4, 1.2e-5, 1.1e-6 at ~2x)
    assert errors[400] < [2 * 2.2e-4, 2 * 1.2e-5, 2 * 1.1e-6]
    assert all(a / b > 3 for a, b in zip(errors[200], errors[400], strict=True))
    assert flow_errors < [6e-4, 4e-5, 5e-6]


@pytest.mark.parametrize(("scheme", "order"), [("bdf1", 1), ("bdf2", 2)])
def test_heat_temporal_order(scheme, order):
    t_end = TIMES[-1]
    flows = []
    for steps in (20, 40, 80):
        records, _, _ = heat_slab_run(200, t_end / steps, t_end, scheme)
        assert len(records) == steps
        flows.append(records[-1].heat_flow["left"])
    observed = math.log2(abs(flows[0] - flows[1]) / abs(flows[1] - flows[2]))
    assert observed == pytest.approx(order, abs=0.15)
    # and towards the Fourier value at the same rate (the spatial error on 200 cells is
    # far below): observed 2.5e-2, 1.3e-2, 6.3e-3 (BDF1) and 8.4e-4, 2.1e-4, 5.3e-5 (BDF2)
    errors = [abs(q / _reference_flow(t_end) - 1) for q in flows]
    assert math.log2(errors[1] / errors[2]) == pytest.approx(order, abs=0.15)
    assert errors[-1] < [8e-3, 7e-5][order - 1]


@pytest.mark.parametrize("scheme", ["bdf1", "bdf2"])
def test_time_and_space_dependent_thermal_data_exact(scheme):
    # T = T0 + b t + g x solves ρ c_p b − k·0 = Q with Q = ρ c_p b: linear in t and x,
    # so P1 and both BDFs reproduce it to round-off; the left temperature is f(x, t), the
    # right boundary an outward heat flux −k g given as f(x, t)
    b, g = 2.0, 10.0
    exact = lambda x, t: T0 + b * t + g * x[0]  # noqa: E731
    bcs = {"left": Temperature(T0), "right": HeatFlux(0.0)}
    _, _, model = _models(20, bcs, source=RC * b)
    values = {"left": exact, "right": lambda x, t: -K * g + 0 * x[0]}
    transient = TransientModel(
        model, scheme=scheme, heat_capacity={"s": RC}, temperature_values=values
    )
    model.potentials[0].x.array[:] = X
    transient.heat.set_initial(lambda x: exact(x, 0.0), 0.0)
    state = transient.initial_state(0.0, 0.5)
    march(transient, state, TimeSettings(0.0, 4.0, 0.5))
    T = model.temperature
    coords = T.function_space.tabulate_dof_coordinates().T
    assert np.abs(T.x.array - exact(coords, 4.0)).max() < 1e-9
    last = state.records[-1]
    assert last.heat_flow["left"] == pytest.approx(K * g, rel=1e-9)  # q·n = −k g·(−1)
    assert last.heat_flow["right"] == pytest.approx(-K * g, rel=1e-12)
    assert last.heat_energy == pytest.approx(RC * (T0 + b * 4.0 + g * L / 2) * L, rel=1e-12)


def test_steady_start_stays_steady():
    _, heat, model = _models(20, {"left": Temperature(T0), "right": Temperature(T1)})
    steady = heat.solve()
    transient = TransientModel(model, scheme="bdf2", heat_capacity={"s": RC})
    model.potentials[0].x.array[:] = X
    transient.heat.set_initial("steady", 0.0)
    state = transient.initial_state(0.0, 0.1)
    march(transient, state, TimeSettings(0.0, 1.0, 0.1))
    for record in state.records:
        for name, q in steady.heat_flow.items():
            assert record.heat_flow[name] == pytest.approx(q, rel=1e-10)
        assert record.change_rate < 1e-10


def test_transient_soret_reaches_the_steady_soret_run():
    # T and x_A marched from a uniform start to the steady state: the species flows then
    # equal the steady Soret run's (both Newton to 1e-12 on the same mesh; the rest of
    # ∂/∂t at the stop, change rate < 1e-11 1/s, is far below the asserted 1e-8)
    heat_bcs = {"left": Temperature(T0), "right": Temperature(T1)}
    x_bcs = {"left": ef.MoleFraction(0.8), "right": ef.MoleFraction(0.2)}
    _, _, steady_model = _models(40, heat_bcs, soret=0.02, x_bcs=x_bcs)
    steady = steady_model.solve()
    _, _, model = _models(40, heat_bcs, soret=0.02, x_bcs=x_bcs)
    transient = TransientModel(model, scheme="bdf2", heat_capacity={"s": RC})
    model.potentials[0].x.array[:] = 0.5
    transient.heat.set_initial(T0, 0.0)
    state = transient.initial_state(0.0, 1e-3)
    settings = TimeSettings(
        0.0,
        1e4,
        1e-3,
        adaptive=True,
        control=StepControl(rtol=1e-6, atol=1e-8),
        stop_at_steady_state=True,
        steady_tolerance=1e-11,
    )
    reason = march(transient, state, settings)
    assert reason == "steady_state"
    last = state.records[-1]
    for name, q in steady.boundary_flux.items():
        assert last.boundary_flux[name] == pytest.approx(q, rel=1e-8)
    for name, q in steady.heat.heat_flow.items():
        assert last.heat_flow[name] == pytest.approx(q, rel=1e-8)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"heat_capacity": {"s": -1.0}}, r"heat capacity of region 's' must be .* > 0"),
        ({"heat_capacity": {"s": float("nan")}}, "must be a finite number"),
        ({"heat_capacity": {"nowhere": 1.0}}, "nowhere"),
        ({"temperature_values": {"left": lambda x, t: 300.0 + 0 * x[0]}}, "need a heat capacity"),
    ],
)
def test_bad_heat_capacity(kwargs, match):
    _, _, model = _models(10, {"left": Temperature(T0), "right": Temperature(T1)})
    with pytest.raises(EmcdInputError, match=match):
        TransientModel(model, **kwargs)


def test_heat_capacity_needs_every_region_and_a_solved_temperature():
    domain = ef.layered_slab([0.5, 0.5], region_names=["a", "b"], cells_per_layer=5)
    heat = HeatConductionProblem(
        domain, {"a": K, "b": K}, {"left": Temperature(T0), "right": Temperature(T1)}
    )
    materials = {"a": ef.Material(0.5, 2.0), "b": ef.Material(0.5, 2.0)}
    x_bcs = {"left": ef.MoleFraction(0.8), "right": ef.MoleFraction(0.2)}
    model = SpeciesTransportModel(domain, materials, x_bcs, temperature=heat)
    with pytest.raises(
        EmcdInputError, match=r"no volumetric heat capacity for region\(s\) \['b'\]"
    ):
        TransientModel(model, heat_capacity={"a": RC})
    prescribed = SpeciesTransportModel(domain, materials, x_bcs, temperature=320.0)
    with pytest.raises(EmcdInputError, match="needs a solved temperature"):
        TransientModel(prescribed, heat_capacity={"a": RC, "b": RC})


def test_initial_temperature_must_be_set():
    _, _, model = _models(10, {"left": Temperature(T0), "right": Temperature(T1)})
    transient = TransientModel(model, heat_capacity={"s": RC})
    with pytest.raises(EmcdInputError, match=r"heat\.set_initial"):
        transient.initial_state(0.0, 0.1)
    with pytest.raises(EmcdInputError, match="initial temperature reaches -5 K"):
        transient.heat.set_initial(-5.0, 0.0)
