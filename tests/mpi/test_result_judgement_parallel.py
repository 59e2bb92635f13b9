"""How a run judges its own result, on N ranks (issue 15; tester2 F6, F9): the same
verdicts and fluxes as on one rank."""

import json
import shutil
from pathlib import Path

from mpi4py import MPI

from emcd_fem import cli

DATA = Path(__file__).resolve().parents[1] / "data" / "judge"

UNFUSED = """
[geometry]
kind = "mesh_file"
path = "{mesh}"
[regions]
coating = "polymer"
support = "ceramic"
[materials.polymer]
D = 1.0e-6
c = 40.9
[materials.ceramic]
D = 5.0e-6
c = 40.9
[boundaries.left]
type = "mole_fraction"
value = 0.8
[boundaries.right]
type = "mole_fraction"
value = 0.2
"""

ANNULUS = """
[geometry]
kind = "cylinder_shells"
dim = 2
radii = [0.5, 0.8, 1.0]
names = ["wall", "coating"]
size = 0.4
order = 1
[materials.wall]
D = 2.0e-5
c = 40.0
[materials.coating]
D = 4.0e-6
c = 30.0
[discretisation]
degree = 1
[boundaries.inner]
type = "mole_fraction"
value = 0.9
[boundaries.outer]
type = "mole_fraction"
value = 0.1
"""


def _shared_dir(tmp_path: Path) -> Path:
    """One directory for every rank (rank 0's tmp_path)."""
    return Path(MPI.COMM_WORLD.bcast(str(tmp_path), root=0))


def _run(tmp_path: Path, text: str) -> dict:
    root = _shared_dir(tmp_path)
    comm = MPI.COMM_WORLD
    if comm.rank == 0:
        shutil.copy(DATA / "unfused.msh", root / "unfused.msh")
        (root / "case.toml").write_text(text.format(mesh=root / "unfused.msh"))
    comm.barrier()
    assert cli.main(["run", str(root / "case.toml"), "--out", str(root / "out")]) == 0
    comm.barrier()
    return json.loads((root / "out" / "summary.json").read_text())


def test_unfused_mesh_gives_zero_flux_on_every_rank(tmp_path):
    # exact answer 0; the residual is judged against the balance's flux floor (F6)
    summary = _run(tmp_path, UNFUSED)
    assert summary["status"] == "ok"
    assert all(abs(q) < 1e-15 for q in summary["boundary_flux"].values())  # ~8e-5 real scale


def test_coarse_annulus_not_judged_on_every_rank(tmp_path):
    # d and e_g are global quantities: the same verdict and the capped tolerance (F9)
    analytic = _run(tmp_path, ANNULUS)["analytic"]
    assert analytic["judged"] is False and analytic["tolerance"] == 0.3
    verdicts = MPI.COMM_WORLD.allgather((analytic["judged"], analytic["tolerance"]))
    assert verdicts == [verdicts[0]] * MPI.COMM_WORLD.size
