"""`emcd info` and `emcd demo` end to end (subprocess), serial and under mpiexec."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EMCD = str(Path(sys.executable).parent / "emcd")
MPIEXEC = Path(sys.executable).parent / "mpiexec"


def run(*args, cwd=None, timeout=180):
    return subprocess.run([*args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def test_info_json():
    result = run(EMCD, "info", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["versions"]["dolfinx"].startswith("0.11")
    assert data["petsc_packages"]["mumps"] is True
    assert data["mpi"]["ranks"] == 1


def test_demo_list_and_help():
    listing = run(EMCD, "demo")
    assert listing.returncode == 0
    assert "slab_3d" in listing.stdout and "demo_composite_slab" in listing.stdout
    for command in ("run", "check", "info", "demo"):
        assert run(EMCD, command, "--help").returncode == 0
    unknown = run(EMCD, "demo", "slab_4d")
    assert unknown.returncode == 2 and "did you mean 'slab_3d'" in unknown.stderr.lower()


def test_demo_case_serial_and_parallel(tmp_path):
    if not MPIEXEC.exists():
        pytest.skip("no mpiexec")
    serial = run(EMCD, "demo", "slab_2d", "--out", str(tmp_path / "s"))
    parallel = run(str(MPIEXEC), "-n", "2", EMCD, "demo", "slab_2d", "--out", str(tmp_path / "p"))
    assert serial.returncode == 0 and parallel.returncode == 0, parallel.stderr
    a = json.loads((tmp_path / "s" / "summary.json").read_text())
    b = json.loads((tmp_path / "p" / "summary.json").read_text())
    assert b["ranks"] == 2
    for name, value in a["boundary_flux"].items():
        assert b["boundary_flux"][name] == pytest.approx(value, rel=1e-10, abs=1e-20)


def test_demo_script(tmp_path):
    result = run(EMCD, "demo", "demo_composite_slab", "--fast", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "relative error" in result.stdout


def test_verify_quick(tmp_path):
    result = run(EMCD, "verify", "--quick", "--out", str(tmp_path / "v"), timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    report = (tmp_path / "v" / "report.md").read_text()
    assert "checks passed" in report and "FAIL" not in report
    assert (tmp_path / "v" / "convergence.png").stat().st_size > 10_000
    # observed orders printed for the manufactured solutions (L2 ~2 for P1, ~3 for P2)
    assert "manufactured solution P2" in result.stdout
    assert "dusty gas: equal molar masses" in report  # every analytic family is in the set
    assert "isomerization A <=> B slab" in report and "Stefan film A -> 2 B" in report
    assert "interface reaction A <=> B on a film + partition" in report


def test_sweep_three_points(tmp_path):
    import csv

    import emcd_fem as ef

    out = tmp_path / "sweep"
    result = run(
        EMCD,
        "--progress",
        "always",
        "run",
        str(ROOT / "demos" / "slab_1d.toml"),
        "--out",
        str(out),
        "--sweep",
        "materials.membrane.D=1e-6,2e-6,4e-6",
    )
    assert result.returncode == 0, result.stderr
    assert "sweep: 100%" in result.stderr and "3/3" in result.stderr  # the bar (rank 0)
    rows = list(csv.DictReader((out / "sweep.csv").open()))
    assert [r["materials.membrane.D"] for r in rows] == ["1e-6", "2e-6", "4e-6"]
    for row in rows:
        mats = [
            ef.Material(2e-5, 40.9),
            ef.Material(float(row["materials.membrane.D"]), 40.9),
            ef.Material(1e-5, 40.9),
        ]
        ref = ef.analytic.composite_slab(
            [0.3, 0.4, 0.3], mats, ef.MoleFraction(0.9), ef.MoleFraction(0.1)
        )
        assert float(row["flux_right [mol/(m^2 s)]"]) == pytest.approx(ref.flux, rel=1e-10)
    assert sorted(p.name for p in out.iterdir()) == [
        ".emcd-output.json",
        "point_000",
        "point_001",
        "point_002",
        "sweep.csv",
    ]


def test_sweep_bad_value_fails_before_work(tmp_path):
    out = tmp_path / "sweep"
    result = run(
        EMCD,
        "run",
        str(ROOT / "demos" / "slab_1d.toml"),
        "--out",
        str(out),
        "--sweep",
        "materials.membrane.D=1e-6,-2e-6",
    )
    assert result.returncode == 2 and "materials.membrane.D: must be > 0" in result.stderr
    assert not out.exists()


def test_progress_bars(tmp_path):
    """Stage and Newton bars with --progress always; none by default off a terminal."""
    case = str(ROOT / "demos" / "soret_slab_1d.toml")
    shown = run(EMCD, "--progress", "always", "run", case, "--out", str(tmp_path / "a"))
    assert shown.returncode == 0, shown.stderr
    assert "4/4" in shown.stderr and "Newton" in shown.stderr and "residual" in shown.stderr
    quiet = run(EMCD, "run", case, "--out", str(tmp_path / "b"))  # stderr is a pipe: auto = off
    assert quiet.returncode == 0 and "Newton" not in quiet.stderr and "4/4" not in quiet.stderr
    if MPIEXEC.exists():  # one bar, drawn by rank 0 only
        two = run(
            str(MPIEXEC),
            "-n",
            "2",
            EMCD,
            "--progress",
            "always",
            "run",
            case,
            "--out",
            str(tmp_path / "c"),
        )
        assert two.returncode == 0, two.stderr
        assert two.stderr.count("done: 100%") == 1
