"""n-species regions: unit slips noted, contradictions refused, the data used recorded.

Tester h8 F5: Đ_ij in cm²/s, T in °C, a ``c`` contradicting T and P and ``diffusivities``
next to ``source = "kinetic_theory"`` all ran silently (exit 0), and summary.json had
``materials: {}``. Tester h8 F2: one Đ_ij in cm²/s (a Đ spread of 1e4) ended in exit 7
"please report it": UFL estimated the quadrature of the residual (degree 3 for P1 ternary)
and of its Jacobian (degree 7) separately, so the Jacobian was not the derivative of the
discrete residual (‖J − J_fd‖/‖J‖ = 0.21), Newton converged linearly (factor 0.21 per
step) and SNES stopped on the step size with the balance 2e-6 open.
"""

import copy
import tomllib
from pathlib import Path

import numpy as np
import pytest

from emcd_fem.analytic.multicomponent import film_solution
from emcd_fem.case import CaseError, load_case
from emcd_fem.case.materials import resolve_spec
from emcd_fem.case.multicomponent_data import unit_notes
from emcd_fem.errors import EmcdInputError, EmcdSolverError
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.materials.mixture import GasMixture, mixture_from_kinetic_theory
from emcd_fem.models.multicomponent_inputs import check_step_stop
from emcd_fem.physics import maxwell_stefan as ms
from emcd_fem.pipeline.run import run_case

ROOT = Path(__file__).resolve().parents[1]
SPECIES = ["H2", "N2", "CO2"]
GIVEN = {"H2": {"N2": 83.8e-6, "CO2": 68.0e-6}, "N2": {"CO2": 16.8e-6}}
LEFT, RIGHT = [0.0, 0.5, 0.5], [0.5, 0.5, 0.0]
LENGTH, C = 0.05, 40.0


def _case(region: dict, *, cells: int = 10, degree: int = 1) -> dict:
    return {
        "geometry": {
            "kind": "layered_slab",
            "dim": 1,
            "layers": [{"name": "gas", "thickness": LENGTH, "cells": cells}],
        },
        "multicomponent": {
            "species": SPECIES,
            "regions": {"gas": region},
            "boundaries": {
                "left": {"mole_fractions": dict(zip(SPECIES, LEFT, strict=True))},
                "right": {"mole_fractions": dict(zip(SPECIES, RIGHT, strict=True))},
            },
        },
        "discretisation": {"degree": degree},
        "output": {"pictures": False},
    }


def _problems(region: dict) -> str:
    with pytest.raises(CaseError) as info:
        load_case(_case(region))
    return str(info.value)


def _notes(region: dict) -> list[str]:
    return unit_notes(load_case(_case(region)).multicomponent)


# -- notes (legal values: never errors) ----------------------------------------------------
def test_a_diffusivity_in_cm2_per_s_is_noted_with_its_key_and_value():
    stiff = copy.deepcopy(GIVEN)
    stiff["N2"]["CO2"] = 0.168
    (note,) = _notes({"diffusivities": stiff, "c": C})
    assert note.startswith("multicomponent.regions.gas.diffusivities.N2.CO2 = 0.168 m^2/s")
    assert "1.68e-05 m^2/s" in note and "cm^2/s" in note


def test_a_celsius_temperature_is_noted():
    (note,) = _notes({"source": "kinetic_theory", "T": 35.2, "P": 101325.0})
    assert note.startswith("multicomponent.regions.gas.T = 35.2 K") and "308.35 K" in note


def test_ordinary_values_and_shipped_demos_get_no_note():
    assert _notes({"diffusivities": GIVEN, "c": C, "T": 300.0}) == []
    for path in sorted((ROOT / "demos").glob("*.toml")):
        data = tomllib.loads(path.read_text())
        if "multicomponent" in data:
            assert unit_notes(load_case(path).multicomponent) == [], path.name


# -- contradictions: refused with the key path ---------------------------------------------
def test_c_contradicting_T_and_P_is_refused_with_both_numbers():
    text = _problems({"diffusivities": GIVEN, "c": 40.0, "T": 300.0, "P": 5e5})
    assert "multicomponent.regions.gas.c: c = 40 mol/m^3 contradicts P/(R T) = 200.454" in text
    assert "multicomponent.regions.gas.T = 300 K" in text
    assert "multicomponent.regions.gas.P = 500000 Pa" in text
    text = _problems({"source": "kinetic_theory", "T": 300.0, "P": 101325.0, "c": 10.0})
    assert "multicomponent.regions.gas.c: c = 10 mol/m^3 contradicts P/(R T) = 40.622" in text


def test_c_agreeing_with_T_and_P_to_the_tolerance_is_accepted():
    ideal = kt.ideal_gas_concentration(300.0, 101325.0)  # 40.622 mol/m^3
    for c in (ideal * (1 + 9e-4), ideal * (1 - 9e-4)):
        load_case(_case({"diffusivities": GIVEN, "c": c, "T": 300.0, "P": 101325.0}))
    assert "regions.gas.c" in _problems(
        {"diffusivities": GIVEN, "c": ideal * (1 + 1.1e-3), "T": 300.0, "P": 101325.0}
    )


@pytest.mark.parametrize("source", ["kinetic_theory", "cantera"])
def test_diffusivities_next_to_a_computing_source_are_refused(source):
    text = _problems({"source": source, "T": 300.0, "P": 101325.0, "diffusivities": GIVEN})
    assert "multicomponent.regions.gas.diffusivities: the Đ_ij are computed from" in text
    assert f"source = {source!r}" in text and "set source = 'given'" in text


def test_binary_material_with_c_contradicting_T_and_P_is_refused():
    data = {
        "geometry": {"kind": "layered_slab", "layers": [{"name": "gas", "thickness": 0.01}]},
        "materials": {"gas": {"gases": ["H2", "N2"], "T": 300.0, "P": 5e5, "c": 40.0}},
        "boundaries": {"left": {"type": "mole_fraction", "value": 0.8}},
    }
    case = load_case(data)
    with pytest.raises(EmcdInputError, match=r"materials\.gas\.c: c = 40 mol/m\^3 contradicts"):
        resolve_spec("gas", case.materials["gas"])
    data["materials"]["gas"]["c"] = kt.ideal_gas_concentration(300.0, 5e5)
    resolve_spec("gas", load_case(data).materials["gas"])  # consistent: accepted


# -- summary.json: the c and Đ_ij used -----------------------------------------------------
def test_summary_records_the_concentration_and_diffusivities_used():
    T, P = 308.35, 101325.0
    result = run_case(_case({"source": "kinetic_theory", "T": T, "P": P}))
    used = result.summary["materials"]["gas"]
    mix = mixture_from_kinetic_theory(tuple(SPECIES), T, P)
    assert used["source"] == "kinetic_theory"
    assert used["concentration"] == pytest.approx(kt.ideal_gas_concentration(T, P), rel=1e-14)
    for a, row in used["diffusivities"].items():
        for b, value in row.items():
            assert value == pytest.approx(mix.pair(a, b), rel=1e-14)
    pairs = [(a, b) for a, row in used["diffusivities"].items() for b in row]
    assert pairs == [("CO2", "H2"), ("CO2", "N2"), ("H2", "N2")]  # by name: order-independent
    assert used["units"] == {
        "concentration": "mol/m^3",
        "diffusivities": "m^2/s",
        "T": "K",
        "P": "Pa",
    }


# -- F2: a Đ spread of 1e4 converges (exact Newton) ---------------------------------------
def _stiff_film() -> np.ndarray:
    D = np.array([[0, 83.8e-6, 68.0e-6], [83.8e-6, 0, 0.168], [68.0e-6, 0.168, 0]])
    return film_solution(LEFT, RIGHT, D, LENGTH, C, ms.zero_net_flux(3).weights).fluxes


def _stiff_run(cells: int, degree: int):
    stiff = copy.deepcopy(GIVEN)
    stiff["N2"]["CO2"] = 0.168  # the tester's b21: one pair in cm²/s, the others in m²/s
    return run_case(_case({"diffusivities": stiff, "c": C}, cells=cells, degree=degree))


def test_a_diffusivity_spread_of_1e4_converges_quadratically_and_balances():
    summary = _stiff_run(20, 1).summary
    # before: 10 iterations at a rate of 0.21, CONVERGED_SNORM_RELATIVE, balance 1.9e-6
    assert summary["status"] == "ok", summary["failures"]
    assert summary["solver"]["iterations"] <= 6
    assert summary["solver"]["reason"] != "CONVERGED_SNORM_RELATIVE"
    assert max(b["relative"] for b in summary["balance"].values()) < 1e-12
    assert any("N2.CO2 = 0.168 m^2/s" in w for w in summary["warnings"])


def test_a_diffusivity_spread_of_1e4_converges_to_the_exact_film():
    exact = _stiff_film()  # N2 −0.0523512 mol/(m² s) (tester: −0.05235118)
    scale = np.max(np.abs(exact))
    errors = []
    for cells in (10, 20, 40):
        flux = _stiff_run(cells, 1).summary["boundary_flux"]
        fe = np.array([flux[s]["right"] for s in SPECIES])
        errors.append(np.max(np.abs(fe - exact)) / scale)
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    # P1 reaction fluxes O(h²): measured 4.95e-3, 1.41e-3, 3.92e-4 (rates 1.81, 1.84, still
    # pre-asymptotic: the N2/CO2 profile is steep near the ends at this Đ spread)
    assert np.all(rates > 1.7), (errors, rates)
    flux = _stiff_run(40, 2).summary["boundary_flux"]  # P2: the tester's 1e-8 level
    fe = np.array([flux[s]["right"] for s in SPECIES])
    assert np.max(np.abs(fe - exact)) / scale < 1e-8  # measured 6.6e-10 (80 cells 4.4e-11)


def test_a_step_size_stop_with_a_large_residual_is_refused_naming_the_spread():
    # snes_stol = 1e-3 stops Newton on the step after 3 iterations (residual 6e-8 of its
    # start): before, accepted, and the run ended with "please report it" (exit 7)
    stiff = copy.deepcopy(GIVEN)
    stiff["N2"]["CO2"] = 0.168
    data = _case({"diffusivities": stiff, "c": C}, cells=20)
    data["solver"] = {"petsc_options": {"snes_stol": 1e-3}}
    with pytest.raises(EmcdSolverError) as info:
        run_case(data)
    text = str(info.value)
    assert "CONVERGED_SNORM_RELATIVE" in text and "not converged" in text
    assert "Đ('N2', 'CO2') = 0.168 m^2/s is 2.47e+03 × Đ('H2', 'CO2')" in text
    assert "cm^2/s?" in text


def test_step_stop_check_accepts_a_converged_or_almost_exact_newton():
    mix = {
        "gas": GasMixture(
            tuple(SPECIES), {("H2", "N2"): 1e-4, ("H2", "CO2"): 1e-4, ("N2", "CO2"): 1e-4}, C
        )
    }
    reason = "CONVERGED_SNORM_RELATIVE"
    check_step_stop("x", reason, [1.0, 1e-3, 1e-9], 1.0, mix)  # 1e-9 of the start
    check_step_stop("x", reason, [1e-15, 2e-15], 1.0, mix)  # below 1e-10 q_ref
    check_step_stop("x", "CONVERGED_FNORM_RELATIVE", [1.0, 0.5], 1.0, mix)
    with pytest.raises(EmcdSolverError, match="not converged") as info:
        check_step_stop("x", reason, [1.0, 1e-7], 1.0, mix)
    assert "likely cause" not in str(info.value)  # Đ spread 1: no cause named


def test_transient_summary_records_the_data_used_and_the_notes():
    data = tomllib.loads((ROOT / "demos" / "loschmidt.toml").read_text())
    data["output"] = {}
    for layer in data["geometry"]["layers"]:
        layer["cells"] = 4
    data["time"] = {"t_end": 0.01, "dt": 5e-3}  # two fixed steps
    data["multicomponent"]["regions"]["upper"]["diffusivities"]["He"]["Ar"] = 0.73  # cm²/s
    summary = run_case(data).summary
    assert summary["materials"]["lower"]["diffusivities"] == {"Ar": {"He": 7.3e-5}}  # by name
    assert summary["materials"]["upper"]["diffusivities"] == {"Ar": {"He": 0.73}}
    assert summary["materials"]["upper"]["concentration"] == 40.0
    (note,) = [w for w in summary["warnings"] if "cm^2/s" in w]
    assert note.startswith("multicomponent.regions.upper.diffusivities.He.Ar = 0.73 m^2/s")
