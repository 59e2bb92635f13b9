"""How a run judges its own result, on N ranks (issue 15; tester2 F6, F9): the same
verdicts and fluxes as on one rank."""

import json
import shutil
from pathlib import Path

from mpi4py import MPI

from emcd_fem import cli

DATA = Path(__file__).resolve().parents[1] / "data" / "judge"

UNFUSED = (DATA / "unfused.toml").read_text()  # path = "unfused.msh", beside it

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


def _run(tmp_path: Path, text: str, expected_exit: int = 0) -> Path:
    root = _shared_dir(tmp_path)
    comm = MPI.COMM_WORLD
    if comm.rank == 0:
        shutil.copy(DATA / "unfused.msh", root / "unfused.msh")
        (root / "case.toml").write_text(text)
    comm.barrier()
    assert cli.main(["run", str(root / "case.toml"), "--out", str(root / "out")]) == expected_exit
    comm.barrier()
    return root / "out"


def test_unfused_mesh_is_refused_on_every_rank(tmp_path, capsys):
    # exact answer 0, which the residual verdict cannot tell from noise: every rank ends
    # with the solver exit code and the message naming the cut; nothing is written (F6)
    out = _run(tmp_path, UNFUSED, expected_exit=cli.EXIT_SOLVER)
    assert not out.exists()
    err = capsys.readouterr().err
    if MPI.COMM_WORLD.rank == 0:
        assert "regions that are not joined" in err and "duplicate nodes" in err


def test_coarse_annulus_not_judged_on_every_rank(tmp_path):
    # d and e_g are global quantities: the same verdict and the capped tolerance (F9)
    analytic = json.loads((_run(tmp_path, ANNULUS) / "summary.json").read_text())["analytic"]
    assert analytic["judged"] is False and analytic["tolerance"] == 0.3
    verdicts = MPI.COMM_WORLD.allgather((analytic["judged"], analytic["tolerance"]))
    assert verdicts == [verdicts[0]] * MPI.COMM_WORLD.size
