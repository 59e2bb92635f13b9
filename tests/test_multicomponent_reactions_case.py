"""``[[multicomponent.reactions]]``: the case file's reactions reach the Maxwell–Stefan
model unchanged, and bad reactions are refused with their key path (issue 19 item 5)."""

import tomllib

import numpy as np
import pytest

from emcd_fem.case.base import CaseError
from emcd_fem.case.multicomponent import build_inputs, load_multicomponent
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.pipeline.run import run_case

CASE = """
[multicomponent]
species = ["A", "B", "C", "D"]

[multicomponent.regions.gas]
diffusivities = {A = {B = 2e-5, C = 1e-5, D = 4e-6}, B = {C = 3e-5, D = 1.5e-5}, C = {D = 8e-6}}
c = 40.0

[multicomponent.boundaries.left]
mole_fractions = {A = 0.4, B = 0.3, C = 0.2, D = 0.1}

[multicomponent.boundaries.right]
mole_fractions = {A = 0.1, B = 0.2, C = 0.3, D = 0.4}

[[multicomponent.reactions]]
equation = "A + B <=> C + D"
k_f = 2.0
k_b = 0.5
regions = ["gas"]
"""


def table(text=CASE):
    return tomllib.loads(text)["multicomponent"]


def _solve(mixtures, compositions, bootstrap, reactions):
    domain = layered_slab([0.01], dim=1, cells_per_layer=16, region_names=["gas"])
    model = MaxwellStefanModel(
        domain, mixtures, compositions, bootstrap, degree=2, reactions=reactions
    )
    return model.solve()


def test_case_reactions_reach_the_model():
    inputs = build_inputs(load_multicomponent(table()))
    (reaction,) = inputs.reactions
    assert (reaction.equation, reaction.k_f, reaction.k_b, reaction.regions) == (
        "A + B <=> C + D",
        2.0,
        0.5,
        ("gas",),
    )
    from_case = _solve(inputs.mixtures, inputs.compositions, inputs.bootstrap, inputs.reactions)
    direct = _solve(
        inputs.mixtures,
        inputs.compositions,
        inputs.bootstrap,
        [Reaction("A + B <=> C + D", k_f=2.0, k_b=0.5)],
    )
    # the same discrete problem (the reaction covers the only region either way): rounding
    scale = max(abs(v) for f in direct.boundary_flux.values() for v in f.values())
    for s in ("A", "B", "C", "D"):
        for b in ("left", "right"):
            assert abs(from_case.boundary_flux[s][b] - direct.boundary_flux[s][b]) < 1e-12 * scale
    # the reaction acts: A is consumed at a rate comparable to the fluxes
    assert from_case.production["A"] < -0.1 * scale
    assert np.isclose(from_case.production["A"], from_case.production["B"], rtol=1e-12)


BAD = {
    "unknown_species": (
        ('equation = "A + B <=> C + D"', 'equation = "A + B <=> C + E"'),
        "multicomponent.reactions[0].equation",
        "unknown species 'E'",
    ),
    "unknown_region": (
        ('regions = ["gas"]', 'regions = ["gaz"]'),
        "multicomponent.reactions[0].regions",
        "unknown region 'gaz'",
    ),
    "negative_k": (("k_f = 2.0", "k_f = -2.0"), "multicomponent.reactions.0.k_f", "0"),
    "surface_on_a_composition": (
        ('regions = ["gas"]', 'kind = "surface"\nboundary = "right"'),
        "multicomponent.reactions[0].boundary",
        "boundary 'right' has a prescribed composition",
    ),
    "surface_with_regions": (
        ('regions = ["gas"]', 'kind = "surface"\nboundary = "top"\nregions = ["gas"]'),
        "multicomponent.reactions[0].regions",
        "takes a boundary, not regions",
    ),
    "homogeneous_with_a_boundary": (
        ('regions = ["gas"]', 'boundary = "top"'),
        "multicomponent.reactions[0].boundary",
        'kind = "surface"',
    ),
    "arrhenius_without_T": (
        ("k_f = 2.0", "arrhenius_A = [2.0, 0.5]"),
        "multicomponent.reactions[0].arrhenius_A",
        "give multicomponent.regions.gas.T [K]",
    ),
    "not_balanced": (
        ('equation = "A + B <=> C + D"', 'equation = "A + B <=> C"'),
        "multicomponent.reactions[0].equation",
        "Σ ν_i s_i = -1",
    ),
    "backward_on_irreversible": (
        ('equation = "A + B <=> C + D"', 'equation = "A + B -> C + D"'),
        "multicomponent.reactions[0]",
        "k_b > 0",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_reactions_name_their_key(name):
    (old, new), path, text = BAD[name]
    assert old in CASE
    with pytest.raises(CaseError) as info:
        build_inputs(load_multicomponent(table(CASE.replace(old, new))))
    assert any(p == path and text in m for p, m in info.value.problems), info.value.problems


def test_unbalanced_message_names_reaction_and_the_dusty_gas_model():
    text = CASE.replace('equation = "A + B <=> C + D"', 'equation = "A <=> C + D"')
    with pytest.raises(CaseError) as info:
        build_inputs(load_multicomponent(table(text)))
    (message,) = [m for _, m in info.value.problems]
    assert "'A <=> C + D'" in message and "Σ ν_i s_i = 1" in message
    assert 'model = "dusty_gas"' in message


def test_stagnant_bootstrap_weights_the_balance():
    # B ⇌ C with C stagnant: Σ ν_i s_i = s_C = 1 ≠ 0 although Δν = 0
    text = CASE.replace(
        'species = ["A", "B", "C", "D"]',
        'species = ["A", "B", "C", "D"]\nbootstrap = "stagnant"\nstagnant_species = "C"',
    ).replace('equation = "A + B <=> C + D"', 'equation = "B <=> C"')
    with pytest.raises(CaseError, match=r"'B <=> C'.*Σ ν_i s_i = 1.*'stagnant'"):
        build_inputs(load_multicomponent(table(text)))


def _full_case(text=CASE):
    data = tomllib.loads(text)
    data["geometry"] = {
        "kind": "layered_slab",
        "dim": 1,
        "layers": [{"name": "gas", "thickness": 0.01, "cells": 16}],
    }
    data["discretisation"] = {"degree": 2}
    return data


def test_run_writes_balances_with_the_reaction_production(tmp_path):
    result = run_case(_full_case(), tmp_path / "out")
    summary = result.summary
    balance = summary["balance"]
    # Newton rtol 1e-12: each species' net outflow equals its production to ~1e-12
    for s in ("A", "B", "C", "D"):
        assert balance[s]["relative"] < 1e-9
    assert balance["A"]["production"] < 0 < balance["C"]["production"]
    assert summary["analytic"] is None  # no reaction-free film to compare with


def test_run_refuses_an_unbalanced_reaction_and_writes_nothing(tmp_path):
    text = CASE.replace('equation = "A + B <=> C + D"', 'equation = "A + B <=> C"')
    with pytest.raises(CaseError, match=r"multicomponent.reactions\[0\].equation"):
        run_case(_full_case(text), tmp_path / "out")
    assert not (tmp_path / "out").exists()


WALL_CASE = """
[multicomponent]
species = ["A", "B", "C"]

[multicomponent.regions.gas]
diffusivities = {A = {B = 2e-5, C = 1e-5}, B = {C = 3e-5}}
c = 40.0
T = 450.0

[multicomponent.boundaries.left]
mole_fractions = {A = 0.6, B = 0.1, C = 0.3}

[[multicomponent.reactions]]
equation = "A <=> B"
kind = "surface"
boundary = "right"
arrhenius_A = [4.2, 1.5]
activation_energy = [2.0e4, 3.0e4]
"""


def test_wall_reaction_with_arrhenius_runs_from_a_case(tmp_path):
    result = run_case(_full_case(WALL_CASE), tmp_path / "out")
    summary = result.summary
    assert summary["status"] == "ok", summary["failures"]
    q = summary["boundary_flux"]
    # the same model built directly, its constants k = A exp(−E/(R T)) worked out here
    from emcd_fem.constants import GAS_CONSTANT

    k_f, k_b = (a * np.exp(-e / (GAS_CONSTANT * 450.0)) for a, e in ((4.2, 2e4), (1.5, 3e4)))
    inputs = build_inputs(load_multicomponent(table(WALL_CASE)))
    wall = Reaction("A <=> B", kind="surface", boundary="right", k_f=k_f, k_b=k_b)
    direct = _solve(inputs.mixtures, inputs.compositions, inputs.bootstrap, [wall])
    scale = abs(direct.boundary_flux["A"]["left"])
    assert scale > 0
    for s in ("A", "B", "C"):
        for b in ("left", "right"):
            # Newton to rtol 1e-12 on the same discrete problem: rounding only
            assert abs(q[s][b] - direct.boundary_flux[s][b]) < 1e-10 * scale
    # inflow of A = its consumption at the wall (the balance the run reports)
    assert q["A"]["left"] < 0 and abs(q["A"]["left"] + q["A"]["right"]) < 1e-10 * scale


def test_wall_reaction_on_an_unknown_boundary_is_refused_with_its_key(tmp_path):
    text = WALL_CASE.replace('boundary = "right"', 'boundary = "rigth"')
    with pytest.raises(CaseError) as info:
        run_case(_full_case(text), tmp_path / "out")
    assert any(
        p == "multicomponent.reactions[0].boundary" and "'right'" in m
        for p, m in info.value.problems
    ), info.value.problems
    assert not (tmp_path / "out").exists()


_GEOMETRY = """
[geometry]
kind = "layered_slab"
dim = 1
layers = [{ name = "gas", thickness = 0.01, cells = 16 }]
"""

# bootstrap → (the [multicomponent] lines, the equation, the reason the refusal must give)
BOOTSTRAP_REFUSALS = {
    "stagnant": (
        'bootstrap = "stagnant"\nstagnant_species = "C"',
        "B <=> C",
        "under bootstrap = 'stagnant' species 'C' does not move",
    ),
    "graham": (
        'bootstrap = "graham"\nmolar_masses = {A = 0.002, B = 0.028, C = 0.044, D = 0.032}',
        "B <=> C",
        "under bootstrap = 'graham' (Graham's law Σ √M_i N_i = 0) a reaction must keep "
        "Σ √M_i s_i = 0",
    ),
    "flux_ratios": (
        'bootstrap = "flux_ratios"\nflux_ratios = {A = 1, B = 1, C = 2, D = 1}',
        "B <=> C",
        "under bootstrap = 'flux_ratios' (Σ ν_i N_i = 0 with A = 1, B = 1, C = 2, D = 1)",
    ),
    "zero_net_flux": ("", "B <=> C + D", "under bootstrap = 'zero_net_flux' (Σ N_i = 0)"),
}


@pytest.mark.parametrize("bootstrap", sorted(BOOTSTRAP_REFUSALS))
def test_bootstrap_refusal_gives_its_own_reason_with_file_and_key(bootstrap, tmp_path, capsys):
    # the refusal of a reaction that breaks the bootstrap used to quote the zero-net-flux
    # reason under every bootstrap, and (found only when the model inputs were built) named
    # no file: now checked with the case, with the chosen bootstrap's reason
    from emcd_fem import cli

    lines, equation, reason = BOOTSTRAP_REFUSALS[bootstrap]
    text = CASE.replace(
        'species = ["A", "B", "C", "D"]', f'species = ["A", "B", "C", "D"]\n{lines}'
    )
    text = _GEOMETRY + text.replace('equation = "A + B <=> C + D"', f'equation = "{equation}"')
    path = tmp_path / "bad_bootstrap.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(path), "--out", str(out)]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert str(path) in err and "multicomponent.reactions[0].equation" in err, err
    assert f"reaction '{equation}'" in err and reason in err, err
    if bootstrap != "zero_net_flux":
        assert "zero net flux" not in err and "Σ N_i = 0" not in err, err
    assert "Traceback" not in err
    assert not out.exists()


_TWO_LAYERS = """
[geometry]
kind = "layered_slab"
dim = 1
layers = [
  { name = "a", thickness = 0.005, cells = 8 },
  { name = "b", thickness = 0.005, cells = 8 }]

[multicomponent]
species = ["A", "B", "C"]

[multicomponent.regions.a]
diffusivities = {A = {B = 2e-5, C = 1e-5}, B = {C = 3e-5}}
c = 40.0

[multicomponent.regions.b]
diffusivities = {A = {B = 2e-5, C = 1e-5}, B = {C = 3e-5}}
c = 40.0

[multicomponent.boundaries.left]
mole_fractions = {A = 0.6, B = 0.1, C = 0.3}

[[multicomponent.reactions]]
equation = "A <=> B"
kind = "surface"
boundary = "NAME"
k_f = 0.01
"""


@pytest.mark.parametrize("name", ["a|b", "b|a"])
def test_reaction_on_an_interface_is_refused_in_either_orientation(name, tmp_path, capsys):
    # n-species reactions act in regions or on walls; an interface name (either order) was
    # "not a boundary of the geometry" with only the walls listed
    from emcd_fem import cli

    path = tmp_path / "iface.toml"
    path.write_text(_TWO_LAYERS.replace("NAME", name), encoding="utf-8")
    assert cli.main(["check", str(path)]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert "has 1 problem(s)" in err and "multicomponent.reactions[0].boundary" in err, err
    assert f"{name!r} is the internal interface 'a|b'" in err and "binary only" in err, err
