"""``[[multicomponent.reactions]]``: mass-action reactions of n species, in regions or on walls.

The keys are those of the binary ``[[reactions]]`` (``equation``, ``kind``, ``k_f``, ``k_b``,
``regions``, ``boundary``, ``arrhenius_A``, ``activation_energy``, ``name``); rates are mass
action in mole fractions, r = k_f c Π x_i^{s_i} − k_b c Π x_j^{s_j}: homogeneous
[mol/(m^3 s)] with R_i = s_i r, or on a wall (``kind = "surface"``, a boundary without a
composition) [mol/(m^2 s)] with the outward flux N_i·n = −s_i r_s. Arrhenius constants
k = A exp(−E_a/(R T)) take the temperature ``T`` of each region (every region must give
it). The Maxwell–Stefan model keeps its bootstrap Σ ν_i N_i = 0 only if Σ ν_i s_i = 0 for
every reaction (zero net flux: the number of moles is kept, e.g. A ⇌ B, A + B <=> C + D;
a stagnant species takes no part); other reactions are refused with their key path (the
dusty-gas model takes them in ``[[multicomponent.dusty_gas.reactions]]``). Example::

    [[multicomponent.reactions]]
    equation = "A + B <=> C + D"
    k_f = 2.0
    k_b = 0.5
    regions = ["gas"]

    [[multicomponent.reactions]]       # a catalytic wall
    equation = "A <=> B"
    kind = "surface"
    boundary = "right"
    arrhenius_A = [20.0, 5.0]          # [m/s]
    activation_energy = [2.0e4, 3.0e4] # [J/mol]; needs T in every region
"""

from collections.abc import Sequence
from typing import Any

from emcd_fem.case.check_tools import suggest
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.stoichiometry import Reaction, interface_name, parse_equation
from emcd_fem.physics.maxwell_stefan import Bootstrap

ROOT = "multicomponent.reactions"
#: Largest |Σ ν_i s_i| / Σ |ν_i s_i| accepted as balanced (roundoff of the weights only).
BALANCE_TOLERANCE: float = 1e-12


def reaction_problems(spec: Any) -> list[tuple[str, str]]:
    """(key path, message) of every reaction problem found without the bootstrap weights.

    Args:
        spec: The validated :class:`~emcd_fem.case.multicomponent.MulticomponentSpec`.
    """
    problems: list[tuple[str, str]] = []
    if spec.reactions and spec.model == "dusty_gas":
        return [(ROOT, "model = 'dusty_gas' takes [[multicomponent.dusty_gas.reactions]]")]
    species = list(spec.species)
    for k, reaction in enumerate(spec.reactions):
        path = f"{ROOT}[{k}]"
        problems += _kind_problems(spec, reaction, path)
        if reaction.arrhenius_A is not None:
            problems += [
                (
                    f"{path}.arrhenius_A",
                    f"Arrhenius constants need the temperature of every region: give "
                    f"multicomponent.regions.{name}.T [K] (or k_f and k_b)",
                )
                for name, region in sorted(spec.regions.items())
                if region.T is None
            ]
        try:
            stoichiometry = parse_equation(reaction.equation)
        except EmcdInputError as error:
            problems.append((f"{path}.equation", str(error)))
            continue
        problems += [
            (f"{path}.equation", f"unknown species {s!r}; {suggest(s, species)}")
            for s in stoichiometry.species
            if s not in species
        ]
        problems += [
            (f"{path}.regions", f"unknown region {r!r}; {suggest(r, list(spec.regions))}")
            for r in reaction.regions
            if r not in spec.regions
        ]
    return problems


def _kind_problems(spec: Any, reaction: Any, path: str) -> list[tuple[str, str]]:
    if reaction.kind == "homogeneous":
        if reaction.boundary is not None:
            return [
                (
                    f"{path}.boundary",
                    "a homogeneous reaction takes regions; for a wall reaction give "
                    'kind = "surface"',
                )
            ]
        return []
    if reaction.regions:
        return [(f"{path}.regions", "a surface reaction takes a boundary, not regions")]
    if reaction.boundary is None:
        return [(f"{path}.boundary", "a surface reaction needs the boundary it acts on")]
    if reaction.boundary in spec.boundaries:
        return [
            (
                f"{path}.boundary",
                f"boundary {reaction.boundary!r} has a prescribed composition "
                f"(multicomponent.boundaries.{reaction.boundary}); a wall reaction needs a wall (a "
                "boundary without one)",
            )
        ]
    return []


def wall_problems(
    spec: Any, boundaries: list[str], interfaces: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """(key path, message) of wall reactions on boundaries the geometry lacks.

    ``interfaces``: the geometry's internal interfaces (``"a|b"``): a reaction naming one,
    in either orientation, is told that n-species reactions act on walls only.
    """
    problems = []
    for k, r in enumerate(spec.reactions):
        if r.kind != "surface" or r.boundary is None or r.boundary in boundaries:
            continue
        interface = interface_name(r.boundary, interfaces)
        if interface is not None:
            why = (
                f"{r.boundary!r} is the internal interface {interface!r}: n-species reactions "
                "act in regions or on walls (exterior boundaries without a composition), not "
                f"on interfaces (a reacting interface is binary only: [[reactions]]); choose "
                f"one of {boundaries} or make the reaction homogeneous"
            )
        else:
            why = f"not a boundary of the geometry; {suggest(str(r.boundary), boundaries)}"
        problems.append((f"{ROOT}[{k}].boundary", why))
    return problems


def region_temperatures(spec: Any) -> dict[str, float] | None:
    """Region → T [K] when every region of the section gives ``T`` (else None)."""
    temperatures = {name: region.T for name, region in sorted(spec.regions.items())}
    return None if None in temperatures.values() else temperatures


def balance_problems(spec: Any, bootstrap: Bootstrap) -> list[tuple[str, str]]:
    """(key path, message) of reactions that break the bootstrap (Σ ν_i s_i ≠ 0).

    The message gives the reason of the bootstrap chosen (``Bootstrap.reaction_problem``).
    Equations that do not parse or name unknown species are left to
    :func:`reaction_problems`.

    Args:
        spec: The validated section.
        bootstrap: The section's bootstrap relation.
    """
    problems = []
    for k, r in enumerate(spec.reactions if spec.model != "dusty_gas" else ()):
        try:
            stoichiometry = parse_equation(r.equation)
        except EmcdInputError:
            continue
        if not set(stoichiometry.species) <= set(spec.species):
            continue
        net = {s: stoichiometry.net(s) for s in stoichiometry.species}
        problem = bootstrap.reaction_problem(spec.species, net, BALANCE_TOLERANCE)
        if problem is not None:
            label = r.name or r.equation
            problems.append((f"{ROOT}[{k}].equation", f"reaction {label!r}: {problem}"))
    return problems


def build_reactions(
    spec: Any, bootstrap: Bootstrap
) -> tuple[list[Reaction], list[tuple[str, str]]]:
    """The Reaction objects, and (key path, message) of constructor or balance problems.

    Args:
        spec: The validated section (:func:`reaction_problems` empty).
        bootstrap: The section's bootstrap relation (:func:`balance_problems`).
    """
    out, problems = [], balance_problems(spec, bootstrap)
    if problems:
        return out, problems
    for k, r in enumerate(spec.reactions):
        try:
            out.append(
                Reaction(
                    r.equation,
                    kind=r.kind,
                    k_f=r.k_f,
                    k_b=r.k_b,
                    regions=tuple(r.regions),
                    boundary=r.boundary,
                    arrhenius_A=None if r.arrhenius_A is None else tuple(r.arrhenius_A),
                    activation_energy=tuple(r.activation_energy),
                    name=r.name,
                )
            )
        except EmcdInputError as error:
            problems.append((f"{ROOT}[{k}]", str(error)))
    return out, problems


__all__ = [
    "BALANCE_TOLERANCE",
    "balance_problems",
    "build_reactions",
    "reaction_problems",
    "region_temperatures",
    "wall_problems",
]
