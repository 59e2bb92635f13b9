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
    for name in ("mole_fraction.png", "profiles.png"):
        assert not_blank(out / name)
        (out / name).unlink()
    replot = subprocess.run([EMCD, "plot", str(out)], capture_output=True, text=True, timeout=120)
    assert replot.returncode == 0, replot.stderr
    assert not_blank(out / "mole_fraction.png") and (out / "profiles.png").exists()


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
    assert not_blank(out / "mole_fraction.png")
    assert len(list((out / "plot").glob("*.vtu"))) == 2  # one piece per rank
