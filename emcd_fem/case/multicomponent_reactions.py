"""``[[multicomponent.reactions]]``: homogeneous mass-action reactions of n species.

The keys are those of the binary ``[[reactions]]`` (``equation``, ``k_f``, ``k_b``,
``regions``, ``name``); rates are mass action in mole fractions,
r = k_f c Π x_i^{s_i} − k_b c Π x_j^{s_j} [mol/(m^3 s)], R_i = s_i r. The Maxwell–Stefan
model keeps its bootstrap Σ ν_i N_i = 0 only if Σ ν_i s_i = 0 for every reaction (zero net
flux: the number of moles is kept, e.g. A + B <=> C + D); other reactions, wall reactions
and Arrhenius constants are refused with their key path (the dusty-gas model takes them in
``[[multicomponent.dusty_gas.reactions]]``). Example::

    [[multicomponent.reactions]]
    equation = "A + B <=> C + D"
    k_f = 2.0
    k_b = 0.5
    regions = ["gas"]
"""

from typing import Any

from emcd_fem.case.check_tools import suggest
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.stoichiometry import Reaction, parse_equation

ROOT = "multicomponent.reactions"
#: Largest |Σ ν_i s_i| / Σ |ν_i s_i| accepted as balanced (roundoff of the weights only).
BALANCE_TOLERANCE: float = 1e-12
_DGM = 'use the dusty-gas model for porous media ([multicomponent] model = "dusty_gas")'


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
        if reaction.kind != "homogeneous":
            problems.append(
                (f"{path}.kind", f"the Maxwell–Stefan model takes homogeneous reactions; {_DGM}")
            )
        if reaction.arrhenius_A is not None:
            problems.append((f"{path}.arrhenius_A", "the run is isothermal: give k_f and k_b"))
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


def build_reactions(
    spec: Any, weights: tuple[float, ...], bootstrap: str
) -> tuple[list[Reaction], list[tuple[str, str]]]:
    """The Reaction objects, and (key path, message) of constructor or balance problems.

    Args:
        spec: The validated section (:func:`reaction_problems` empty).
        weights: Bootstrap weights ν_i in ``spec.species`` order.
        bootstrap: The bootstrap's name (for messages).
    """
    nu = dict(zip(spec.species, weights, strict=True))
    out, problems = [], []
    for k, r in enumerate(spec.reactions):
        path = f"{ROOT}[{k}]"
        try:
            reaction = Reaction(
                r.equation, k_f=r.k_f, k_b=r.k_b, regions=tuple(r.regions), name=r.name
            )
        except EmcdInputError as error:
            problems.append((path, str(error)))
            continue
        terms = [nu[s] * reaction.stoichiometry.net(s) for s in reaction.stoichiometry.species]
        if abs(sum(terms)) > BALANCE_TOLERANCE * max(sum(abs(t) for t in terms), 1.0):
            problems.append(
                (
                    f"{path}.equation",
                    f"reaction {reaction.label!r}: Σ ν_i s_i = {sum(terms):.6g} ≠ 0 under "
                    f"bootstrap = {bootstrap!r}: the bootstrap Σ ν_i N_i = 0 cannot hold (zero "
                    f"net flux needs a reaction that keeps the number of moles); {_DGM}",
                )
            )
            continue
        out.append(reaction)
    return out, problems


__all__ = ["BALANCE_TOLERANCE", "build_reactions", "reaction_problems"]
