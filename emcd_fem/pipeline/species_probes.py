"""Every species' mole fraction at named probe points of an n-species run, step by step."""

from typing import Any

import numpy as np

from emcd_fem.case.multicomponent import ROOT
from emcd_fem.errors import EmcdInputError
from emcd_fem.post.sampling import PointLocator


class Probes:
    """Every species' mole fraction at named points (collective; values on every rank).

    Args:
        model: The Maxwell–Stefan model (its unknown field is sampled).
        points: Probe name → point [m] (1 to 3 coordinates).

    Raises:
        EmcdInputError: a point outside the mesh (on every rank).
    """

    def __init__(self, model: Any, points: dict[str, list[float]]) -> None:
        self.model, self.names = model, sorted(points)
        self.points = np.zeros((len(self.names), 3))
        for i, name in enumerate(self.names):
            self.points[i, : len(points[name])] = points[name]
        self.history: list[dict[str, dict[str, float]]] = []
        self.locator = PointLocator(model.domain.mesh, self.points)  # one search, every step
        first = self.sample()
        outside = [n for n in self.names if not np.isfinite(list(first[n].values())).all()]
        if outside:
            raise EmcdInputError(
                "; ".join(f"{ROOT}.probes.{n}: the point lies outside the mesh" for n in outside)
            )
        self.initial = first

    def sample(self) -> dict[str, dict[str, float]]:
        """Probe → species → x_i now (the eliminated species: 1 − Σ of the others)."""
        if not self.names:
            return {}
        model = self.model
        if model.entity_maps is not None:  # films: x itself on the parent mesh (DG)
            values = self.locator.evaluate(model.independent_field())
        else:
            values = self.locator.evaluate(model.x)
        if model.entity_maps is None and model.solubility_field is not None:  # x = H ⊙ μ
            scale = self.locator.evaluate(model.solubility_field)
            values = None if values is None else values * scale
        result = None
        if values is not None:  # rank 0
            full = np.zeros((len(self.names), len(model.species)))
            full[:, list(model.bootstrap.independent)] = values
            full[:, model.bootstrap.eliminated] = 1.0 - values.sum(axis=1)
            result = {
                n: {s: float(full[i, k]) for k, s in enumerate(model.species)}
                for i, n in enumerate(self.names)
            }
        return model.domain.comm.bcast(result, root=0)


__all__ = ["Probes"]
