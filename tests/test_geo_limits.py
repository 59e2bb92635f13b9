"""Mesh files and scripts that ``emcd check`` must refuse exactly as ``emcd run`` does.

Scripts that would hang (``Sleep``, endless loops), meshes that do not fit the case's
dimension, and conditions the run would refuse: exit 2 from both commands, a message
naming the culprit, and nothing written.
"""

import json
import shutil
import sys
from pathlib import Path

import pytest

from emcd_fem import cli
from emcd_fem.errors import EmcdMeshError
from emcd_fem.geometry import from_file, geo_safety

ROOT = Path(__file__).resolve().parents[1]
PLATE = ROOT / "meshes" / "two_layer_plate.geo"
MESHES = ROOT / "tests" / "data" / "meshes"

CASE = (MESHES / "two_layer_case.toml.in").read_text()  # {path}, {geometry}, {extra}


def both(tmp_path: Path, capsys, text: str) -> list[tuple[int, str, str]]:
    """Exit code, stderr and stdout of ``emcd check`` and ``emcd run`` on a case text."""
    case = tmp_path / "case.toml"
    case.write_text(text)
    results = []
    for command in ("check", "run"):
        out = ["--out", str(tmp_path / "out")] if command == "run" else []
        code = cli.main([command, str(case), *out])
        captured = capsys.readouterr()
        results.append((code, captured.err, captured.out))
    return results


def refused_by_both(tmp_path: Path, capsys, text: str, *fragments: str) -> None:
    for code, err, _ in both(tmp_path, capsys, text):
        assert code == cli.EXIT_INVALID, err
        for fragment in fragments:
            assert fragment in err, err
    assert not (tmp_path / "out").exists()


HANGING = {
    "sleep.geo": ("Sleep 1000;\n", "sleep.geo line 2: 'Sleep'"),
    "loop.geo": ("For i In {1:1e12}\nEndFor\n", "loop.geo line 2: 'For' loop of 1e+12"),
    "nested.geo": (
        "For i In {1:1e4}\n  For j In (1:1e4:1)\n  EndFor\nEndFor\n",
        "nested.geo line 3: 'For' loop of 1e+08",
    ),
}


@pytest.mark.parametrize("name", sorted(HANGING))
def test_scripts_that_would_hang_are_refused(tmp_path, capsys, name):
    """Sleep and literal loops too long to finish: refused by the scan, before gmsh runs."""
    shutil.copy(PLATE, tmp_path / PLATE.name)
    body, fragment = HANGING[name]
    (tmp_path / name).write_text(f'Include "{PLATE.name}";\n{body}')
    text = CASE.format(path=tmp_path / name, geometry="", extra="")
    refused_by_both(tmp_path, capsys, text, fragment, "--allow-unsafe-geo")


def test_endless_computed_loop_ends_at_the_time_limit(tmp_path, capsys, monkeypatch):
    """A loop range the scan cannot evaluate: gmsh's trial run is ended at the limit."""
    monkeypatch.setattr(geo_safety, "GEO_TIME_LIMIT", 3.0)
    shutil.copy(PLATE, tmp_path / PLATE.name)
    script = tmp_path / "computed.geo"
    script.write_text(f'Include "{PLATE.name}";\nn = 1e12;\nFor i In {{1:n}}\nEndFor\n')
    text = CASE.format(path=script, geometry="", extra="")
    refused_by_both(tmp_path, capsys, text, "computed.geo", "within 3 s", "--allow-unsafe-geo")


def test_short_literal_loops_still_run(tmp_path):
    """Loops within the limit (gmsh's tutorials use them) pass the scan and the trial."""
    script = tmp_path / "loops.geo"
    script.write_text(
        PLATE.read_text() + "For i In {1:1000}\n  For j In {0:999}\n  EndFor\nEndFor\n"
    )
    geo_safety.check_mesh_file(script)


# meshes from the adversarial tester's report (tests/data/meshes; gmsh Python API):
# the two-layer plate drawn in the x-z plane, meshed at order 3, with a curve group and a
# surface group both named 'coating', and with 'left'/'right' holding a free curve each
REFUSED_MESHES = {
    "slab_xz_plane.msh": ("", ("not flat in 2D", "plane parallel to x-y", "geometry.dim = 3")),
    "slab_walls_msh22_binary.msh": (
        "dim = 1",
        ("the mesh has 2D cells; geometry.dim = 1 is smaller", "geometry.dim = 2 or 3"),
    ),
    "slab_order3.msh": ("", ("'Triangle 10'", "geometric order is 3", "Mesh.ElementOrder")),
    "same_name_groups.msh": ("", ("'coating' (dimension 1 tag 11 and dimension 2 tag 1)",)),
}


@pytest.mark.parametrize("mesh", sorted(REFUSED_MESHES))
def test_check_refuses_what_run_refuses(tmp_path, capsys, mesh):
    geometry, fragments = REFUSED_MESHES[mesh]
    text = CASE.format(path=MESHES / mesh, geometry=geometry, extra="")
    refused_by_both(tmp_path, capsys, text, *fragments)
    assert "SecondOrderIncomplete" not in capsys.readouterr().err


def test_xz_plane_mesh_solves_in_3d(tmp_path, capsys):
    """The same x-z mesh with dim = 3 is accepted by both (the refusal above is the plane)."""
    text = CASE.format(path=MESHES / "slab_xz_plane.msh", geometry="dim = 3", extra="")
    assert [code for code, _, _ in both(tmp_path, capsys, text)] == [0, 0]


def test_boundary_group_partly_of_faces_is_reported(tmp_path, capsys):
    """Free curves in 'left'/'right': warned about and listed as ignored by check and run."""
    text = CASE.format(path=MESHES / "partial_orphan.msh", geometry="", extra="")
    results = both(tmp_path, capsys, text)
    for code, err, _ in results:
        assert code == 0, err
        assert "part of physical group 'left' is ignored: it is 3 of its 7 elements" in err
        assert "part of physical group 'right' is ignored: it is 2 of its 6 elements" in err
    assert "left (in part)" in results[0][2]  # the check's mesh report
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert set(summary["mesh"]["ignored_groups"]) == {"left (in part)", "right (in part)"}


PARTITION = "\n" + (MESHES / "partition_walls.toml.in").read_text()


def test_check_refuses_a_mole_fraction_across_partitioned_regions(tmp_path, capsys):
    """'walls' bounds both layers, whose H differ (K = 2): x_A there is ambiguous."""
    text = CASE.format(path=MESHES / "slab_walls_msh22_binary.msh", geometry="", extra=PARTITION)
    refused_by_both(
        tmp_path,
        capsys,
        text,
        "boundary 'walls' touches regions ['coating', 'support']",
        "by region",
    )
    # the same data on walls with a zero flux: left/right bound one layer each, accepted
    text = text.replace('type = "mole_fraction"\nvalue = 0.5', 'type = "zero_flux"')
    assert [code for code, _, _ in both(tmp_path, capsys, text)] == [0, 0]


def test_check_refuses_it_on_a_layered_slab(tmp_path, capsys):
    """The demo's top boundary runs along both layers of the coated membrane."""
    demo = ROOT / "demos" / "coated_membrane_partition.toml"
    sets = ["--set", 'boundaries.top.type="mole_fraction"', "--set", "boundaries.top.value=0.5"]
    for command in ("check", "run"):
        out = ["--out", str(tmp_path / "out")] if command == "run" else []
        assert cli.main([command, str(demo), *sets, *out]) == cli.EXIT_INVALID
        err = capsys.readouterr().err
        assert "boundaries.top: boundary 'top' touches regions ['skin', 'support']" in err
    assert not (tmp_path / "out").exists()


def test_mesh_path_through_a_symlink(tmp_path, capsys):
    """mesh.msh -> objhash_... (content-addressed stores): the suffix of the path written."""
    store = tmp_path / "objects"
    store.mkdir()
    shutil.copy(MESHES / "slab_msh22.msh", store / "objhash_abc123")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mesh.msh").symlink_to(store / "objhash_abc123")
    results = both(tmp_path, capsys, CASE.format(path="sub/mesh.msh", geometry="", extra=""))
    assert [code for code, _, _ in results] == [0, 0], results
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    # exact series rate per unit height x height 0.4 (P1 holds the piecewise-linear profile)
    flux = (0.8 - 0.2) / (0.3 / 1.0 + 0.7 / 5.0) * 0.4
    assert summary["boundary_flux"]["right"] == pytest.approx(flux, rel=1e-9)


def test_a_wrong_suffix_is_shown_as_written(tmp_path, capsys):
    (tmp_path / "plate.stl").write_text("solid x\n")
    for code, err, _ in both(
        tmp_path, capsys, CASE.format(path="plate.stl", geometry="", extra="")
    ):
        assert code == cli.EXIT_INVALID
        assert "geometry.path: expected a gmsh .msh or .geo file, got '" in err
        assert "plate.stl'" in err


@pytest.mark.parametrize(
    "option,key", [("order = 2", "geometry.order"), ("size = 0.01", "geometry.size")]
)
def test_script_options_with_a_msh_file_are_refused(tmp_path, capsys, option, key):
    """order/size mesh a .geo; with a .msh they would be ignored without a word."""
    text = CASE.format(path=MESHES / "slab_msh22.msh", geometry=option, extra="")
    refused_by_both(tmp_path, capsys, text, f"{key}: applies to .geo scripts only")


TUTORIALS = Path(sys.prefix) / "share" / "doc" / "gmsh" / "tutorials"


@pytest.mark.skipif(not (TUTORIALS / "t12.geo").is_file(), reason="gmsh tutorials not installed")
def test_compound_meshing_is_no_mesher_failure(tmp_path):
    """t12 meshes surfaces 1, 5, 10 as one Compound: surface 10 and the compound's own
    discrete entity stay empty by design. Without groups the real problem is named; with
    a group the cells of surfaces 1 and 5 are the domain (2D cells in 3D space)."""
    with pytest.raises(EmcdMeshError, match="no physical group for its cells"):
        from_file(TUTORIALS / "t12.geo")
    script = tmp_path / "t12_group.geo"
    script.write_text((TUTORIALS / "t12.geo").read_text() + 'Physical Surface("s") = {1, 5, 10};\n')
    domain = from_file(script, gdim=3)
    cells = domain.mesh.topology.index_map(2).size_global
    assert set(domain.regions) == {"s"} and cells > 100


def test_check_refuses_it_on_a_located_boundary(tmp_path, capsys):
    """The same for walls located by a condition (a mesh without boundary groups)."""
    located = (
        "[geometry.boundaries]\n"
        'left = "x < 1e-9"\nright = "x > 1 - 1e-9"\nwalls = "y < 1e-9 or y > 0.4 - 1e-9"\n'
    )
    text = CASE.format(path=MESHES / "no_boundary_groups.msh", geometry=located, extra=PARTITION)
    refused_by_both(tmp_path, capsys, text, "boundary 'walls' touches regions", "by region")


def test_symlinked_script_is_scanned_where_gmsh_reads(tmp_path, capsys):
    """gmsh reads an Include next to the path it is given (the link), not next to the
    link's target: the scan follows gmsh, so the unsafe file next to the link is found."""
    mark = tmp_path / "was_run"
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "part.geo").write_text("Point(1) = {0, 0, 0};\n")
    (tmp_path / "store" / "objhash_1").write_text('Include "part.geo";\n')
    (tmp_path / "part.geo").write_text(f'SystemCall "touch {mark}";\n')
    (tmp_path / "plate.geo").symlink_to(tmp_path / "store" / "objhash_1")
    text = CASE.format(path="plate.geo", geometry="", extra="")
    refused_by_both(tmp_path, capsys, text, "part.geo line 1: 'SystemCall'")
    assert not mark.exists()
