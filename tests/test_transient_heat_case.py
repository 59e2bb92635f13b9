"""Transient temperature from case files: [thermal] volumetric_heat_capacity with [time].

The heat slab (uniform T0, both ends at T1 from t = 0) is the species slab of
tests/test_transient.py with T ↔ x_A, ρ c_p ↔ c, k/(ρ c_p) ↔ D: its heat flow follows the
Fourier series of ``emcd_fem.analytic.transient``.
"""

import copy
import csv

import numpy as np
import pytest

from emcd_fem.analytic.transient import slab_fourier_flux
from emcd_fem.case import CaseError
from emcd_fem.io.field_file import read_grid_arrays
from emcd_fem.pipeline.run import run_case

K, RC, T0, T1 = 2.0, 4.0, 300.0, 350.0
CASE = {
    "geometry": {
        "kind": "layered_slab",
        "dim": 1,
        "layers": [{"name": "s", "thickness": 1.0, "cells": 200}],
    },
    "materials": {"s": {"D": 0.5, "c": 2.0, "thermal_conductivity": K, "soret_coefficient": 0.0}},
    "boundaries": {
        "left": {"type": "mole_fraction", "value": 0.3},
        "right": {"type": "mole_fraction", "value": 0.3},
    },
    "thermal": {
        "boundaries": {
            "left": {"type": "temperature", "value": T1},
            "right": {"type": "temperature", "value": T1},
        },
        "volumetric_heat_capacity": {"s": RC},
        "initial_temperature": T0,
    },
    "time": {"t_end": 0.2, "dt": 1e-3, "scheme": "bdf2", "initial": 0.3, "output_times": [0.1]},
}


def test_case_transient_temperature_vs_fourier(tmp_path):
    out = tmp_path / "out"
    result = run_case(copy.deepcopy(CASE), out)
    summary = result.summary
    thermal = summary["thermal"]
    assert thermal["mode"] == "transient conduction"
    reference = slab_fourier_flux(
        0.2, length=1.0, diffusivity=K / RC, concentration=RC, x_initial=T0, x_ends=T1
    )
    # BDF2, dt = 1e-3, 200 P1 cells at Fo = 0.1: observed 8.3e-6 relative (space and
    # time; tests/test_transient_heat.py shows both converge), asserted at ~2x
    for name in ("left", "right"):
        assert thermal["heat_flow"][name] == pytest.approx(reference, rel=2e-5)
    assert thermal["max_relative_heat_imbalance"] < 1e-10  # LU round-off
    assert T0 < thermal["t_min"] < thermal["t_max"] <= T1 * (1 + 1e-12)
    with (out / "time_series.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 200
    # 1D: per unit area (tester1 #4: the header said [W] and [J])
    assert float(rows[-1]["heat_flow_left [W/m^2]"]) == pytest.approx(reference, rel=2e-5)
    assert "heat_energy [J/m^2]" in rows[0] and "heat_balance [W/m^2]" in rows[0]
    # the temperature is in the fields in time (both output times) and the final fields
    pieces = sorted((out / "fields_time").glob("*.vtu"))
    assert len(pieces) == 2
    import pyvista

    grid = pyvista.read(pieces[0])
    assert "temperature" in grid.point_data and "mole_fraction_A" in grid.point_data
    assert T0 < float(grid.point_data["temperature"].min()) < T1
    assert "temperature" in read_grid_arrays(out / "fields.vtkhdf")


def test_case_steady_initial_temperature_and_time_dependent_data(tmp_path):
    # T = 300 + 2 t + 10 x with Q = ρ c_p · 2: linear in t and x, exact for P1 and BDF2;
    # the left temperature and the right outward heat flux −k·10 are expressions of x, t
    case = copy.deepcopy(CASE)
    case["geometry"]["layers"][0]["cells"] = 10
    case["thermal"] |= {
        "boundaries": {
            "left": {"type": "temperature", "value": 300.0},
            "right": {"type": "heat_flux", "value": 0.0},
        },
        "source": RC * 2.0,
        "initial_temperature": "300 + 10*x",
        "boundary_values": {"left": "300 + 2*t + 10*x", "right": f"-{K}*10 + 0*t"},
    }
    case["time"] = {"t_end": 2.0, "dt": 0.25, "initial": 0.3}
    summary = run_case(case).summary
    thermal = summary["thermal"]
    assert thermal["t_min"] == pytest.approx(304.0, rel=1e-12)
    assert thermal["t_max"] == pytest.approx(314.0, rel=1e-12)
    assert thermal["heat_flow"]["right"] == pytest.approx(-K * 10, rel=1e-12)
    assert thermal["heat_flow"]["left"] == pytest.approx(K * 10, rel=1e-9)


def _problems(mutate):
    case = copy.deepcopy(CASE)
    mutate(case)
    with pytest.raises(CaseError) as info:
        run_case(case)
    return dict(info.value.problems)


@pytest.mark.parametrize(
    ("mutate", "key", "words"),
    [
        (
            lambda c: c["thermal"]["volumetric_heat_capacity"].update(s=-1.0),
            "thermal.volumetric_heat_capacity.s",
            "> 0 J/(m^3 K)",
        ),
        (lambda c: c.pop("time"), "thermal.volumetric_heat_capacity", "needs a [time]"),
        (
            lambda c: c["thermal"].update(volumetric_heat_capacity={"core": 1.0}),
            "thermal.volumetric_heat_capacity.core",
            "not a region",
        ),
        (
            lambda c: c["thermal"].update(volumetric_heat_capacity={"core": 1.0}),
            "thermal.volumetric_heat_capacity",
            "missing for region(s) ['s']",
        ),
        (
            lambda c: c["thermal"].pop("volumetric_heat_capacity"),
            "thermal.initial_temperature",
            "needs thermal.volumetric_heat_capacity",
        ),
        (
            lambda c: c["thermal"].update(initial_temperature=-3.0),
            "thermal.initial_temperature",
            "> 0 K",
        ),
        (
            lambda c: c["thermal"].update(boundary_values={"left": "300 + u"}),
            "thermal.boundary_values.left",
            "unknown name 'u'",
        ),
        (
            lambda c: c["thermal"].update(boundary_values={"top": "300"}),
            "thermal.boundary_values.top",
            "[thermal.boundaries]",
        ),
        (
            lambda c: (
                c["thermal"].update(boundary_values={"left": "300 + t"}),
                c["time"].update(stop_at_steady_state=True),
            ),
            "thermal.boundary_values",
            "no steady state",
        ),
        (
            lambda c: c["materials"]["s"].update(concentration_law="ideal_gas", T=300.0, P=1e5),
            "materials.s.concentration_law",
            "EMCD does not hold",
        ),
    ],
)
def test_bad_transient_thermal_input(tmp_path, mutate, key, words):
    problems = _problems(mutate)
    assert key in problems, problems
    assert words in problems[key]


def test_bad_input_writes_nothing(tmp_path):
    case = copy.deepcopy(CASE)
    case["thermal"]["volumetric_heat_capacity"]["s"] = 0.0
    out = tmp_path / "out"
    with pytest.raises(CaseError, match=r"thermal\.volumetric_heat_capacity\.s"):
        run_case(case, out)
    assert not out.exists()


FILMS = {
    "geometry": {
        "kind": "layered_slab",
        "dim": 2,
        "layers": [
            {"name": "a", "thickness": 0.4, "cells": 8},
            {"name": "b", "thickness": 0.6, "cells": 12},
        ],
        "cells_across": 1,
    },
    "materials": {
        "a": {"D": 1.0, "c": 2.0, "thermal_conductivity": 2.0, "soret_coefficient": 0.01},
        "b": {"D": 0.5, "c": 1.0, "thermal_conductivity": 0.5, "soret_coefficient": 0.02},
    },
    "interfaces": [{"materials": ["a", "b"], "film": 3.0, "partition": 0.5}],
    "boundaries": {
        "left": {"type": "mole_fraction", "value": 0.8},
        "right": {"type": "mole_fraction", "value": 0.2},
    },
    "thermal": {
        "boundaries": {
            "left": {"type": "temperature", "value": 300.0},
            "right": {"type": "temperature", "value": 340.0},
        },
        "volumetric_heat_capacity": {"a": 3.0, "b": 1.5},
    },
}


def test_films_partition_soret_reach_the_steady_run_from_a_previous_state(tmp_path):
    # every steady term (film, partition, Soret with solved T) marched with T in time,
    # started from a previous run's state (x_A and T: initial_temperature not given); at
    # the steady state the flows equal the steady run's (Newton to 1e-12 both; the rest
    # of ∂/∂t at steady_tolerance 1e-10 1/s leaves ~1e-9, asserted at 1e-7)
    steady_case = copy.deepcopy(FILMS)
    del steady_case["thermal"]["volumetric_heat_capacity"]
    steady = run_case(steady_case).summary
    first = copy.deepcopy(FILMS)
    first["thermal"]["initial_temperature"] = 320.0
    first["time"] = {"t_end": 1e-6, "dt": 1e-6}
    previous = run_case(first, tmp_path / "first").solution.records[-1]
    start = copy.deepcopy(FILMS)
    start["time"] = {"t_end": 2e-6, "dt": 1e-6, "initial": {"from": str(tmp_path / "first")}}
    record = run_case(start).solution.records[0]
    # T came from the previous run (320 K inside), not from the steady default (300–340 K,
    # 2.6 % less stored heat): one 1e-6 s step just after the boundary jump moves the
    # stored heat by 1.7e-6 relative (observed)
    assert record.heat_energy == pytest.approx(previous.heat_energy, rel=1e-5)
    marched = copy.deepcopy(start)
    marched["time"] |= {
        "t_end": 500.0,
        "dt": 0.01,
        "adaptive": True,
        "stop_at_steady_state": True,
        "steady_tolerance": 1e-10,
    }
    summary = run_case(marched).summary
    assert summary["transient"]["reason"] == "steady_state"
    for name in ("left", "right"):
        got, want = summary["boundary_flux"][name], steady["boundary_flux"][name]
        assert got == pytest.approx(want, rel=1e-7)
        got, want = summary["thermal"]["heat_flow"][name], steady["thermal"]["heat_flow"][name]
        assert got == pytest.approx(want, rel=1e-7)


def test_contact_resistance_transient_temperature_and_its_checkpoint(tmp_path):
    # a contact resistance makes T discontinuous (SIPG, DG): marched to the steady state it
    # equals the steady run (both LU; asserted at 1e-7 as above), and its checkpoint (DOFs
    # keyed by points moved towards their cell's midpoint) restores T exactly
    from emcd_fem.io.checkpoint import CHECKPOINT, read_states

    case = copy.deepcopy(FILMS)
    # near-square cells (0.05 m): SIPG's penalty uses the cell diameter, so long thin
    # cells make its form indefinite (and BDF2 unstable: refused, see below)
    case["geometry"] |= {"width": 0.1, "cells_across": 2}
    del case["interfaces"]
    case["interfaces"] = [{"materials": ["a", "b"], "contact_resistance": 0.05}]
    steady_case = copy.deepcopy(case)
    del steady_case["thermal"]["volumetric_heat_capacity"]
    steady = run_case(steady_case).summary
    case["thermal"]["initial_temperature"] = 300.0
    case["time"] = {
        "t_end": 500.0,
        "dt": 0.01,
        "adaptive": True,
        "stop_at_steady_state": True,
        "steady_tolerance": 1e-10,
        "initial": 0.5,
    }
    result = run_case(case, tmp_path / "run")
    summary = result.summary
    assert summary["transient"]["reason"] == "steady_state"
    assert summary["thermal"]["max_relative_heat_imbalance"] < 1e-10
    for name in ("left", "right"):
        got, want = summary["thermal"]["heat_flow"][name], steady["thermal"]["heat_flow"][name]
        assert got == pytest.approx(want, rel=1e-7)
        got, want = summary["boundary_flux"][name], steady["boundary_flux"][name]
        assert got == pytest.approx(want, rel=1e-7)
    T, x = result.fields["temperature"], result.fields["mole_fraction"]
    assert T.function_space.element.basix_element.discontinuous
    # the stored final state, read into fresh functions, is the final state exactly (a
    # coordinate key would pick one of the repeated DG points at random)
    from dolfinx import fem

    fresh = [fem.Function(x.function_space), fem.Function(T.function_space)]
    (latest,) = read_states(tmp_path / "run" / CHECKPOINT, fresh, latest_only=True)
    n = T.function_space.dofmap.index_map.size_local
    assert np.array_equal(latest[1][:n], T.x.array[:n])
    assert np.array_equal(latest[0][:n], x.x.array[:n])


def test_unstable_sipg_march_is_stopped_with_a_reason():
    # cells 0.05 m x 1 m (aspect 20): the SIPG form is indefinite and BDF2 blows up; the
    # march stops at the first T <= 0 with the reason instead of writing nonsense
    from emcd_fem.errors import EmcdSolverError

    case = copy.deepcopy(FILMS)
    case["interfaces"] = [{"materials": ["a", "b"], "contact_resistance": 0.05}]
    case["thermal"]["initial_temperature"] = 300.0
    case["time"] = {"t_end": 0.1, "dt": 0.01, "initial": 0.5}
    with pytest.raises(EmcdSolverError, match="moderate aspect ratio"):
        run_case(case)
