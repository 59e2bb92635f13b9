"""A gmsh script whose mesh sizes ask for more cells than the machine holds (tester F6).

``lc = 1e-7`` in a 1 m square (a unit slip) made ``emcd run`` mesh until it was killed.
``geometry.script_size`` estimates the cells inside gmsh before meshing (the measure from a
coarse throw-away mesh, the curve elements from the point sizes) and refuses beyond the
budget. The estimate is checked here against the cells gmsh really makes, on scripts of
both kernels, 2D and 3D, uniform and graded sizes, a size field and gmsh's own tutorials:
never a refusal when the mesh fits (budget = the real count; for the graded script, whose
mean curve spacing is finer than its interior, twice it: measured 1.6× over), always a
refusal at an eighth of it.
"""

import sys
import time
from pathlib import Path

import pytest

from emcd_fem import cli
from emcd_fem.errors import EmcdMeshError
from emcd_fem.geometry import from_file

ROOT = Path(__file__).resolve().parents[1]
CASE = (ROOT / "tests" / "data" / "meshes" / "two_layer_case.toml.in").read_text()
TUTORIALS = Path(sys.prefix) / "share" / "doc" / "gmsh" / "tutorials"  # gmsh's wheel

SQUARE = """
lc = {lc};
Point(1) = {{0, 0, 0, lc}}; Point(2) = {{1, 0, 0, lc}};
Point(3) = {{1, 1, 0, {lc_far}}}; Point(4) = {{0, 1, 0, lc}};
Line(1) = {{1, 2}}; Line(2) = {{2, 3}}; Line(3) = {{3, 4}}; Line(4) = {{4, 1}};
Curve Loop(1) = {{1, 2, 3, 4}};
Plane Surface(1) = {{1}};
Physical Surface("gas") = {{1}};
Physical Curve("left") = {{4}};
"""

SCRIPTS = {
    # built-in kernel, uniform point sizes
    "square.geo": SQUARE.format(lc=0.02, lc_far="lc"),
    # graded: 20× finer at three corners than at the fourth
    "graded.geo": SQUARE.format(lc=0.005, lc_far=0.1),
    # OpenCASCADE: a plate with a hole (curved boundary, the hole not part of the measure)
    "holed.geo": """
SetFactory("OpenCASCADE");
Rectangle(1) = {0, 0, 0, 0.02, 0.01};
Disk(2) = {0.01, 0.005, 0, 0.003};
BooleanDifference{ Surface{1}; Delete; }{ Surface{2}; Delete; }
Physical Surface("gas") = {1};
Physical Curve("left") = Curve In BoundingBox{-1e-9, -1e-9, -1, 1e-9, 0.01 + 1e-9, 1};
Mesh.MeshSizeMax = 4e-4;
""",
    # 3D OpenCASCADE box, sizes from the global bound
    "box.geo": """
SetFactory("OpenCASCADE");
Box(1) = {0, 0, 0, 1e-3, 5e-4, 5e-4};
Physical Volume("gas") = {1};
Physical Surface("left") = {1};
Mesh.MeshSizeMax = 6e-5;
""",
    # a size field: the curves are meshed and counted (not read from the points)
    "field.geo": SQUARE.format(lc=0.1, lc_far="lc")
    + """
Field[1] = MathEval; Field[1].F = "0.02";
Background Field = 1;
""",
}


def _cells(domain) -> int:
    topology = domain.mesh.topology
    return topology.index_map(topology.dim).size_global


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scripts")
    for name, text in SCRIPTS.items():
        (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_estimate_refuses_only_what_does_not_fit(scripts, name):
    path = scripts / name
    actual = _cells(from_file(path, max_cells=float("inf")))
    assert actual > 1000  # a real mesh, not a trivial one
    # a budget that the real mesh fits exactly: never refused (graded: over-estimated)
    fits = actual * (2.0 if name == "graded.geo" else 1.0)
    assert _cells(from_file(path, max_cells=fits)) == actual
    # an eighth of it: refused, naming the file, the estimate and the way out
    with pytest.raises(EmcdMeshError) as refusal:
        from_file(path, max_cells=actual / 8)
    message = str(refusal.value)
    assert name in message and "ask for about" in message, message
    assert "--allow-unsafe-geo" in message and "mesh sizes" in message, message


def test_uniform_refinement_counts(scripts):
    path = scripts / "square.geo"
    actual = _cells(from_file(path, max_cells=float("inf")))
    with pytest.raises(EmcdMeshError, match="ask for about"):
        from_file(path, refine=2, max_cells=2 * actual)  # 16× the cells after refining
    assert _cells(from_file(path, refine=1, max_cells=4 * actual)) == 4 * actual


def test_a_tiny_size_is_refused_before_meshing(tmp_path):
    # the unit slip: lc = 1e-7 m in a 1 m square (2e14 cells). Refused in well under the
    # time gmsh needs for even its curves (4e7 curve elements: > 20 s measured)
    path = tmp_path / "tiny.geo"
    path.write_text(SQUARE.format(lc=1e-7, lc_far="lc"))
    start = time.perf_counter()
    with pytest.raises(EmcdMeshError, match=r"about 1e-07 m on its curves.*2e\+14 cells"):
        from_file(path, max_cells=1e8)
    assert time.perf_counter() - start < 15.0
    # a trusted script is meshed as asked (not here: it would not finish); the flag only
    # lifts the check, which from_file(allow_unsafe_geo=True) documents


def test_the_case_size_override_is_estimated(tmp_path, capsys):
    # `[geometry] size = 1e-6` on the plate (1 m × 0.4 m): refused by check and run alike,
    # exit 2, nothing written
    plate = ROOT / "meshes" / "two_layer_plate.geo"
    case = tmp_path / "case.toml"
    case.write_text(CASE.format(path=plate, geometry="size = 1e-6", extra=""))
    for command in ("check", "run"):
        out = ["--out", str(tmp_path / "out")] if command == "run" else []
        code = cli.main([command, str(case), *out])
        err = capsys.readouterr().err
        assert code == cli.EXIT_INVALID, err
        assert "two_layer_plate.geo" in err and "ask for about" in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not TUTORIALS.is_dir(), reason="gmsh tutorials not installed")
@pytest.mark.parametrize("name", ["t1.geo", "t2.geo", "t5.geo", "t10.geo", "t16.geo"])
def test_gmsh_tutorials_are_not_refused(name):
    """Scripts nobody here wrote load as before at this machine's budget (the default)."""
    try:
        domain = from_file(TUTORIALS / name)
    except EmcdMeshError as exc:  # their own refusals (groups, cell types), not the size
        assert "ask for about" not in str(exc), str(exc)
        assert "curves alone" not in str(exc), str(exc)
    else:
        assert _cells(domain) > 0
