"""gmsh layered slab, .msh/.geo import, mesh report, and geometry input errors."""

from pathlib import Path

import numpy as np
import pytest
from dolfinx import fem

import emcd_fem as ef
from emcd_fem import cli
from emcd_fem.geometry import annulus, from_file, gmsh_layered_slab
from emcd_fem.post.integrals import integrate
from emcd_fem.post.mesh_report import mesh_report

ROOT = Path(__file__).resolve().parents[1]
MSH = ROOT / "meshes" / "annulus_two_shells.msh"
THICK = [0.3, 0.4, 0.3]
NAMES = ["a", "b", "c"]
MATS = {"a": ef.Material(1.0), "b": ef.Material(0.1), "c": ef.Material(0.5)}
BCS = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
REF = ef.analytic.composite_slab(THICK, list(MATS.values()), BCS["left"], BCS["right"])


@pytest.mark.parametrize("dim,size", [(2, 0.1), (3, 0.25)])
def test_gmsh_layered_slab_exact(dim, size):
    """Unstructured cells conforming to the layers still hold the piecewise-linear profile."""
    domain = gmsh_layered_slab(THICK, size=size, dim=dim, region_names=NAMES, width=0.5, depth=0.5)
    expected = {"left", "right", "bottom", "top"} | ({"front", "back"} if dim == 3 else set())
    assert set(domain.boundaries) == expected and set(domain.regions) == set(NAMES)
    report = mesh_report(domain)
    area = 0.5 if dim == 2 else 0.25
    for name, t in zip(NAMES, THICK, strict=True):
        assert report["region_measures"][name] == pytest.approx(t * area, rel=1e-12)
    assert report["boundary_measures"]["left"] == pytest.approx(area, rel=1e-12)
    assert 0.3 < report["quality_min"] <= report["quality_mean"] <= 1.0
    solution = ef.solve_emcd(domain, MATS, BCS)
    assert solution.boundary_flux["right"] / area == pytest.approx(REF.flux, rel=1e-10)


def test_msh_round_trip(tmp_path):
    path = tmp_path / "slab.msh"
    built = gmsh_layered_slab(THICK, size=0.1, region_names=NAMES, msh_file=path)
    loaded = from_file(path)
    assert dict(loaded.regions) == dict(built.regions)
    assert dict(loaded.boundaries) == dict(built.boundaries)
    a = ef.solve_emcd(built, MATS, BCS).boundary_flux
    b = ef.solve_emcd(loaded, MATS, BCS).boundary_flux
    for name in a:
        assert b[name] == pytest.approx(a[name], rel=1e-12, abs=1e-15)


def test_pregenerated_msh():
    domain = from_file(ROOT / "meshes" / "annulus_two_shells.msh")
    assert set(domain.regions) == {"wall", "coating"}
    assert set(domain.boundaries) == {"inner", "outer"}
    mats = {"wall": ef.Material(1.0), "coating": ef.Material(0.2)}
    ref = ef.analytic.concentric_shells(
        "cylinder", [0.5, 0.8, 1.0], list(mats.values()), BCS["left"], BCS["right"]
    )
    solution = ef.solve_emcd(domain, mats, {"inner": BCS["left"], "outer": BCS["right"]})
    assert solution.boundary_flux["outer"] == pytest.approx(ref.rate, rel=1e-3)


def test_geo_script():
    domain = from_file(ROOT / "meshes" / "two_layer_plate.geo", size=0.05)
    assert set(domain.boundaries) == {"left", "right", "walls"}
    assert integrate(fem.form(1.0 * domain.dx(domain.regions["coating"]))) == pytest.approx(0.12)


def test_file_errors(tmp_path):
    with pytest.raises(ef.EmcdMeshError, match="not found"):
        from_file(tmp_path / "nothing.msh")
    (tmp_path / "mesh.stl").write_text("solid x\nendsolid x\n")
    with pytest.raises(ef.EmcdMeshError, match=r"expected a \.msh or \.geo"):
        from_file(tmp_path / "mesh.stl")
    geo = tmp_path / "bare.geo"
    geo.write_text('SetFactory("OpenCASCADE");\nRectangle(1) = {0, 0, 0, 1, 1};\n')
    with pytest.raises(ef.EmcdMeshError, match="no physical group"):
        from_file(geo)


def _case(tmp_path, geometry, boundaries='[boundaries.inner]\ntype = "mole_fraction"\nvalue = 0.5'):
    text = f"{geometry}\n[materials.shell1]\nD = 1.0\nc = 1.0\n\n{boundaries}\n"
    path = tmp_path / "case.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "geometry,fragment",
    [
        (
            '[geometry]\nkind = "cylindre_shells"\nradii = [1, 2]\nsize = 0.1',
            "geometry: unknown type 'cylindre_shells'",
        ),
        (
            '[geometry]\nkind = "cylinder_shells"\nradi = [1, 2]\nsize = 0.1',
            "geometry.radi: unknown key; did you mean 'radii'?",
        ),
        (
            '[geometry]\nkind = "sphere_shells"\ndim = 2\nradii = [1, 2]\nsize = 0.1',
            "geometry.dim: must be one of 3",
        ),
        (
            '[geometry]\nkind = "layered_slab"\nmesher = "gmsh"\nsize = 0.1\n'
            'layers = [{name = "shell1", thickness = 1.0}]',
            "geometry.mesher: gmsh slabs are 2D or 3D",
        ),
        (
            '[geometry]\nkind = "cylinder_shells"\nradii = [1, 2]\nsize = 0.1\n'
            "region_sizes = { shel1 = 0.01 }",
            "geometry.region_sizes.shel1: not a region",
        ),
        (
            '[geometry]\nkind = "inclusions"\ndim = 3\nshape = "circle"\n'
            "extents = [1, 1, 1]\nradius = 0.1\ncounts = [2, 2]\nsize = 0.1",
            "geometry.shape: 'circle' inclusions are 2D",
        ),
        (
            '[geometry]\nkind = "inclusions"\narrangement = "random"\nextents = [1, 1]\n'
            "radius = 0.1\nsize = 0.1",
            "geometry.volume_fraction: required for a random arrangement",
        ),
    ],
)
def test_geometry_case_errors(tmp_path, capsys, geometry, fragment):
    """Unknown builder or parameter, a 2D builder asked for in 3D, unknown region names."""
    path = _case(tmp_path, geometry)
    assert cli.main(["check", str(path)]) == cli.EXIT_INVALID
    assert fragment in capsys.readouterr().err


def test_mesh_file_boundary_names_checked_at_run(tmp_path, capsys):
    geometry = f'[geometry]\nkind = "mesh_file"\npath = "{MSH}"'
    text = (
        f'{geometry}\n[regions]\nwall = "m"\ncoating = "m"\n[materials.m]\nD = 1.0\n'
        'c = 1.0\n[boundaries.iner]\ntype = "mole_fraction"\nvalue = 0.5\n'
    )
    path = tmp_path / "case.toml"
    path.write_text(text)
    out = tmp_path / "out"
    assert cli.main(["run", str(path), "--out", str(out)]) == cli.EXIT_INVALID
    assert "did you mean 'inner'" in capsys.readouterr().err.lower()
    assert not out.exists()


def test_mesh_file_region_without_material(tmp_path, capsys):
    geometry = f'[geometry]\nkind = "mesh_file"\npath = "{MSH}"'
    text = (
        f"{geometry}\n[materials.wall]\nD = 1.0\nc = 1.0\n[boundaries.inner]\n"
        'type = "mole_fraction"\nvalue = 0.5\n'
    )
    path = tmp_path / "case.toml"
    path.write_text(text)
    assert cli.main(["run", str(path), "--out", str(tmp_path / "o")]) == cli.EXIT_INVALID
    assert "regions.coating: no material 'coating'" in capsys.readouterr().err


def test_annulus_mesh_report_close_to_exact():
    report = mesh_report(annulus([0.5, 1.0], size=0.1, order=2))
    assert report["region_measures"]["shell1"] == pytest.approx(np.pi * 0.75, rel=1e-5)
    assert report["geometric_order"] == 2


def test_region_picture(tmp_path):
    from emcd_fem.plotting import plot_regions

    domain = annulus([0.5, 1.0], size=0.2, region_names=["ring"])
    path = plot_regions(domain, tmp_path / "ring.png", title="ring")
    assert path.stat().st_size > 10_000
