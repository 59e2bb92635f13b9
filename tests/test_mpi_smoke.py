"""One smoke run of the parallel suite at 3 ranks (oversubscribed on 2 cores: keep it small)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(300)
def test_three_ranks_smoke():
    mpiexec = Path(sys.executable).parent / "mpiexec"
    mpiexec = str(mpiexec) if mpiexec.exists() else shutil.which("mpiexec")
    if mpiexec is None:
        pytest.skip("no mpiexec")
    cmd = [
        mpiexec,
        "-n",
        "3",
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/mpi/test_parallel.py",
        "-k",
        "three_layer_slab_parallel and 2-1 or errors",
    ]
    env = dict(os.environ)
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "passed" in result.stdout


@pytest.mark.timeout(300)
def test_three_ranks_with_their_own_hash_seeds_match_serial():
    """Film (the case that failed at random), partition and thermal cases on 3 ranks, each
    rank with its own PYTHONHASHSEED (MPMD), against the serial fluxes at 1e-10."""
    import json

    from mpi4py import MPI

    sys.path.insert(0, str(ROOT / "tests"))
    from layered_cases import SCHEDULE, fluxes

    mpiexec = Path(sys.executable).parent / "mpiexec"
    mpiexec = str(mpiexec) if mpiexec.exists() else shutil.which("mpiexec")
    if mpiexec is None or shutil.which("timeout") is None:
        pytest.skip("no mpiexec or timeout")
    wanted = {"film": 2, "partition": 1, "thermal": 1}
    script = [sys.executable, str(ROOT / "tests" / "layered_cases.py")]
    script += [f"{kind}:{n}" for kind, n in wanted.items()]
    cmd = ["timeout", "240", mpiexec]
    for rank in range(3):
        cmd += ([":"] if rank else []) + ["-n", "1", "env", f"PYTHONHASHSEED={rank + 1}", *script]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=270)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("FLUXES "))
    parallel = json.loads(line.removeprefix("FLUXES "))
    assert len(parallel) == sum(wanted.values())
    for kind, n in wanted.items():
        for names in SCHEDULE[kind][:n]:
            serial = fluxes(kind, names, MPI.COMM_SELF)
            got = parallel[f"{kind}:{'/'.join(names)}"]
            scale = max(abs(v) for v in serial.values())
            for side, value in serial.items():
                assert abs(got[side] - value) <= 1e-10 * scale, (kind, names, side)
