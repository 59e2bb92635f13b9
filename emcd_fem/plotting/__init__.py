"""PyVista pictures (off screen). PyVista is imported lazily, never at package import."""

from pathlib import Path

import numpy as np
from dolfinx import plot

from emcd_fem.mesh.domain import Domain


def region_grid(domain: Domain):
    """A ``pyvista.UnstructuredGrid`` of the owned cells with a ``region`` cell array.

    The region array holds the index of the region name in sorted order (for categorical
    colouring); ``grid.field_data["region_names"]`` holds the names.
    """
    import pyvista

    msh = domain.mesh
    tdim = msh.topology.dim
    n_owned = msh.topology.index_map(tdim).size_local
    cells = np.arange(n_owned, dtype=np.int32)
    topology, cell_types, x = plot.vtk_mesh(msh, tdim, cells)
    grid = pyvista.UnstructuredGrid(topology, cell_types, x)
    names = sorted(domain.regions)
    index_of_tag = {domain.regions[n]: i for i, n in enumerate(names)}
    values = np.full(n_owned, -1, dtype=np.int32)
    tagged = domain.cell_tags.indices < n_owned
    values[domain.cell_tags.indices[tagged]] = [
        index_of_tag[v] for v in domain.cell_tags.values[tagged]
    ]
    grid.cell_data["region"] = values
    grid.field_data["region_names"] = np.array(names)
    return grid


def plot_regions(
    domain: Domain,
    filename: str | Path,
    *,
    title: str = "",
    clip: bool | None = None,
    clip_origin: tuple[float, float, float] | None = None,
    window_size: tuple[int, int] = (900, 700),
) -> Path:
    """Screenshot of the mesh coloured by region, with edges (rank-local cells).

    3D meshes are clipped by a plane of normal +y through ``clip_origin`` (default: the
    centre) to show the inside, unless ``clip=False``. Call it on a serial domain: on a
    distributed one only the calling rank's cells appear.
    """
    import pyvista

    grid = region_grid(domain)
    names = list(grid.field_data["region_names"])
    tdim = domain.mesh.topology.dim
    if clip is None:
        clip = tdim == 3
    if clip:
        grid = grid.clip(normal="y", origin=clip_origin or grid.center, crinkle=True)
    plotter = pyvista.Plotter(off_screen=True, window_size=window_size)
    palette = ["#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494"]
    for i, name in enumerate(names):
        part = grid.extract_cells(np.flatnonzero(grid.cell_data["region"] == i))
        if part.n_cells:
            plotter.add_mesh(
                part,
                color=palette[i % len(palette)],
                show_edges=True,
                edge_color="#333333",
                line_width=0.5,
                label=name,
            )
    for i, name in enumerate(names):  # a key in the lower-left corner, one line a region
        plotter.add_text(
            f"{name}",
            position=(20, 20 + 28 * (len(names) - 1 - i)),
            color=palette[i % len(palette)],
            font_size=14,
        )
    if title:
        plotter.add_text(title, font_size=12)
    if tdim == 2:
        plotter.view_xy()
    else:
        plotter.view_isometric()
        plotter.camera.azimuth = 30
    filename = Path(filename)
    filename.parent.mkdir(parents=True, exist_ok=True)
    plotter.screenshot(str(filename))
    plotter.close()
    return filename


# -- pictures of a run -------------------------------------------------------------------------
#: The field file pictures are made from (written by every run, see field_file.py).
FIELD_FILE = "fields.vtkhdf"

#: VTK Lagrange cell types → the linear cell on their corner nodes (listed first).
_LINEAR = {68: (3, 2), 69: (5, 3), 70: (9, 4), 71: (10, 4), 72: (12, 8)}


def _linear_grid(grid):
    """The grid with each Lagrange cell replaced by the linear cell on its corners.

    Point data stay at every node (the corner values are exact); pictures of order-2
    cells lose the curvature between corners, not the values.
    """
    import pyvista

    types = np.asarray(grid.celltypes)
    if not np.isin(types, list(_LINEAR)).all():
        return grid
    offsets = np.asarray(grid.cell_offsets)
    connectivity = np.asarray(grid.cell_connectivity)
    cells, new_types = [], []
    for vtk_type, (linear, corners) in _LINEAR.items():
        chosen = np.flatnonzero(types == vtk_type)
        if chosen.size == 0:
            continue
        nodes = connectivity[offsets[chosen][:, None] + np.arange(corners)[None, :]]
        cells.append((chosen, np.hstack([np.full((chosen.size, 1), corners), nodes])))
        new_types.append((chosen, np.full(chosen.size, linear, dtype=np.uint8)))
    order = np.concatenate([c[0] for c in cells])
    rank = np.argsort(order)
    stacked = [np.concatenate([c[1] for c in cells])[i] for i in rank]
    linear_types = np.concatenate([t[1] for t in new_types])[rank]
    cells_array = np.concatenate(stacked)
    counts = np.concatenate([[0], np.cumsum([len(c) for c in stacked])[:-1]])
    is_node = np.ones(len(cells_array), dtype=bool)
    is_node[counts] = False  # the leading count of each cell
    used = np.unique(cells_array[is_node])  # corner nodes only: no stray midside points
    renumber = np.full(grid.n_points, -1, dtype=np.int64)
    renumber[used] = np.arange(used.size)
    cells_array[is_node] = renumber[cells_array[is_node]]
    out = pyvista.UnstructuredGrid(cells_array, linear_types, np.asarray(grid.points)[used])
    for name in grid.point_data:
        out.point_data[name] = np.asarray(grid.point_data[name])[used]
    for name in grid.cell_data:
        out.cell_data[name] = grid.cell_data[name]
    return out


def _read_grid(directory: Path):
    """The run's fields on a linear grid (exact-DOF arrays ``*_dofs`` left out)."""
    import pyvista

    grid = pyvista.read(Path(directory) / FIELD_FILE)
    if isinstance(grid, pyvista.MultiBlock):
        grid = pyvista.merge([b for b in grid if b is not None])
    for name in [n for n in grid.cell_data if n.endswith("_dofs")]:
        del grid.cell_data[name]
    for data in (grid.point_data, grid.cell_data):  # 1D/2D vectors → 3 components for VTK
        for name in list(data):
            values = np.asarray(data[name])
            if values.ndim == 2 and values.shape[1] in (1, 2):
                data[name] = np.hstack([values, np.zeros((len(values), 3 - values.shape[1]))])
    return _linear_grid(grid)


#: Pictures of scalar fields: array name → (file stem, colour-bar title, caption, colour map).
SCALAR_PICTURES = {
    "mole_fraction_A": ("mole_fraction", "x_A, mole fraction (-)", "mole fraction of A", "viridis"),
    "temperature": ("temperature", "T, temperature (K)", "temperature", "inferno"),
    "thermal_fraction": (
        "thermal_fraction",
        "thermal share of the flux, magnitudes N_th / (N_Fick + N_th) (-)",
        "thermal-diffusion share of the flux",
        "magma",
    ),
}


def _dimension(grid) -> int:
    """3 for a grid with thickness in z, else 2 (1D/2D meshes lie in the xy plane)."""
    return 3 if np.ptp(np.asarray(grid.points)[:, 2]) > 0 else 2


def _window(grid) -> tuple[int, int]:
    """Pixels: 1000 wide; height from the aspect ratio in 2D (room for the colour bar)."""
    extent = np.ptp(np.asarray(grid.points)[:, :2], axis=0)
    aspect = extent[1] / extent[0] if _dimension(grid) == 2 and extent[0] > 0 else 0.6
    return (1000, int(np.clip(1000 * aspect + 260, 450, 1000)))


def _colour_bar(title: str, fmt: str) -> dict:
    """Horizontal colour bar under the picture: long titles with units stay readable."""
    return {
        "title": title,
        "vertical": False,
        "position_x": 0.2,
        "position_y": 0.03,
        "width": 0.6,
        "height": 0.08,
        "fmt": fmt,
        "title_font_size": 18,
        "label_font_size": 15,
    }


def render_field(
    directory: Path,
    scalars: str = "mole_fraction_A",
    *,
    window_size: tuple[int, int] | None = None,
) -> Path:
    """A picture of one scalar field: region outlines and flux arrows in 2D, clipped in 3D.

    Args:
        directory: Run directory with ``plot/fields.pvd``.
        scalars: Array name, a key of :data:`SCALAR_PICTURES`.
        window_size: Pixels (default: 1000 wide, height from the 2D aspect ratio).

    Returns:
        The PNG path (``<stem>.png`` in ``directory``).
    """
    import pyvista

    stem, title, caption, cmap = SCALAR_PICTURES[scalars]
    grid = _read_grid(directory)
    dim = _dimension(grid)
    plotter = pyvista.Plotter(off_screen=True, window_size=window_size or _window(grid))
    bar = _colour_bar(title, "%.4g")
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
        flux = next((k for k in grid.cell_data if k.startswith("molar_flux")), None)
        if flux is not None:
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
    plotter.add_text(
        f"EMCD: {caption}" + (" (clipped at y-centre)" if dim == 3 else ", arrows: molar flux N_A"),
        font_size=11,
    )
    path = directory / f"{stem}.png"
    plotter.screenshot(str(path))
    plotter.close()
    return path


def _add_region_outlines(plotter, grid, color: str = "white") -> None:
    """Outline every region of a 2D grid (cell data ``region``)."""
    if "region" not in grid.cell_data or grid.cell_data["region"].max() == 0:
        return
    for value in np.unique(grid.cell_data["region"]):
        part = grid.extract_cells(np.flatnonzero(grid.cell_data["region"] == value))
        edges = part.extract_feature_edges(
            boundary_edges=True, feature_edges=False, manifold_edges=False
        )
        plotter.add_mesh(edges, color=color, line_width=2)


def _camera_3d(plotter) -> None:
    """Look at the y-centre cut face from the +y side, from a little above and to the side."""
    plotter.view_vector((0.45, 1.0, 0.55), viewup=(0.0, 0.0, 1.0))
    plotter.reset_camera()
    plotter.camera.zoom(0.85)


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


def render_flux(directory: Path, *, window_size: tuple[int, int] | None = None) -> Path | None:
    """``molar_flux.png``: streamlines of N_A, coloured by |N_A| (log scale in 3D).

    2D: |N_A| as the background, white streamlines and region outlines. 3D: streamlines as
    tubes inside the feature edges of the domain (see :func:`flux_streamlines`).

    Returns:
        The PNG path, or None when the run has no (non-zero) molar-flux field.
    """
    import pyvista

    grid = _read_grid(directory)
    name = next((k for k in grid.cell_data if k.startswith("molar_flux")), None)
    if name is None:
        return None
    magnitude = np.linalg.norm(np.asarray(grid.cell_data[name]), axis=1)
    if magnitude.max() == 0:
        return None
    grid.cell_data["flux_magnitude"] = magnitude
    lines = flux_streamlines(grid, name)
    dim = _dimension(grid)
    window_size = window_size or _window(grid)
    bar = _colour_bar("N_A magnitude, molar flux density (mol/(m^2 s))", "%.3g")
    plotter = pyvista.Plotter(off_screen=True, window_size=window_size)
    if np.ptp(magnitude) < 1e-6 * magnitude.max():  # uniform flux: no rounding-noise colours
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
    plotter.add_text("EMCD: molar flux N_A, streamlines", font_size=11)
    path = directory / "molar_flux.png"
    plotter.screenshot(str(path))
    plotter.close()
    return path


def render_profiles(directory: Path) -> Path | None:
    """``profiles.png``: each sampled line, FE vs the 1D analytic solution where one exists."""
    import csv

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    source = directory / "profiles.csv"
    if not source.exists():
        return None
    rows: dict[str, list[tuple[float, float, float]]] = {}
    with source.open() as stream:
        for raw in csv.DictReader(stream):
            row = {key.split(" [")[0]: value for key, value in raw.items()}  # names without units
            rows.setdefault(row["profile"], []).append(
                (
                    float(row["distance"]),
                    float(row["mole_fraction"]),
                    float(row["mole_fraction_analytic"]),
                )
            )
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=150)
    for name, values in rows.items():
        s, fe, exact = np.asarray(values).T
        if np.all(np.isfinite(exact)):
            ax.plot(s, exact, "-", color="0.3", lw=1.5, label=f"{name}: 1D analytic")
        ax.plot(s, fe, "o", ms=3.5, label=f"{name}: finite elements")
    ax.set_xlabel("distance along the line [m]")
    ax.set_ylabel("mole fraction $x_A$ [-]")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    path = directory / "profiles.png"
    fig.savefig(path)
    plt.close(fig)
    return path


def render_line_plots(directory: Path) -> list[Path]:
    """Pictures of a 1D run: each scalar field and the molar flux against x (matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = _read_grid(directory)
    points = np.asarray(grid.points)[:, 0]
    centres = np.asarray(grid.cell_centers().points)[:, 0]
    pictures = []
    series = [
        (name, points, grid.point_data[name]) for name in SCALAR_PICTURES if name in grid.point_data
    ]
    series += [
        (name, centres, grid.cell_data[name]) for name in SCALAR_PICTURES if name in grid.cell_data
    ]
    flux = next((k for k in grid.cell_data if k.startswith("molar_flux")), None)
    if flux is not None:
        series.append(
            (flux, centres, np.asarray(grid.cell_data[flux]).reshape(len(centres), -1)[:, 0])
        )
    for name, x, values in series:
        order = np.argsort(x)
        stem, label = (
            (SCALAR_PICTURES[name][0], SCALAR_PICTURES[name][1])
            if name in SCALAR_PICTURES
            else ("molar_flux", "N_A, molar flux density (mol/(m^2 s))")
        )
        fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=150)
        style = "-" if name in grid.point_data else "-o"
        ax.plot(x[order], np.asarray(values, dtype=float)[order], style, ms=2.5)
        ax.set_xlabel("x [m]")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.set_title(f"EMCD: {stem.replace('_', ' ')} (1D)")
        fig.tight_layout()
        path = directory / f"{stem}.png"
        fig.savefig(path)
        plt.close(fig)
        pictures.append(path)
    return pictures


def render_run(directory: str | Path) -> list[Path]:
    """All pictures of a finished run directory (``emcd plot DIR``); rank 0 only.

    Reads ``fields.vtkhdf`` (every run writes it) and ``profiles.csv``. A sweep directory
    (``point_<i>`` subdirectories) gets the pictures of every point. 1D runs get line
    plots instead of 3D views.
    """
    directory = Path(directory)
    if not (directory / FIELD_FILE).exists():
        points = sorted(p for p in directory.glob("point_*") if (p / FIELD_FILE).exists())
        if points:
            return [path for point in points for path in render_run(point)]
        from emcd_fem.errors import EmcdInputError

        raise EmcdInputError(
            f"{directory} is not a finished emcd run: it has no {FIELD_FILE} "
            "(run the case with `emcd run CASE --out DIR` first)"
        )
    grid = _read_grid(directory)
    if _topological_dimension(grid) == 1:
        pictures = render_line_plots(directory)
    else:
        available = set(grid.point_data) | set(grid.cell_data)
        pictures = [render_field(directory, name) for name in SCALAR_PICTURES if name in available]
        flux = render_flux(directory)
        if flux is not None:
            pictures.append(flux)
    profile = render_profiles(directory)
    if profile is not None:
        pictures.append(profile)
    return pictures


def _topological_dimension(grid) -> int:
    """1 for a grid of line cells, else 2 or 3."""
    types = set(np.unique(np.asarray(grid.celltypes)).tolist())
    return 1 if types <= {3, 68} else 3 if types & {10, 12, 71, 72} else 2
