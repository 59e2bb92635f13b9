"""[multicomponent] model = "dusty_gas" case files: runs against the 1D reference, the check
report, pictures, and every input error with its key path (issue 20)."""

import copy
import tomllib
from pathlib import Path

import pytest

import emcd_fem as ef
from emcd_fem.analytic import (
    channel_coefficients,
    dusty_gas_channel,
    dusty_gas_rate,
    mass_action_production,
)
from emcd_fem.case import CaseError, load_case
from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.materials.porous import PorousMedium, dusty_gas_from_kinetic_theory
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.pipeline.run import check_case, run_case

ROOT = Path(__file__).resolve().parents[1]
DEMO = tomllib.loads((ROOT / "demos" / "dusty_gas_dead_end.toml").read_text())
T, P = 600.0, 101325.0


def _case(pictures: bool = False):
    data = copy.deepcopy(DEMO)
    data["output"] = {"pictures": pictures}
    return data


def _reference():
    gas = dusty_gas_from_kinetic_theory(["H2", "N2"], T, P, 3.0e-5)
    coefficients = channel_coefficients(PorousMedium(0.4, 3.0, 1e-6), gas, T)
    production = mass_action_production([Reaction("H2 -> N2", k_f=50.0)], gas.species, T)
    return dusty_gas_channel(1e-3, coefficients, (P, [1.0, 0.0]), production=production)


def test_dead_end_case_runs_against_the_independent_reference():
    summary = run_case(_case()).summary
    ref = _reference()  # built here from the Python API, not from the case
    assert summary["status"] == "ok", summary["failures"]
    assert summary["model"] == "dusty_gas"
    q = summary["boundary_flux"]
    # P1 on 20 cells: O(h²), measured 3.6e-4 (flux) and 2.8e-4 (Δp); 1e-3 leaves margin
    assert -q["H2"]["left"] == pytest.approx(ref.inlet_flux[0], rel=1e-3)
    dp = summary["pressure"]["difference"]["right - left"]
    assert dp == pytest.approx(ref.pressure_difference, rel=1e-3)
    assert summary["pressure"]["range"][1] == pytest.approx(P + dp, rel=1e-12)
    assert summary["analytic"]["max_relative_error"] < 1e-3
    assert summary["equimolar"].startswith("yes")  # zero net molar flow
    assert summary["viscous_share"]["left"] > 0.1
    assert summary["net_production"] == pytest.approx(0.0, abs=1e-12 * abs(q["H2"]["left"]))
    assert max(b["relative"] for b in summary["balance"].values()) < 1e-10


def test_check_reports_the_reference():
    report = check_case(load_case(_case()))
    ref = _reference()
    assert report["analytic_pressure_difference"] == pytest.approx(
        ref.pressure_difference, rel=1e-9
    )
    assert report["analytic_flux_per_area"]["H2"] == pytest.approx(ref.inlet_flux[0], rel=1e-8)
    assert report["dusty_gas"]["pore"]["permeability"] == pytest.approx(0.4 / 3 * 1e-12 / 32)


def test_isobaric_open_case_is_graham_not_equimolar():
    data = _case()
    mc = data["multicomponent"]
    mc["boundaries"]["left"]["mole_fractions"] = {"H2": 0.9, "N2": 0.1}
    mc["boundaries"]["right"] = {"mole_fractions": {"H2": 0.1, "N2": 0.9}, "pressure": P}
    mc["dusty_gas"]["reactions"] = []
    summary = run_case(data).summary
    expected = dusty_gas_rate(
        "slab", 0.0, 1e-3, concentration=P / (GAS_CONSTANT * T),
        d_molecular=kt.chapman_enskog("H2", "N2", T, P),
        d_knudsen_a=kt.knudsen_diffusivity(1e-6, T, kt.gas("H2").molar_mass),
        molar_mass_a=kt.gas("H2").molar_mass, molar_mass_b=kt.gas("N2").molar_mass,
        x_in=0.9, x_out=0.1, porosity_over_tortuosity=0.4 / 3,
    )  # fmt: skip
    q = summary["boundary_flux"]
    # 1D, P1, 20 cells: the reaction flux converges at h^4 (test_dusty_gas_model)
    assert q["H2"]["right"] == pytest.approx(expected, rel=1e-6)
    assert summary["equimolar"].startswith("no")
    assert abs(summary["pressure"]["difference"]["right - left"]) < 1e-9 * P
    assert abs(summary["viscous_share"]["right"]) < 1e-9


def test_2d_run_writes_the_pressure_field_and_its_picture(tmp_path):
    data = _case(pictures=True)
    data["geometry"] |= {"dim": 2, "width": 0.25e-3, "cells_across": 2}
    result = run_case(data, tmp_path / "out")
    assert {"pressure", "x_H2", "x_N2", "viscous_flux"} <= set(result.summary["fields"])
    assert (result.output_dir / "pressure.png").is_file()
    ref = _reference()
    dp = result.summary["pressure"]["difference"]["right - left"]
    assert dp == pytest.approx(ref.pressure_difference, rel=1e-3)


def _problems(data):
    with pytest.raises(CaseError) as info:
        load_case(data)
    return str(info.value)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda mc: mc.pop("dusty_gas"), "multicomponent.dusty_gas: give temperature"),
        (
            lambda mc: mc["boundaries"]["left"].pop("pressure"),
            "multicomponent.boundaries.left.pressure: give the pressure",
        ),
        (
            lambda mc: mc.update(model="maxwell_stefan"),
            "multicomponent.dusty_gas: only with model = 'dusty_gas'",
        ),
        (
            lambda mc: mc["dusty_gas"]["media"].update(pellet=mc["dusty_gas"]["media"].pop("pore")),
            "multicomponent.dusty_gas.media.pellet: not a region",
        ),
        (
            lambda mc: mc["dusty_gas"]["media"]["pore"].update(porosity=0.0),
            "multicomponent.dusty_gas.media.pore.porosity",
        ),
        (
            lambda mc: mc["dusty_gas"]["media"]["pore"].update(tortuosity=0.5),
            "multicomponent.dusty_gas.media.pore.tortuosity",
        ),
        (
            lambda mc: mc["dusty_gas"]["media"]["pore"].update(pore_diameter=-1e-6),
            "multicomponent.dusty_gas.media.pore.pore_diameter",
        ),
        (lambda mc: mc["dusty_gas"].update(viscosity=0.0), "multicomponent.dusty_gas.viscosity"),
        (
            lambda mc: mc["dusty_gas"].update(temperature=-1.0),
            "multicomponent.dusty_gas.temperature",
        ),
        (
            lambda mc: mc["boundaries"]["left"].update(pressure=0.0),
            "multicomponent.boundaries.left.pressure",
        ),
        (
            lambda mc: mc["dusty_gas"]["reactions"][0].update(equation="H2 -> CH4"),
            "multicomponent.dusty_gas.reactions[0].equation: unknown species 'CH4'",
        ),
        (
            lambda mc: mc["dusty_gas"]["reactions"][0].update(kind="surface", boundary="left"),
            "multicomponent.dusty_gas.reactions[0].boundary: boundary 'left' has a prescribed "
            "pressure and composition (multicomponent.boundaries.left)",
        ),
        (
            lambda mc: mc["dusty_gas"]["reactions"][0].update(kind="surface", boundary="rihgt"),
            "multicomponent.dusty_gas.reactions[0].boundary: not a boundary",
        ),
        (lambda mc: mc.update(bootstrap="graham"), "multicomponent.bootstrap: not used"),
        (
            lambda mc: mc["regions"]["pore"].update(sources={"H2": -1.0, "N2": 1.0}),
            "multicomponent.regions.pore.sources: give reactions",
        ),
        (
            lambda mc: mc["regions"]["pore"].update(T=300.0),
            "multicomponent.regions.pore.T: differs from multicomponent.dusty_gas.temperature",
        ),
    ],
)
def test_case_errors_name_the_key(edit, message):
    data = _case()
    edit(data["multicomponent"])
    assert message in _problems(data)


def test_five_species_are_refused_with_the_key():
    data = _case()
    mc = data["multicomponent"]
    mc["species"] = ["H2", "N2", "CO2", "Ar", "He"]
    mc["boundaries"]["left"]["mole_fractions"] = dict.fromkeys(mc["species"], 0.2)
    assert "multicomponent.species: the dusty-gas model takes ≤ 4 species" in _problems(data)


def test_regions_with_different_gases_are_refused_at_build():
    data = _case()
    data["geometry"]["layers"] = [
        {"name": "a", "thickness": 0.5e-3, "cells": 4},
        {"name": "b", "thickness": 0.5e-3, "cells": 4},
    ]
    mc = data["multicomponent"]
    mc["regions"] = {
        "a": mc["regions"]["pore"],
        "b": {"diffusivities": {"H2": {"N2": 1e-4}}, "c": 20.0},
    }
    media = mc["dusty_gas"]["media"]
    media["a"] = media["b"] = media.pop("pore")
    with pytest.raises(CaseError, match=r"multicomponent\.regions\.b: its gas"):
        check_case(load_case(data))


def test_readme_dusty_gas_example(capsys):
    # the README's Python example runs; its dead-end pore matches the shooting reference
    # (P1 on 40 cells: O(h²), 9e-5 measured) and shows zero net molar flow
    import re

    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Porous media: the dusty-gas model") :]
    block = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    solution = namespace["solution"]
    ref = _reference()
    assert "24.7 kPa" in block and round(ref.pressure_difference / 1e3, 1) == 24.7
    dp = solution.pressure_difference[("left", "right")]
    assert dp == pytest.approx(ref.pressure_difference, rel=2e-4)
    assert -solution.boundary_flux["H2"]["left"] == pytest.approx(ref.inlet_flux[0], rel=2e-4)
    assert abs(solution.total_flux["left"]) < 1e-10 * abs(solution.boundary_flux["H2"]["left"])
    assert "left" in capsys.readouterr().out


def test_kinetic_theory_viscosity_from_the_case():
    from emcd_fem.materials.viscosity import mixture_viscosity

    data = _case()
    data["multicomponent"]["dusty_gas"]["viscosity"] = "kinetic_theory"
    summary = run_case(data).summary
    assert summary["status"] == "ok"
    # the mean composition of the open boundaries: pure H2 here
    assert summary["viscosity"] == pytest.approx(mixture_viscosity({"H2": 1.0}, T), rel=1e-12)


def test_kinetic_theory_viscosity_needs_built_in_gases():
    data = _case()
    mc = data["multicomponent"]
    mc["species"] = ["H2", "X"]
    mc["molar_masses"] = {"X": 0.03}
    mc["regions"]["pore"] = {"diffusivities": {"H2": {"X": 1e-4}}, "c": 20.0}
    mc["boundaries"]["left"]["mole_fractions"] = {"H2": 1.0, "X": 0.0}
    mc["dusty_gas"]["reactions"] = []
    mc["dusty_gas"]["viscosity"] = "kinetic_theory"
    assert "multicomponent.dusty_gas.viscosity: kinetic_theory needs built-in gases" in (
        _problems(data)
    )


def test_time_and_closed_vessels_are_refused_for_the_dusty_gas_model():
    # the dusty-gas model is steady and needs an open boundary (a closed vessel with
    # [time] is a Maxwell–Stefan run): both refused with their key, not run as something else
    data = _case()
    data["time"] = {"t_end": 1.0, "dt": 0.1}
    assert "time: the dusty-gas model is steady only" in _problems(data)
    data = _case()
    data["multicomponent"]["boundaries"] = {}
    assert "multicomponent.boundaries: the dusty-gas model needs an open boundary" in _problems(
        data
    )


def test_emcd_run_prints_the_pressure_build_up(tmp_path, capsys):
    # the pressure difference and viscous share are what a dusty-gas user looks for: on the
    # console, the same numbers as summary.json (not only in the file)
    import json

    from emcd_fem import cli

    case = tmp_path / "dead_end.toml"
    case.write_text((ROOT / "demos" / "dusty_gas_dead_end.toml").read_text())
    assert cli.main(["run", str(case), "-o", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    drop = summary["pressure"]["difference"]["right - left"]
    assert drop > 0  # the light species diffuses in faster: pressure builds at the dead end
    assert f"right - left = {drop:.6g} Pa" in printed
    assert f"left={summary['viscous_share']['left']:.3g}" in printed


def test_wall_reaction_on_an_open_boundary_exits_2_from_the_file(tmp_path, capsys):
    # a surface reaction on the open end (pressure and composition prescribed there): the
    # case file is refused before anything is built, naming the file, the key path and the
    # boundary, and nothing is written
    from emcd_fem import cli

    text = (ROOT / "demos" / "dusty_gas_dead_end.toml").read_text()
    old = 'equation = "H2 -> N2"\n'
    assert old in text
    path = tmp_path / "pore.toml"
    path.write_text(text.replace(old, old + 'kind = "surface"\nboundary = "left"\n'))
    out = tmp_path / "out"
    assert cli.main(["run", str(path), "--out", str(out)]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert "pore.toml" in err and "multicomponent.dusty_gas.reactions[0].boundary" in err, err
    assert "boundary 'left' has a prescribed pressure and composition" in err, err
    assert "Traceback" not in err
    assert not out.exists()


def test_wall_reaction_on_an_open_boundary_is_refused_by_the_model():
    # the same refusal from Python (models.dusty_gas_inputs.check_reactions): the message
    # names the reaction and the boundary
    from emcd_fem.errors import EmcdInputError
    from emcd_fem.models.dusty_gas import BoundaryState, DustyGasModel

    domain = ef.layered_slab([1e-3], region_names=["pore"], cells_per_layer=8)
    gas = dusty_gas_from_kinetic_theory(["H2", "N2"], T, P, 3.0e-5)
    reaction = Reaction("H2 -> N2", kind="surface", boundary="left", k_f=0.01)
    with pytest.raises(EmcdInputError) as info:
        DustyGasModel(
            domain, {"pore": PorousMedium(0.4, 3.0, 1e-6)}, gas,
            {"left": BoundaryState(P, {"H2": 1.0, "N2": 0.0})}, temperature=T,
            reactions=[reaction],
        )  # fmt: skip
    message = str(info.value)
    assert "reaction 'H2 -> N2'" in message and "boundary 'left'" in message, message
    assert "prescribed pressure and composition" in message and "needs a wall" in message
