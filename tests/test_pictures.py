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


@pytest.mark.parametrize("case", ["cylinder_shells_2d", "slab_3d"])
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
    for name in ("mole_fraction.png", "molar_flux.png", "profiles.png"):
        assert not_blank(out / name)
        (out / name).unlink()
    replot = subprocess.run([EMCD, "plot", str(out)], capture_output=True, text=True, timeout=120)
    assert replot.returncode == 0, replot.stderr
    assert not_blank(out / "mole_fraction.png") and (out / "profiles.png").exists()
    assert not_blank(out / "molar_flux.png")


def test_streamlines_follow_the_flux(tmp_path):
    """Concentric cylinders: N_A is radial, so every streamline segment is radial too.

    The lines follow the point average of the DG0 flux: measured angle to the radius, median
    6e-4 rad, max 4.4e-3 rad (428 segments). Bounds 5e-3 / 0.03 rad leave room for other
    gmsh meshes; lines that wander across the annulus fail them.
    """
    import emcd_fem  # noqa: F401  (before pyvista/dolfinx)
    from emcd_fem.plotting import _read_grid, flux_streamlines
    from emcd_fem.simulation import run_case

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
    assert result.returncode == 2 and "pictures = true" in result.stderr


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
    assert len(list((out / "plot").glob("*.vtu"))) == 2  # one piece per rank
