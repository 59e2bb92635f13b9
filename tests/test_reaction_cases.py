"""Reactions from case files: the demos run to their closed forms; bad input exits 2.

References: ``demos/reacting_slab.toml`` (isomerization half-slab: the cosh profile's flux
and η = tanh φ/φ) and ``demos/stefan_film.toml`` (Stefan closed form, ν = 2).
"""

import json
import math
import tomllib
from pathlib import Path

import pytest

from emcd_fem import cli
from emcd_fem.analytic.reactions import stefan_flux
from emcd_fem.case import load_case
from emcd_fem.pipeline.run import run_case

ROOT = Path(__file__).resolve().parents[1]
DEMOS = ROOT / "demos"


def test_reacting_slab_case_reports_verdict_consumption_and_effectiveness():
    case = load_case(DEMOS / "reacting_slab.toml")
    summary = run_case(case).summary
    assert summary["status"] == "ok"
    reactions = summary["reactions"]
    assert reactions["equimolar"].startswith("yes")
    assert reactions["reactions"][0]["delta_nu"] == 0
    half, k, D, c = 1e-3, 70.0, 1e-5, 40.0
    phi = half * math.sqrt(k / D)
    info = reactions["thiele"]["catalyst"]
    assert math.isclose(info["phi"], phi, rel_tol=1e-12)
    assert math.isclose(info["eta_slab"], math.tanh(phi) / phi, rel_tol=1e-14)
    # η observed from the FE consumption: P1 at h = l/40 (O(h²), constant ~ φ²/12): 1e-3
    assert abs(info["eta_observed"] - info["eta_slab"]) < 1e-3 * info["eta_slab"]
    # the flux into the slab is the consumption (balance) and the cosh profile's flux
    x_eq = 20.0 / 70.0
    exact = c * D * (0.9 - x_eq) * math.sqrt(k / D) * math.tanh(phi)
    assert math.isclose(-summary["boundary_flux"]["left"], exact, rel_tol=1e-3)
    assert math.isclose(
        reactions["production"]["catalyst"], summary["boundary_flux"]["left"], rel_tol=1e-12
    )
    assert math.isclose(reactions["conversion"], 1.0, rel_tol=1e-12)  # no outlet: all consumed
    # the run's balance counts the reaction once: production = the consumption, closed to
    # round-off (the solve's residual and the balance use one R_A expression)
    assert summary["balance"]["production"] == pytest.approx(
        reactions["production"]["catalyst"], rel=1e-14
    )
    assert summary["balance"]["relative"] < 1e-12
    assert summary["analytic"] is None  # the non-reacting 1D slab reference does not apply


def test_conversion_between_an_inlet_and_an_outlet():
    # A <=> B between x_A = 0.9 (inlet) and 0.1 (outlet): X = 1 − q_out/q_in from the exact
    # cosh/sinh fluxes (P1, 40 cells: O(h²) ~ 1.5e-4 on each flux)
    from emcd_fem.analytic.reactions import isomerization_slab_flux

    data = tomllib.loads((DEMOS / "reacting_slab.toml").read_text())
    data["boundaries"]["right"] = {"type": "mole_fraction", "value": 0.1}
    summary = run_case(load_case(data)).summary
    k, x_eq = 70.0, 20.0 / 70.0
    q_in = isomerization_slab_flux(0.0, 40.0, 1e-3, 0.9, 0.1, k, 1e-5, x_eq)
    q_out = isomerization_slab_flux(1e-3, 40.0, 1e-3, 0.9, 0.1, k, 1e-5, x_eq)
    assert math.isclose(summary["reactions"]["conversion"], 1 - q_out / q_in, rel_tol=1e-3)


def test_stefan_film_case_matches_closed_form(tmp_path):
    out = tmp_path / "out"
    assert cli.main(["run", str(DEMOS / "stefan_film.toml"), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    exact = stefan_flux(40.0, 1e-5, 1e-3, 0.8, 0.1, 2.0)
    stefan = summary["stefan"]
    # P1 on 40 cells: O(h²) flux error 1.3e-5 (tests/test_reactions.py shows the order)
    assert math.isclose(stefan["flux_A"], exact, rel_tol=5e-5)
    assert math.isclose(stefan["flux_B"], -2 * stefan["flux_A"], rel_tol=1e-14)
    assert math.isclose(stefan["net_flux"], -stefan["flux_A"], rel_tol=1e-14)
    assert math.isclose(stefan["ratio"], exact / 0.28, rel_tol=5e-5)
    assert summary["reactions"]["equimolar"].startswith("no: Δν = +1")
    assert summary["status"] == "ok"


BASE = (DEMOS / "reacting_slab.toml").read_text()
BAD = {
    "unknown_species": (BASE.replace('"A <=> B"', '"A <=> C"'), "unknown species 'C'"),
    "negative_k_f": (BASE.replace("k_f = 50.0", "k_f = -50.0"), "reactions[0].k_f"),
    "infinite_k_b": (BASE.replace("k_b = 20.0", "k_b = inf"), "reactions[0].k_b"),
    "unknown_region": (BASE.replace('["catalyst"]', '["catalist"]'), "reactions[0].regions[0]"),
    "bad_equation": (BASE.replace('"A <=> B"', '"A B"'), "reactions[0].equation"),
    "k_b_irreversible": (BASE.replace('"A <=> B"', '"A -> B"'), "reactions[0].k_b"),
    "arrhenius_without_thermal": (
        BASE + "arrhenius_A = [1.0, 1.0]\n",
        "reactions[0].arrhenius_A",
    ),
    "dissociation_in_emcd": (
        (DEMOS / "stefan_film.toml").read_text().replace('flux_model = "stefan"', ""),
        "Stefan-flow model",
    ),
    "homogeneous_dissociation_2d": (
        BASE.replace("dim = 1", "dim = 2")
        .replace('"A <=> B"', '"A -> 2 B"')
        .replace("k_b = 20.0", ""),
        "momentum equation",
    ),
    "wall_with_condition": (
        BASE
        + '\n[[reactions]]\nequation = "A <=> B"\nkind = "surface"\nboundary = "left"\nk_f = 1.0\n',
        "boundaries.left",
    ),
    "ideal_gas_c_of_t": (
        (DEMOS / "soret_slab_1d.toml")
        .read_text()
        .replace(
            "c = 40.9                  # mol/m^3",
            'concentration_law = "ideal_gas"\nT = 300.0\nP = 101325.0',
        )
        + '\n[[reactions]]\nequation = "A <=> B"\nk_f = 1.0\n',
        "reaction rates with c(T) are not available yet",
    ),
    "stefan_tube_pure_a": (
        (DEMOS / "stefan_film.toml")
        .read_text()
        .replace("value = 0.8", "value = 1.0")
        .replace('"A -> 2 B"', '"A -> 0"'),
        "boundaries.left.value",
    ),
    "unbalanced_atoms": (
        BASE
        + '\n[species]\nA = { name = "A", molar_mass = 58.12e-3, formula = "C4H10" }\n'
        + 'B = { name = "B", molar_mass = 56.11e-3, formula = "C4H8" }\n',
        "does not balance atoms",
    ),
    "bad_formula": (
        BASE
        + '\n[species]\nA = { molar_mass = 58.12e-3, formula = "C4(H10)" }\n'
        + 'B = { molar_mass = 58.12e-3, formula = "C4H10" }\n',
        "species.A.formula",
    ),
    "flux_only": (  # a first-order rate fixes x_A with flux data (runs, below); order 2 not
        BASE.replace('type = "mole_fraction"\nvalue = 0.9', 'type = "flux"\nvalue = 0.1').replace(
            '"A <=> B"', '"2 A <=> 2 B"'
        ),
        "reactions[0]: every boundary prescribes a flux, and reaction '2 A <=> 2 B' is not "
        "first order",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_reaction_input_exits_2_and_writes_nothing(name, tmp_path, capsys):
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


def test_balanced_formulas_pass_the_check():
    # n-butane ⇌ isobutane (C4H10 both) and N2O4 -> 2 NO2 (Stefan) balance their atoms
    base = (DEMOS / "reacting_slab.toml").read_text()
    species = (
        '\n[species]\nA = { name = "nC4H10", molar_mass = 58.12e-3, formula = "C4H10" }\n'
        'B = { name = "iC4H10", molar_mass = 58.12e-3, formula = "C4H10" }\n'
    )
    case = load_case(tomllib.loads(base.replace('"A <=> B"', '"nC4H10 <=> iC4H10"') + species))
    assert case.reactions[0].equation == "nC4H10 <=> iC4H10"
    stefan = (DEMOS / "stefan_film.toml").read_text() + (
        '\n[species]\nA = { name = "N2O4", molar_mass = 92.01e-3, formula = "N2O4" }\n'
        'B = { name = "NO2", molar_mass = 46.01e-3, formula = "NO2" }\n'
    )
    load_case(tomllib.loads(stefan.replace('"A -> 2 B"', '"N2O4 -> 2 NO2"')))


def test_stefan_tube_case_a_to_nothing(tmp_path):
    # 'A -> 0' (A taken up at the wall, B stagnant): ν = 0, the Stefan tube's closed form
    text = (DEMOS / "stefan_film.toml").read_text().replace('"A -> 2 B"', '"A -> 0"')
    path = tmp_path / "tube.toml"
    path.write_text(text, encoding="utf-8")
    summary = run_case(load_case(path)).summary
    exact = stefan_flux(40.0, 1e-5, 1e-3, 0.8, 0.1, 0.0)
    assert math.isclose(summary["stefan"]["flux_A"], exact, rel_tol=2e-4)  # P1 40 cells: 1.2e-4
    assert summary["stefan"]["flux_B"] == 0.0 and summary["status"] == "ok"


def test_readme_reactions_example_runs(tmp_path):
    # the README's "Reactions" case file: the flux into the half-slab is the cosh profile's
    # c D (x_0 − x_eq) m tanh(m l) (P1, 40 cells: 1.6e-4) and η matches tanh φ/φ
    import re

    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Reactions") :]
    block = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    path = tmp_path / "reactions.toml"
    path.write_text(block, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(path), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    m, x_eq = math.sqrt(70.0 / 1e-5), 20.0 / 70.0
    exact = 40.0 * 1e-5 * (0.9 - x_eq) * m * math.tanh(m * 1e-3)
    assert math.isclose(-summary["boundary_flux"]["left"], exact, rel_tol=1e-3)
    info = summary["reactions"]["thiele"]["catalyst"]
    assert round(info["phi"], 4) == 2.6458 and round(info["eta_observed"], 5) == 0.37425
    assert summary["reactions"]["equimolar"].startswith("yes")


def test_flux_fed_reacting_slab_runs_to_the_cosh_closed_form():
    # flux data only (feed q at the left, no flux at the right): the first-order rate fixes
    # x_A, x = x_eq + q L cosh(φ (1 − z/L))/(c D φ sinh φ) (it used to be refused). P1 on 40
    # cells: O(h²), relative error ~ φ² h²/12 ≈ 4e-4 of x − x_eq at most: 1e-3
    q, half, k, D, c, x_eq = 0.1, 1e-3, 70.0, 1e-5, 40.0, 20.0 / 70.0
    text = BASE.replace('type = "mole_fraction"\nvalue = 0.9', f'type = "flux"\nvalue = {-q}')
    summary = run_case(load_case(tomllib.loads(text))).summary
    assert summary["status"] == "ok"
    phi = half * math.sqrt(k / D)
    amplitude = q * half / (c * D * phi * math.sinh(phi))
    assert math.isclose(summary["x_max"] - x_eq, amplitude * math.cosh(phi), rel_tol=1e-3)
    assert math.isclose(summary["x_min"] - x_eq, amplitude, rel_tol=1e-3)
    assert math.isclose(summary["reactions"]["production"]["catalyst"], -q, rel_tol=1e-10)
