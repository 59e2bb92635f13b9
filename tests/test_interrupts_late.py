"""A signal that arrives after the results were committed loses nothing and says so.

Deterministic, in process: the late signal is raised with ``signal.raise_signal`` at two
moments, patched in: right after the output directory's commit (the results are in
place, the run has not returned yet) and while ``emcd run`` prints its report. The run's
directory is complete, so the message must say where the results are (not "nothing was
written") and the exit code must be the run's own (0), not 128 + signum.
"""

import json
import logging
import signal
from pathlib import Path

import pytest

from emcd_fem import cli
from emcd_fem.cli import commands
from emcd_fem.io import output
from emcd_fem.pipeline.run import run_case

DEMOS = Path(__file__).resolve().parents[1] / "demos"


def _signal_after(function, signum):
    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        signal.raise_signal(signum)
        return result

    return wrapper


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_right_after_the_commit_keeps_the_results(signum, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(output, "commit", _signal_after(output.commit, signum))
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING, logger="emcd_fem"):
        result = run_case(DEMOS / "slab_1d.toml", out)  # returns: no Interrupted
    assert json.loads((out / "summary.json").read_text())["status"] == "ok"
    assert result.summary["status"] == "ok" and (out / "fields.vtkhdf").is_file()
    late = [r.getMessage() for r in caplog.records if "after the results" in r.getMessage()]
    assert late == [
        f"{signal.Signals(signum).name} received after the results were written: they are "
        f"complete in {out.resolve()} (the signal changed nothing)"
    ]


@pytest.mark.parametrize("moment", ["commit", "report"])
def test_emcd_run_with_a_late_signal_exits_with_the_runs_code(moment, tmp_path, monkeypatch, capfd):
    # SIGINT: under the old code a late SIGTERM while reporting ended the process outright
    if moment == "commit":
        monkeypatch.setattr(output, "commit", _signal_after(output.commit, signal.SIGINT))
    else:
        monkeypatch.setattr(commands, "_result", _signal_after(commands._result, signal.SIGINT))
    out = tmp_path / "out"
    code = cli.main(["run", str(DEMOS / "slab_1d.toml"), "--out", str(out)])
    stderr = capfd.readouterr().err
    assert code == 0, stderr
    assert "nothing was written" not in stderr
    assert f"SIGINT received after the results were written: they are complete in {out}" in (
        " ".join(stderr.split())
    )
    assert json.loads((out / "summary.json").read_text())["status"] == "ok"
