"""Pictures of scalar fields of a run (mole fraction, temperature, ...)."""

from pathlib import Path

import numpy as np

from emcd_fem.plotting.grids import add_region_outlines as _add_region_outlines
from emcd_fem.plotting.grids import camera_3d as _camera_3d
from emcd_fem.plotting.grids import colour_bar as _colour_bar
from emcd_fem.plotting.grids import dimension as _dimension
from emcd_fem.plotting.grids import read_grid as _read_grid
from emcd_fem.plotting.grids import window as _window

SCALAR_PICTURES = {
    "mole_fraction_A": ("mole_fraction", "x_A, mole fraction (-)", "mole fraction of A", "viridis"),
    "temperature": ("temperature", "T, temperature (K)", "temperature", "inferno"),
    "thermal_fraction": (
        "thermal_fraction",
        "thermal share of the flux, magnitudes N_th / (N_Fick + N_th) (-)",
        "thermal-diffusion share of the flux",
        "magma",
    ),
    "emcd_deviation": (
        "emcd_deviation",
        "abs(N_EMCD - N_full) / max abs(N_full) (-)",
        "local deviation from the fuller model (emcd_validity)",
        "plasma",
    ),
    "dusty_gas_pressure_rise": (
        "dusty_gas_pressure_rise",
        "p - p_open, pressure rise of the dusty-gas re-solve (Pa)",
        "pressure built up in the dusty-gas model (emcd_validity)",
        "cividis",
    ),
    "pressure": ("pressure", "p, pressure (Pa)", "pressure (dusty-gas model)", "cividis"),
}


def render_field(
    directory: Path,
    scalars: str = "mole_fraction_A",
    *,
    window_size: tuple[int, int] | None = None,
    grid=None,
    picture: tuple[str, str, str, str] | None = None,
    arrows: tuple[str, str] | None = None,
    title: str = "EMCD",
    zero_flux: bool = False,
) -> Path:
    """A picture of one scalar field: region outlines and flux arrows in 2D, clipped in 3D.

    Args:
        directory: Run directory with ``fields.vtkhdf``.
        scalars: Array name, a key of :data:`SCALAR_PICTURES` (or any, with ``picture``).
        window_size: Pixels (default: 1000 wide, height from the 2D aspect ratio).
        grid: The run's grid when already read (:func:`~emcd_fem.plotting.grids.read_grid`).
        picture: (file stem, colour-bar title, caption, colour map) instead of the
            :data:`SCALAR_PICTURES` entry.
        arrows: (cell vector array, its label) of the 2D arrows (default: the first
            ``molar_flux*`` array, labelled N_A).
        title: The caption's prefix: what the run is (``"EMCD"``; an n-species run that is
            not equimolar says so).
        zero_flux: The flux is zero to rounding (a stagnant species): no arrows, and the
            caption says so instead of promising them.

    Returns:
        The PNG path (``<stem>.png`` in ``directory``).
    """
    import pyvista

    stem, bar_title, caption, cmap = picture or SCALAR_PICTURES[scalars]
    grid = grid if grid is not None else _read_grid(directory)
    dim = _dimension(grid)
    plotter = pyvista.Plotter(off_screen=True, window_size=window_size or _window(grid))
    bar = _colour_bar(bar_title, "%.4g")
    values = np.asarray(grid[scalars], dtype=float)
    lo, hi = float(values.min()), float(values.max())
    spread = max(hi - lo, abs(hi), 1e-300)
    # rounding noise around 0 (x_A = -5e-18 from interpolation) must not reach the labels
    clim = [0.0 if abs(lo) < 1e-12 * spread else lo, hi if hi > lo else lo + spread * 1e-6]
    if dim == 3:
        clipped = grid.clip(normal="y", origin=grid.center, crinkle=False)
        plotter.add_mesh(clipped, scalars=scalars, cmap=cmap, clim=clim, scalar_bar_args=bar)
        plotter.add_mesh(grid.outline(), color="black")
        _camera_3d(plotter)
    else:
        plotter.add_mesh(grid, scalars=scalars, cmap=cmap, clim=clim, scalar_bar_args=bar)
        _add_region_outlines(plotter, grid)
        flux, label = arrows or (
            next((k for k in grid.cell_data if k.startswith("molar_flux")), None),
            "N_A",
        )
        if flux is not None and not zero_flux:
            centres = grid.cell_centers()
            vectors = np.asarray(grid.cell_data[flux])
            magnitude = np.linalg.norm(vectors, axis=1)
            if magnitude.max() > 0:
                step = max(1, centres.n_points // 120)
                arrows = centres.extract_points(np.arange(0, centres.n_points, step))
                size = 0.06 * max(np.ptp(np.asarray(grid.points)[:, :2], axis=0))
                # scaled by the 95th percentile, not the peak: one hot cell (a narrow gap)
                # must not shrink every other arrow to a dot; longer ones are capped
                typical = np.percentile(magnitude, 95)
                scale = np.minimum(1.0, typical / np.maximum(magnitude[::step], 1e-300))
                arrows.point_data["v"] = vectors[::step] * (scale * size / typical)[:, None]
                plotter.add_mesh(
                    arrows.glyph(orient="v", scale="v", factor=1.0), color="white", opacity=0.8
                )
        plotter.view_xy()
        plotter.camera.zoom(1.15)
    if dim == 3:
        where = " (clipped at y-centre)"
    elif zero_flux:
        where = f", molar flux {label} = 0 to rounding (no arrows)"
    else:
        where = f", arrows: molar flux {label}"
    plotter.add_text(f"{title}: {caption}{where}", font_size=11)
    path = directory / f"{stem}.png"
    plotter.screenshot(str(path))
    plotter.close()
    return path
