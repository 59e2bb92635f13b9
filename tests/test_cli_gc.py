"""``emcd run`` keeps its imports out of the garbage collections (issue 21).

In its own process (:func:`emcd_fem.cli.entry_point`) ``emcd run`` freezes (``gc.freeze``)
what exists once the run pipeline is imported, so that the run's collections traverse
only the run's own objects. What must hold: the collector is on during the run, the run's
objects are still collected (its mesh does not outlive the command's last collection),
the results are right, and :func:`emcd_fem.cli.main` in a process that goes on freezes
nothing. No timings.
"""

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from emcd_fem import cli

ROOT = Path(__file__).resolve().parents[1]
CASE = (
    '[geometry]\nkind = "layered_slab"\ndim = 2\ncells_across = 2\n'
    'layers = [{ name = "a", thickness = 1e-3, cells = 4 }]\n'
    "[materials.a]\nD = 1e-5\nc = 40.9\n"
    '[boundaries.left]\ntype = "mole_fraction"\nvalue = 1.0\n'
    '[boundaries.right]\ntype = "mole_fraction"\nvalue = 0.0\n'
)
EXACT = 40.9 * 1e-5 / 1e-3  # c D Δx / L times the default 1 m width [mol/(m s)]

PROBE = """
import gc, json, sys, weakref
from emcd_fem import cli
from emcd_fem.pipeline import run as pipeline_run

baseline = gc.get_freeze_count()
seen = {}
original = pipeline_run.run_case

def run_case(*args, **kwargs):
    seen["enabled"], seen["frozen"] = gc.isenabled(), gc.get_freeze_count()
    result = original(*args, **kwargs)
    seen["mesh"] = weakref.ref(result.domain.mesh)
    return result

pipeline_run.run_case = run_case
sys.argv = ["emcd", "run", sys.argv[1], "-o", sys.argv[2], "-q"]
try:
    cli.entry_point()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "baseline": baseline, "enabled": seen["enabled"],
                  "frozen": seen["frozen"], "mesh_alive": seen["mesh"]() is not None}))
"""


def _case(tmp_path: Path) -> Path:
    case = tmp_path / "slab.toml"
    case.write_text(CASE)
    return case


def test_emcd_run_freezes_its_imports_and_still_collects_the_run(tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(_case(tmp_path)), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["code"] == 0
    assert seen["frozen"] > seen["baseline"] + 10_000  # the imports were frozen
    assert seen["enabled"]  # the collector runs during the run
    assert not seen["mesh_alive"]  # the run's objects are not frozen: collected at the end
    summary = json.loads((out / "summary.json").read_text())
    assert abs(summary["boundary_flux"]["right"] - EXACT) < 1e-12 * EXACT


def test_main_in_a_process_that_goes_on_freezes_nothing(tmp_path):
    before = gc.get_freeze_count()
    out = tmp_path / "out"
    assert cli.main(["run", str(_case(tmp_path)), "-o", str(out), "-q"]) == 0
    assert gc.get_freeze_count() == before and gc.isenabled()
    summary = json.loads((out / "summary.json").read_text())
    assert abs(summary["boundary_flux"]["right"] - EXACT) < 1e-12 * EXACT
