"""Species-vs-time picture of a transient multicomponent run (matplotlib, rank 0)."""

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np


def plot_species_history(
    path: str | Path,
    times: Sequence[float],
    fluxes: Mapping[str, Sequence[float]],
    totals: Mapping[str, Sequence[float]],
    probes: Mapping[str, Sequence[float]],
    *,
    unit: str = "mol/s",
) -> Path:
    """Every species' boundary flows, Σ_i of them and probe mole fractions vs time, a PNG.

    Args:
        path: The PNG file.
        times: Times of the steps [s].
        fluxes: Label (``"H2 at left"``) → outward flow per step [``unit``].
        totals: Boundary → Σ_i of the outward flows per step [``unit``] (0: equimolar).
        probes: Label (``"x_N2 at middle"``) → mole fraction per step [-].
        unit: Unit of the flows: ``mol/s`` (3D), ``mol/(m s)`` (2D, per metre of depth),
            ``mol/(m^2 s)`` (1D, per unit area).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.asarray(times, dtype=float)
    rows = [name for name, data in (("flux", fluxes), ("probe", probes)) if data]
    figure, axes = plt.subplots(
        len(rows) or 1, 1, sharex=True, figsize=(7, 3.2 * max(len(rows), 1)), squeeze=False
    )
    axes = list(axes[:, 0])
    if "flux" in rows:
        top = axes[rows.index("flux")]
        for label, values in fluxes.items():
            top.plot(t, values, marker=".", markersize=3, label=label)
        for boundary, values in totals.items():
            top.plot(t, values, "k--", linewidth=1.0, label=f"Σ_i at {boundary}")
        top.axhline(0.0, color="0.7", linewidth=0.8)
        top.set_ylabel(f"outward flow [{unit}]")
        top.legend(fontsize="small", ncol=2)
        top.set_title("Boundary flows per species (positive: leaves the domain)")
    if "probe" in rows:
        bottom = axes[rows.index("probe")]
        for label, values in probes.items():
            bottom.plot(t, values, label=label)
        bottom.set_ylabel("mole fraction [-]")
        bottom.legend(fontsize="small", ncol=2)
        bottom.set_title("Mole fractions at the probes")
    axes[-1].set_xlabel("t [s]")
    for axis in axes:
        axis.grid(True, alpha=0.3)
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


__all__ = ["plot_species_history"]
