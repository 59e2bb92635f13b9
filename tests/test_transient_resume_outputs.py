"""Interrupted + resumed transient run = uninterrupted run, in every output (in process).

The interruption is simulated by the stop flag of the march (``StopOnSignal``, what a
SIGTERM sets) turning true after a step that is not an output time. The resumed run
restores the whole march state, so it repeats the uninterrupted run's arithmetic: the
same times in ``fields_time.pvd`` and ``time_series.csv``, and the same values (1e-12
relative: observed identical, round-off allowed).
"""

import csv
from pathlib import Path

import numpy as np
import pytest

from emcd_fem import interrupts
from emcd_fem.cli.resume import resume_source
from emcd_fem.pipeline.run import run_case

SLAB = """
[geometry]
kind = "layered_slab"
dim = 1
layers = [{ name = "s", thickness = 1.0, cells = 40 }]

[materials.s]
D = 0.5
c = 2.0

[boundaries.left]
type = "mole_fraction"
value = 0.9

[boundaries.right]
type = "mole_fraction"
value = 0.1

[time]
t_end = 0.3
dt = 0.01
scheme = "bdf2"
initial = 0.1
output_times = [0.0, 0.05, 0.2]
"""


def _pvd_times(directory):
    import re

    text = (directory / "fields_time.pvd").read_text()
    return [float(t) for t in re.findall(r'timestep="([^"]+)"', text)]


def _pieces(directory):
    import pyvista

    reader = pyvista.get_reader(str(directory / "fields_time.pvd"))
    values = []
    for t in reader.time_values:
        reader.set_active_time_value(t)
        values.append(np.asarray(reader.read()[0].point_data["mole_fraction_A"]))
    return values


def _csv(directory):
    with (directory / "time_series.csv").open() as stream:
        rows = list(csv.reader(stream))
    return np.array([[float(v) if v else np.nan for v in r] for r in rows[1:]])


def test_resumed_run_writes_the_uninterrupted_runs_frames(tmp_path, monkeypatch):
    case = tmp_path / "slab.toml"
    case.write_text(SLAB)
    whole = tmp_path / "whole"
    run_case(case, whole)

    calls = {"n": 0}

    def stop_after_seven_steps(self):  # t = 0.07: not an output time
        calls["n"] += 1
        return calls["n"] == 7

    out = tmp_path / "interrupted"
    with monkeypatch.context() as patch:
        patch.setattr(interrupts.StopOnSignal, "__call__", stop_after_seven_steps)
        partial = run_case(case, out).summary["transient"]
    assert partial["reason"] == "interrupted"
    assert partial["t_final"] == pytest.approx(0.07, rel=1e-12)
    # the interrupted run's own series ends with its stop time (its final state)
    assert _pvd_times(out) == pytest.approx([0.0, 0.05, 0.07], rel=1e-12)

    resumed = run_case(resume_source(out), out).summary["transient"]
    assert resumed["reason"] == "t_end"
    # the frame at the stop time (0.07) is not an output time: the resumed run drops it
    assert _pvd_times(out) == _pvd_times(whole) == pytest.approx([0.0, 0.05, 0.2, 0.3])
    for a, b in zip(_pieces(out), _pieces(whole), strict=True):
        assert np.allclose(a, b, rtol=1e-12, atol=0)
    a, b = _csv(out), _csv(whole)
    assert a.shape == b.shape
    assert np.array_equal(a[:, 1], b[:, 1])  # the same step times
    assert np.allclose(a, b, rtol=1e-12, atol=1e-15, equal_nan=True)


def test_resumed_multicomponent_run_writes_the_uninterrupted_runs_frames(tmp_path, monkeypatch):
    # the n-species march (pipeline/multicomponent_transient.py) takes over the frames the
    # same way: a Loschmidt tube with fixed BDF2 steps of 0.05 s, interrupted at t = 0.35
    root = Path(__file__).resolve().parents[1]
    text = (root / "demos" / "loschmidt.toml").read_text().replace("cells = 32", "cells = 8")
    head, tail = text.split("[time]")
    steps = "[time]\nt_end = 1.0\ndt = 0.05\noutput_times = [0.0, 0.2, 0.5]\n\n"
    body = tail.split("[discretisation]")[1].replace("pictures = true", "pictures = false")
    case = tmp_path / "tube.toml"
    case.write_text(head + steps + "[discretisation]" + body)
    whole = tmp_path / "whole"
    run_case(case, whole)

    calls = {"n": 0}

    def stop_after_seven_steps(self):
        calls["n"] += 1
        return calls["n"] == 7

    out = tmp_path / "interrupted"
    with monkeypatch.context() as patch:
        patch.setattr(interrupts.StopOnSignal, "__call__", stop_after_seven_steps)
        partial = run_case(case, out).summary["transient"]
    assert partial["reason"] == "interrupted"
    assert _pvd_times(out) == pytest.approx([0.0, 0.2, 0.35], rel=1e-12)
    run_case(resume_source(out), out)
    assert _pvd_times(out) == _pvd_times(whole) == pytest.approx([0.0, 0.2, 0.5, 1.0])
    a, b = _csv(out), _csv(whole)
    assert a.shape == b.shape and np.array_equal(a[:, 1], b[:, 1])
    assert np.allclose(a, b, rtol=1e-12, atol=1e-15, equal_nan=True)
