"""The columns of a sweep table (``sweep.csv``) from one point's summary."""

from typing import Any


def sweep_results(summary: dict[str, Any]) -> dict[str, Any]:
    """A sweep row's fluxes, mole-fraction range and balance from one point's summary.

    Binary summaries: ``flux_<boundary>``, ``x_min``/``x_max`` and the relative balance;
    n-species summaries (fluxes, ranges and balances per species):
    ``flux_<species>_<boundary>``, ``x_<species>_min``/``_max`` and the largest relative
    balance over the species.
    """
    if "species" not in summary:
        return {
            **{f"flux_{n}": q for n, q in summary["boundary_flux"].items()},
            "x_min": summary.get("x_min"),
            "x_max": summary.get("x_max"),
            "balance": summary["balance"]["relative"],
        }
    row = {
        f"flux_{s}_{n}": q
        for s, fluxes in summary["boundary_flux"].items()
        for n, q in fluxes.items()
    }
    for s, (low, high) in (summary.get("x_range") or {}).items():
        row |= {f"x_{s}_min": low, f"x_{s}_max": high}
    balances = [b.get("relative") for b in summary["balance"].values() if isinstance(b, dict)]
    row["balance"] = max((b for b in balances if b is not None), default=None)
    return row


__all__ = ["sweep_results"]
