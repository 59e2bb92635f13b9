"""Every demo runs as a script, serially and under mpiexec -n 2, with fast settings."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMOS = sorted((ROOT / "demos").glob("demo_*.py"))


def _mpiexec():
    candidate = Path(sys.executable).parent / "mpiexec"
    return str(candidate) if candidate.exists() else shutil.which("mpiexec")


@pytest.mark.parametrize("ranks", [1, 2])
@pytest.mark.parametrize("demo", DEMOS, ids=[d.stem for d in DEMOS])
def test_demo_runs(demo, ranks, tmp_path):
    env = dict(os.environ, EMCD_DEMO_FAST="1")
    cmd = [sys.executable, str(demo)]
    if ranks > 1:
        if _mpiexec() is None:
            pytest.skip("no mpiexec")
        cmd = [_mpiexec(), "-n", str(ranks), *cmd]
    result = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
