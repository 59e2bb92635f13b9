"""The grid of a finished run (fields.vtkhdf, linearised) and the view helpers of all pictures."""

from pathlib import Path

import numpy as np

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


def read_grid(directory: Path):
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


def dimension(grid) -> int:
    """3 for a grid with thickness in z, else 2 (1D/2D meshes lie in the xy plane)."""
    return 3 if np.ptp(np.asarray(grid.points)[:, 2]) > 0 else 2


def window(grid) -> tuple[int, int]:
    """Pixels: 1000 wide; height from the aspect ratio in 2D (room for the colour bar)."""
    extent = np.ptp(np.asarray(grid.points)[:, :2], axis=0)
    aspect = extent[1] / extent[0] if dimension(grid) == 2 and extent[0] > 0 else 0.6
    return (1000, int(np.clip(1000 * aspect + 260, 450, 1000)))


def colour_bar(title: str, fmt: str) -> dict:
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


def add_region_outlines(plotter, grid, color: str = "white") -> None:
    """Outline every region of a 2D grid (cell data ``region``)."""
    if "region" not in grid.cell_data or grid.cell_data["region"].max() == 0:
        return
    for value in np.unique(grid.cell_data["region"]):
        part = grid.extract_cells(np.flatnonzero(grid.cell_data["region"] == value))
        edges = part.extract_feature_edges(
            boundary_edges=True, feature_edges=False, manifold_edges=False
        )
        plotter.add_mesh(edges, color=color, line_width=2)


def camera_3d(plotter) -> None:
    """Look at the y-centre cut face from the +y side, from a little above and to the side."""
    plotter.view_vector((0.45, 1.0, 0.55), viewup=(0.0, 0.0, 1.0))
    plotter.reset_camera()
    plotter.camera.zoom(0.85)


def topological_dimension(grid) -> int:
    """1 for a grid of line cells, else 2 or 3."""
    types = set(np.unique(np.asarray(grid.celltypes)).tolist())
    return 1 if types <= {3, 68} else 3 if types & {10, 12, 71, 72} else 2
