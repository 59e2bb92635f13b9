"""Transient runs from case files and the CLI: [time], outputs in time, SIGTERM + resume.

The resumed run restores the complete march state (time, next step, the last three
potentials, their inventories, the time series), so it repeats the uninterrupted run's
arithmetic: the time series and the final fields agree to round-off (asserted at 1e-12
relative; observed identical).
"""

import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from emcd_fem.analytic.transient import slab_fourier_flux
from emcd_fem.io.field_file import read_grid_arrays
from emcd_fem.pipeline.run import run_case

EMCD = str(Path(sys.executable).parent / "emcd")
SLAB = """
[geometry]
kind = "layered_slab"
dim = 1
layers = [{{ name = "s", thickness = 1.0, cells = {cells} }}]

[materials.s]
D = 0.5
c = 2.0

[boundaries.left]
type = "mole_fraction"
value = 0.9

[boundaries.right]
type = "mole_fraction"
value = 0.9

[time]
t_end = {t_end}
dt = {dt}
scheme = "bdf2"
initial = 0.1
output_times = {outputs}
checkpoint_every = 25
"""


def _case(tmp_path, name="slab.toml", cells=200, t_end=0.8, dt=1e-3, outputs="[0.1, 0.5]"):
    path = tmp_path / name
    path.write_text(SLAB.format(cells=cells, t_end=t_end, dt=dt, outputs=outputs))
    return path


def _emcd(*args, timeout=300):
    return subprocess.run([EMCD, *map(str, args)], capture_output=True, text=True, timeout=timeout)


def _series(directory):
    with (directory / "time_series.csv").open() as stream:
        rows = list(csv.reader(stream))
    return rows[0], np.array([[float(v) if v else np.nan for v in r] for r in rows[1:]])


def test_case_file_transient_vs_fourier(tmp_path):
    # 400 cells, dt = 5e-4 (BDF2): flux error 2e-6 relative at Fo = 0.1 (tests/test_transient.py)
    path = _case(tmp_path, cells=400, t_end=0.2, dt=5e-4, outputs="[0.1]")
    result = run_case(path, tmp_path / "out")
    summary = result.summary
    reference = slab_fourier_flux(
        0.2, length=1, diffusivity=0.5, concentration=2, x_initial=0.1, x_ends=0.9
    )
    assert summary["boundary_flux"]["left"] == pytest.approx(reference, rel=5e-6)
    transient = summary["transient"]
    assert transient["reason"] == "t_end" and transient["steps"] == 400
    assert transient["max_relative_imbalance"] < 1e-10
    header, values = _series(tmp_path / "out")
    # 1D: per unit area (tester1 #4: the header said [mol/s] for mol/(m^2 s) values)
    assert header[:5] == [
        "step",
        "t [s]",
        "dt [s]",
        "flux_left [mol/(m^2 s)]",
        "flux_right [mol/(m^2 s)]",
    ]
    assert header[5] == "inventory [mol/m^2]"
    assert values.shape[0] == 400 and values[-1, 1] == pytest.approx(0.2, rel=1e-14)
    assert (tmp_path / "out" / "flux_history.png").stat().st_size > 10_000


def test_fields_in_time_open_in_pyvista(tmp_path):
    import pyvista

    path = _case(tmp_path, cells=50, t_end=0.6, dt=0.01)
    run_case(path, tmp_path / "out")
    reader = pyvista.get_reader(str(tmp_path / "out" / "fields_time.pvd"))
    assert reader.time_values == pytest.approx([0.1, 0.5, 0.6], rel=1e-12)
    reader.set_active_time_value(0.5)
    grid = reader.read()[0]
    x = np.asarray(grid.point_data["mole_fraction_A"])
    assert grid.n_points == 51 and 0.1 < x.min() < x.max() <= 0.9 + 1e-12


def _interrupted_run(tmp_path, case, launcher=()):
    out = tmp_path / "a"
    process = subprocess.Popen(
        [*launcher, EMCD, "run", str(case), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".emcd-staging-a-*/checkpoint.npz")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    return out, process.returncode, stderr


def test_sigterm_then_resume_equals_uninterrupted(tmp_path):
    case = _case(tmp_path)
    out, code, stderr = _interrupted_run(tmp_path, case)
    assert code == 8, stderr
    assert "--resume" in stderr
    summary = json.loads((out / "summary.json").read_text())
    partial = summary["transient"]
    assert partial["reason"] == "interrupted" and partial["t_final"] < 0.8
    assert summary["status"] == "interrupted"  # not "ok": the state at the interruption
    resumed = _emcd("run", "--resume", out)
    assert resumed.returncode == 0, resumed.stderr
    whole = _emcd("run", case, "--out", tmp_path / "b")
    assert whole.returncode == 0, whole.stderr
    header_a, a = _series(out)
    header_b, b = _series(tmp_path / "b")
    assert header_a == header_b and a.shape == b.shape
    assert np.allclose(a, b, rtol=1e-12, atol=1e-15, equal_nan=True)
    fields_a = read_grid_arrays(out / "fields.vtkhdf")["mole_fraction_A"]
    fields_b = read_grid_arrays(tmp_path / "b" / "fields.vtkhdf")["mole_fraction_A"]
    assert np.allclose(fields_a, fields_b, rtol=1e-12, atol=0)
    # the field series holds every output time, before and after the interruption
    text = (out / "fields_time.pvd").read_text()
    assert [t in text for t in ('"0.1"', '"0.5"', '"0.8"')] == [True] * 3
    # a finished run is not resumed
    again = _emcd("run", "--resume", out)
    assert again.returncode == 2 and "already finished" in again.stderr
    assert json.loads((out / "summary.json").read_text())["status"] == "ok"


def test_resume_with_changed_case_refused(tmp_path):
    case = _case(tmp_path)
    out, code, stderr = _interrupted_run(tmp_path, case)
    assert code == 8, stderr
    changed = _case(tmp_path, name="changed.toml", dt=2e-3)
    result = _emcd("run", changed, "--resume", out)
    assert result.returncode == 2
    assert "not the case the checkpoint was written for" in result.stderr
    same = _emcd("run", case, "--resume", out)
    assert same.returncode == 0, same.stderr


BAD = """
[time]
t_start = 1.0
t_end = 0.5
dt = -1.0
rtol = 0.0
atol = -1e-6
adaptive = true
dt_min = 2.0
dt_max = 1.0
output_times = [3.0]
initial = 1.5
boundary_values = { left = "0.5 + t", nowhere = "t", right = "x*t" }
"""


def test_bad_time_section_exit_2_nothing_written(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(SLAB.format(cells=10, t_end=1, dt=0.1, outputs="[]").split("[time]")[0] + BAD)
    out = tmp_path / "out"
    result = _emcd("run", path, "--out", out)
    assert result.returncode == 2, result.stderr
    for key in (
        "time.dt",
        "time.t_end",
        "time.rtol",
        "time.atol",
        "time.dt_min",
        "time.output_times[0]",
        "time.initial",
        "time.boundary_values.left",
        "time.boundary_values.nowhere",
        "time.boundary_values.right",
    ):
        assert key in result.stderr, key
    assert not out.exists()
    assert not list(tmp_path.glob(".emcd-staging-*"))


def test_readme_time_example_runs(tmp_path):
    # the README's [time] block on the demo membrane: adaptive BDF2 with a feed side that
    # rises as 0.9 (1 − exp(−t/10)); at t_end = 4000 s (400 time constants) it is 0.9, and
    # the steady state is the film network's (the steady tolerance leaves ~1e-5)
    from emcd_fem.analytic import film_slab
    from emcd_fem.materials import Material

    root = Path(__file__).resolve().parents[1]
    text = (root / "README.md").read_text()
    section = text[text.index("## Time-dependent runs") :]
    block = section[
        section.index("```toml\n") + 8 : section.index("```", section.index("```toml") + 7)
    ]
    base = (root / "demos" / "membrane_startup.toml").read_text().split("[time]")[0]
    path = tmp_path / "readme.toml"
    path.write_text(base + block.replace("stop_at_steady_state = true", ""))
    summary = run_case(path, tmp_path / "out").summary
    assert summary["transient"]["reason"] == "t_end"
    flux, _ = film_slab(
        [2.0e-4, 8.0e-4], [Material(2.0e-9, 40.9), Material(5.0e-10, 40.9)], 0.9, 0.0, [1.0e-4]
    )
    assert summary["boundary_flux"]["right"] == pytest.approx(flux, rel=1e-4)
    assert summary["transient"]["max_relative_imbalance"] < 1e-10


def test_initial_state_from_a_previous_run(tmp_path):
    # backward Euler is a one-step method: a run continued from the previous run's final
    # state (initial = {from = DIR}) repeats the uninterrupted run's steps to round-off
    first = tmp_path / "first.toml"
    first.write_text(
        SLAB.format(cells=40, t_end=0.1, dt=0.01, outputs="[]").replace('"bdf2"', '"bdf1"')
    )
    run_case(first, tmp_path / "a")
    second = tmp_path / "second.toml"
    second.write_text(
        SLAB.format(cells=40, t_end=0.2, dt=0.01, outputs="[]")
        .replace('"bdf2"', '"bdf1"')
        .replace("initial = 0.1", f'initial = {{ from = "{tmp_path / "a"}" }}\nt_start = 0.1')
    )
    continued = run_case(second, tmp_path / "b").summary
    whole = tmp_path / "whole.toml"
    whole.write_text(
        SLAB.format(cells=40, t_end=0.2, dt=0.01, outputs="[]").replace('"bdf2"', '"bdf1"')
    )
    reference = run_case(whole, tmp_path / "c").summary
    assert continued["transient"]["steps"] == 10
    for side in ("left", "right"):
        assert continued["boundary_flux"][side] == pytest.approx(
            reference["boundary_flux"][side], rel=1e-12
        )


def test_interrupted_on_two_ranks_resumes_on_one(tmp_path):
    # the checkpoint is keyed by DOF coordinates: written by 2 ranks (mpiexec forwards
    # SIGTERM to both), continued by 1, equal to the serial run to round-off
    mpiexec = Path(sys.executable).parent / "mpiexec"
    if not mpiexec.exists():
        pytest.skip("no mpiexec")
    case = _case(tmp_path)
    out, code, stderr = _interrupted_run(tmp_path, case, (str(mpiexec), "-n", "2"))
    assert code == 8, stderr
    resumed = _emcd("run", "--resume", out)
    assert resumed.returncode == 0, resumed.stderr
    whole = _emcd("run", case, "--out", tmp_path / "b")
    assert whole.returncode == 0, whole.stderr
    _, a = _series(out)
    _, b = _series(tmp_path / "b")
    assert a.shape == b.shape
    assert np.allclose(a[:, :6], b[:, :6], rtol=1e-12, atol=1e-15)


def test_fixed_bdf2_output_time_off_the_step_grid_refused(tmp_path):
    path = _case(tmp_path, cells=10, t_end=1.0, dt=0.1, outputs="[0.25]")
    result = _emcd("check", path)
    assert result.returncode == 2
    assert "time.output_times[0]" in result.stderr and "step grid" in result.stderr
