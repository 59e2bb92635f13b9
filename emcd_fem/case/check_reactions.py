"""Checks of the ``[[reactions]]`` section, and the case's reactions as records.

Every problem at once with its key path: equations that do not parse, unknown species
(neither the ``[species]`` names nor A/B), unknown regions or boundaries, a reacting wall
with another condition, Arrhenius data without ``[thermal]``, reactions that do not fix
x_A on a flux-only problem (first-order rates do: no inventory then), the R_T check
(Δν ≠ 0 is refused in EMCD with the model to use instead), and the combinations
``flux_model = "stefan"`` needs.
"""

import re

from emcd_fem.case.boundaries import MassTransferBC, MoleFractionBC, ZeroFluxBC
from emcd_fem.case.check_tools import suggest
from emcd_fem.case.geometry import Inclusions, LayeredSlab
from emcd_fem.case.schema import Case
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.stoichiometry import (
    Reaction,
    atom_counts,
    atom_imbalance,
    binary_coefficients,
    equimolar_problem,
    flux_only_problem,
    interface_name,
    parse_equation,
)


def species_names(case: Case) -> tuple[str, str]:
    """(A, B) names the equations may use: the ``[species]`` names, else ``("A", "B")``."""
    if case.species is not None and case.species.A.name and case.species.B.name:
        return case.species.A.name, case.species.B.name
    return "A", "B"


def _formulas(case: Case) -> dict[str, str]:
    """A/B → chemical formula, for the species that give one."""
    if case.species is None:
        return {}
    pairs = (("A", case.species.A.formula), ("B", case.species.B.formula))
    return {k: f for k, f in pairs if f}


def build_reactions(case: Case) -> list[Reaction]:
    """The case's reactions as :class:`Reaction` records, equations in A/B.

    The model writes its species A and B: ``[species]`` names are translated, and an
    interface named ``"b|a"`` is the geometry's ``"a|b"``.
    """
    names, interfaces = species_names(case), _interface_names(case.geometry) or ()
    out = []
    for spec in case.reactions:
        out.append(
            Reaction(
                equation=_translate(spec.equation, names),
                kind=spec.kind,
                k_f=spec.k_f,
                k_b=spec.k_b,
                regions=tuple(spec.regions),
                boundary=interface_name(spec.boundary, interfaces) or spec.boundary,
                side=spec.side,
                arrhenius_A=tuple(spec.arrhenius_A) if spec.arrhenius_A else None,
                activation_energy=tuple(spec.activation_energy),
                name=spec.name or spec.equation,
            )
        )
    return out


def _translate(equation: str, names: tuple[str, str]) -> str:
    """Write the [species] names as A and B (whole words only)."""
    if names == ("A", "B"):
        return equation
    table = {names[0]: "A", names[1]: "B"}
    return re.sub(r"[A-Za-z][A-Za-z0-9_()]*", lambda m: table.get(m[0], m[0]), equation)


def reaction_problems(case: Case) -> list[tuple[str, str]]:
    """Problems of the ``[[reactions]]`` section (all at once, with key paths)."""
    problems: list[tuple[str, str]] = []
    if not case.reactions:
        if case.physics.flux_model == "stefan":
            problems.append(("physics.flux_model", _STEFAN_NEEDS))
        return problems
    names = species_names(case)
    for label, spec in (("A", case.species.A), ("B", case.species.B)) if case.species else ():
        if spec.formula:
            try:
                atom_counts(spec.formula)
            except EmcdInputError as err:
                problems.append((f"species.{label}.formula", str(err)))
                return problems
    geometry = case.geometry
    dim = geometry.dim or 3
    regions, boundaries = geometry.region_names(), geometry.boundary_names()
    stefan = case.physics.flux_model == "stefan"
    for i, spec in enumerate(case.reactions):
        key = f"reactions[{i}]"
        try:
            if not parse_equation(spec.equation).reversible and spec.k_b > 0:
                problems.append((f"{key}.k_b", "k_b > 0 on an irreversible equation: write '<=>'"))
                continue
            (reaction,) = build_reactions(case.model_copy(update={"reactions": [spec]}))
            binary_coefficients(reaction, ("A", "B"))
        except EmcdInputError as err:
            text = str(err).replace("'A' (A) and 'B' (B)", f"{names[0]!r} (A) and {names[1]!r} (B)")
            problems.append((f"{key}.equation", text))
            continue
        formulas = _formulas(case)
        s = reaction.stoichiometry  # 'A -> 0' (uptake by a wall) has no atom balance
        imbalance = atom_imbalance(s, formulas) if formulas and s.products else None
        if imbalance:
            change = ", ".join(f"{e} {v:+g}" for e, v in imbalance.items())
            problems.append(
                (
                    f"{key}.equation",
                    f"reaction {spec.equation!r} does not balance atoms with the [species] "
                    f"formulas {formulas} (products − reactants: {change})",
                )
            )
        verdict = equimolar_problem(reaction, dim)
        if verdict is not None and not stefan:
            problems.append((f"{key}.equation", verdict))
        interfaces = _interface_names(geometry)
        interface = interface_name(spec.boundary, interfaces or ())  # 'b|a' is 'a|b'
        if spec.kind == "surface" and interface is not None:
            problems += _interface_problems(
                case, key, spec.model_copy(update={"boundary": interface})
            )
        elif spec.kind == "surface":
            if spec.boundary is None:
                problems.append((f"{key}.boundary", "a surface reaction needs a boundary"))
            elif boundaries is not None and spec.boundary not in boundaries:
                known = boundaries + (interfaces or [])
                problems.append(
                    (
                        f"{key}.boundary",
                        f"not a boundary or interface; {suggest(spec.boundary, known)}",
                    )
                )
            if spec.side is not None and boundaries is not None:
                problems.append(
                    (f"{key}.side", "side is for reactions on internal interfaces only")
                )
            bc = case.boundaries.get(spec.boundary or "")
            if bc is not None and not isinstance(bc, ZeroFluxBC) and not stefan:
                problems.append(
                    (
                        f"boundaries.{spec.boundary}",
                        f"{spec.boundary!r} is the wall of {key}: its flux is the reaction "
                        "rate, so give it no condition (or zero_flux)",
                    )
                )
        else:
            if spec.boundary is not None or spec.side is not None:
                key_name = "boundary" if spec.boundary is not None else "side"
                problems.append(
                    (f"{key}.{key_name}", "only surface reactions take a boundary and side")
                )
            for j, region in enumerate(spec.regions):
                if regions is not None and region not in regions:
                    problems.append(
                        (f"{key}.regions[{j}]", f"not a region; {suggest(region, regions)}")
                    )
        if spec.kind == "surface" and spec.regions:
            problems.append((f"{key}.regions", "a surface reaction takes a boundary, no regions"))
        where = spec.regions or (regions or [])
        if spec.kind == "homogeneous" and case.thermal is not None:
            for region in where:  # the rate uses the material's reference c
                material = case.materials.get(case.material_of(region))
                if material is not None and material.concentration_law != "constant":
                    problems.append(
                        (
                            f"{key}.regions",
                            f"region {region!r} has concentration_law = "
                            f"{material.concentration_law!r}: reaction rates with c(T) are "
                            "not available yet; use a constant c in reacting regions",
                        )
                    )
        if spec.arrhenius_A is not None and case.thermal is None:
            problems.append((f"{key}.arrhenius_A", "Arrhenius constants need a [thermal] section"))
        if any(e < 0 for e in spec.activation_energy):
            problems.append((f"{key}.activation_energy", "must be ≥ 0 [J/mol]"))
    if flux_only(case) and case.time is None:  # in time the storage term fixes x_A
        problems += _flux_only_problems(case)
    if stefan:
        problems += _stefan_problems(case)
    return problems


def flux_only(case: Case) -> bool:
    """True when no boundary fixes x_A (no mole_fraction or mass_transfer boundary)."""
    return not any(isinstance(b, MoleFractionBC | MassTransferBC) for b in case.boundaries.values())


def _buildable(case: Case) -> list[Reaction]:
    """The case's reactions as records, or [] when one does not build (reported elsewhere)."""
    try:
        return build_reactions(case)
    except EmcdInputError:
        return []


def _flux_only_problems(case: Case) -> list[tuple[str, str]]:
    """Steady flux-only data with reactions: each must fix x_A (first order), no inventory."""
    if case.thermal is not None:
        return [
            (
                "boundaries",
                "every boundary prescribes a flux: with [thermal] and [[reactions]] one boundary "
                "must be a mole_fraction or mass_transfer boundary (with thermal diffusion x_A "
                "enters nonlinearly)",
            )
        ]
    problems = []
    for i, reaction in enumerate(_buildable(case)):
        problem = flux_only_problem(reaction)
        if problem is not None:
            problems.append(
                (
                    f"reactions[{i}]",
                    f"every boundary prescribes a flux, and {problem}; give a mole_fraction or "
                    "mass_transfer boundary",
                )
            )
    if not problems and case.physics.inventory_mole_fraction is not None:
        problems.append(
            (
                "physics.inventory_mole_fraction",
                "every boundary prescribes a flux, but the first-order [[reactions]] fix x_A "
                "(one steady state for any feed); remove the inventory",
            )
        )
    return problems


def _interface_names(geometry) -> list[str] | None:
    """Internal interfaces a reaction may name, or None where only the mesh knows them."""
    if isinstance(geometry, LayeredSlab):
        return geometry.interface_names()
    if isinstance(geometry, Inclusions):
        return ["interface"]
    return None


def _interface_problems(case: Case, key: str, spec) -> list[tuple[str, str]]:
    """A surface reaction on a layered slab's or the inclusions' interface."""
    problems = []
    if spec.boundary in case.boundaries:
        problems.append(
            (
                f"boundaries.{spec.boundary}",
                f"{spec.boundary!r} is an internal interface (the reaction of {key}): it takes "
                "no boundary condition; remove this entry",
            )
        )
    if not isinstance(case.geometry, LayeredSlab):
        return problems  # the model checks the sides on the mesh
    sides = spec.boundary.split("|")
    if spec.side is not None and spec.side not in sides:
        problems.append(
            (
                f"{key}.side",
                f"{spec.side!r} is not a side of {spec.boundary!r}; give one of {sides}",
            )
        )
    pair = {case.material_of(r) for r in sides}
    jump = [
        i
        for i, interface in enumerate(case.interfaces)
        if set(interface.materials) == pair
        and (interface.film is not None or interface.partition is not None)
    ]
    if jump and spec.side is None:
        problems.append(
            (
                f"{key}.side",
                f"x_A jumps across {spec.boundary!r} (interfaces[{jump[0]}]: partition or film): "
                f"give the side whose x_A drives the rate, side = {sides[0]!r} or {sides[1]!r}",
            )
        )
    return problems


_STEFAN_NEEDS = (
    "'stefan' needs one [[reactions]] entry: a surface reaction 'A -> ν B' on the wall of a "
    "1D one-layer layered_slab (builtin mesher)"
)


def _stefan_problems(case: Case) -> list[tuple[str, str]]:
    """What the 1D Stefan-flow model needs (``models.stefan``)."""
    problems = []
    g = case.geometry
    if not (isinstance(g, LayeredSlab) and g.dim == 1 and len(g.layers) == 1):
        problems.append(
            ("physics.flux_model", "'stefan' is a 1D film: a layered_slab, dim = 1, one layer")
        )
    if len(case.reactions) != 1 or case.reactions[0].kind != "surface":
        problems.append(("physics.flux_model", _STEFAN_NEEDS))
        return problems
    spec = case.reactions[0]
    (reaction,) = build_reactions(case.model_copy(update={"reactions": [spec]}))
    s = reaction.stoichiometry
    if s.reversible or s.reactants != {"A": 1.0} or set(s.products) - {"B"}:
        problems.append(
            ("reactions[0].equation", "'stefan' takes 'A -> ν B' or 'A -> 0' (irreversible)")
        )
    open_ends = [n for n in case.boundaries if n != spec.boundary]
    if len(open_ends) != 1 or not isinstance(case.boundaries[open_ends[0]], MoleFractionBC):
        problems.append(
            ("boundaries", "'stefan': give the open end (not the wall) a mole_fraction condition")
        )
    wall = case.boundaries.get(spec.boundary or "")
    if wall is not None and not isinstance(wall, MoleFractionBC | ZeroFluxBC):
        problems.append((f"boundaries.{spec.boundary}", "'stefan' wall: mole_fraction or none"))
    if isinstance(wall, MoleFractionBC) and spec.k_f > 0:
        problems.append(
            ("reactions[0].k_f", "give the wall either a mole_fraction (fast reaction) or k_f")
        )
    nu = s.products.get("B", 0.0)
    for name, bc in sorted(case.boundaries.items()):
        if isinstance(bc, MoleFractionBC) and not 1 - (1 - nu) * bc.value > 0:
            problems.append(
                (
                    f"boundaries.{name}.value",
                    f"x_A = {bc.value:g} makes 1 − (1 − ν) x_A ≤ 0 (ν = {nu:g}): the Stefan "
                    "flux N_A = −c D x_A'/(1 − (1 − ν) x_A) is unbounded; pure A is not a "
                    "Stefan-tube state",
                )
            )
    others = case.thermal is not None or case.interfaces or case.physics.source != 0
    if others:
        problems.append(("physics.flux_model", "'stefan' takes no [thermal], interfaces or source"))
    return problems


__all__ = [
    "build_reactions",
    "flux_only",
    "reaction_problems",
    "species_names",
]
