"""Mesh files as users write them: formats, defects, located boundaries, unsafe scripts.

Each mesh of tests/data/meshes (regenerate with make_mesh_files.py) is the two-layer slab
(coating 0 < x < 0.3 with D = 1, support 0.3 < x < 1 with D = 5, c = 1; x_A = 0.8 at
x = 0 and 0.2 at x = 1) or a defect. Solvable files must give the exact series-resistance
rate (P1 holds the piecewise-linear profile on layer-conforming cells: round-off and
solver tolerance only); defects must end with exit code 2 and a message naming the groups,
from ``emcd check`` (before any solve) and ``emcd run`` alike.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from emcd_fem import cli
from emcd_fem.errors import EmcdMeshError
from emcd_fem.geometry import from_file
from emcd_fem.geometry.geo_safety import check_mesh_file

ROOT = Path(__file__).resolve().parents[1]
MESHES = ROOT / "tests" / "data" / "meshes"
TUTORIALS = Path(sys.prefix) / "share" / "doc" / "gmsh" / "tutorials"
#: Exact rate per unit cross-section: Δx / Σ (L_i / (c D_i)).
FLUX = (0.8 - 0.2) / (0.3 / 1.0 + 0.7 / 5.0)
AREA = {2: 0.4, 3: 0.4 * 0.2}  # height (2D, per unit depth), height x depth (3D)
REL = 1e-9  # iterative solver tolerance (rtol 1e-10 class) on a few hundred DOFs


def case_text(
    mesh: str, *, boundaries: str = "", bcs: tuple[str, str] = ("left", "right"), extra: str = ""
) -> str:
    """A case on a test mesh; ``boundaries`` goes into [geometry.boundaries]."""
    located = f"[geometry.boundaries]\n{boundaries}\n" if boundaries else ""
    return (
        textwrap.dedent(
            f"""\
        [geometry]
        kind = "mesh_file"
        path = "{MESHES / mesh}"
        {located}
        [materials.coating]
        D = 1.0
        c = 1.0

        [materials.support]
        D = 5.0
        c = 1.0

        [boundaries.{bcs[0]}]
        type = "mole_fraction"
        value = 0.8

        [boundaries.{bcs[1]}]
        type = "mole_fraction"
        value = 0.2
        """
        )
        + extra
    )


def write_case(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.toml"
    path.write_text(text)
    return path


def run(tmp_path: Path, text: str) -> tuple[int, Path]:
    out = tmp_path / "out"
    return cli.main(["run", str(write_case(tmp_path, text)), "--out", str(out)]), out


@pytest.mark.parametrize(
    "mesh,dim,boundaries,bcs",
    [
        ("slab_msh22.msh", 2, "", ("left", "right")),
        ("slab_msh41_binary.msh", 3, "", ("left", "right")),
        ("slab_order2.msh", 2, "", ("left", "right")),
        ("gappy_nodes.msh", 2, "", ("left", "right")),
        ("orphan_surface.msh", 3, "", ("left", "right")),
        ("left_with_interface.msh", 2, "", ("left", "right")),
        (
            "no_boundary_groups.msh",
            2,
            'inlet = "x < 1e-9"\noutlet = "x > 1 - 1e-9"\nwalls = "exterior"',
            ("inlet", "outlet"),
        ),
    ],
)
def test_mesh_file_solves_exactly(tmp_path, capsys, mesh, dim, boundaries, bcs):
    text = case_text(mesh, boundaries=boundaries, bcs=bcs)
    assert cli.main(["check", str(write_case(tmp_path, text))]) == cli.EXIT_OK
    checked = capsys.readouterr()
    code, out = run(tmp_path, text)
    assert code == cli.EXIT_OK, capsys.readouterr().err
    summary = json.loads((out / "summary.json").read_text())
    rate = FLUX * AREA[dim]
    assert summary["boundary_flux"][bcs[1]] == pytest.approx(rate, rel=REL)
    assert summary["boundary_flux"][bcs[0]] == pytest.approx(-rate, rel=REL)
    if mesh == "slab_order2.msh":
        assert summary["mesh"]["geometric_order"] == 2
    if mesh == "orphan_surface.msh":  # ignored, with the reason, in check and run
        assert "'floating' is ignored" in checked.err and "bounds no volume" in checked.err
        assert set(summary["mesh"]["ignored_groups"]) == {"floating", "rim"}
    if mesh == "left_with_interface.msh":  # x_A = 0.8 must not be imposed at x = 0.3 too
        assert "4 of the 8 facets of boundary 'left' lie between two cells" in checked.err
    if boundaries:
        assert summary["mesh"]["boundary_measures"] == pytest.approx(
            {"inlet": 0.4, "outlet": 0.4, "walls": 2.0}, rel=1e-12
        )


@pytest.mark.parametrize(
    "mesh,fragments",
    [
        ("overlap_facets.msh", ["'left' (4 facets) and 'inlet' (4 facets) share 4 facets"]),
        (
            "nested_regions.msh",
            ["'coating' lies entirely inside 'plate'", "'support' lies entirely inside 'plate'"],
        ),
        ("mixed_tri_quad.msh", ["Triangle 3", "Quadrilateral 4", "Recombine"]),
        ("mixed_tet_prism.msh", ["Tetrahedron 4", "Prism 6"]),
    ],
)
@pytest.mark.parametrize("command", ["check", "run"])
def test_defective_mesh_refused(tmp_path, capsys, mesh, fragments, command):
    path = write_case(tmp_path, case_text(mesh))
    out = tmp_path / "out"
    args = [command, str(path)] + (["--out", str(out)] if command == "run" else [])
    assert cli.main(args) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    for fragment in fragments:
        assert fragment in err
    assert "internal error" not in err and not out.exists()


@pytest.mark.parametrize(
    "mesh,bcs,extra,fragment",
    [
        # a condition on a group that is not a face of any volume: refused, with the reason
        ("orphan_surface.msh", ("left", "floating"), "", "boundaries.floating: the mesh's"),
        ("orphan_surface.msh", ("left", "rim"), "", "a physical group of dimension 1"),
        # a region name the mesh does not have
        ("slab_msh22.msh", ("left", "right"), '[regions]\nskin = "coating"\n', "regions.skin"),
        # a located boundary that finds nothing / clashes with a file group
        ("no_boundary_groups.msh", ("left", "right"), "", "boundaries.left: not a boundary"),
    ],
)
@pytest.mark.parametrize("command", ["check", "run"])
def test_names_that_do_not_fit_the_mesh(tmp_path, capsys, mesh, bcs, extra, fragment, command):
    path = write_case(tmp_path, case_text(mesh, bcs=bcs, extra=extra))
    args = [command, str(path)] + (["--out", str(tmp_path / "o")] if command == "run" else [])
    assert cli.main(args) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert any(f in err for f in fragment) and "internal error" not in err, err


@pytest.mark.parametrize(
    "boundaries,fragment",
    [
        ('inlet = "x < -1"', "selects no exterior facet"),
        ('inlet = "x < 0.5"\noutlet = "y < 1e-9"', "of which 5 with 'inlet'"),
        ('inlet = "x == 0"', "geometry.boundaries.inlet: condition 'x == 0'"),
        ('inlet = "import os"', "geometry.boundaries.inlet"),
        ('coating = "x < 1e-9"', "already has a physical group 'coating'"),
        # arithmetic that fails whatever x is, and nesting deeper than the parser allows
        ('inlet = "x < 9**9**9"', "geometry.boundaries.inlet: condition 'x < 9**9**9' cannot"),
        (f'inlet = "x < {"-" * 900}1"', "geometry.boundaries.inlet: condition 'x < ---"),
    ],
)
@pytest.mark.parametrize("command", ["check", "run"])
def test_located_boundary_errors(tmp_path, capsys, boundaries, fragment, command):
    path = write_case(
        tmp_path, case_text("no_boundary_groups.msh", boundaries=boundaries, bcs=("inlet", "x1"))
    )
    args = [command, str(path)] + (["--out", str(tmp_path / "o")] if command == "run" else [])
    assert cli.main(args) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert fragment in err and "internal error" not in err, err
    assert not (tmp_path / "o").exists()


def test_located_boundary_next_to_file_groups(tmp_path, capsys):
    """A located boundary may not take facets of a file group; "exterior" takes the rest."""
    text = case_text("slab_msh22.msh", boundaries='inlet = "x < 1e-9"', bcs=("left", "right"))
    assert cli.main(["check", str(write_case(tmp_path, text))]) == cli.EXIT_INVALID
    assert "4 with 'left'" in capsys.readouterr().err
    with pytest.raises(EmcdMeshError, match="rest = 'exterior' selects no exterior facet"):
        from_file(MESHES / "slab_msh22.msh", boundaries={"rest": "exterior"})


def test_untagged_cells_and_empty_groups(tmp_path):
    geo = tmp_path / "half.geo"
    geo.write_text(
        'SetFactory("OpenCASCADE");\nRectangle(1) = {0, 0, 0, 0.3, 0.4};\n'
        "Rectangle(2) = {0.3, 0, 0, 0.7, 0.4};\n"
        "BooleanFragments{ Surface{1}; Delete; }{ Surface{2}; Delete; }\n"
        'Physical Surface("coating") = {1};\nMesh.MeshSizeMax = 0.2;\n'
    )
    with pytest.raises(
        EmcdMeshError, match=r"cells belong to no region group \(gmsh surfaces \[2\]"
    ):
        from_file(geo)


UNSAFE = {
    "shell.geo": 'SystemCall "touch {mark}";\n',
    "system.geo": 'System "touch {mark}";\n',
    "exit.geo": "Exit;\n",
    "save.geo": 'Point(1) = {{0, 0, 0}}; Save "{mark}";\n',
    "printf.geo": 'Printf("x") > "{mark}";\n',
    "outside.geo": 'Include "../elsewhere.geo";\n',
    "computed.geo": 'Include StrCat("a", ".geo");\n',
    "option.geo": 'Solver.Executable0 = "/bin/sh";\n',
}


@pytest.mark.parametrize("name", sorted(UNSAFE))
def test_unsafe_geo_refused(tmp_path, capsys, name):
    mark = tmp_path / "was_run"
    (tmp_path / "case").mkdir()
    geo = tmp_path / "case" / name
    geo.write_text(
        "// a comment mentioning SystemCall is fine\nMesh.SaveAll = 0; Print.Width = 100;\n"
        + UNSAFE[name].format(mark=mark)
    )
    path = write_case(tmp_path, case_text("x").replace(str(MESHES / "x"), str(geo)))
    for command in ("check", "run"):
        args = [command, str(path)] + (["--out", str(tmp_path / "o")] if command == "run" else [])
        assert cli.main(args) == cli.EXIT_INVALID
        err = capsys.readouterr().err
        assert "--allow-unsafe-geo" in err and f"{name} line 3" in err
    assert not mark.exists()


def test_unsafe_companions_and_disguised_scripts(tmp_path):
    mark = tmp_path / "was_run"
    script = f'SystemCall "touch {mark}";\n'
    disguised = tmp_path / "mesh.msh"
    disguised.write_text(script)
    with pytest.raises(EmcdMeshError, match=r"does not start with \$MeshFormat"):
        from_file(disguised)
    real = tmp_path / "slab.msh"
    shutil.copy(MESHES / "slab_msh22.msh", real)
    (tmp_path / "slab.msh.opt").write_text(script)
    with pytest.raises(EmcdMeshError, match=r"slab.msh.opt line 1: 'SystemCall'"):
        from_file(real)
    geo = tmp_path / "main.geo"
    geo.write_text('Include "part.geo";\n')
    (tmp_path / "part.geo").write_text(script)
    with pytest.raises(EmcdMeshError, match=r"part.geo line 1"):
        check_mesh_file(geo)
    assert not mark.exists()


def test_allow_unsafe_geo_runs_the_script(tmp_path):
    """The explicit opt-in runs the script (here: a harmless touch) and meshes it."""
    mark = tmp_path / "was_run"
    geo = tmp_path / "plate.geo"
    geo.write_text(
        (MESHES.parents[2] / "meshes" / "two_layer_plate.geo").read_text()
        + f'SystemCall "touch {mark}";\n'
    )
    with pytest.raises(EmcdMeshError):
        from_file(geo)
    domain = from_file(geo, allow_unsafe_geo=True)
    assert mark.exists() and set(domain.regions) == {"coating", "support"}


@pytest.mark.skipif(not TUTORIALS.is_dir(), reason="gmsh tutorials not installed")
@pytest.mark.parametrize("name", ["t1.geo", "t2.geo", "t3.geo", "t4.geo", "t14.geo", "t21.geo"])
def test_gmsh_tutorials_load_or_refuse_clearly(name):
    """Scripts nobody here wrote: a domain, or an EmcdMeshError that says why."""
    expected = {
        "t1.geo": None,
        "t2.geo": "'My surface' is ignored",
        "t3.geo": "mixes 3D cell types",
        "t4.geo": "no physical group for its cells",
        "t14.geo": "overlapping boundary groups",
        "t21.geo": "'Save' writes a file",
    }[name]
    if expected is None or "ignored" in expected:
        domain = from_file(TUTORIALS / name)
        assert domain.regions
        if expected:
            assert "My surface" in domain.excluded
        return
    with pytest.raises(EmcdMeshError, match=expected.replace("(", r"\(")):
        from_file(TUTORIALS / name)


MPI_SCRIPT = """
import json, sys
from mpi4py import MPI
from emcd_fem import cli
cases, results = json.loads(sys.argv[1]), {}
for name, (path, command) in sorted(cases.items()):
    out = ["--out", path + f".out{MPI.COMM_WORLD.size}"] if command == "run" else []
    args = [command, path] + out
    results[name] = cli.main(args)
    MPI.COMM_WORLD.Barrier()
if MPI.COMM_WORLD.rank == 0:
    print("RESULTS", json.dumps(results))
"""


@pytest.mark.timeout(200)
@pytest.mark.parametrize("ranks", [2, 3])
def test_mesh_files_in_parallel(tmp_path, ranks):
    """Exact solves and refusals on 2 and 3 ranks: same codes, nobody hangs or aborts."""
    mpiexec = Path(sys.executable).parent / "mpiexec"
    mpiexec = str(mpiexec) if mpiexec.exists() else shutil.which("mpiexec")
    if mpiexec is None:
        pytest.skip("no mpiexec")
    cases = {}
    for name, text in {
        "gappy": case_text("gappy_nodes.msh"),
        "orphan": case_text("orphan_surface.msh"),
        "located": case_text(
            "no_boundary_groups.msh",
            boundaries='inlet = "x < 1e-9"\noutlet = "x > 1 - 1e-9"',
            bcs=("inlet", "outlet"),
        ),
        "overlap": case_text("overlap_facets.msh"),
        "mixed": case_text("mixed_tri_quad.msh"),
        "floating": case_text("orphan_surface.msh", bcs=("left", "floating")),
        "interior": case_text("left_with_interface.msh"),
    }.items():
        path = tmp_path / f"{name}.toml"
        path.write_text(text)
        cases[name] = (str(path), "check" if name == "mixed" else "run")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # MPMD form: every rank its own hash seed, so no set/dict order can drive collectives
    command = ["timeout", "150", mpiexec]
    for rank in range(ranks):
        command += ["-n", "1", "env", f"PYTHONHASHSEED={rank + 1}", sys.executable, "-c"]
        command += [MPI_SCRIPT, json.dumps(cases)] + ([":"] if rank + 1 < ranks else [])
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULTS"))
    codes = json.loads(line.split(" ", 1)[1])
    assert codes == {
        "gappy": 0,
        "orphan": 0,
        "located": 0,
        "overlap": 2,
        "mixed": 2,
        "floating": 2,
        "interior": 0,
    }
    assert "'left' (4 facets) and 'inlet' (4 facets)" in result.stderr
    for name, dim, right in (
        ("gappy", 2, "right"),
        ("orphan", 3, "right"),
        ("located", 2, "outlet"),
        ("interior", 2, "right"),
    ):
        summary = json.loads((Path(cases[name][0] + f".out{ranks}") / "summary.json").read_text())
        assert summary["ranks"] == ranks
        assert summary["boundary_flux"][right] == pytest.approx(FLUX * AREA[dim], rel=REL)


def test_group_named_without_elements(tmp_path, capsys):
    """A $PhysicalNames entry with no elements is no boundary: a condition on it is refused."""
    text = (MESHES / "slab_msh22.msh").read_text()
    ghost = tmp_path / "ghost.msh"
    ghost.write_text(text.replace("$PhysicalNames\n5\n", '$PhysicalNames\n6\n1 99 "ghost"\n'))
    case = case_text("x", bcs=("left", "ghost")).replace(str(MESHES / "x"), str(ghost))
    for command in ("check", "run"):
        path = write_case(tmp_path, case)
        args = [command, str(path)] + (["--out", str(tmp_path / "o")] if command == "run" else [])
        assert cli.main(args) == cli.EXIT_INVALID
        assert "boundaries.ghost: not a boundary of the mesh" in capsys.readouterr().err


def test_mesh_not_in_the_plane(tmp_path):
    """A 2D mesh drawn outside the x-y plane would be flattened silently: refused."""
    geo = tmp_path / "tilted.geo"
    geo.write_text(
        'SetFactory("OpenCASCADE");\nRectangle(1) = {0, 0, 0, 1, 0.4};\n'
        "Rotate {{1, 0, 0}, {0, 0, 0}, Pi/4} { Surface{1}; }\n"
        'Physical Surface("plate") = {1};\nMesh.MeshSizeMax = 0.5;\n'
    )
    with pytest.raises(EmcdMeshError, match="not flat in 2D"):
        from_file(geo)
    assert from_file(geo, gdim=3).mesh.geometry.dim == 3


@pytest.mark.parametrize(
    "content,fragment",
    [
        (b"", ("is empty",)),
        # gmsh raises on the first read of a broken file in a process and only warns on
        # later ones (then the model is empty: no groups); exit 2 with a message either way
        (
            (MESHES / "slab_msh41_binary.msh").read_bytes()[:20000],
            ("gmsh: Could not read", "no physical group"),
        ),
        (
            b"$MeshFormat\n4.1 0 8\n$EndMeshFormat\n$Nodes\ngarbage\n",
            ("gmsh: Could not read", "no physical group"),
        ),
    ],
    ids=["empty", "truncated-binary", "garbage"],
)
@pytest.mark.parametrize("command", ["check", "run"])
def test_corrupt_mesh_files(tmp_path, capsys, content, fragment, command):
    mesh = tmp_path / "broken.msh"
    mesh.write_bytes(content)
    path = write_case(tmp_path, case_text("x").replace(str(MESHES / "x"), str(mesh)))
    args = [command, str(path)] + (["--out", str(tmp_path / "o")] if command == "run" else [])
    assert cli.main(args) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert any(f in err for f in fragment) and "internal error" not in err, err


def test_conditions_of_located_boundaries():
    """Comparisons (chained), and/or/not; anything else is refused, naming the culprit."""
    import numpy as np

    from emcd_fem.errors import EmcdInputError
    from emcd_fem.expressions import check_condition, evaluate_condition

    points = np.array([[0.0, 0.5, 1.0], [0.0, 0.2, 0.4]])
    assert evaluate_condition("x < 1e-9", points).tolist() == [True, False, False]
    assert evaluate_condition("0.1 < y < 0.3 and not x > 0.9", points).tolist() == [
        False,
        True,
        False,
    ]
    assert evaluate_condition("x >= 1 or abs(y) <= 0", points).tolist() == [True, False, True]
    assert evaluate_condition("sqrt(x - 0.7) > 0", points).tolist() == [False, False, True]
    for text, fragment in [
        ("x == 0", "abs(x - 1) < 1e-9"),
        ("x", "expected comparisons"),
        ("__import__('os').system('ls') < 1", "only the functions"),
        ("x < q", "unknown name 'q'"),
        ("z < 1", "unknown name 'z'"),
    ]:
        with pytest.raises(EmcdInputError, match=re.escape(fragment)):
            check_condition(text, 2)


def test_gmsh_options_do_not_leak_between_meshes(tmp_path):
    """A .geo sized by its points, meshed after a builder that switched point sizes off
    (Mesh.MeshSizeFromPoints = 0) and set a size, gets its own mesh, as when alone."""
    from emcd_fem.geometry import gmsh_layered_slab

    geo = tmp_path / "square.geo"
    geo.write_text(
        "lc = 0.25;\nPoint(1) = {0, 0, 0, lc}; Point(2) = {1, 0, 0, lc};\n"
        "Point(3) = {1, 1, 0, lc}; Point(4) = {0, 1, 0, lc};\n"
        "Line(1) = {1, 2}; Line(2) = {2, 3}; Line(3) = {3, 4}; Line(4) = {4, 1};\n"
        'Curve Loop(1) = {1, 2, 3, 4}; Plane Surface(1) = {1};\nPhysical Surface("s") = {1};\n'
    )
    alone = from_file(geo).mesh.topology.index_map(2).size_global
    gmsh_layered_slab([0.5, 0.5], size=0.05, dim=2)
    after = from_file(geo).mesh.topology.index_map(2).size_global
    assert after == alone


def test_unfused_volumes_are_reported(tmp_path, capsys):
    """Two rectangles not fused by BooleanFragments: no diffusion across, so a warning."""
    geo = tmp_path / "unfused.geo"
    geo.write_text(
        'SetFactory("OpenCASCADE");\nRectangle(1) = {0, 0, 0, 0.3, 0.4};\n'
        "Rectangle(2) = {0.3, 0, 0, 0.7, 0.4};\n"
        'Physical Surface("coating") = {1};\nPhysical Surface("support") = {2};\n'
        "Mesh.MeshSizeMax = 0.1;\n"
    )
    path = write_case(
        tmp_path,
        case_text("x", bcs=("left", "right"))
        .replace(str(MESHES / "x"), str(geo))
        .replace(
            "[geometry]\n",
            '[geometry]\nboundaries = { left = "x < 1e-9", right = "x > 1 - 1e-9" }\n',
        ),
    )
    assert cli.main(["check", str(path)]) == cli.EXIT_OK
    assert "not connected there" in capsys.readouterr().err
