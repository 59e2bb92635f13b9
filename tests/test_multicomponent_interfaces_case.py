"""[[multicomponent.interfaces]] in case files: `emcd run`, orientation, refusals (issue 19).

The demo (`demos/ternary_interface.toml`: H2/N2/CO2, two layers, partition and film per
species) against the two-layer reference that the run itself reports (summary.json →
analytic: the exact matrix exponential per layer with the interface laws, fluxes from
scipy's root to < 1e-12); every bad key with its path, exit 2, nothing written.
"""

import copy
import csv
import json
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest

from emcd_fem.analytic.multicomponent import LayerInterface, layered_film_solution
from emcd_fem.case import CaseError, load_case
from emcd_fem.pipeline.run import check_case, run_case

ROOT = Path(__file__).resolve().parents[1]
DEMO_PATH = ROOT / "demos" / "ternary_interface.toml"
DEMO = tomllib.loads(DEMO_PATH.read_text())
SPECIES = ["H2", "N2", "CO2"]


def _emcd(*args):
    emcd = str(Path(sys.executable).parent / "emcd")
    return subprocess.run([emcd, *map(str, args)], capture_output=True, text=True, timeout=300)


def _exact():
    mc = DEMO["multicomponent"]
    layers = []
    for name, thickness in (("a", 0.004), ("b", 0.006)):
        region = mc["regions"][name]
        d = np.zeros((3, 3))
        for i, a in enumerate(SPECIES):
            for j, b in enumerate(SPECIES):
                value = region["diffusivities"].get(a, {}).get(b)
                if value is not None:
                    d[i, j] = d[j, i] = value
        layers.append((d, thickness, region["c"]))
    ends = [[mc["boundaries"][b]["mole_fractions"][s] for s in SPECIES] for b in ("left", "right")]
    face = mc["interfaces"][0]
    interface = LayerInterface(
        [face["partition"][s] for s in SPECIES[:2]], [face["film"][s] for s in SPECIES[:2]]
    )
    return layered_film_solution(*ends, layers, (1.0, 1.0, 1.0), [interface])


def test_emcd_run_of_the_interface_demo(tmp_path):
    out = tmp_path / "out"
    process = _emcd("run", DEMO_PATH, "--out", out)
    assert process.returncode == 0, process.stderr
    summary = json.loads((out / "summary.json").read_text())
    exact = _exact()  # written here from the TOML data, independent of the run's reference
    scale = np.abs(exact.fluxes).max()
    for k, s in enumerate(SPECIES):
        # P2, 16 cells per layer: O(h^4) boundary fluxes, measured 2.3e-9 of the scale
        assert summary["boundary_flux"][s]["right"] == pytest.approx(
            exact.fluxes[k], abs=1e-6 * scale
        )
        assert summary["film_flux"]["a|b"][s] == pytest.approx(exact.fluxes[k], abs=1e-6 * scale)
        assert summary["balance"][s]["relative"] < 1e-10
    assert summary["analytic"]["max_relative_error"] < 1e-6
    assert summary["equimolar"].startswith("yes")
    assert summary["status"] == "ok"
    assert "1D analytic reference" in process.stdout


def _data():
    data = copy.deepcopy(DEMO)
    for layer in data["geometry"]["layers"]:
        layer["cells"] = 8
    return data


def test_swapped_pair_with_transformed_coefficients_gives_identical_fluxes():
    first = run_case(_data()).summary
    data = _data()
    face = data["multicomponent"]["interfaces"][0]
    kappa = {s: face["partition"][s] * 40.0 / 30.0 for s in SPECIES[:2]}  # K c_a/c_b
    face["regions"] = ["b", "a"]
    face["film"] = {s: face["film"][s] / kappa[s] for s in SPECIES[:2]}  # k_ba = k_ab/κ_ab
    face["partition"] = {s: 1.0 / face["partition"][s] for s in SPECIES[:2]}  # K_ba = 1/K_ab
    second = run_case(data).summary
    for s in SPECIES:
        for b in ("left", "right"):
            assert second["boundary_flux"][s][b] == pytest.approx(
                first["boundary_flux"][s][b], rel=1e-10
            )
        assert second["film_flux"]["b|a"][s] == pytest.approx(
            -first["film_flux"]["a|b"][s], rel=1e-10
        )
    # the run's own reference follows the orientation too
    assert second["analytic"]["max_relative_error"] < 1e-6


def test_partition_only_case_matches_reference():
    data = _data()
    del data["multicomponent"]["interfaces"][0]["film"]
    summary = run_case(data).summary
    assert "film_flux" not in summary
    assert summary["analytic"]["max_relative_error"] < 1e-6
    assert summary["status"] == "ok"


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"partition": {"H2": 0.6}}, "interfaces[0].partition", "K missing for ['N2']"),
        ({"film": {"H2": 2.0, "Ar": 5.0}}, "interfaces[0].film.Ar", "unknown species 'Ar'"),
        ({"partition": {"H2": 0.0, "N2": 1.0}}, "interfaces[0].partition.H2", "K must be > 0"),
        ({"film": {"H2": 2.0, "N2": -5.0}}, "interfaces[0].film.N2", "k must be > 0"),
        (
            {"partition": {"H2": 0.6, "N2": 1.3, "CO2": 1.0}},
            "interfaces[0].partition.CO2",
            "closes the sum",
        ),
        ({"regions": ["a", "c"]}, "interfaces[0].regions[1]", "unknown region"),
        ({"partition": None, "film": None}, "interfaces[0]", "give partition and/or film"),
    ],
)
def test_bad_interfaces_name_the_key(change, path, message):
    data = _data()
    face = data["multicomponent"]["interfaces"][0]
    for key, value in change.items():
        if value is None:
            face.pop(key)
        else:
            face[key] = value
    with pytest.raises(CaseError) as info:
        load_case(data)
    assert f"multicomponent.{path}: " in str(info.value), str(info.value)
    assert message in str(info.value), str(info.value)


def test_films_with_sources_are_accepted():
    # films combine with sources and reactions (verified in test_multicomponent_film_reactions);
    # the exact film knows no production, so emcd check reports none
    data = _data()
    data["multicomponent"]["regions"]["a"]["sources"] = {"H2": -1e-3, "N2": 1e-3}
    assert "analytic_flux_per_area" not in check_case(load_case(data))


def test_bad_interface_exits_2_and_writes_nothing(tmp_path):
    text = DEMO_PATH.read_text().replace(
        "partition = { H2 = 0.6, N2 = 1.3 }", "partition = { H2 = 0.6 }"
    )
    case = tmp_path / "bad.toml"
    case.write_text(text)
    process = _emcd("run", case, "--out", tmp_path / "out")
    assert process.returncode == 2
    assert "multicomponent.interfaces[0].partition" in process.stderr
    assert not (tmp_path / "out").exists()


def test_binary_interfaces_section_points_to_the_multicomponent_one():
    data = _data()
    data["interfaces"] = [{"materials": ["a", "b"], "partition": 0.5}]
    with pytest.raises(CaseError, match=r"multicomponent\.interfaces"):
        load_case(data)


def test_closed_vessel_with_film_in_time_from_a_case(tmp_path):
    # [time], no boundary composition: the two layers exchange through the film until
    # x_k,b = κ_k x_k,a; inventories (c L x per layer at the start: no node is shared
    # across a film) are kept, the probes in each layer approach the equilibrium
    data = _data()
    mc = data["multicomponent"]
    del mc["boundaries"]
    mc["regions"]["a"]["initial"] = {"H2": 0.5, "N2": 0.2, "CO2": 0.3}
    mc["regions"]["b"]["initial"] = {"H2": 0.1, "N2": 0.3, "CO2": 0.6}
    mc["probes"] = {"in_a": [0.002], "in_b": [0.007]}
    data["time"] = {  # ~10 diffusion times L²/Đ; checkpoint at the end only
        "t_end": 60.0,
        "dt": 1e-4,
        "adaptive": True,
        "rtol": 1e-6,
        "atol": 1e-9,
        "dt_max": 5.0,
        "checkpoint_every": 0,
    }
    data["output"] = {"pictures": False}
    result = run_case(data, tmp_path / "out")
    summary = result.summary
    assert summary["status"] == "ok", summary["failures"]
    exact = {
        s: 40.0 * 0.004 * xa + 30.0 * 0.006 * xb
        for s, xa, xb in (("H2", 0.5, 0.1), ("N2", 0.2, 0.3), ("CO2", 0.3, 0.6))
    }
    for s in SPECIES:
        assert summary["inventory"][s]["initial"] == pytest.approx(exact[s], rel=1e-13)
        assert summary["inventory"][s]["final"] == pytest.approx(exact[s], rel=1e-10)
    final = summary["probes"]["in_a"]["final"], summary["probes"]["in_b"]["final"]
    for s, K in (("H2", 0.6), ("N2", 1.3)):
        kappa = K * 40.0 / 30.0
        x_a = exact[s] / (40.0 * 0.004 + 30.0 * 0.006 * kappa)
        assert final[0][s] == pytest.approx(x_a, abs=1e-7)
        assert final[1][s] == pytest.approx(kappa * x_a, abs=1e-7)
    assert (tmp_path / "out" / "time_series.csv").exists()


def test_film_case_sigterm_then_resume_equals_uninterrupted(tmp_path):
    # the checkpoint holds one potential per block (two submeshes) and the march records:
    # the resumed run repeats the uninterrupted one's arithmetic (fixed BDF2 steps), so the
    # time series agree to round-off
    text = DEMO_PATH.read_text()
    text = text.replace("[multicomponent.boundaries.right]", "[unused]")
    text = text.replace("mole_fractions = { H2 = 0.1, N2 = 0.3, CO2 = 0.6 }\n", "")
    text = text.replace("[unused]\n", "")
    for name, x in (("a", "0.3, N2 = 0.3, CO2 = 0.4"), ("b", "0.1, N2 = 0.3, CO2 = 0.6")):
        text = text.replace(
            f"[multicomponent.regions.{name}]",
            f"[multicomponent.regions.{name}]\ninitial = {{ H2 = {x} }}",
        )
    text = text.replace("cells = 16", "cells = 4")
    text += "\n[time]\nt_end = 2.0\ndt = 0.002\ncheckpoint_every = 50\n"
    case = tmp_path / "films.toml"
    case.write_text(text)
    out = tmp_path / "a"
    emcd = str(Path(sys.executable).parent / "emcd")
    process = subprocess.Popen(
        [emcd, "run", str(case), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 200
    while not list(tmp_path.glob(".emcd-staging-a-*/checkpoint.npz")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=200)
    assert process.returncode == 8, stderr
    assert json.loads((out / "summary.json").read_text())["transient"]["t_final"] < 2.0
    resumed = _emcd("run", "--resume", out)
    assert resumed.returncode == 0, resumed.stderr
    whole = _emcd("run", case, "--out", tmp_path / "b")
    assert whole.returncode == 0, whole.stderr
    a = list(csv.reader((out / "time_series.csv").open()))
    b = list(csv.reader((tmp_path / "b" / "time_series.csv").open()))
    assert a[0] == b[0] and len(a) == len(b) == 1001
    numbers = [
        np.array([[float(v) if v else np.nan for v in row] for row in rows])
        for rows in (a[1:], b[1:])
    ]
    assert np.allclose(numbers[0], numbers[1], rtol=1e-12, atol=1e-15, equal_nan=True)
