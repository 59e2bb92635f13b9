"""Pictures: `emcd run` with pictures, then `emcd plot` re-renders; PNGs are not blank."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EMCD = str(Path(sys.executable).parent / "emcd")


def not_blank(path: Path) -> bool:
    import pyvista

    image = np.asarray(pyvista.read(str(path)).point_data.active_scalars, dtype=float)
    return image.std() > 10.0  # a uniform picture has std 0


@pytest.mark.parametrize("case", ["cylinder_shells_2d", "slab_3d", "sphere_shells"])
def test_run_and_plot_pictures(case, tmp_path):
    out = tmp_path / case
    result = subprocess.run(
        [
            EMCD,
            "run",
            str(ROOT / "demos" / f"{case}.toml"),
            "--out",
            str(out),
            "--set",
            "output.pictures=true",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    names = ["mole_fraction.png", "molar_flux.png"]
    names += ["profiles.png"] if (out / "profiles.csv").exists() else []  # sphere: no lines
    for name in names:
        assert not_blank(out / name)
        (out / name).unlink()
    replot = subprocess.run([EMCD, "plot", str(out)], capture_output=True, text=True, timeout=120)
    assert replot.returncode == 0, replot.stderr
    assert all(not_blank(out / name) for name in names)


def test_streamlines_follow_the_flux(tmp_path):
    """Concentric cylinders: N_A is radial, so every streamline segment is radial too.

    The lines follow the point average of the DG0 flux: measured angle to the radius, median
    6e-4 rad, max 4.4e-3 rad (428 segments). Bounds 5e-3 / 0.03 rad leave room for other
    gmsh meshes; lines that wander across the annulus fail them.
    """
    import emcd_fem  # noqa: F401  (before pyvista/dolfinx)
    from emcd_fem.pipeline.run import run_case
    from emcd_fem.plotting import flux_streamlines
    from emcd_fem.plotting.grids import read_grid as _read_grid

    out = tmp_path / "run"
    run_case(ROOT / "demos" / "cylinder_shells_2d.toml", out, ["output.pictures=true"])
    grid = _read_grid(out)
    name = next(k for k in grid.cell_data if k.startswith("molar_flux"))
    lines = flux_streamlines(grid, name)
    assert lines.n_lines >= 10
    angles = []
    for i in range(lines.n_cells):
        points = np.asarray(lines.get_cell(i).points)[:, :2]
        if len(points) < 3:
            continue
        tangent = np.diff(points, axis=0)
        middle = 0.5 * (points[1:] + points[:-1])
        cross = tangent[:, 0] * middle[:, 1] - tangent[:, 1] * middle[:, 0]
        norms = np.linalg.norm(tangent, axis=1) * np.linalg.norm(middle, axis=1)
        angles.extend(np.arcsin(np.abs(cross[norms > 0]) / norms[norms > 0]))
    assert len(angles) > 100 and np.median(angles) < 5e-3 and np.max(angles) < 0.03


def test_plot_without_data_is_a_clear_error(tmp_path):
    result = subprocess.run(
        [EMCD, "plot", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "not a finished emcd run" in result.stderr


def test_pictures_under_mpiexec(tmp_path):
    mpiexec = Path(sys.executable).parent / "mpiexec"
    if not mpiexec.exists():
        pytest.skip("no mpiexec")
    out = tmp_path / "out"
    result = subprocess.run(
        [
            str(mpiexec),
            "-n",
            "2",
            EMCD,
            "run",
            str(ROOT / "demos" / "cylinder_shells_2d.toml"),
            "--out",
            str(out),
            "--set",
            "output.pictures=true",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert not_blank(out / "mole_fraction.png") and not_blank(out / "molar_flux.png")
    import pyvista

    serial = tmp_path / "serial"
    from emcd_fem.pipeline.run import run_case

    run_case(ROOT / "demos" / "cylinder_shells_2d.toml", serial)
    one, two = (pyvista.read(d / "fields.vtkhdf") for d in (serial, out))
    assert one.n_cells == two.n_cells and one.n_points == two.n_points  # one grid, not pieces


FILM_CASE = {
    "geometry": {
        "kind": "layered_slab",
        "dim": 2,
        "cells_across": 2,
        "layers": [
            {"name": "coating", "thickness": 0.3, "cells": 3},
            {"name": "membrane", "thickness": 0.4, "cells": 4},
            {"name": "support", "thickness": 0.3, "cells": 3},
        ],
    },
    "materials": {
        "coating": {"D": 2e-5, "c": 40.9},
        "membrane": {"D": 2e-6, "c": 40.9},
        "support": {"D": 1e-5, "c": 40.9},
    },
    "interfaces": [
        {"materials": ["coating", "membrane"], "film": 2e-4},
        {"materials": ["membrane", "support"], "film": 5e-4},
    ],
    "boundaries": {
        "left": {"type": "mole_fraction", "value": 0.9},
        "right": {"type": "mole_fraction", "value": 0.1},
    },
    "output": {"pictures": True},
}


def test_film_case_pictures(tmp_path):
    """Film cases get pictures too: x_A is one discontinuous field over the mesh (its cell
    values jump at the films as the resistance network says) and the flux arrows."""
    import pyvista

    from emcd_fem import analytic
    from emcd_fem.materials import Material
    from emcd_fem.pipeline.run import run_case

    out = tmp_path / "films"
    result = run_case(FILM_CASE, out)
    files = result.summary["files"]
    assert {"mole_fraction.png", "fields.vtkhdf"} <= set(files)
    assert not_blank(out / "mole_fraction.png")

    flux, jumps = analytic.film_slab(
        [0.3, 0.4, 0.3],
        [Material(2e-5, 40.9), Material(2e-6, 40.9), Material(1e-5, 40.9)],
        0.9,
        0.1,
        [2e-4, 5e-4],
    )
    # picture data: x_A per cell (DG0 at the centroid) on the exact piecewise-linear
    # profile, jumps included; N_A the series flux in every cell
    grid = pyvista.read(out / "fields.vtkhdf")
    centres = np.asarray(grid.cell_centers().points)[:, 0]
    x_cells = np.asarray(grid.cell_data["mole_fraction_A"])
    edges, starts = [0.0, 0.3, 0.7, 1.0], [0.9, jumps[0][1], jumps[1][1]]
    cd = [40.9 * 2e-5, 40.9 * 2e-6, 40.9 * 1e-5]
    layer = np.searchsorted(edges, centres, side="right") - 1
    exact = np.array([starts[i] - flux * (s - edges[i]) / cd[i] for i, s in zip(layer, centres)])
    assert x_cells == pytest.approx(exact, abs=1e-12)
    assert np.asarray(grid.cell_data["molar_flux_A"])[:, 0] == pytest.approx(flux, rel=1e-10)
    # the field itself (DG1) either side of the films: the network's jumps
    from emcd_fem.post.sampling import evaluate_at_points

    s = np.array([0.3 - 1e-9, 0.3 + 1e-9, 0.7 - 1e-9, 0.7 + 1e-9])
    points = np.column_stack([s, np.full(4, 0.3), np.zeros(4)])
    values = evaluate_at_points(result.fields["mole_fraction"], points)[:, 0]
    assert values == pytest.approx([v for pair in jumps for v in pair], abs=1e-9)
