"""PyVista pictures (off screen). PyVista is imported lazily, never at package import.

Modules: ``regions`` (a domain's regions), ``grids`` (the grid of a finished run and the
view helpers), ``fields`` (scalar fields), ``flux`` (molar flux), ``lines`` (profiles and
1D line plots), ``species`` (n-species runs in 2D/3D: every species and Σ_i N_i);
:func:`render_run` here makes every picture of a run.
"""

from pathlib import Path

from emcd_fem.plotting.fields import SCALAR_PICTURES, render_field
from emcd_fem.plotting.flux import flux_streamlines, render_flux
from emcd_fem.plotting.grids import FIELD_FILE
from emcd_fem.plotting.grids import read_grid as _read_grid
from emcd_fem.plotting.grids import topological_dimension as _topological_dimension
from emcd_fem.plotting.lines import render_line_plots, render_profiles
from emcd_fem.plotting.regions import plot_regions, region_grid
from emcd_fem.plotting.species import render_species, species_names


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
        if species_names(grid):  # an n-species run: every species, and Σ_i N_i
            pictures += render_species(directory, grid, equimolar=_equimolar(directory))
        else:
            flux = render_flux(directory)
            if flux is not None:
                pictures.append(flux)
    profile = render_profiles(directory)
    if profile is not None:
        pictures.append(profile)
    return pictures


def _equimolar(directory: Path) -> bool | None:
    """The run's own verdict (summary.json ``equimolar``: "yes: ..."/"no: ..."), if any."""
    import json

    try:
        verdict = json.loads((directory / "summary.json").read_text()).get("equimolar")
    except (OSError, ValueError):
        return None
    return verdict.startswith("yes") if isinstance(verdict, str) else None


__all__ = [
    "FIELD_FILE",
    "SCALAR_PICTURES",
    "flux_streamlines",
    "plot_regions",
    "region_grid",
    "render_field",
    "render_flux",
    "render_line_plots",
    "render_profiles",
    "render_run",
    "render_species",
]
