"""Interface reactions from case files: ``demos/interface_reaction.toml`` runs to its closed
form; bad input exits 2 with the culprit named and nothing written; a balance that does not
close with the interface term does not exit 0.

Reference: ``analytic.reactions.interface_reaction_slab`` (piecewise-linear profile, exact
for P1 with the interface on nodes: fluxes to solver round-off, 1e-10 of the inflow).
"""

import json
import math
from pathlib import Path

import pytest

from emcd_fem import cli
from emcd_fem.analytic.reactions import interface_reaction_slab

DEMOS = Path(__file__).resolve().parents[1] / "demos"
TEXT = (DEMOS / "interface_reaction.toml").read_text()
WIDTH = 1e-3  # the demo's width [m]: 2D fluxes are per unit depth


def _exact():
    return interface_reaction_slab(
        (2e-3, 0.5e-3),
        (2e-5, 5e-6),
        (40.0, 20.0),
        0.8,
        0.05,
        k_s=0.01,
        x_eq=0.2,
        kappa=0.25 * 40.0 / 20.0,  # κ = K c_support/c_skin
        side="a",
    )


def test_interface_reaction_demo_runs_to_the_closed_form(tmp_path):
    out = tmp_path / "out"
    assert cli.main(["run", str(DEMOS / "interface_reaction.toml"), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    ref = _exact()
    scale = ref.flux_1 * WIDTH
    q = summary["boundary_flux"]
    assert abs(-q["left"] - ref.flux_1 * WIDTH) < 1e-10 * scale
    assert abs(q["right"] - ref.flux_2 * WIDTH) < 1e-10 * scale
    reactions = summary["reactions"]
    consumed = reactions["interface_flux"]["support|skin"]
    assert abs(consumed - ref.consumption * WIDTH) < 1e-10 * scale
    assert q["support|skin"] == consumed  # listed with the fluxes: the balance counts it
    assert reactions["interfaces"] == {"support|skin": "support"}
    assert reactions["reactions"][0]["side"] == "support"
    assert math.isclose(reactions["conversion"], ref.consumption / ref.flux_1, rel_tol=1e-10)
    # inflow − outflow = consumption at the interface, to round-off
    assert summary["balance"]["relative"] < 1e-10
    assert summary["status"] == "ok"


BAD = {
    "not_mole_balanced": (
        TEXT.replace('"A <=> B"', '"A -> 2 B"').replace("k_b = 0.002", ""),
        "reactions[0].equation",
    ),
    "missing_side": (TEXT.replace('side = "support"\n', ""), "reactions[0].side"),
    "unknown_side": (TEXT.replace('side = "support"', 'side = "core"'), "reactions[0].side"),
    "not_an_interface": (
        TEXT.replace('boundary = "support|skin"', 'boundary = "support|skn"'),
        "not a boundary or interface",
    ),
    "condition_on_the_interface": (
        TEXT + '\n[boundaries."support|skin"]\ntype = "mole_fraction"\nvalue = 0.3\n',
        "boundaries.support|skin",
    ),
    "side_on_a_wall": (
        TEXT.replace('boundary = "support|skin"', 'boundary = "top"'),
        "reactions[0].side",
    ),
    "unequal_c_without_side": (  # no [[interfaces]] entry: x_A continuous, c is not
        TEXT.replace('side = "support"\n', "").replace("partition = 0.25", "film = 1.0"),
        "reactions[0].side",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_interface_reaction_exits_2_and_writes_nothing(name, tmp_path, capsys):
    text, culprit = BAD[name]
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = cli.main(["run", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_INVALID, err
    assert culprit in err, err
    assert "Traceback" not in err
    assert not out.exists()


def test_unequal_c_on_a_continuous_interface_needs_a_side(tmp_path, capsys):
    # no [[interfaces]] entry: x_A is continuous but c is not (40 vs 20 mol/m^3), and the
    # mass-action rate k c x_A uses c: the model refuses, naming the reaction and the sides
    text = TEXT.replace('side = "support"\n', "")
    text = text.replace('[[interfaces]]\nmaterials = ["support", "skin"]\npartition = 0.25\n', "")
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = cli.main(["run", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_INVALID, err
    assert "c differs there" in err and "side = 'skin'" in err, err
    assert not out.exists()


def test_a_balance_without_the_interface_term_does_not_exit_0(tmp_path, monkeypatch, capsys):
    # drop the interface's consumption from what the model reports: the run's balance check
    # must then fail (it is the check that counts the interface) and the exit code say so
    from emcd_fem.models.reacting import ReactionTerms

    report = ReactionTerms.report

    def without_interfaces(self, *args, **kwargs):
        result = report(self, *args, **kwargs)
        result["interface_flux"] = dict.fromkeys(result["interface_flux"], 0.0)
        return result

    monkeypatch.setattr(ReactionTerms, "report", without_interfaces)
    out = tmp_path / "out"
    code = cli.main(["run", str(DEMOS / "interface_reaction.toml"), "--out", str(out)])
    assert code != 0
    assert "species balance does not close" in capsys.readouterr().err


def test_reaction_on_the_interface_of_inclusions_closes_the_balance(tmp_path):
    # a gmsh mesh (curved order-2 cells, P2) and a second-order rate (Newton) on the
    # inclusion's surface: no closed form, but inflow − outflow = consumption must hold to
    # the Newton tolerance (relative residual 1e-12 → 1e-10 of the inflow) and A is consumed
    text = (DEMOS / "effective_square_array.toml").read_text()
    text = text.replace("[analysis]\neffective_diffusivity = true\n", "")
    text += (
        '\n[[reactions]]\nequation = "2 A <=> 2 B"\nkind = "surface"\n'
        'boundary = "interface"\nk_f = 1.0e-6\nk_b = 2.0e-7\n'
    )
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(path), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    q = summary["boundary_flux"]
    consumed = summary["reactions"]["interface_flux"]["interface"]
    assert consumed > 0.1 * -q["left"]  # a real sink: a quarter of the inflow here
    assert abs(-q["left"] - q["right"] - consumed) < 1e-10 * -q["left"]
    assert summary["balance"]["relative"] < 1e-10


def test_transient_run_reaches_the_steady_closed_form(tmp_path):
    # the demo with a film instead of the partition (a uniform start needs one level per
    # block) marched from x_A = 0 to its steady state: the interface is in every step's
    # balance and in time_series.csv, and the final fluxes are the closed form's (the
    # steady-state stop at a change rate of 1e-12/s leaves ~1e-12 relative; 1e-9 allowed)
    text = TEXT.replace("partition = 0.25", "film = 0.5") + (
        '\n[time]\nt_end = 100.0\ndt = 1e-3\nscheme = "bdf2"\nadaptive = true\nrtol = 1e-4\n'
        "atol = 1e-6\ndt_max = 50.0\ninitial = 0.0\nstop_at_steady_state = true\n"
        "steady_tolerance = 1e-12\n"
    )
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(path), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["transient"]["steady_state"]
    assert summary["transient"]["max_relative_imbalance"] < 1e-10
    ref = interface_reaction_slab(
        (2e-3, 0.5e-3), (2e-5, 5e-6), (40.0, 20.0), 0.8, 0.05, k_s=0.01, x_eq=0.2, film=0.5
    )
    scale = ref.flux_1 * WIDTH
    q = summary["boundary_flux"]
    assert abs(-q["left"] - ref.flux_1 * WIDTH) < 1e-9 * scale
    assert abs(q["support|skin"] - ref.consumption * WIDTH) < 1e-9 * scale
    assert abs(summary["reactions"]["interface_flux"]["support|skin"] - q["support|skin"]) < (
        1e-12 * scale
    )
    header = (out / "time_series.csv").read_text().splitlines()[0]
    assert "flux_support|skin [mol/(m s)]" in header  # 2D: per unit depth


@pytest.mark.parametrize("demo", ["interface_reaction.toml", "reacting_slab.toml"])
def test_check_shows_no_non_reacting_flux_for_a_reacting_case(demo, capsys):
    # the 1D slab references know no reactions: `emcd check` used to show the non-reacting
    # flux (0.0 for the closed catalyst half-slab, whose true inflow is 0.0176 mol/(m^2 s))
    assert cli.main(["check", str(DEMOS / demo), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["report"]
    assert "analytic_flux_per_area" not in report and "analytic_rate" not in report


def test_a_repeated_species_runs_as_its_summed_coefficient(tmp_path):
    # 'A + A <=> B + B' used to be refused (A twice on one side); it is '2 A <=> 2 B' and
    # must give the same run (the same forms: equal to round-off, 1e-14 of the inflow)
    fluxes = []
    for equation in ("2 A <=> 2 B", "A + A <=> B + B"):
        path = tmp_path / f"{equation.count('+')}.toml"
        path.write_text(TEXT.replace('"A <=> B"', f'"{equation}"'), encoding="utf-8")
        out = tmp_path / f"out{equation.count('+')}"
        assert cli.main(["run", str(path), "--out", str(out)]) == 0
        fluxes.append(json.loads((out / "summary.json").read_text())["boundary_flux"])
    scale = abs(fluxes[0]["left"])
    assert fluxes[0].keys() == fluxes[1].keys()
    assert all(abs(fluxes[0][k] - fluxes[1][k]) < 1e-14 * scale for k in fluxes[0])


def test_reversed_interface_name_runs_as_the_geometry_names_it(tmp_path):
    # 'skin|support' for the geometry's 'support|skin' used to be "not a boundary or
    # interface" plus a follow-on error on side; it is the same interface (side decides)
    text = TEXT.replace('boundary = "support|skin"', 'boundary = "skin|support"')
    assert text != TEXT
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(path), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    ref = _exact()
    scale = ref.flux_1 * WIDTH  # the closed form, exact for P1: 1e-10 as the demo's test
    assert abs(-summary["boundary_flux"]["left"] - ref.flux_1 * WIDTH) < 1e-10 * scale
    consumed = summary["reactions"]["interface_flux"]["support|skin"]
    assert abs(consumed - ref.consumption * WIDTH) < 1e-10 * scale
    assert summary["reactions"]["interfaces"] == {"support|skin": "support"}


def test_reversed_interface_name_with_a_bad_side_gives_one_problem(tmp_path, capsys):
    text = TEXT.replace('boundary = "support|skin"', 'boundary = "skin|support"')
    path = tmp_path / "case.toml"
    path.write_text(text.replace('side = "support"', 'side = "core"'), encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(path), "--out", str(out)]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert "has 1 problem(s)" in err and "reactions[0].side" in err, err
    assert "'core' is not a side of 'support|skin'" in err, err
    assert not out.exists()


FLUX_ONLY = TEXT.replace(
    '[boundaries.left]\ntype = "mole_fraction"\nvalue = 0.8',
    '[boundaries.left]\ntype = "flux"\nvalue = -1.0e-3',
).replace(
    '[boundaries.right]\ntype = "mole_fraction"\nvalue = 0.05',
    '[boundaries.right]\ntype = "zero_flux"',
)


def test_flux_only_case_with_a_first_order_interface_reaction_runs(tmp_path):
    # every boundary prescribes a flux: the reversible first-order rate fixes x_A (it used
    # to be refused as if the data had to feed the reaction exactly). All of the feed
    # q = 1e-3 mol/(m^2 s) is consumed at the interface, so on the rate's side (support)
    # x_s = x_eq + q/(c_s k_s) = 0.2 + 1e-3/(40·0.01) = 0.2025; the skin is uniform at
    # κ x_s (κ = K c_support/c_skin = 0.5) and x(0) = x_s + q L_1/(c D) = 0.205. P1 with
    # the interface on nodes is exact: 1e-12.
    assert FLUX_ONLY.count('"flux"') == 1 and '"zero_flux"' in FLUX_ONLY
    path = tmp_path / "case.toml"
    path.write_text(FLUX_ONLY, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(path), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    q = 1e-3 * WIDTH
    assert abs(summary["reactions"]["interface_flux"]["support|skin"] - q) < 1e-12 * q
    x_s = 0.2 + 1e-3 / (40.0 * 0.01)
    assert abs(summary["x_max"] - (x_s + 1e-3 * 2e-3 / (40.0 * 2e-5))) < 1e-12
    assert abs(summary["x_min"] - 0.5 * x_s) < 1e-12
    assert summary["status"] == "ok" and summary["balance"]["relative"] < 1e-10


FLUX_ONLY_BAD = {
    "second_order": (
        FLUX_ONLY.replace('"A <=> B"', '"2 A <=> 2 B"'),
        "reactions[0]: every boundary prescribes a flux, and reaction '2 A <=> 2 B' is not "
        "first order",
    ),
    "inventory": (
        FLUX_ONLY.replace(
            "[[reactions]]", "[physics]\ninventory_mole_fraction = 0.3\n\n[[reactions]]"
        ),
        "physics.inventory_mole_fraction: every boundary prescribes a flux, but the "
        "first-order [[reactions]] fix x_A",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(FLUX_ONLY_BAD))
def test_flux_only_case_refusals_give_the_reason(name, tmp_path, capsys):
    text, message = FLUX_ONLY_BAD[name]
    path = tmp_path / "flux_only.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(path), "--out", str(out)]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert str(path) in err and message in err, err
    assert "feed the reaction exactly" not in err
    assert not out.exists()
