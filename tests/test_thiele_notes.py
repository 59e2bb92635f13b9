"""The reaction report says why the Thiele modulus or η is missing (no silent gap).

φ and η are defined for first-order kinetics with one rate constant per region and a
surface state held on the region's mole-fraction faces (``models.reacting``); for any
other kinetics the summary names the region and the reason in ``thiele_not_computed``.
"""

import math

from dolfinx import fem

import emcd_fem as ef
from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.models.transport import SpeciesTransportModel

L, C, D = 1e-3, 40.0, 1e-5


def _report(bcs, reactions, **kw):
    domain = ef.layered_slab([L], region_names=["cat"], cells_per_layer=10)
    model = SpeciesTransportModel(
        domain, {"cat": ef.Material(D, C)}, bcs, reactions=reactions, **kw
    )
    return model.solve().reactions, domain


def test_first_order_has_thiele_and_no_note():
    report, _ = _report({"left": ef.MoleFraction(0.9)}, [Reaction("A <=> B", k_f=50.0, k_b=20.0)])
    assert set(report["thiele"]) == {"cat"}
    assert report["thiele_not_computed"] == {}
    assert report["thiele"]["cat"]["eta_observed"] is not None
    assert "eta_note" not in report["thiele"]["cat"]


def test_second_order_says_why():
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
    report, _ = _report(bcs, [Reaction("2 A <=> 2 B", k_f=40.0, k_b=10.0)])
    assert report["thiele"] == {}
    assert "not first order" in report["thiele_not_computed"]["cat"]
    assert "2 A <=> 2 B" in report["thiele_not_computed"]["cat"]


def test_arrhenius_says_why():
    T = 500.0
    arr = Reaction(
        "A <=> B",
        arrhenius_A=(50.0 / math.exp(-2e4 / (GAS_CONSTANT * T)), 1.0),
        activation_energy=(2e4, 0.0),
    )
    domain = ef.layered_slab([L], region_names=["cat"], cells_per_layer=10)
    field = fem.Function(fem.functionspace(domain.mesh, ("Lagrange", 1)))
    field.x.array[:] = T
    model = SpeciesTransportModel(
        domain,
        {"cat": ef.Material(D, C)},
        {"left": ef.MoleFraction(0.9)},
        reactions=[arr],
        temperature=field,
    )
    report = model.solve().reactions
    assert "Arrhenius" in report["thiele_not_computed"]["cat"]


def test_no_mole_fraction_face_and_two_surface_states_say_why():
    robin = {"left": ef.MassTransfer(1e-3, 0.9)}  # x_A not held anywhere
    report, _ = _report(robin, [Reaction("A <=> B", k_f=50.0, k_b=20.0)])
    assert "no mole_fraction boundary" in report["thiele_not_computed"]["cat"]
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.5)}
    report, _ = _report(bcs, [Reaction("A <=> B", k_f=50.0, k_b=20.0)])
    info = report["thiele"]["cat"]
    assert info["eta_observed"] is None and "different values" in info["eta_note"]
