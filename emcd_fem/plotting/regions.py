"""Pictures of a domain's regions (categorical colours), for docs and checks."""

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
