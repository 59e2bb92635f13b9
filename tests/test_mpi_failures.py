"""Failure injection on one rank only under ``mpiexec -n 2`` and ``-n 3``.

Each run injects one failure on a single rank (``tests/failure_injection.py``) and must end
every rank within seconds with one message and the exit code of that failure: no hang, no
"Message truncated", no ``MPI_Abort``. The ranks agree on the error at checkpoints
(:mod:`emcd_fem.agreement`), and a failing Python callback inside a PETSc solve stops the
solve on every rank (:mod:`emcd_fem.callback_guard`). Only a rank that fails while the
others are inside a collective of a library (between the messages of a DOLFINx assembly)
cannot be agreed with: it prints the message, then ends the job with ``MPI_Abort`` after
``EMCD_MPI_ERROR_TIMEOUT`` seconds.
"""

import os
import re
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


def _exit_codes(output: str) -> list[int]:
    """The exit code each rank reported (``failure_injection.py`` prints them)."""
    return [
        int(code) for code in re.findall(r"failure_injection: rank \d+ exits with (\d+)", output)
    ]


SORET_CASE = ROOT / "demos" / "soret_slab_1d.toml"

#: mode, case, extra options, the failing rank (-1: the last), exit code, message
AGREED_INJECTIONS = [
    ("solve_exception", None, [], -1, 1, "internal error: injected failure inside the solve"),
    (
        "ksp_monitor",
        None,
        ["-v", "--set", 'solver.petsc_options.ksp_type="cg"'],
        -1,
        1,
        "internal error: injected failure in a KSP monitor",
    ),
    ("post_processing", None, [], -1, 1, "internal error: injected failure in post-processing"),
    ("output_writing", None, [], 0, 5, "output error: [Errno 13] Permission denied (injected)"),
    ("output_writing", None, [], -1, 5, "output error: [Errno 13] Permission denied (injected)"),
    (
        "newton_monitor",
        SORET_CASE,
        [],
        0,
        1,
        "internal error: injected failure in the Newton monitor",
    ),
    (
        "newton_residual",
        SORET_CASE,
        [],
        -1,
        1,
        "internal error: injected failure in the Newton residual",
    ),
]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize(
    ("mode", "source", "options", "rank", "expected", "message"),
    AGREED_INJECTIONS,
    ids=[f"{m[0]}-{'last' if m[3] < 0 else 'rank0'}" for m in AGREED_INJECTIONS],
)
def test_one_rank_failure_is_agreed(n, mode, source, options, rank, expected, message, tmp_path):
    """A failure on one rank in any phase: every rank ends with its code, one message."""
    rank = rank % n
    case = _case(tmp_path, source.read_text() if source is not None else None)
    argv = ["run", str(case), "--out", "o", *options]
    code, output, seconds = _run(n, mode, rank, argv, tmp_path)
    assert code == expected, output
    assert _exit_codes(output) == [expected] * n, output  # every rank, the same code
    assert output.count(message) == 1, output  # one message (rank 0 prints it)
    if rank != 0:  # the rank the error came from is named
        assert f"(on rank {rank})" in output, output
    else:
        assert "(on rank" not in output, output
    _assert_clean(output)
    assert "did not respond" not in output, output
    assert seconds < 60, seconds
    assert not (tmp_path / "o").exists()
    assert not list(tmp_path.glob(".emcd-staging*")), list(tmp_path.iterdir())


@pytest.mark.timeout(300)
@pytest.mark.parametrize("n", [2, 3])
def test_failure_inside_a_library_collective_aborts_after_the_message(n, tmp_path):
    """The class that cannot be agreed: the others wait inside a DOLFINx assembly.

    The failed rank prints the message, then ends the job with ``MPI_Abort`` once
    ``EMCD_MPI_ERROR_TIMEOUT`` seconds have passed. The MPI launcher does not always hand
    on the aborted processes' output (observed once in a full CI run: an empty capture at
    3 ranks, the job ended correctly): up to three attempts, each judged in full below.
    """
    case = _case(tmp_path, SORET_CASE.read_text())
    last = n - 1
    argv = ["run", str(case), "--out", "o"]
    message = f"internal error: injected failure before the Newton residual on rank {last}"
    for _attempt in range(3):
        code, output, seconds = _run(n, "newton_residual_early", last, argv, tmp_path)
        if message in output and "MPI_Abort" in output:
            break
    assert code != 0, output
    assert message in output, output
    assert f"rank {last} failed; the other ranks did not respond" in output, output
    assert output.index(message) < output.index("MPI_Abort"), output  # message first
    assert "Traceback" not in output
    assert TIMEOUT <= seconds < 60 + TIMEOUT
    assert not (tmp_path / "o").exists()


@pytest.mark.timeout(600)
@pytest.mark.parametrize("n", [2, 3])
def test_output_path_that_is_a_file(n, tmp_path):
    """``--out`` naming an existing file: refused on every rank before solving."""
    case = _case(tmp_path)
    existing = tmp_path / "a_file"
    existing.write_text("not a directory")
    code, output, seconds = _run(n, "none", 0, ["run", str(case), "--out", str(existing)], tmp_path)
    assert code == 5, output
    assert _exit_codes(output) == [5] * n, output
    assert str(existing) in output, output
    _assert_clean(output)
    assert seconds < 60
    assert existing.read_text() == "not a directory"
