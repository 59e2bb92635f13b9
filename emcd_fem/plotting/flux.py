"""Pictures of the molar flux: magnitude with streamlines (2D) or glyphs/slices (3D)."""

from pathlib import Path

import numpy as np

from emcd_fem.plotting.grids import add_region_outlines as _add_region_outlines
from emcd_fem.plotting.grids import camera_3d as _camera_3d
from emcd_fem.plotting.grids import colour_bar as _colour_bar
from emcd_fem.plotting.grids import dimension as _dimension
from emcd_fem.plotting.grids import read_grid as _read_grid
from emcd_fem.plotting.grids import window as _window


def flux_streamlines(grid, name: str):
    """Streamlines of the cell vector field ``name`` of a PyVista grid (PolyData, maybe empty).

    2D: evenly spaced streamlines (VTK's ``vtkEvenlySpacedStreamlines2D``), started in the
    cell of largest |N|, about 20 lines across. 3D: traced both ways from every k-th cell
    centre (about 150 seeds). The lines follow the cell-to-point average of the DG0 vectors:
    a picture of the flux, not a particle-tracking result.
    """
    import pyvista

    smooth = grid.cell_data_to_point_data()
    smooth.set_active_vectors(name)
    centres = np.asarray(grid.cell_centers().points)
    magnitude = np.linalg.norm(np.asarray(grid.cell_data[name]), axis=1)
    if _dimension(grid) == 2:
        return smooth.streamlines_evenly_spaced_2D(
            vectors=name,
            start_position=tuple(centres[int(np.argmax(magnitude))]),
            separating_distance=max(1.0, np.sqrt(grid.n_cells) / 20),
            separating_distance_ratio=0.5,
            step_length=0.5,
            compute_vorticity=False,
        )
    return smooth.streamlines_from_source(
        pyvista.PolyData(centres[:: max(1, grid.n_cells // 150)]),
        vectors=name,
        integration_direction="both",
        max_length=4 * grid.length,
        initial_step_length=0.2,
    )


def render_flux(
    directory: Path,
    *,
    window_size: tuple[int, int] | None = None,
    grid=None,
    name: str | None = None,
    label: str = "N_A",
    caption: str | None = None,
) -> Path | None:
    """``molar_flux.png``: streamlines of N_A, coloured by |N_A| (log scale in 3D).

    2D: |N_A| as the background, white streamlines and region outlines. 3D: streamlines as
    tubes inside the feature edges of the domain (see :func:`flux_streamlines`).

    Args:
        directory: Run directory with ``fields.vtkhdf``.
        window_size: Pixels (default: 1000 wide, height from the 2D aspect ratio).
        grid: The run's grid when already read.
        name: Cell vector array [mol/(m^2 s)] (default: the first ``molar_flux*``); the
            picture is ``<name>.png`` when given, else ``molar_flux.png``.
        label: The flux's symbol in the title and colour bar.
        caption: The picture's caption (default: ``EMCD: molar flux <label>, streamlines``).

    Returns:
        The PNG path, or None when the run has no (non-zero) molar-flux field.
    """
    import pyvista

    grid = grid if grid is not None else _read_grid(directory)
    stem = name or "molar_flux"
    name = name or next((k for k in grid.cell_data if k.startswith("molar_flux")), None)
    if name is None:
        return None
    magnitude = np.linalg.norm(np.asarray(grid.cell_data[name]), axis=1)
    if magnitude.max() == 0:
        return None
    grid.cell_data["flux_magnitude"] = magnitude
    lines = flux_streamlines(grid, name)
    dim = _dimension(grid)
    window_size = window_size or _window(grid)
    bar = _colour_bar(f"{label} magnitude, molar flux density (mol/(m^2 s))", "%.3g")
    plotter = pyvista.Plotter(off_screen=True, window_size=window_size)
    # uniform flux (to 0.1 %): a ±1 % colour range, so discretisation noise is no pattern
    if np.ptp(magnitude) < 1e-3 * magnitude.max():
        mean = float(magnitude.mean())
        bar["fmt"] = "%.4g"
        clim = [0.99 * mean, 1.01 * mean]
    else:
        clim = None
    if dim == 2:
        plotter.add_mesh(
            grid, scalars="flux_magnitude", cmap="cividis", scalar_bar_args=bar, clim=clim
        )
        _add_region_outlines(plotter, grid, color="#d9d9d9")
        if lines.n_points:  # lifted off the plane so the surface cannot hide them
            lines.points[:, 2] += 1e-3 * grid.length
            plotter.add_mesh(lines, color="white", line_width=2)
        plotter.view_xy()
        plotter.camera.zoom(1.15)
    else:
        plotter.add_mesh(
            grid.extract_surface(algorithm="dataset_surface"), color="#bdbdbd", opacity=0.12
        )
        edges = grid.extract_feature_edges(feature_angle=45)
        if edges.n_points:  # smooth bodies (spheres) have none
            plotter.add_mesh(edges, color="#737373", line_width=1)
        if lines.n_points:
            speed = np.linalg.norm(np.asarray(lines.point_data[name]), axis=1)
            lines.point_data["flux_magnitude"] = np.maximum(speed, magnitude.max() * 1e-6)
            plotter.add_mesh(
                lines.tube(radius=grid.length * 0.0025),
                scalars="flux_magnitude",
                cmap="cividis",
                log_scale=clim is None,
                clim=clim,
                scalar_bar_args=bar,
            )
        _camera_3d(plotter)
    plotter.add_text(caption or f"EMCD: molar flux {label}, streamlines", font_size=11)
    path = directory / f"{stem}.png"
    plotter.screenshot(str(path))
    plotter.close()
    return path
