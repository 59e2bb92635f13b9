"""Pictures of an n-species run in 2D and 3D: every species and the total molar flux.

For each species s (point data ``x_<s>``): ``x_<s>.png``, its mole fraction with arrows of
its flux N_s in 2D (clipped at the y-centre in 3D), and ``molar_flux_<s>.png``, |N_s| with
streamlines. Then ``total_molar_flux.png``: |Σ_i N_i|, coloured on the scale of the largest
species flux, so a run with zero net flux (equimolar counterdiffusion, Σ N_i = 0 to
rounding) shows a uniformly dark field and says so in its caption, while a stagnant-species
or Graham run shows where the net flux goes (streamlines).
"""

from pathlib import Path

import numpy as np

from emcd_fem.plotting.fields import render_field
from emcd_fem.plotting.flux import render_flux
from emcd_fem.plotting.grids import add_region_outlines as _add_region_outlines
from emcd_fem.plotting.grids import camera_3d as _camera_3d
from emcd_fem.plotting.grids import colour_bar as _colour_bar
from emcd_fem.plotting.grids import dimension as _dimension
from emcd_fem.plotting.grids import window as _window

#: |Σ_i N_i| below this fraction of the largest |N_i| is rounding: an equimolar run.
EQUIMOLAR_FLOOR: float = 1e-9


def species_names(grid) -> list[str]:
    """The species of an n-species run's grid (point data ``x_<species>``), in file order."""
    return [k[2:] for k in grid.point_data if k.startswith("x_")]


def run_title(equimolar: bool) -> str:
    """The caption prefix of an n-species picture: what the run is."""
    return "EMCD" if equimolar else "Maxwell-Stefan, not equimolar"


def render_species(directory: Path, grid, *, equimolar: bool | None = None) -> list[Path]:
    """Every species' mole-fraction and flux picture, and the total molar flux (rank 0).

    Captions start with :func:`run_title`. A species whose flux is below
    :data:`EQUIMOLAR_FLOOR` of the largest species flux (a stagnant species) gets no
    arrows and no streamline picture (its "flux" is rounding), and its caption says so.

    Args:
        directory: Run directory (the PNGs go there).
        grid: The run's grid (:func:`~emcd_fem.plotting.grids.read_grid`), 2D or 3D.
        equimolar: The run's own verdict (summary.json ``equimolar``); None: judged from
            the fields (|Σ_i N_i| against :data:`EQUIMOLAR_FLOOR` of the largest |N_i|).

    Returns:
        The PNG paths.
    """
    pictures = []
    species = species_names(grid)
    sizes = {
        s: float(np.linalg.norm(np.asarray(grid.cell_data[f"molar_flux_{s}"]), axis=1).max())
        for s in species
        if f"molar_flux_{s}" in grid.cell_data
    }
    peak = max(sizes.values(), default=0.0)
    if equimolar is None:
        total = sum(np.asarray(grid.cell_data[f"molar_flux_{s}"], dtype=float) for s in sizes)
        equimolar = not sizes or np.linalg.norm(total, axis=1).max() <= EQUIMOLAR_FLOOR * peak
    title = run_title(equimolar)
    for s in species:
        flux = f"molar_flux_{s}"
        present = flux in grid.cell_data
        zero = present and sizes[s] <= EQUIMOLAR_FLOOR * peak
        pictures.append(
            render_field(
                directory,
                f"x_{s}",
                grid=grid,
                picture=(f"x_{s}", f"x_{s}, mole fraction (-)", f"mole fraction of {s}", "viridis"),
                arrows=(flux, f"N_{s}") if present else (None, ""),
                title=title,
                zero_flux=zero,
            )
        )
        if present and not zero:
            caption = f"{title}: molar flux N_{s}, streamlines"
            path = render_flux(directory, grid=grid, name=flux, label=f"N_{s}", caption=caption)
            if path is not None:
                pictures.append(path)
    total = _total_flux(directory, grid, species)
    if total is not None:
        pictures.append(total)
    return pictures


def _total_flux(directory: Path, grid, species: list[str]) -> Path | None:
    """``total_molar_flux.png`` (None without species fluxes)."""
    names = [f"molar_flux_{s}" for s in species if f"molar_flux_{s}" in grid.cell_data]
    if not names:
        return None
    vectors = [np.asarray(grid.cell_data[n], dtype=float) for n in names]
    peak = max(float(np.linalg.norm(v, axis=1).max()) for v in vectors)
    total = sum(vectors)
    magnitude = np.linalg.norm(total, axis=1)
    grid.cell_data["total_molar_flux"] = total
    if peak > 0 and magnitude.max() > EQUIMOLAR_FLOOR * peak:
        return render_flux(
            directory,
            grid=grid,
            name="total_molar_flux",
            label="sum_i N_i",
            caption="net molar flux sum_i N_i (not equimolar), streamlines",
        )
    return _flat_total(directory, grid, magnitude, peak)


def _flat_total(directory: Path, grid, magnitude: np.ndarray, peak: float) -> Path:
    """|Σ N_i| of an equimolar run on the scale of the largest species flux (no streamlines)."""
    import pyvista

    grid.cell_data["total_flux_magnitude"] = magnitude
    dim = _dimension(grid)
    plotter = pyvista.Plotter(off_screen=True, window_size=_window(grid))
    bar = _colour_bar("|sum_i N_i|, total molar flux density (mol/(m^2 s))", "%.3g")
    shown = grid.clip(normal="y", origin=grid.center, crinkle=False) if dim == 3 else grid
    plotter.add_mesh(
        shown,
        scalars="total_flux_magnitude",
        cmap="cividis",
        clim=[0.0, peak if peak > 0 else 1.0],
        scalar_bar_args=bar,
    )
    if dim == 3:
        plotter.add_mesh(grid.outline(), color="black")
        _camera_3d(plotter)
    else:
        _add_region_outlines(plotter, grid, color="#d9d9d9")
        plotter.view_xy()
        plotter.camera.zoom(1.15)
    ratio = float(magnitude.max()) / peak if peak > 0 else 0.0
    plotter.add_text(
        f"total molar flux: sum_i N_i = 0 to rounding (max {ratio:.1e} of max |N_i|): "
        "equimolar counterdiffusion",
        font_size=10,
    )
    path = directory / "total_molar_flux.png"
    plotter.screenshot(str(path))
    plotter.close()
    return path


__all__ = ["EQUIMOLAR_FLOOR", "render_species", "run_title", "species_names"]
