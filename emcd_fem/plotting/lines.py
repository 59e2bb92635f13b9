"""Line plots of a run: sampled profiles and the 1D fields along x."""

from pathlib import Path

import numpy as np

from emcd_fem.plotting.fields import SCALAR_PICTURES
from emcd_fem.plotting.grids import read_grid as _read_grid


def render_profiles(directory: Path) -> Path | None:
    """``profiles.png``: each sampled line, FE vs the 1D analytic solution where one exists.

    n-species runs (columns ``x_<species>``): every species of every line.
    """
    import csv

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    source = directory / "profiles.csv"
    if not source.exists():
        return None
    with source.open() as stream:
        table = [
            {key.split(" [")[0]: value for key, value in raw.items()}  # names without units
            for raw in csv.DictReader(stream)
        ]
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=150)
    species = [k for k in (table[0] if table else {}) if k.startswith("x_")]
    for name in dict.fromkeys(row["profile"] for row in table):  # in the file's order
        rows = [row for row in table if row["profile"] == name]
        s = np.array([float(row["distance"]) for row in rows])
        if species:
            for column in species:
                values = [float(row[column]) for row in rows]
                ax.plot(s, values, "o-", ms=3, lw=1, label=f"{name}: {column}")
            continue
        fe = np.array([float(row["mole_fraction"]) for row in rows])
        exact = np.array([float(row["mole_fraction_analytic"]) for row in rows])
        if np.all(np.isfinite(exact)):
            ax.plot(s, exact, "-", color="0.3", lw=1.5, label=f"{name}: 1D analytic")
        ax.plot(s, fe, "o", ms=3.5, label=f"{name}: finite elements")
    ax.set_xlabel("distance along the line [m]")
    ax.set_ylabel("mole fractions $x_i$ [-]" if species else "mole fraction $x_A$ [-]")
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
    species = [k[2:] for k in grid.point_data if k.startswith("x_")]
    if species:  # an n-species run: every species on one picture
        return _species_plots(directory, grid, points, centres, species, plt)
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


def _species_plots(directory: Path, grid, points, centres, species, plt) -> list[Path]:
    """mole_fractions.png and molar_fluxes.png of a 1D n-species run (every species)."""
    pictures = []
    for stem, label, data, x, key in (
        ("mole_fractions", "x_i, mole fraction (-)", grid.point_data, points, "x_{}"),
        ("molar_fluxes", "N_i, molar flux (mol/(m^2 s))", grid.cell_data, centres, "molar_flux_{}"),
    ):
        fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=150)
        order = np.argsort(x)
        for s in species:
            if key.format(s) in data:
                values = np.asarray(data[key.format(s)], dtype=float).reshape(len(x), -1)[:, 0]
                ax.plot(x[order], values[order], "-", label=s)
        ax.set_xlabel("x [m]")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
        ax.set_title(f"Maxwell–Stefan: {stem.replace('_', ' ')} (1D)")
        fig.tight_layout()
        path = directory / f"{stem}.png"
        fig.savefig(path)
        plt.close(fig)
        pictures.append(path)
    if "pressure" in grid.point_data:  # a dusty-gas run: the pressure it builds up
        fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=150)
        order = np.argsort(points)
        ax.plot(points[order], np.asarray(grid.point_data["pressure"], dtype=float)[order])
        ax.set_xlabel("x [m]")
        ax.set_ylabel("p, pressure (Pa)")
        ax.grid(alpha=0.3)
        ax.set_title("dusty-gas model: pressure (1D)")
        fig.tight_layout()
        fig.savefig(directory / "pressure.png")
        plt.close(fig)
        pictures.append(directory / "pressure.png")
    return pictures
