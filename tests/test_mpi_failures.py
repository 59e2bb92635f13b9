"""Failure injection on one rank only under ``mpiexec -n 2`` and ``-n 3``.

Each run injects one failure on a single rank (``tests/failure_injection.py``) and must end
every rank within seconds with one message and the exit code of that failure: no hang, no
"Message truncated". Failures the ranks can agree on end cleanly (no ``MPI_Abort``); an
exception on one rank while the others wait inside the solver's collective calls cannot
be agreed, and ends with the message printed first, then ``MPI_Abort`` after
``EMCD_MPI_ERROR_TIMEOUT`` seconds (:mod:`emcd_fem.agreement`).
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "failure_injection.py"
TIMEOUT = 3  # seconds a failed rank waits for the others before aborting

MSH_CASE = f"""
[geometry]
kind = "mesh_file"
path = "{ROOT / "meshes" / "annulus_two_shells.msh"}"
[materials.wall]
D = 1.0e-5
c = 40.9
[materials.coating]
D = 2.0e-6
c = 40.9
[boundaries.inner]
type = "mole_fraction"
value = 0.9
[boundaries.outer]
type = "mole_fraction"
value = 0.1
"""


def _mpiexec() -> str:
    candidate = Path(sys.executable).parent / "mpiexec"
    found = str(candidate) if candidate.exists() else shutil.which("mpiexec")
    if found is None:
        pytest.skip("no mpiexec")
    return found


def _run(n: int, mode: str, rank: int, argv: list[str], cwd: Path) -> tuple[int, str, float]:
    env = dict(os.environ, EMCD_MPI_ERROR_TIMEOUT=str(TIMEOUT))
    command = [_mpiexec(), "-n", str(n), sys.executable, str(SCRIPT), mode, str(rank), "--"]
    start = time.monotonic()
    result = subprocess.run(
        command + argv, capture_output=True, text=True, timeout=240, env=env, cwd=cwd
    )
    return result.returncode, result.stdout + result.stderr, time.monotonic() - start


def _case(tmp_path: Path, text: str | None = None, raw: bytes | None = None) -> Path:
    path = tmp_path / "case.toml"
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text(text if text is not None else (ROOT / "demos" / "slab_1d.toml").read_text())
    return path


def _assert_clean(output: str) -> None:
    assert "Traceback" not in output, output
    assert "Message truncated" not in output, output
    assert "MPI_Abort" not in output, output


@pytest.mark.timeout(600)
@pytest.mark.parametrize("n", [2, 3])
def test_agreed_failures(n, tmp_path):
    """Failures that every rank agrees on: one message, one exit code, no abort."""
    slab = (ROOT / "demos" / "slab_1d.toml").read_text()
    latin1 = _case(tmp_path, raw=b"# caf\xe9 au lait\n" + slab.encode())
    code, output, seconds = _run(n, "none", 0, ["run", str(latin1), "--out", "o1"], tmp_path)
    assert code == 2 and "not UTF-8 text: byte 0xe9 at line 1" in output, output
    assert output.count("not UTF-8") == 1  # printed once (rank 0), not per rank
    assert seconds < 60
    _assert_clean(output)

    case = _case(tmp_path, slab)
    last = n - 1
    code, output, seconds = _run(n, "nan_data", last, ["run", str(case), "--out", "o2"], tmp_path)
    assert code == 4 and "solver failure" in output, output
    assert seconds < 60
    _assert_clean(output)
    assert not (tmp_path / "o2").exists()

    code, output, _ = _run(n, "unreadable_case", 0, ["run", str(case), "--out", "o3"], tmp_path)
    assert code == 2 and "cannot read case file" in output, output
    _assert_clean(output)

    msh = tmp_path / "msh"
    msh.mkdir()
    msh_case = _case(msh, MSH_CASE)
    code, output, _ = _run(n, "invisible_mesh", 0, ["check", str(msh_case)], tmp_path)
    assert code == 2 and "geometry.path: mesh file" in output, output
    _assert_clean(output)
    code, output, _ = _run(n, "invisible_mesh", 0, ["run", str(msh_case), "--out", "o4"], tmp_path)
    assert code == 2 and "not found" in output, output
    _assert_clean(output)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("n", [2, 3])
def test_only_rank_zero_reads(n, tmp_path):
    """A case or mesh file the other ranks cannot see is fine: only rank 0 reads them."""
    case = _case(tmp_path, MSH_CASE)
    code, output, _ = _run(n, "unreadable_case", n - 1, ["check", str(case)], tmp_path)
    assert code == 0, output
    code, output, _ = _run(n, "invisible_mesh", n - 1, ["run", str(case), "--out", "o"], tmp_path)
    assert code == 0, output
    assert (tmp_path / "o" / "summary.json").is_file()
    _assert_clean(output)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("n", [2, 3])
def test_unagreeable_failures_end_quickly(n, tmp_path):
    """One rank fails while the others wait in a collective: message, then a quick end."""
    case = _case(tmp_path)
    last = n - 1
    argv = ["run", str(case), "--out", "o"]
    code, output, seconds = _run(n, "solve_exception", last, argv, tmp_path)
    assert code != 0, output
    assert f"internal error: injected failure inside the solve on rank {last}" in output, output
    assert "Traceback" not in output
    assert seconds < 60 + TIMEOUT
    assert not (tmp_path / "o").exists()

    existing = tmp_path / "a_file"
    existing.write_text("not a directory")
    code, output, seconds = _run(n, "none", 0, ["run", str(case), "--out", str(existing)], tmp_path)
    assert code == 5, output
    assert str(existing) in output, output
    assert "Traceback" not in output and "Message truncated" not in output
    assert seconds < 60 + TIMEOUT
    assert existing.read_text() == "not a directory"
