"""Transient runs of every steady combination reach the steady model's answer.

Each case starts from a uniform state, marches with adaptive BDF2 until the change rate is
below 1e-10 1/s, and is compared with (a) ``SpeciesTransportModel.solve()`` on the same
mesh — the same discrete steady problem, so only the steady-state tolerance remains
(asserted 1e-7 relative) — and (b) the 1D references of tests/composition_reference.py
for the richest combination (P1 on 16 + 24 cells: observed 4.4e-6 relative, asserted
1e-5; the steady tolerance contributes < 1e-7).
The balance d(inventory)/dt + Σq − ∫R closes to round-off at every step.
"""

import pytest
import ufl
from composition_reference import Layer, reference_fluxes

import emcd_fem as ef
from emcd_fem.models.march import TimeSettings, march
from emcd_fem.models.thermal import HeatConductionProblem, Temperature
from emcd_fem.models.transient import TransientModel
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.solvers.time_stepping import StepControl

A = Layer(0.4, c=2.0, D=1.0, soret=0.01, k=1.0)
B = Layer(0.6, c=1.0, D=0.5, soret=-0.006, k=0.5)
MATS = {"a": ef.Material(1.0, 2.0), "b": ef.Material(0.5, 1.0)}
BCS = {"left": ef.MoleFraction(0.8), "right": ef.MoleFraction(0.2)}
SORET = {"a": 0.01, "b": -0.006}
K, FILM, RC, R = 0.5, 3.0, 0.2, 0.1


def _slab(dim=1):
    return ef.layered_slab([0.4, 0.6], region_names=["a", "b"], dim=dim, cells_per_layer=[16, 24])


def _partition_prescribed(domain):
    x = ufl.SpatialCoordinate(domain.mesh)
    return SpeciesTransportModel(
        domain,
        MATS,
        BCS,
        partitions={("a", "b"): K},
        temperature=300 + 100 * x[0],
        soret=SORET,
    )


def _richest(domain):
    heat = HeatConductionProblem(
        domain,
        {"a": A.k, "b": B.k},
        {"left": Temperature(300.0), "right": Temperature(400.0)},
        contact_resistance={("a", "b"): RC},
    )
    return SpeciesTransportModel(
        domain,
        MATS,
        BCS,
        films={("a", "b"): FILM},
        partitions={("a", "b"): K},
        source=R,
        temperature=heat,
        soret=SORET,
    )


def _march_to_steady(model):
    transient = TransientModel(model, scheme="bdf2")
    for u in model.potentials:
        u.x.array[:] = 0.3
    state = transient.initial_state(0.0, 1e-4)
    settings = TimeSettings(
        0.0,
        1e5,
        1e-4,
        adaptive=True,
        control=StepControl(rtol=1e-5, atol=1e-7, dt_max=50.0),
        stop_at_steady_state=True,
        steady_tolerance=1e-10,
    )
    assert march(transient, state, settings) == "steady_state"
    return state


@pytest.mark.parametrize("build", [_partition_prescribed, _richest])
def test_transient_reaches_the_steady_model(build):
    state = _march_to_steady(build(_slab()))
    last = state.records[-1]
    steady = build(_slab()).solve()
    for name, q in steady.boundary_flux.items():
        assert last.boundary_flux[name] == pytest.approx(q, rel=1e-7)
    for r in state.records:
        scale = sum(abs(q) for q in r.boundary_flux.values()) + abs(r.production)
        assert abs(r.balance) < 1e-9 * scale


def test_richest_transient_matches_1d_reference():
    ref = reference_fluxes(
        (A, B), 0.8, 0.2, partition=K, film=FILM, source=R, temperature=(300.0, 400.0, RC)
    )
    last = _march_to_steady(_richest(_slab())).records[-1]
    for side in ("left", "right"):
        assert last.boundary_flux[side] == pytest.approx(ref[side], rel=1e-5)
