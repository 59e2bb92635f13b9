"""Import costs are structural (issue 21): what ``import emcd_fem`` and ``emcd --help`` load.

No timings are asserted; the modules each step puts into ``sys.modules`` are, in a fresh
interpreter: the public names load on first use (PEP 562), the CLI parses its arguments
before importing MPI, PETSc or DOLFINx, and the DOLFINx import-order hook of the PyPI
wheel (``emcd_fem._runtime``) still runs before the first compiled binding.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import emcd_fem

ROOT = Path(__file__).resolve().parents[1]
EMCD = str(Path(sys.executable).parent / "emcd")
HEAVY = (
    "gmsh",
    "pyvista",
    "matplotlib",
    "cantera",
    "scipy",
    "emcd_fem.case",
    "emcd_fem.cli",
    "emcd_fem.pipeline",
)


def _loaded(code: str) -> list[str]:
    """The module names in sys.modules after running ``code`` in a fresh interpreter."""
    script = f"import json, sys\n{code}\nprint(json.dumps(list(sys.modules)))"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_emcd_fem_loads_no_heavy_module():
    loaded = _loaded("import emcd_fem")
    assert "emcd_fem" in loaded
    for name in (*HEAVY, "dolfinx", "petsc4py", "mpi4py", "ufl", "emcd_fem.models"):
        assert name not in loaded, f"import emcd_fem loaded {name}"


def test_api_solve_loads_no_case_cli_or_graphics():
    loaded = _loaded(
        "import emcd_fem as ef\n"
        "d = ef.layered_slab([1.0], dim=1, cells_per_layer=4)\n"
        "s = ef.solve_emcd(d, {'layer1': ef.Material(1.0, 1.0)},\n"
        "                  {'left': ef.MoleFraction(1.0), 'right': ef.MoleFraction(0.0)})\n"
        "assert abs(s.boundary_flux['right'] - 1.0) < 1e-12"
    )
    assert "dolfinx" in loaded and "emcd_fem.models.problem" in loaded
    for name in HEAVY:
        assert name not in loaded, f"an API solve loaded {name}"


def test_dolfinx_solver_is_imported_before_the_bindings():
    from emcd_fem import _runtime

    if not _runtime.HAS_DOLFINX_SOLVER_WHEEL:
        pytest.skip("no dolfinx-solver wheel: nothing to order")
    for code in ("import emcd_fem\nimport dolfinx", "import emcd_fem\nfrom petsc4py import PETSc"):
        loaded = _loaded(code)
        first_binding = min(loaded.index(b) for b in _runtime.BINDINGS if b in loaded)
        assert loaded.index("dolfinx_solver") < first_binding
        assert loaded.index("mpi4py.MPI") < first_binding


def test_emcd_help_loads_no_mpi_petsc_or_dolfinx():
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONPROFILEIMPORTTIME="1")
    result = subprocess.run([EMCD, "--help"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "usage: emcd" in result.stdout
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "emcd_fem.cli.parser" in imported  # the profile is of the command itself
    for name in ("mpi4py", "petsc4py", "dolfinx", "dolfinx_solver", "ufl", "emcd_fem.case"):
        assert name not in imported, f"emcd --help imported {name}"


def test_every_public_name_resolves():
    for name in emcd_fem.__all__:
        assert getattr(emcd_fem, name) is not None, name
    assert set(emcd_fem.__all__) <= set(dir(emcd_fem))
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        emcd_fem.not_a_name


def test_documented_module_paths_stay_importable():
    import emcd_fem.soret
    import emcd_fem.thermal
    from emcd_fem.films import FilmEMCDProblem

    from emcd_fem.models import films, soret, thermal

    assert FilmEMCDProblem is films.FilmEMCDProblem
    assert emcd_fem.soret is soret and emcd_fem.thermal is thermal
    assert emcd_fem.thermal.HeatFlux is thermal.HeatFlux
    assert films.__spec__.name == "emcd_fem.models.films"  # the alias left it intact


def test_emcd_run_of_a_builtin_slab_loads_no_scipy_graphics_or_gmsh(tmp_path):
    """`emcd run` (default outputs, no pictures, no reference that needs scipy) pays for
    no SciPy, PyVista, Matplotlib or gmsh import (the field file is written with VTK alone)
    and for none of the special routes (transient, n species, dusty gas, Stefan flow)."""
    case = tmp_path / "slab.toml"
    case.write_text(
        '[geometry]\nkind = "layered_slab"\ndim = 2\ncells_across = 2\n'
        'layers = [{ name = "a", thickness = 1e-3, cells = 4 }]\n'
        "[materials.a]\nD = 1e-5\nc = 40.9\n"
        '[boundaries.left]\ntype = "mole_fraction"\nvalue = 1.0\n'
        '[boundaries.right]\ntype = "mole_fraction"\nvalue = 0.0\n'
    )
    out = tmp_path / "out"
    loaded = _loaded(
        "from emcd_fem.cli import main\n"
        f"assert main(['run', {str(case)!r}, '-o', {str(out)!r}, '-q']) == 0"
    )
    assert (out / "fields.vtkhdf").exists() and "emcd_fem.pipeline.run" in loaded
    for name in ("scipy", "pyvista", "matplotlib", "gmsh", "cantera"):
        assert name not in loaded, f"emcd run loaded {name}"
    routes = ("transient_output", "multicomponent_run", "dusty_gas_run", "stefan_run")
    for name in (*(f"emcd_fem.pipeline.{r}" for r in routes), "emcd_fem.studies.effective"):
        assert name not in loaded, f"a plain steady case loaded the route {name}"
    assert "emcd_fem.plotting" not in loaded  # pictures are off by default
