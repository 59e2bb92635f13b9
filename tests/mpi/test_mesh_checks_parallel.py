"""Mesh-file refusals of ``emcd check`` and ``emcd run`` on N ranks (issue 15 item 4):
the same exit code on every rank, nobody hangs, nothing written; accepted meshes solve to
the exact two-layer rate."""

import json
import shutil
from pathlib import Path

from mpi4py import MPI

import pytest

from emcd_fem import cli
from emcd_fem.geometry import geo_safety

ROOT = Path(__file__).resolve().parents[2]
MESHES = ROOT / "tests" / "data" / "meshes"
PLATE = ROOT / "meshes" / "two_layer_plate.geo"
COMM = MPI.COMM_WORLD
CASE = (MESHES / "two_layer_case.toml.in").read_text()  # {path}, {geometry}, {extra}
PARTITION = "\n" + (MESHES / "partition_walls.toml.in").read_text()
REFUSED = {
    "xz_plane": ("slab_xz_plane.msh", "", ""),
    "dim_1": ("slab_walls_msh22_binary.msh", "dim = 1", ""),
    "order_3": ("slab_order3.msh", "", ""),
    "same_name": ("same_name_groups.msh", "", ""),
    "partition_walls": ("slab_walls_msh22_binary.msh", "", PARTITION),
    "order_with_msh": ("slab_msh22.msh", "order = 2", ""),
    "sleep": ("sleep.geo", "", ""),
    "loop": ("loop.geo", "", ""),
    "computed_loop": ("computed.geo", "", ""),
}
SCRIPTS = {
    "sleep.geo": "Sleep 1000;\n",
    "loop.geo": "For i In {1:1e12}\nEndFor\n",
    "computed.geo": "n = 1e12;\nFor i In {1:n}\nEndFor\n",
}


def shared_dir(tmp_path: Path) -> Path:
    """Rank 0's tmp_path, on every rank (the runs write one output directory)."""
    return Path(COMM.bcast(str(tmp_path), root=0))


def codes(args: list[str]) -> list[int]:
    code = cli.main(args)
    COMM.Barrier()
    return COMM.allgather(code)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_on_every_rank(tmp_path, monkeypatch, name):
    monkeypatch.setattr(geo_safety, "GEO_TIME_LIMIT", 3.0)  # the endless computed loop
    root = shared_dir(tmp_path)
    mesh, geometry, extra = REFUSED[name]
    if COMM.rank == 0:
        shutil.copy(PLATE, root / PLATE.name)
        for script, body in SCRIPTS.items():
            (root / script).write_text(f'Include "{PLATE.name}";\n{body}')
        path = root / mesh if mesh in SCRIPTS else MESHES / mesh
        (root / "case.toml").write_text(CASE.format(path=path, geometry=geometry, extra=extra))
    COMM.Barrier()
    case, out = str(root / "case.toml"), str(root / "out")
    assert codes(["check", case]) == [cli.EXIT_INVALID] * COMM.size
    assert codes(["run", case, "--out", out]) == [cli.EXIT_INVALID] * COMM.size
    assert not Path(out).exists()


@pytest.mark.timeout(300)
def test_symlinked_and_partly_orphan_meshes_solve_exactly(tmp_path):
    """A link mesh.msh -> objhash_... and a group with free curves: exact rate, N ranks."""
    root = shared_dir(tmp_path)
    if COMM.rank == 0:
        (root / "objects").mkdir()
        shutil.copy(MESHES / "slab_msh22.msh", root / "objects" / "objhash_abc123")
        (root / "mesh.msh").symlink_to(root / "objects" / "objhash_abc123")
        for name, mesh in (("link", "mesh.msh"), ("orphan", MESHES / "partial_orphan.msh")):
            (root / f"{name}.toml").write_text(CASE.format(path=mesh, geometry="", extra=""))
    COMM.Barrier()
    # exact series rate x height 0.4: P1 holds the piecewise-linear profile; 1e-9 is the
    # iterative solver's tolerance class
    flux = (0.8 - 0.2) / (0.3 / 1.0 + 0.7 / 5.0) * 0.4
    for name in ("link", "orphan"):
        case, out = str(root / f"{name}.toml"), str(root / f"out_{name}")
        assert codes(["check", case]) == [cli.EXIT_OK] * COMM.size
        assert codes(["run", case, "--out", out]) == [cli.EXIT_OK] * COMM.size
        summary = json.loads((Path(out) / "summary.json").read_text())
        assert summary["ranks"] == COMM.size
        assert summary["boundary_flux"]["right"] == pytest.approx(flux, rel=1e-9)
    ignored = summary["mesh"]["ignored_groups"]
    assert set(ignored) == {"left (in part)", "right (in part)"}
