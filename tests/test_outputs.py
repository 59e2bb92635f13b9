"""The output directory contract, the field files and load_result (README "Output
directory" and "Reading results in Python and ParaView"), one test per clause."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem

import emcd_fem
from emcd_fem.case import CaseError
from emcd_fem.errors import EmcdSolverError
from emcd_fem.io import output
from emcd_fem.io.output import MANIFEST, OutputError
from emcd_fem.io.results import load_result
from emcd_fem.pipeline.run import run_case, run_sweep

ROOT = Path(__file__).resolve().parents[1]
DEMOS = ROOT / "demos"
EMCD = str(Path(sys.executable).parent / "emcd")


def listing(directory: Path) -> dict[str, bytes]:
    """Every file below ``directory`` (relative path → content)."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def no_staging(parent: Path) -> bool:
    return not [p for p in parent.iterdir() if p.name.startswith(output.STAGING_PREFIX)]


def integrals(function: fem.Function) -> np.ndarray:
    """∫c, ∫c², ∫c·x for every component c: equal for equal fields on equal domains."""
    msh = function.function_space.mesh
    x = ufl.SpatialCoordinate(msh)
    parts = (
        [function]
        if not function.ufl_shape
        else [function[i] for i in range(function.ufl_shape[0])]
    )
    values = []
    for c in parts:
        for expr in (c, c * c, c * x[0]):
            local = fem.assemble_scalar(fem.form(expr * ufl.dx))
            values.append(msh.comm.allreduce(local, op=MPI.SUM))
    return np.array(values)


def assert_file_equals_solution(out: Path, result) -> None:
    """pyvista reads fields.vtkhdf; its arrays are the solution's values (serial run).

    Point data: the field at the nodes of the Lagrange grid (whose points are the DOF
    coordinates of P_q, checked too); cell data: the DG0 interpolation (cell centre).
    """
    import pyvista

    grid = pyvista.read(out / "fields.vtkhdf")
    fields = result.summary["fields"]
    msh = result.domain.mesh
    tdim = msh.topology.dim
    per_cell = np.diff(np.asarray(grid.cell_offsets))[0]
    q = next(
        d
        for d in (1, 2)
        if fem.functionspace(msh, ("Lagrange", d)).dofmap.dof_layout.num_dofs == per_cell
    )
    V = fem.functionspace(msh, ("Lagrange", q))
    assert np.allclose(grid.points, V.tabulate_dof_coordinates(), atol=1e-14)
    assert grid.n_cells == msh.topology.index_map(tdim).size_global
    for function in result.fields.values():
        if function.function_space.mesh is not msh:
            continue
        entry = fields[function.name]
        shape = function.ufl_shape
        if entry["association"] == "point":
            target = fem.Function(
                fem.functionspace(msh, ("Lagrange", q, shape) if shape else ("Lagrange", q))
            )
            target.interpolate(function)
            expected = target.x.array.reshape(grid.n_points, -1)
            actual = np.asarray(grid.point_data[function.name]).reshape(grid.n_points, -1)
        else:
            target = fem.Function(fem.functionspace(msh, ("DG", 0, shape) if shape else ("DG", 0)))
            target.interpolate(function)
            expected = target.x.array.reshape(grid.n_cells, -1)
            actual = np.asarray(grid.cell_data[function.name]).reshape(grid.n_cells, -1)
        scale = max(np.abs(expected).max(), 1e-300)
        assert np.abs(actual - expected).max() <= 1e-13 * scale, function.name
    regions = np.asarray(grid.cell_data["region"])
    assert set(regions.tolist()) == set(range(len(fields["region"]["region_names"])))


def assert_round_trip(out: Path, result) -> None:
    """load_result gives Functions in the original spaces with the solution's values."""
    loaded = load_result(out)
    assert sorted(loaded.fields) == sorted(f.name for f in result.fields.values())
    for function in result.fields.values():
        again = loaded.fields[function.name]
        original_element = function.function_space.element.basix_element
        element = again.function_space.element.basix_element
        assert (element.degree, element.discontinuous) == (
            original_element.degree,
            original_element.discontinuous,
        )
        assert again.ufl_shape == function.ufl_shape
        a, b = integrals(function), integrals(again)
        assert np.allclose(a, b, rtol=1e-11, atol=1e-14 * np.abs(a).max()), function.name
    assert loaded.region is not None and loaded.region_names == sorted(result.domain.regions)


# -- 1. every option, 1D and order-2 geometry: results, pictures, formats ---------------------
@pytest.mark.parametrize("fmt", ["vtx", "xdmf"])
@pytest.mark.parametrize("case", ["slab_1d", "cylinder_shells_2d", "membrane_films"])
def test_every_output_option(case, fmt, tmp_path):
    """1D (was "internal error" with pictures), order-2 geometry (XDMF crashed) and a film
    case (fields on submeshes) with pictures and every format: no warning, every file."""
    out = tmp_path / "out"
    result = run_case(
        DEMOS / f"{case}.toml", out, ["output.pictures=true", f'output.format="{fmt}"']
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["warnings"] == result.summary["warnings"]
    assert not [w for w in summary["warnings"] if "not written" in w], summary["warnings"]
    files = set(summary["files"])
    assert {"summary.json", "fields.vtkhdf", "mole_fraction.png", "molar_flux.png"} <= files
    assert any(name.endswith(".bp" if fmt == "vtx" else ".xdmf") for name in files)
    manifest = json.loads((out / MANIFEST).read_text())["entries"]
    assert (
        sorted(manifest)
        == sorted(files)
        == sorted(p.name for p in out.iterdir() if p.name != MANIFEST)
    )
    assert no_staging(tmp_path)
    assert_file_equals_solution(out, result)
    assert_round_trip(out, result)
    for png in ("mole_fraction.png", "molar_flux.png"):
        (out / png).unlink()
    done = subprocess.run([EMCD, "plot", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (out / "mole_fraction.png").stat().st_size > 10_000


def test_optional_output_failure_is_a_warning(tmp_path, monkeypatch):
    """A picture that fails costs nothing: results written, a warning in summary.json."""
    import emcd_fem.plotting  # (the run imports render_run from it when pictures are on)

    def broken(directory):
        (Path(directory) / "half.png").write_bytes(b"partial")
        raise RuntimeError("no renderer")

    monkeypatch.setattr(emcd_fem.plotting, "render_run", broken)
    out = tmp_path / "out"
    run_case(DEMOS / "slab_1d.toml", out, ["output.pictures=true"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["warnings"] == ["pictures not written: RuntimeError: no renderer"]
    assert not (out / "half.png").exists()  # partial extras are removed
    assert (out / "fields.vtkhdf").exists() and (out / "profiles.csv").exists()


# -- 1. re-runs replace the outputs as a whole; foreign files are never touched ----------------
def test_rerun_with_fewer_outputs_leaves_nothing_stale(tmp_path):
    out = tmp_path / "out"
    run_case(DEMOS / "slab_2d.toml", out, ["output.pictures=true", 'output.format="xdmf"'])
    (out / "notes.txt").write_text("mine")
    (out / "plot").mkdir()
    (out / "plot" / "notes.txt").write_text("mine too")
    first = listing(out)
    assert "mole_fraction.png" in first and "fields.xdmf" in first
    result = run_case(DEMOS / "slab_2d.toml", out)
    now = sorted(p.name for p in out.iterdir())
    assert now == sorted([MANIFEST, "notes.txt", "plot", *result.summary["files"]])
    assert not any(n.endswith((".png", ".xdmf", ".h5")) for n in now)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "plot" / "notes.txt").read_text() == "mine too"


def test_foreign_directory_is_refused_unless_forced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with pytest.raises(OutputError, match=r"not written by emcd.*--force"):
        run_case(DEMOS / "slab_1d.toml", out)
    assert listing(out) == {"thesis.tex": b"precious"} and no_staging(tmp_path)
    run_case(DEMOS / "slab_1d.toml", out, force=True)
    run_case(DEMOS / "slab_1d.toml", out)  # now an emcd directory: no --force needed
    assert (out / "thesis.tex").read_text() == "precious"
    assert "thesis.tex" not in json.loads((out / MANIFEST).read_text())["entries"]


def test_user_file_named_like_an_output_is_not_overwritten(tmp_path):
    out = tmp_path / "out"
    run_case(DEMOS / "slab_1d.toml", out)
    (out / "mole_fraction.png").write_bytes(b"my own picture")
    with pytest.raises(OutputError, match=r"mole_fraction\.png"):
        run_case(DEMOS / "slab_1d.toml", out, ["output.pictures=true"])
    assert (out / "mole_fraction.png").read_bytes() == b"my own picture"


def test_failed_run_keeps_the_earlier_result(tmp_path):
    out = tmp_path / "out"
    run_case(DEMOS / "slab_1d.toml", out)
    before = listing(out)
    with pytest.raises(CaseError):
        run_case(DEMOS / "slab_1d.toml", out, ["materials.coating.D=-1"])
    assert listing(out) == before and no_staging(tmp_path)


@pytest.mark.parametrize("failure", ["read_only", "sigterm"])
def test_failure_while_moving_into_place_is_rolled_back(failure, tmp_path, monkeypatch):
    """The last step (renames into --out) fails half-way, as on a read-only entry or when
    SIGTERM arrives: the earlier result is restored, not half deleted."""
    out = tmp_path / "out"
    run_case(DEMOS / "slab_1d.toml", out, ["output.pictures=true"])
    before = listing(out)
    real_replace, calls = os.replace, []

    def failing(src, dst):
        calls.append(dst)
        if Path(dst).parent == out and Path(src).parent.name.startswith(output.STAGING_PREFIX):
            if len([c for c in calls if Path(c).parent == out]) > 2:
                if failure == "sigterm":
                    raise output.Interrupted(signal.SIGTERM)
                raise PermissionError(13, "Permission denied", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", failing)
    expected = (
        pytest.raises(KeyboardInterrupt)
        if failure == "sigterm"
        else pytest.raises(OutputError, match=r"earlier results there are unchanged")
    )
    with expected:
        run_case(DEMOS / "slab_1d.toml", out)
    assert listing(out) == before and no_staging(tmp_path)


@pytest.mark.parametrize("kind", ["empty", "file", "inside_file", "read_only"])
def test_bad_out_is_refused_before_solving(kind, tmp_path):
    if kind == "read_only" and os.geteuid() == 0:
        pytest.skip("root ignores permissions")
    target = {
        "empty": "",
        "file": str(tmp_path / "a_file"),
        "inside_file": str(tmp_path / "a_file" / "out"),
        "read_only": str(tmp_path / "ro" / "out"),
    }[kind]
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o500)
    done = subprocess.run(
        [EMCD, "-v", "run", str(DEMOS / "slab_1d.toml"), "--out", target],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 5, done.stderr
    assert "--out" in done.stderr and "Traceback" not in done.stderr
    assert "solving" not in done.stderr  # refused before any work
    assert (tmp_path / "a_file").read_text() == "x" and no_staging(tmp_path)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_mid_solve_keeps_the_earlier_result(signum, tmp_path):
    out = tmp_path / "out"
    run_case(DEMOS / "slab_1d.toml", out)
    before = listing(out)
    process = subprocess.Popen(
        [
            EMCD,
            "run",
            str(DEMOS / "slab_3d.toml"),
            "--out",
            str(out),
            "--set",
            "geometry.cells_across=30",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while no_staging(tmp_path) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # meshing/assembly/solve under way
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 128 + signum, (stdout, stderr)
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert listing(out) == before and no_staging(tmp_path)


# -- 1. sweeps: all points or none -----------------------------------------------------------
SWEEP_FIXED = ['solver.petsc_options.ksp_type="cg"', 'solver.petsc_options.pc_type="jacobi"']


def test_sweep_whose_later_point_fails_leaves_no_partial_points(tmp_path, monkeypatch):
    out = tmp_path / "sweep"
    run_sweep(DEMOS / "slab_2d.toml", out, {"materials.coating.D": ["1e-5", "2e-5", "3e-5"]})
    before = listing(out)
    assert {"point_000", "point_002"} <= {p.name for p in out.iterdir()}
    # the second point fails inside the run (after the first point was written to staging);
    # the solver itself no longer fails on bad options (it falls back to MUMPS), so the
    # failure is injected
    import emcd_fem.pipeline.run as simulation

    real_run_case, calls = simulation._run_case, []

    def failing_second_point(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise EmcdSolverError("injected: the mole fraction solve did not converge")
        return real_run_case(*args, **kwargs)

    monkeypatch.setattr(simulation, "_run_case", failing_second_point)
    with pytest.raises(Exception, match="did not converge"):
        run_sweep(
            DEMOS / "slab_2d.toml",
            out,
            {"solver.petsc_options.ksp_max_it": ["500", "1"]},
            SWEEP_FIXED,
        )
    assert len(calls) == 2
    monkeypatch.undo()
    assert listing(out) == before and no_staging(tmp_path)
    rows = run_sweep(DEMOS / "slab_2d.toml", out, {"materials.coating.D": ["1e-5"]})
    assert len(rows) == 1
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "point_000", "sweep.csv"]


# -- 4. self-describing results ----------------------------------------------------------------
def test_summary_and_csv_are_self_describing(tmp_path):
    case = DEMOS / "slab_2d.toml"
    out = tmp_path / "sweep"
    run_sweep(case, out, {"materials.coating.D": ["1e-5", "2e-5"]})
    summary = json.loads((out / "point_001" / "summary.json").read_text())
    assert summary["schema_version"] == emcd_fem.io.provenance.SCHEMA_VERSION
    assert summary["versions"]["emcd_fem"] == emcd_fem.__version__
    assert "git_commit" in summary and isinstance(summary["command_line"], list)
    source = summary["case_source"]
    assert source["path"] == str(case.resolve())
    assert source["sha256"] == hashlib.sha256(case.read_bytes()).hexdigest()
    assert source["overrides"] == ["materials.coating.D=2e-5"]
    assert summary["started_utc"].endswith("+00:00") and summary["duration"] > 0
    assert summary["ranks"] == 1
    assert summary["sweep"]["keys"] == ["materials.coating.D"]
    assert summary["sweep"]["values"] == {"materials.coating.D": "2e-5"}
    assert (summary["sweep"]["point"], summary["sweep"]["points"]) == (1, 2)
    units = summary["units"]
    for key in (
        "boundary_flux",
        "x_min",
        "balance",
        "dofs",
        "timings",
        "duration",
        "mesh.region_measures",
    ):
        assert key in units, key
    for name, entry in summary["fields"].items():
        assert entry["units"], name
    for csv in (out / "sweep.csv", out / "point_001" / "profiles.csv"):
        raw = csv.read_bytes()
        assert b"\r" not in raw
        header = raw.split(b"\n")[0].decode()
        assert "[" in header, header
    assert "flux_left [mol/(m s)]" in (out / "sweep.csv").read_text().splitlines()[0]


# -- 6. progress and cost --------------------------------------------------------------------
def test_verbose_run_logs_size_and_solver_before_solving(tmp_path):
    done = subprocess.run(
        [EMCD, "-v", "run", str(DEMOS / "slab_2d.toml"), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    log = done.stderr
    size = log.index("DOFs")
    assert "cells" in log[size : size + 40]
    assert size < log.index("KSP") < log.index("residual norm") < log.index("solved in")
    assert log.index("solved in") < log.index("post-processing")


def test_profile_sampling_searches_cells_near_the_line():
    from dolfinx import mesh

    from emcd_fem.post.sampling import cells_near_line, evaluate_at_points, line_points

    msh = mesh.create_unit_cube(MPI.COMM_WORLD, 24, 24, 24)
    V = fem.functionspace(msh, ("Lagrange", 1))
    u = fem.Function(V)
    u.interpolate(lambda x: x[0] + 2 * x[1] + 3 * x[2])
    points = line_points([0, 0.31, 0.77], [1, 0.5, 0.2], 101)
    near = cells_near_line(msh, points)
    assert 0 < len(near) < 0.1 * msh.topology.index_map(3).size_local
    values = evaluate_at_points(u, points)[:, 0]
    assert values == pytest.approx(points @ [1, 2, 3], abs=1e-13)  # P1 is exact for a linear u
    off_line = np.array([[0.1, 0.1, 0.1], [0.9, 0.2, 0.4], [0.5, 0.5, 0.9]])
    assert cells_near_line(msh, off_line) is None  # not collinear: every cell
    assert evaluate_at_points(u, off_line)[:, 0] == pytest.approx(off_line @ [1, 2, 3], abs=1e-13)


def test_optional_output_that_fills_the_disk_costs_nothing(tmp_path, monkeypatch):
    """An extra whose writer reports a full disk only on stderr (HDF5 inside DOLFINx's XDMF
    writer): summary.json was written before the extras, the partial file is removed, the
    warning names the disk, exit 0 (found by filling a 100 kB tmpfs in an adversarial trial:
    the run was lost with exit 5)."""
    from emcd_fem.pipeline import output as run_output

    full = {"now": False}

    def filling(directory, functions, file_format):
        (Path(directory) / "fields.h5").write_bytes(b"partial")
        full["now"] = True
        return ["fields.xdmf", "fields.h5"]

    real = run_output.shutil.disk_usage

    def usage(path):
        total, used, free = real(path)
        return type(real(path))(total, used, 0 if full["now"] else free)

    monkeypatch.setattr(run_output, "write_fields", filling)
    monkeypatch.setattr(run_output.shutil, "disk_usage", usage)
    out = tmp_path / "out"
    run_case(DEMOS / "slab_1d.toml", out, ['output.format="xdmf"'])
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["warnings"]) == 1
    assert "xdmf field files not written" in summary["warnings"][0]
    assert "no space left" in summary["warnings"][0]
    assert not (out / "fields.h5").exists()
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert written == sorted(summary["files"])


def test_summary_of_the_results_survives_a_failed_final_rewrite(tmp_path, monkeypatch):
    """If summary.json cannot be rewritten after the extras, the first one (results only)
    stays, and the extras' files go, so the directory holds what it lists."""
    from emcd_fem.pipeline import summary_file

    real = summary_file.write_json
    calls = {"n": 0}

    def second_fails(path, data, comm):
        calls["n"] += 1
        if calls["n"] == 2:
            (Path(path).parent / "summary.json.part").write_text("{")
            raise OSError(28, "No space left on device")
        real(path, data, comm)

    monkeypatch.setattr(summary_file, "write_json", second_fails)
    import emcd_fem.plotting  # (the run imports render_run from it when pictures are on)

    monkeypatch.setattr(
        emcd_fem.plotting,
        "render_run",
        lambda d: [(Path(d) / "x.png").write_bytes(b"png") or Path("x.png")],
    )
    out = tmp_path / "out"
    run_case(DEMOS / "slab_1d.toml", out, ["output.pictures=true"])
    summary = json.loads((out / "summary.json").read_text())
    assert "x.png" not in summary["files"] and summary["boundary_flux"]
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert written == sorted(summary["files"])


def test_optional_field_format_not_started_without_the_space(tmp_path, monkeypatch):
    """Less free space than the field files already take: the XDMF writer is not started
    (a failed HDF5 write into a full disk can make the process abort at exit)."""
    from emcd_fem.pipeline import output as run_output

    def never(*args):
        raise AssertionError("the writer must not start")

    real = run_output.shutil.disk_usage
    monkeypatch.setattr(run_output, "write_fields", never)
    monkeypatch.setattr(
        run_output.shutil, "disk_usage", lambda p: type(real(p))(10**9, 10**9 - 1000, 1000)
    )
    out = tmp_path / "out"
    run_case(DEMOS / "slab_1d.toml", out, ['output.format="xdmf"'])
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["warnings"]) == 1 and "MB free on the device" in summary["warnings"][0]
    assert (out / "fields.vtkhdf").exists()


def test_git_commit_is_the_checkout_head():
    """In a git checkout the summary's provenance names its HEAD (it looked for .git
    inside the package directory and always gave None)."""
    import emcd_fem
    from emcd_fem.io.provenance import git_commit

    root = Path(emcd_fem.__file__).resolve().parents[1]
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    commit = git_commit()
    assert commit is not None and commit.removesuffix("-dirty") == head
