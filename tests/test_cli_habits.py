"""Command-line habits: --version, options after the subcommand, stdout/stderr/-q, check
--json, emcd schema, defaults in --help, unsafe PETSc options only on request, quiet VTK."""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import emcd_fem
from emcd_fem import cli
from emcd_fem.case import case_json_schema, load_case

ROOT = Path(__file__).resolve().parents[1]
EMCD = str(Path(sys.executable).parent / "emcd")
SLAB = ROOT / "demos" / "slab_1d.toml"
PELLET = ROOT / "demos" / "porous_pellet_knudsen.toml"  # Kn warning in its summary


def test_version():
    result = subprocess.run([EMCD, "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert result.stdout.strip() == f"emcd_fem {emcd_fem.__version__}"


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options_before_or_after_the_subcommand(where, capsys):
    args = ["check", str(SLAB)]
    args = ["-q", *args] if where == "before" else [*args, "-q"]
    assert cli.main(args) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert cli.main(["check", str(SLAB), "--debug", "-v", "--progress", "never"]) == 0
    assert "is valid" in capsys.readouterr().out


def test_check_json(capsys):
    assert cli.main(["check", str(SLAB), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is True and report["case"] == str(SLAB)
    # the 1D three-layer slab: N = Δx / Σ L_i/(c D_i), the header's 1.3355e-4 mol/(m^2 s)
    assert report["report"]["analytic_flux_per_area"] == pytest.approx(1.3355e-4, rel=1e-4)


def test_check_json_on_errors(capsys):
    args = ["check", str(SLAB), "--json", "--set", "materials.coating.D=-1.0"]
    assert cli.main(args) == cli.EXIT_INVALID
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["valid"] is False and report["exit_code"] == cli.EXIT_INVALID
    assert report["problems"] == [{"key": "materials.coating.D", "message": "must be > 0.0"}]
    assert "materials.coating.D: must be > 0" in captured.err


def test_schema_export(tmp_path, capsys):
    assert cli.main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == json.loads(json.dumps(case_json_schema()))
    assert schema["$schema"].endswith("2020-12/schema")
    # geometry always; materials and boundaries unless [multicomponent] describes the gas
    assert set(schema["required"]) == {"geometry"}
    assert schema["anyOf"] == [
        {"required": ["materials", "boundaries"]},
        {"required": ["multicomponent"]},
    ]
    layer = schema["$defs"]["Layer"]["properties"]
    assert (
        layer["thickness"]["exclusiveMinimum"] == 0 and "[m]" in layer["thickness"]["description"]
    )
    out = tmp_path / "case.schema.json"
    assert cli.main(["schema", "--out", str(out), "-q"]) == 0
    assert json.loads(out.read_text()) == schema
    # every key of every demo is a property of the schema (editor completion sees them)
    names = {k for d in schema["$defs"].values() for k in d.get("properties", {})}
    for path in sorted((ROOT / "demos").glob("*.toml")):
        data = tomllib.loads(path.read_text())
        stack = [data]
        while stack:
            node = stack.pop()
            for key, value in node.items():
                # PETSc's names; species names of [multicomponent] maps (user-named keys:
                # species, probe names, species pairs of α_ij)
                named = (
                    "petsc_options",
                    "mole_fractions",
                    "diffusivities",
                    "sources",
                    "initial",
                    "probes",
                    "thermal_diffusion_factors",
                )
                if isinstance(value, dict) and key not in named:
                    stack.append(value)
                if key not in schema["properties"] and not isinstance(value, dict | str):
                    assert key in names, (path.name, key)


def test_help_shows_defaults():
    def help_text(*args):
        result = subprocess.run(
            [EMCD, *args, "--help"], capture_output=True, text=True, timeout=120
        )
        return " ".join(result.stdout.split())

    assert "(default: auto)" in help_text()
    assert "(default: verification)" in help_text("verify")


def test_warnings_on_stderr_and_quiet_silences_them(tmp_path, capsys):
    assert cli.main(["run", str(PELLET), "--out", str(tmp_path / "a")]) == 0
    captured = capsys.readouterr()
    assert "emcd: WARNING: materials.shell: porous material" in captured.err
    assert captured.err.count("Kn = ") == 1  # logged once, not once more from the summary
    assert "WARNING" not in captured.out and "solved on" in captured.out
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert any("Kn = " in w for w in summary["warnings"])  # still recorded
    assert cli.main(["run", str(PELLET), "--out", str(tmp_path / "b"), "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_python_warnings_go_through_logging():
    """Warnings of the kinetic theory (warnings.warn) are logged on stderr, -q drops them.

    A subprocess: pytest records warnings itself.
    """
    cold = "materials.coating={gases=['He', 'Ar'], T=1.0, P=101325.0}"
    args = [EMCD, "check", str(SLAB), "--set", cold]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "emcd: WARNING:" in result.stderr and "Neufeld" in result.stderr
    assert "WARNING" not in result.stdout
    quiet = subprocess.run([*args, "-q"], capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""


def test_unsafe_petsc_options_only_on_request(tmp_path, capsys):
    """A viewer writing a file: refused by check and run, accepted with the flag."""
    view = tmp_path / "ksp_view.txt"
    case = tmp_path / "case.toml"
    case.write_text(SLAB.read_text() + f'\n[solver.petsc_options]\nksp_view = "ascii:{view}"\n')
    for args in (["check", str(case)], ["run", str(case), "--out", str(tmp_path / "o")]):
        assert cli.main(args) == cli.EXIT_SOLVER
        err = capsys.readouterr().err
        assert "solver.petsc_options.ksp_view: unsafe PETSc option" in err
        assert "--allow-unsafe-petsc-options" in err
    assert not view.exists() and not (tmp_path / "o").exists()
    with pytest.raises(emcd_fem.EmcdInputError, match="ksp_view"):
        load_case(case)
    assert load_case(case, allow_unsafe_petsc_options=True).solver.petsc_options
    flag = "--allow-unsafe-petsc-options"
    assert cli.main(["check", str(case), flag]) == 0
    assert cli.main(["run", str(case), "--out", str(tmp_path / "o"), flag]) == 0
    assert "KSP Object" in view.read_text()


def test_petsc_errors_are_solver_failures():
    from petsc4py import PETSc

    code, label, message = cli.exit_status(PETSc.Error(56))
    assert code == cli.EXIT_SOLVER and label == "solver failure"
    assert "PETSc options" in message


def test_no_x_server_noise():
    """Pictures render off screen without VTK's "bad X server connection" warning."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("VTK_DEFAULT_OPENGL_WINDOW", None)
    code = (
        "from emcd_fem import cli; cli.main(['schema', '--out', '/dev/null', '-q']); "
        "import pyvista; "
        "p = pyvista.Plotter(off_screen=True, window_size=(64, 64)); "
        "p.add_mesh(pyvista.Sphere()); p.screenshot('/dev/null'); print('rendered')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert "rendered" in result.stdout, result.stderr
    assert "X server" not in result.stderr and "WARN" not in result.stderr, result.stderr
