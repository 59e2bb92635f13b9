"""Which species closes Σ x_i = 1 in a ``[multicomponent]`` section, and its bootstrap.

The Maxwell–Stefan model eliminates one species e: x_e = 1 − Σ x_k and N_e = −Σ (ν_k/ν_e)
N_k (:mod:`emcd_fem.physics.maxwell_stefan`). The answer does not depend on e, but the
digits do: a trace species that closes loses what cancels in 1 − Σ x_k. The choice here
never depends on the order of ``species`` (issues 15 and 19): ``closing_species`` when
given, else the species the interface coefficients leave out, else the most abundant one at
the boundaries (and initial states), ties to the name that sorts first.
"""

import math
from typing import Any

from emcd_fem.case.check_tools import suggest
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.physics import maxwell_stefan as ms


def eliminated_species(spec: Any) -> str | None:
    """The species that closes Σ x_i = 1 (the bootstrap's eliminated one), None if unknown.

    In this order: ``closing_species`` when given; with interface coefficients, the one
    species they all leave out; else the most abundant species with ν ≠ 0 (the mean mole
    fraction over the boundary and numeric initial compositions, ties to the name that
    sorts first: :func:`emcd_fem.physics.maxwell_stefan.closing_index`). None of these
    depends on the order of ``species``; a trace species never closes by default.
    """
    species = list(spec.species)
    weights = _weights(spec)
    if weights is None or not any(weights):
        return None
    allowed = [s for s, v in zip(species, weights, strict=True) if v != 0]
    if spec.closing_species is not None:
        return spec.closing_species if spec.closing_species in allowed else None
    named = {
        s for face in spec.interfaces for given in (face.partition, face.film) for s in given or {}
    }
    left_out = [s for s in species if s not in named]
    if named and len(left_out) == 1 and left_out[0] in allowed:
        return left_out[0]
    compositions = [
        [bc.mole_fractions.get(s, 0.0) for s in species]
        for _, bc in sorted(spec.boundaries.items())
    ]
    for _, region in sorted(spec.regions.items()):
        start = region.initial or {}
        if all(isinstance(start.get(s), int | float) for s in species):
            compositions.append([float(start[s]) for s in species])
    abundance = {s: sum(c[k] for c in compositions) for k, s in enumerate(species)}
    return min(allowed, key=lambda s: (-abundance[s], s))


def _weights(spec: Any) -> list[float] | None:
    """The bootstrap weights ν_i in species order (None: their data are not valid)."""
    species = list(spec.species)
    if spec.bootstrap == "stagnant":
        if spec.stagnant_species not in species:
            return None
        return [1.0 if s == spec.stagnant_species else 0.0 for s in species]
    if spec.bootstrap == "flux_ratios":
        given = spec.flux_ratios or {}
        return [given[s] for s in species] if set(given) == set(species) else None
    if spec.bootstrap == "graham":
        masses = spec.molar_masses or {}
        if any(s not in masses and s not in kt.GASES for s in species):
            return None
        return [masses.get(s) or kt.GASES[s].molar_mass for s in species]
    return [1.0] * len(species)


def closing_problems(spec: Any) -> list[tuple[str, str]]:
    """(key path, message) of a ``closing_species`` that cannot close Σ x_i = 1."""
    name, species = spec.closing_species, list(spec.species)
    if name is None:
        return []
    path = "multicomponent.closing_species"
    if name not in species:
        return [(path, f"unknown species {name!r}; {suggest(name, species)}")]
    weights = _weights(spec)
    if weights is not None and weights[species.index(name)] == 0:
        return [
            (
                path,
                f"{name!r} has ν = 0 in the bootstrap ({spec.bootstrap!r}), so its flux does not "
                f"follow from Σ ν_i N_i = 0: choose one of "
                f"{[s for s, v in zip(species, weights, strict=True) if v != 0]}",
            )
        ]
    return []


def bootstrap_of(spec: Any) -> ms.Bootstrap:
    """The bootstrap relation of a section whose bootstrap data are valid.

    Raises:
        EmcdInputError, KeyError, ValueError: bootstrap data missing or invalid (the
            section's check reports them with their key paths).
    """
    species, n = tuple(spec.species), len(spec.species)
    if spec.bootstrap == "stagnant":
        base = ms.stagnant(n, species.index(spec.stagnant_species))
    elif spec.bootstrap == "graham":
        masses = spec.molar_masses or {}
        base = ms.graham([masses.get(s) or kt.GASES[s].molar_mass for s in species])
    elif spec.bootstrap == "flux_ratios":
        base = ms.flux_ratios([spec.flux_ratios[s] for s in species])
    else:
        base = ms.zero_net_flux(n)
    closing = eliminated_species(spec)
    return base if closing is None else ms.with_closing(base, species.index(closing))


def unused_bootstrap_data(spec: Any) -> list[tuple[str, str]]:
    """Bootstrap data the model cannot use (refused, never ignored).

    ``stagnant_species``/``flux_ratios`` under another bootstrap; more species than the
    Maxwell–Stefan model inverts in closed form (``maxwell_stefan.MAX_SPECIES``).
    """
    problems = []
    if spec.model == "maxwell_stefan" and len(spec.species) > ms.MAX_SPECIES:
        problems.append(
            (
                "multicomponent.species",
                f"the Maxwell–Stefan model takes at most {ms.MAX_SPECIES} species, got "
                f"{len(spec.species)}: lump minor species together, or use model = "
                "'mixture_averaged'",
            )
        )
    for key, kind in (("stagnant_species", "stagnant"), ("flux_ratios", "flux_ratios")):
        if getattr(spec, key) is not None and spec.bootstrap != kind:
            problems.append(
                (
                    f"multicomponent.{key}",
                    f"only used with bootstrap = {kind!r}, but the bootstrap is "
                    f"{spec.bootstrap!r}: set bootstrap = {kind!r} or remove {key}",
                )
            )
    return problems


def source_problems(spec: Any, bootstrap: ms.Bootstrap) -> list[tuple[str, str]]:
    """Region sources that violate the bootstrap: ∇·N_i = R_i needs Σ ν_i R_i = 0."""
    problems = []
    for name, region in sorted(spec.regions.items()):
        if not region.sources:
            continue
        rates = [float(region.sources.get(s, 0.0)) for s in spec.species]
        if not all(math.isfinite(r) for r in rates):
            continue
        total = sum(n * r for n, r in zip(bootstrap.weights, rates, strict=True))
        scale = sum(abs(n * r) for n, r in zip(bootstrap.weights, rates, strict=True))
        if abs(total) > 1e-12 * scale:
            problems.append(
                (
                    f"multicomponent.regions.{name}.sources",
                    f"the rates violate the bootstrap ({bootstrap.kind}): Σ ν_i R_i = "
                    f"{total:.6g} ≠ 0; with ∇·N_i = R_i the relation Σ ν_i N_i = 0 cannot "
                    "hold: balance the reaction (for zero net flux, Σ R_i = 0)",
                )
            )
    return problems


__all__ = [
    "bootstrap_of",
    "closing_problems",
    "eliminated_species",
    "source_problems",
    "unused_bootstrap_data",
]
