"""SIGTERM to ``mpiexec`` during a 2-rank transient run, at many moments: always exit 8.

Hydra forwards the signal to every rank, and the ranks receive it at slightly different
moments: one may get it while the other is writing a checkpoint, inside a reduction, or
after the agreed stop, while the outputs are written. Whatever the moment, the run must
finish the current step, write its checkpoint and the outputs so far and exit with 8
("continue with emcd run --resume"), never "internal error" or a lost run
(README "Time-dependent runs"; tester report F7, once in four tries at one moment).

The test chains the interruptions: every resumed run is interrupted again at the next
moment of a seeded random sequence, and must have advanced the time. Checkpoints are
written every 2 steps, so many signals meet a checkpoint write. The signal is sent once
the staging directory holds a checkpoint (the march runs), plus the random delay.
"""

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

EMCD = str(Path(sys.executable).parent / "emcd")
CASE = """
[geometry]
kind = "layered_slab"
dim = 1
layers = [ { name = "m", thickness = 1.0e-3, cells = 400 } ]
[materials.m]
D = 1.0e-9
c = 40.0
[boundaries.left]
type = "mole_fraction"
value = 0.9
[boundaries.right]
type = "mole_fraction"
value = 0.0
[time]
t_end = 400.0
dt = 0.05
scheme = "bdf2"
output_times = [0.5, 100.0]
initial = 0.0
checkpoint_every = 2
"""


def _mpiexec() -> str:
    candidate = Path(sys.executable).parent / "mpiexec"
    found = str(candidate) if candidate.exists() else shutil.which("mpiexec")
    if found is None:
        pytest.skip("no mpiexec")
    return found


def _interrupt(argv: list[str], staging: Path, delay: float) -> tuple[int, str]:
    """Start ``mpiexec -n 2 emcd ...``; SIGTERM to mpiexec ``delay`` s into the march."""
    process = subprocess.Popen(
        [_mpiexec(), "-n", "2", EMCD, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not list(staging.glob(".emcd-staging-out-*/checkpoint.npz")):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            out, err = process.communicate()
            pytest.fail(f"the march did not start (rc {process.returncode}):\n{out}\n{err}")
        time.sleep(0.02)
    time.sleep(delay)
    process.send_signal(signal.SIGTERM)
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"no exit 120 s after SIGTERM:\n{out}\n{err}")
    return process.returncode, out + err


@pytest.mark.timeout(600)
def test_sigterm_to_mpiexec_at_many_moments_always_checkpoints(tmp_path):
    case = tmp_path / "tr.toml"
    case.write_text(CASE)
    out = tmp_path / "out"
    rng = random.Random(17)
    delays = [rng.uniform(0.0, 0.8) for _ in range(5)]  # ~10 s each on a loaded machine
    t_final = 0.0
    for i, delay in enumerate(delays):
        argv = ["run", str(case), "--out", str(out)] if i == 0 else ["run", "--resume", str(out)]
        code, text = _interrupt(argv, tmp_path, delay)
        where = f"signal {i} ({delay:.3f} s into the march)"
        assert code == 8, f"{where}: exit {code}\n{text}"
        assert "internal error" not in text and "Traceback" not in text, f"{where}\n{text}"
        assert "--resume" in text, f"{where}\n{text}"
        summary = json.loads((out / "summary.json").read_text())["transient"]
        assert summary["reason"] == "interrupted", where
        assert summary["t_final"] > t_final, f"{where}: no progress from t = {t_final} s"
        t_final = summary["t_final"]
        assert (out / "checkpoint.npz").is_file(), where
