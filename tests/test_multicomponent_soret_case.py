"""``[thermal]`` with ``[multicomponent]``: n-species thermal diffusion from a case file.

The run (T by heat conduction, then the n-species Newton) equals the Python model with the
same T to solver tolerance; ``kinetic_theory`` α_ij are Cantera's binary α_T at the pair's
equimolar composition with the light species sent to the hot side; what is not supported
is refused by key with exit code 2.
"""

import copy
import tomllib

import numpy as np
import pytest
from ternary_soret_cases import HOT_RIGHT, SLAB_1D, soret_case

from emcd_fem.case.base import CaseError
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_thermal import PropertyLaw, ThermalDiffusionInputs
from emcd_fem.models.thermal import HeatConductionProblem, Temperature
from emcd_fem.pipeline.run import run_case

CASE = soret_case(SLAB_1D, HOT_RIGHT, "[output]\npictures = false\n")
SPECIES = ("H2", "N2", "CO2")


def data():
    return copy.deepcopy(tomllib.loads(CASE))


def test_case_run_equals_the_python_model(tmp_path):
    summary = run_case(data(), tmp_path / "out").summary
    domain = layered_slab([0.01], dim=1, cells_per_layer=16, region_names=["gas"])
    T = (
        HeatConductionProblem(
            domain, {"gas": 0.1}, {"left": Temperature(300.0), "right": Temperature(400.0)}
        )
        .solve()
        .temperature
    )
    pairs = {("H2", "N2"): 8.33e-5, ("H2", "CO2"): 6.80e-5, ("N2", "CO2"): 1.68e-5}
    alpha = {("N2", "H2"): 0.35, ("CO2", "H2"): 0.40, ("CO2", "N2"): 0.06}
    law = PropertyLaw(300.0, "power", 1.75, "ideal_gas", 101325.0)
    model = MaxwellStefanModel(
        domain,
        {"gas": GasMixture(SPECIES, pairs, 101325.0 / (8.314462618 * 300.0))},
        {"left": {"H2": 0.5, "N2": 0.2, "CO2": 0.3}, "right": {"H2": 0.1, "N2": 0.3, "CO2": 0.6}},
        thermal=ThermalDiffusionInputs(T, {"gas": alpha}, {"gas": law}),
    )
    want = model.solve().boundary_flux
    scale = max(abs(want[s]["left"]) for s in SPECIES)
    for s in SPECIES:
        for b in ("left", "right"):
            assert abs(summary["boundary_flux"][s][b] - want[s][b]) < 1e-10 * scale
    assert summary["analytic"] is None  # the isothermal film does not apply
    assert summary["thermal"]["t_min"] == pytest.approx(300.0)
    assert summary["thermal"]["t_max"] == pytest.approx(400.0)
    # k ΔT/L = 0.1 · 100 / 0.01 W/m^2 enters on the hot side
    assert summary["thermal"]["heat_flow"]["right"] == pytest.approx(-1000.0, rel=1e-10)
    assert summary["thermal"]["units"]["heat_flow"] == "W/m^2"
    split = summary["soret"]["flux_split"]
    for s in SPECIES:  # the parts add up to the total up to the gradient's h^p error
        for b in ("left", "right"):
            parts = split[s][b]["fickian"] + split[s][b]["thermal"]
            assert abs(parts - summary["boundary_flux"][s][b]) < 2e-2 * scale
    # H2 drifts to the hot (right) side: its thermal flux points right at both ends
    assert split["H2"]["right"]["thermal"] > 0 and split["H2"]["left"]["thermal"] < 0


def test_kinetic_theory_factors_are_cantera_pairs(tmp_path):
    pytest.importorskip("cantera")
    from emcd_fem.materials.gas_data import thermal_diffusion_factor

    case = data()
    case["multicomponent"]["regions"]["gas"]["thermal_diffusion_factors"] = "kinetic_theory"
    summary = run_case(case, tmp_path / "out").summary
    used = summary["soret"]["thermal_diffusion_factors"]["gas"]
    assert used["source"].startswith("kinetic_theory")
    for pair, value in used["pairs"].items():
        a, b = pair.split("-")
        assert value == thermal_diffusion_factor(a, b, 300.0, 101325.0, mole_fraction_a=0.5)
    # H2 is the lighter of both its pairs: α_H2,j < 0 (H2 to the hot side), CO2 the heavier
    assert used["pairs"]["H2-N2"] < 0 and used["pairs"]["H2-CO2"] < 0
    assert used["pairs"]["N2-CO2"] < 0


@pytest.mark.parametrize(
    ("edit", "key", "message"),
    [
        (
            lambda d: d["multicomponent"]["regions"]["gas"].update(
                thermal_diffusion_factors={"He": {"H2": 0.3}}
            ),
            "multicomponent.regions.gas.thermal_diffusion_factors.He",
            "unknown species",
        ),
        (
            lambda d: d["multicomponent"]["regions"]["gas"].update(
                thermal_diffusion_factors={"N2": {"Ar": 0.3}}
            ),
            "multicomponent.regions.gas.thermal_diffusion_factors.N2.Ar",
            "unknown species",
        ),
        (
            lambda d: d["multicomponent"]["regions"]["gas"].update(
                thermal_diffusion_factors={"N2": {"H2": 0.3}, "H2": {"N2": 0.3}}
            ),
            "multicomponent.regions.gas.thermal_diffusion_factors",
            "given both ways",
        ),
        (  # [time] is admitted with a steady T (test_multicomponent_soret_transient_case)
            lambda d: d["thermal"].update(volumetric_heat_capacity={"gas": 1200.0}),
            "thermal.volumetric_heat_capacity",
            "transient heat conduction in n-species runs is not supported",
        ),
        (
            lambda d: d["multicomponent"].update(
                interfaces=[{"regions": ["gas", "gas"], "partition": {"H2": 2.0}}]
            ),
            "multicomponent.interfaces",
            "partitions or films with [thermal] are not supported",
        ),
        (
            lambda d: d["multicomponent"].update(
                reactions=[{"equation": "H2 <=> N2", "k_f": 1.0, "k_b": 1.0}]
            ),
            "multicomponent.reactions",
            "reactions with [thermal] are not supported",
        ),
        (
            lambda d: d["multicomponent"].update(model="mixture_averaged"),
            "multicomponent.model",
            "not supported",
        ),
        (
            lambda d: d["multicomponent"]["regions"]["gas"].pop("thermal_conductivity"),
            "multicomponent.regions.gas.thermal_conductivity",
            "heat conduction needs k",
        ),
        (
            lambda d: d.pop("thermal"),
            "multicomponent.regions.gas.thermal_diffusion_factors",
            "needs a [thermal] section",
        ),
        (
            lambda d: d["multicomponent"]["regions"]["gas"].update(
                diffusivity_law="chapman_enskog"
            ),
            "multicomponent.regions.gas.diffusivity_law",
            "must be one of 'constant' or 'power'",
        ),
    ],
)
def test_bad_input_names_the_key(tmp_path, edit, key, message):
    case = data()
    edit(case)
    with pytest.raises(CaseError) as info:
        run_case(case, tmp_path / "out")
    text = str(info.value)
    assert key in text and message in text, text


def _binary_pair_cases():
    """The same 2D two-layer case as a binary [materials] Soret run and as n = 2."""
    geometry = {
        "kind": "layered_slab",
        "dim": 2,
        "width": 0.004,
        "cells_across": 4,
        "layers": [
            {"name": "one", "thickness": 0.006, "cells": 6},
            {"name": "two", "thickness": 0.004, "cells": 4},
        ],
    }
    thermal = {
        "boundaries": {
            "bottom": {"type": "temperature", "value": 400.0},
            "top": {"type": "convective", "coefficient": 50.0, "ambient": 300.0},
            "left": {"type": "temperature", "value": 320.0},
        }
    }
    props = {
        "one": {"D": 7e-5, "k": 0.05, "alpha": -0.3},
        "two": {"D": 2e-5, "k": 0.5, "alpha": -0.1},
    }
    common = {"T": 300.0, "P": 101325.0, "diffusivity_law": "power"}
    common |= {"diffusivity_exponent": 1.7, "concentration_law": "ideal_gas"}
    binary = {
        "geometry": geometry,
        "materials": {
            r: common
            | {"D": p["D"], "thermal_conductivity": p["k"], "thermal_diffusion_factor": p["alpha"]}
            for r, p in props.items()
        },
        "regions": {r: r for r in props},
        "boundaries": {
            "left": {"type": "mole_fraction", "value": 0.7},
            "right": {"type": "mole_fraction", "value": 0.2},
        },
        "thermal": thermal,
        "output": {"pictures": False},
    }
    multi = {
        "geometry": geometry,
        "multicomponent": {
            "species": ["A", "B"],
            "regions": {
                r: common
                | {
                    "diffusivities": {"A": {"B": p["D"]}},
                    "thermal_conductivity": p["k"],
                    "thermal_diffusion_factors": {"A": {"B": p["alpha"]}},
                }
                for r, p in props.items()
            },
            "boundaries": {
                "left": {"mole_fractions": {"A": 0.7, "B": 0.3}},
                "right": {"mole_fractions": {"A": 0.2, "B": 0.8}},
            },
        },
        "thermal": thermal,
        "output": {"pictures": False},
    }
    return binary, multi


def test_case_binary_limit_equals_binary_soret_case(tmp_path):
    """n = 2, Σ N = 0 from a case file: the binary Soret run of the same case (T from the
    same heat conduction, 2D, two layers, c(T), D(T)) to 1e-9."""
    binary, multi = _binary_pair_cases()
    want = run_case(binary, tmp_path / "binary").summary
    got = run_case(multi, tmp_path / "multi").summary
    scale = max(abs(q) for q in want["boundary_flux"].values())
    for b in ("left", "right"):
        assert got["boundary_flux"]["A"][b] == pytest.approx(want["boundary_flux"][b], rel=1e-9)
        assert got["boundary_flux"]["B"][b] == pytest.approx(-want["boundary_flux"][b], rel=1e-9)
        for part in ("fickian", "thermal"):
            a = got["soret"]["flux_split"]["A"][b][part]
            assert abs(a - want["flux_split"][b][part]) < 1e-9 * scale
    assert np.isclose(got["thermal"]["t_max"], want["thermal"]["t_max"], rtol=1e-12)


def test_prescribed_temperature_equals_conduction(tmp_path):
    """A prescribed linear T (an expression) is the conduction solution of this slab
    (fixed ends, k uniform): the same fluxes; a uniform T gives no thermal flux."""
    solved = run_case(data(), tmp_path / "solved").summary
    case = data()
    case["thermal"] = {"temperature": "300 + 10000*x"}
    given = run_case(case, tmp_path / "given").summary
    assert given["thermal"]["mode"] == "prescribed"
    assert given["thermal"]["t_max"] == pytest.approx(400.0, rel=1e-12)
    scale = max(abs(q) for s in SPECIES for q in solved["boundary_flux"][s].values())
    for s in SPECIES:
        for b in ("left", "right"):
            assert abs(given["boundary_flux"][s][b] - solved["boundary_flux"][s][b]) < 1e-10 * scale
    case["thermal"] = {"temperature": 350.0}
    uniform = run_case(case, tmp_path / "uniform").summary
    for s in SPECIES:
        for b in ("left", "right"):
            assert uniform["soret"]["flux_split"][s][b]["thermal"] == 0.0
