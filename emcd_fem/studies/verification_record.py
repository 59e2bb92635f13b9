"""The record of one verification check, the shared layered data and the observed order."""

from dataclasses import dataclass, field

import numpy as np

from emcd_fem.materials import Material


@dataclass
class Check:
    """One verification case: an error against a tolerance, or observed orders."""

    name: str
    reference: str
    error: float
    tolerance: float
    orders: dict[str, float] = field(default_factory=dict)
    expected_orders: dict[str, float] = field(default_factory=dict)
    series: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Error within tolerance and every observed order within 0.3 of the expected."""
        ok = self.error <= self.tolerance
        for key, expected in self.expected_orders.items():
            ok &= self.orders.get(key, -1.0) >= expected - 0.3
        return bool(ok)


THICK = [0.3, 0.4, 0.3]
NAMES = ["a", "b", "c"]
MATS = {"a": Material(1.0, 2.0), "b": Material(0.1, 1.0), "c": Material(0.5, 1.5)}


def convergence_rate(errors: list[float], sizes: list[float]) -> float:
    """Observed convergence order: least-squares slope of log(error) against log(h)."""
    return float(np.polyfit(np.log(sizes), np.log(errors), 1)[0])
