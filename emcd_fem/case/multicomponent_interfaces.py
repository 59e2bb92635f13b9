"""``[[multicomponent.interfaces]]``: partition coefficients and films between regions.

One entry per pair of touching regions, oriented by ``regions = [a, b]`` (as the binary
``[[interfaces]]``: K_k = c_k,b/c_k,a at equilibrium, film N_k·n_ab = k_k (x_k,a −
x_k,b/κ_k), κ_k = K_k c_a/c_b), each given per species for every species but the one that
closes Σ x_i = 1 (:func:`eliminated_species`: ``closing_species`` when given, else the one
species the interfaces leave out)::

    [[multicomponent.interfaces]]
    regions = ["a", "b"]
    partition = {H2 = 0.6, N2 = 1.3}     # CO2 closes the sum
    film = {H2 = 2.0, N2 = 5.0}          # k [mol/(m^2 s)]

The models: :mod:`emcd_fem.models.multicomponent_interfaces` (partitions),
:mod:`emcd_fem.models.multicomponent_films` (films; in time with
:class:`~emcd_fem.models.multicomponent_transient.TransientMaxwellStefan` as well).
"""

import math
from typing import Any

from pydantic import Field

from emcd_fem.case.base import Section as _Section
from emcd_fem.case.check_tools import suggest
from emcd_fem.case.multicomponent_closing import eliminated_species


class InterfaceMixSpec(_Section):
    """Coefficients of one interface between two regions, per species, oriented a → b."""

    regions: list[str] = Field(
        min_length=2,
        max_length=2,
        description="[a, b]: two touching regions; the order orients K and k (a → b).",
    )
    partition: dict[str, float] | None = Field(
        default=None,
        description="K_k [-] per species: c_k,b = K_k c_k,a at equilibrium; every species but "
        "the one closing Σ x_i = 1 (default c_b/c_a: x continuous). Swapped: 1/K_k.",
    )
    film: dict[str, float] | None = Field(
        default=None,
        description="k_k [mol/(m^2 s)] per species (the same species): N_k·n_ab = k_k (x_k,a − "
        "x_k,b/κ_k), κ_k = K_k c_a/c_b. Swapped: k_k/κ_k.",
    )


def interface_problems(spec: Any) -> list[tuple[str, str]]:
    """(key path, message) of every ``[[multicomponent.interfaces]]`` problem."""
    species, regions = list(spec.species), sorted(spec.regions)
    closing = eliminated_species(spec)
    others = [s for s in species if s != closing]
    problems: list[tuple[str, str]] = []
    seen: dict[frozenset[str], int] = {}
    if spec.interfaces and spec.model == "dusty_gas":
        problems.append(
            ("multicomponent.interfaces", "not available with the dusty-gas model; remove them")
        )
    for i, face in enumerate(spec.interfaces):
        path = f"multicomponent.interfaces[{i}]"
        for j, name in enumerate(face.regions):
            if name not in regions:
                problems.append(
                    (f"{path}.regions[{j}]", f"unknown region; {suggest(name, regions)}")
                )
        pair = frozenset(face.regions)
        if len(pair) == 1:
            problems.append((f"{path}.regions", "give two different regions"))
        if pair in seen:
            problems.append(
                (f"{path}.regions", f"the pair is already given in interfaces[{seen[pair]}]")
            )
        seen.setdefault(pair, i)
        if face.partition is None and face.film is None:
            problems.append((path, "give partition and/or film (per species)"))
        for key in ("partition", "film"):
            given = getattr(face, key)
            if given is None:
                continue
            symbol = "K" if key == "partition" else "k"
            for s, value in sorted(given.items()):
                if s not in species:
                    problems.append(
                        (f"{path}.{key}.{s}", f"unknown species {s!r}; {suggest(s, species)}")
                    )
                elif s == closing:
                    problems.append(
                        (
                            f"{path}.{key}.{s}",
                            f"{s!r} closes the sum (x_{s} = 1 − Σ x_k on each side, its flux "
                            f"from the bootstrap): coefficients for all n species would "
                            f"over-determine the interface; give {symbol} for {others} only "
                            "(or set [multicomponent] closing_species to choose another)",
                        )
                    )
                elif not (math.isfinite(value) and value > 0):
                    problems.append((f"{path}.{key}.{s}", f"{symbol} must be > 0, got {value!r}"))
            missing = [s for s in others if s not in given]
            if closing is not None and missing:
                problems.append(
                    (
                        f"{path}.{key}",
                        f"{symbol} missing for {missing}: give it for every species but "
                        f"{closing!r}, which closes the sum",
                    )
                )
    return problems


def interface_inputs(spec: Any) -> tuple[dict, dict]:
    """(partitions, films) as the models take them: (a, b) → species → value."""
    partitions = {
        tuple(f.regions): dict(f.partition) for f in spec.interfaces if f.partition is not None
    }
    films = {tuple(f.regions): dict(f.film) for f in spec.interfaces if f.film is not None}
    return partitions, films


__all__ = ["InterfaceMixSpec", "interface_inputs", "interface_problems"]
