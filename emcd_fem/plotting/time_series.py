"""Flux-vs-time picture of a transient run (matplotlib, rank 0)."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def plot_flux_history(
    path: str | Path,
    times: Sequence[float],
    fluxes: dict[str, Sequence[float]],
    inventory: Sequence[float],
    *,
    unit: str = "mol/s",
) -> Path:
    """Boundary flows [``unit``] and the inventory [mol] against time [s], as a PNG.

    Args:
        path: The PNG file.
        times: Times of the steps [s].
        fluxes: Boundary → outward flow per step (positive: A leaves).
        inventory: ∫ c x_A dx per step [mol].
        unit: Unit of the flows: ``mol/s`` (3D), ``mol/(m s)`` (2D, per metre of depth),
            ``mol/(m^2 s)`` (1D, per unit area).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.asarray(times, dtype=float)
    figure, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(7, 6))
    for name, values in fluxes.items():
        top.plot(t, values, marker=".", markersize=3, label=name)
    top.axhline(0.0, color="0.7", linewidth=0.8)
    top.set_ylabel(f"outward flow of A [{unit}]")
    top.legend(title="boundary")
    top.set_title("Boundary flows (positive: A leaves the domain)")
    bottom.plot(t, inventory, color="k")
    bottom.set_ylabel("inventory of A [mol]")
    bottom.set_xlabel("t [s]")
    for axis in (top, bottom):
        axis.grid(True, alpha=0.3)
    if t.size and t.min() > 0 and t.max() > 100 * t.min():
        bottom.set_xscale("log")  # start-up transients span decades of time
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


__all__ = ["plot_flux_history"]
