"""Reactions as data: stoichiometric equations, rate constants and the R_T check.

An equation is written ``"A -> B"`` (irreversible), ``"A <=> B"`` (reversible; ``<->`` and
``=`` are accepted too), ``"A + B <=> C + D"``, ``"A -> 2 B"`` (integer or decimal
coefficients before a species name; a species repeated on one side adds up: ``"A + A"`` is
``"2 A"``), ``"A -> 0"`` (A taken up, nothing produced). The rate
is mass action in mole fractions,

    r = k_f c Π x_i^{ν_i} (reactants) − k_b c Π x_j^{ν_j} (products),

homogeneous r [mol/(m^3 s)] with k_f, k_b [1/s]; on a surface r [mol/(m^2 s)] with
k_f, k_b [m/s]. Arrhenius constants k = A exp(−E_a/(R T)) need a temperature field.

Summing the species balances gives ∇·N = R_T = Σ_r Δν_r r_r with
Δν = Σν_products − Σν_reactants: the equimolar counterdiffusion (EMCD) model, N_A + N_B = 0,
holds only for Δν = 0 (:func:`equimolar_problem` says which model to use otherwise).
"""

import difflib
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from emcd_fem.errors import EmcdInputError

_ARROWS = ("<=>", "<->", "->", "=")
_TERM = re.compile(r"^\s*(?:(\d+(?:\.\d*)?|\.\d+)\s*\*?\s*)?([A-Za-z][A-Za-z0-9_()]*)\s*$")


@dataclass(frozen=True)
class Stoichiometry:
    """A parsed equation: species → coefficient on each side, and reversibility."""

    reactants: dict[str, float]
    products: dict[str, float]
    reversible: bool

    @property
    def delta_nu(self) -> float:
        """Δν = Σν_products − Σν_reactants: the change in moles per unit of reaction [-]."""
        return sum(self.products.values()) - sum(self.reactants.values())

    def net(self, species: str) -> float:
        """ν_products − ν_reactants of one species (> 0: produced)."""
        return self.products.get(species, 0.0) - self.reactants.get(species, 0.0)

    @property
    def species(self) -> list[str]:
        """Every species name, reactants first (each once)."""
        return list(dict.fromkeys([*self.reactants, *self.products]))


def parse_equation(text: str) -> Stoichiometry:
    """Parse ``"A + B <=> 2 C"`` into a :class:`Stoichiometry`.

    Raises:
        EmcdInputError: no arrow, an empty side, a bad term or a coefficient ≤ 0 (a species
            written twice on one side adds up: ``"A + A"`` is ``"2 A"``).
    """
    if not isinstance(text, str):
        raise EmcdInputError(f"a reaction equation must be a string, got {text!r}")
    for arrow in _ARROWS:
        if arrow in text:
            left, _, right = text.partition(arrow)
            reversible = arrow != "->"
            break
    else:
        raise EmcdInputError(
            f"reaction {text!r}: no arrow; write e.g. 'A -> B' (irreversible) or 'A <=> B'"
        )
    sides = []
    for side in (left, right):
        coefficients: dict[str, float] = {}
        if not side.strip():
            raise EmcdInputError(
                f"reaction {text!r}: a side of the arrow is empty (write '0' for nothing, "
                "e.g. 'A -> 0' for A absorbed at a wall)"
            )
        if side.strip() == "0":  # nothing: e.g. A taken up by the wall (a Stefan tube)
            sides.append(coefficients)
            continue
        for term in side.split("+"):
            match = _TERM.match(term)
            if match is None:
                raise EmcdInputError(
                    f"reaction {text!r}: cannot read {term.strip()!r}; write a coefficient "
                    "(optional) and a species name, e.g. '2 B'"
                )
            nu = float(match.group(1)) if match.group(1) else 1.0
            name = match.group(2)
            if not (nu > 0 and math.isfinite(nu)):
                raise EmcdInputError(f"reaction {text!r}: coefficient of {name} must be > 0")
            # 'A + A' is '2 A': the same stoichiometry and the same mass-action rate x_A^2
            coefficients[name] = coefficients.get(name, 0.0) + nu
        sides.append(coefficients)
    return Stoichiometry(reactants=sides[0], products=sides[1], reversible=reversible)


@dataclass(frozen=True)
class Reaction:
    """One reaction of the binary system A/B.

    Attributes:
        equation: The stoichiometric equation (``"A <=> B"``); species are ``A``/``B`` or the
            names given in ``species``.
        kind: ``"homogeneous"`` (in ``regions``) or ``"surface"`` (on ``boundary``).
        k_f: Forward constant: homogeneous [1/s], surface [m/s] (first order; a reactant
            order n keeps these units because the rate is written in mole fractions times c).
        k_b: Backward constant (same units; 0 for an irreversible equation).
        regions: Regions of a homogeneous reaction (empty: every region).
        boundary: Boundary of a surface reaction: an exterior boundary (a catalytic wall) or
            an internal interface (the flux jumps there by the rate).
        side: On an interface where x_A jumps (partition or film), the region whose x_A
            drives the rate (and, with a film, on whose face the reaction sits); None
            elsewhere.
        arrhenius_A: (A_f, A_b) pre-exponential factors replacing (k_f, k_b), or None.
        activation_energy: (E_f, E_b) [J/mol] with ``arrhenius_A``.
        name: A label for messages (default: the equation).
    """

    equation: str
    kind: str = "homogeneous"
    k_f: float = 0.0
    k_b: float = 0.0
    regions: tuple[str, ...] = ()
    boundary: str | None = None
    side: str | None = None
    arrhenius_A: tuple[float, float] | None = None
    activation_energy: tuple[float, float] = (0.0, 0.0)
    name: str = ""
    stoichiometry: Stoichiometry = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stoichiometry", parse_equation(self.equation))
        label = self.label
        if self.kind not in ("homogeneous", "surface"):
            raise EmcdInputError(f"reaction {label!r}: kind must be 'homogeneous' or 'surface'")
        if self.kind == "surface" and not self.boundary:
            raise EmcdInputError(f"reaction {label!r}: a surface reaction needs a boundary")
        if self.side is not None and self.kind != "surface":
            raise EmcdInputError(
                f"reaction {label!r}: only a surface reaction on an interface takes a side"
            )
        values = [("k_f", self.k_f), ("k_b", self.k_b)]
        if self.arrhenius_A is not None:
            values += [("arrhenius_A", v) for v in self.arrhenius_A]
            values += [("activation_energy", v) for v in self.activation_energy]
        for key, value in values:
            if not (math.isfinite(value) and value >= 0):
                raise EmcdInputError(
                    f"reaction {label!r}: {key} = {value!r} must be finite and ≥ 0"
                )
        backward = self.k_b if self.arrhenius_A is None else self.arrhenius_A[1]
        if backward > 0 and not self.stoichiometry.reversible:
            raise EmcdInputError(
                f"reaction {label!r}: k_b > 0 on an irreversible equation; write '<=>'"
            )

    @property
    def label(self) -> str:
        """The name for messages."""
        return self.name or self.equation


def equimolar_problem(reaction: Reaction, dim: int) -> str | None:
    """None when the reaction keeps N_A + N_B = 0 (Δν = 0), else the message saying why not.

    Args:
        reaction: The reaction.
        dim: Topological dimension of the domain (1, 2 or 3): picks the model to suggest.
    """
    s = reaction.stoichiometry
    dnu = s.delta_nu
    if dnu == 0:
        return None
    moles = f"{sum(s.reactants.values()):g} mol → {sum(s.products.values()):g} mol"
    text = (
        f"reaction {reaction.label!r} changes the number of moles (Δν = {dnu:+g}: {moles} "
        "per unit of reaction), so R_T = Δν r ≠ 0; equimolar counterdiffusion "
        "(N_A + N_B = 0) requires ∇·N = R_T = 0 and would give a wrong answer. "
    )
    if reaction.kind == "surface" and "|" in (reaction.boundary or ""):  # internal interface
        return text + (
            f"On the internal interface {reaction.boundary!r} the moles it makes or takes would "
            "have to leave through the layers as a net flow, which no model here carries "
            "across an interface (the Stefan-flow film is one layer with the reaction at its "
            "outer end). Write a mole-balanced equation (Δν = 0, e.g. 'A <=> B' or "
            "'2 A <=> 2 B'), or, if the reaction happens at the outer end of a 1D gas film, "
            "put it on that boundary and use the Stefan-flow model ([physics] flux_model = "
            "'stefan')."
        )
    if reaction.kind == "surface" and dim == 1:
        return text + (
            "For a surface reaction at the end of a 1D film use the Stefan-flow model "
            "([physics] flux_model = 'stefan', or emcd_fem.models.stefan.StefanFilm), "
            "which carries the net flux N = N_A + N_B fixed by the stoichiometry."
        )
    return text + (
        "A net molar flux in 2D/3D (or a homogeneous reaction) needs a momentum equation: "
        "in a porous medium the dusty-gas model of issue 20 carries it through the pressure "
        "([multicomponent] model = 'dusty_gas', emcd_fem.models.dusty_gas.DustyGasModel)."
    )


def binary_coefficients(reaction: Reaction, species: tuple[str, str]) -> tuple[float, float]:
    """(ν_A, ν_B) net coefficients of the binary pair (> 0 produced).

    Raises:
        EmcdInputError: a species that is neither A nor B.
    """
    s = reaction.stoichiometry
    for name in s.species:
        if name not in species:
            close = difflib.get_close_matches(name, list(species), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise EmcdInputError(
                f"reaction {reaction.label!r}: unknown species {name!r}; the binary model has "
                f"{species[0]!r} (A) and {species[1]!r} (B){hint}"
            )
    return s.net(species[0]), s.net(species[1])


_ELEMENT = re.compile(r"([A-Z][a-z]?)(\d*)")


def atom_counts(formula: str) -> dict[str, int]:
    """Atoms of a plain chemical formula, e.g. ``"C4H10"`` → {C: 4, H: 10}.

    Raises:
        EmcdInputError: anything but element symbols with optional counts (no parentheses,
            charges or hydrates).
    """
    text = formula.strip() if isinstance(formula, str) else ""
    if not text or "".join(m.group(0) for m in _ELEMENT.finditer(text)) != text:
        raise EmcdInputError(
            f"formula {formula!r}: write element symbols with counts, e.g. 'C4H10' "
            "(no parentheses, charges or spaces)"
        )
    counts: dict[str, int] = {}
    for symbol, number in _ELEMENT.findall(text):
        counts[symbol] = counts.get(symbol, 0) + (int(number) if number else 1)
    return counts


def atom_imbalance(
    stoichiometry: Stoichiometry, formulas: dict[str, str]
) -> dict[str, float] | None:
    """Element → (atoms in products − atoms in reactants); None if a formula is missing.

    An empty dict means the equation is balanced.
    """
    if any(name not in formulas for name in stoichiometry.species):
        return None
    total: dict[str, float] = {}
    for side, sign in ((stoichiometry.reactants, -1.0), (stoichiometry.products, 1.0)):
        for name, nu in side.items():
            for element, n in atom_counts(formulas[name]).items():
                total[element] = total.get(element, 0.0) + sign * nu * n
    return {e: v for e, v in sorted(total.items()) if abs(v) > 1e-12}


def flux_only_problem(reaction: Reaction, species: tuple[str, str] = ("A", "B")) -> str | None:
    """Why this reaction does not fix x_A when every boundary prescribes a flux, or None.

    With flux data only, x_A is fixed by the reactions when A's production falls as x_A
    rises. A mole-balanced first-order reaction (``A <=> B``, ``A -> B``, ``B -> A``) gives
    R_A = −c (k_f + k_b)(x_A − x_eq) (x_B = 1 − x_A; on a wall or interface the same with
    the surface constants): a coercive term, so the steady state exists and is unique for
    any feed (the feed may still drive x_A out of [0, 1]: the run's range check says so).
    Rates of higher order are refused: they fix x_A only inside [0, 1], and e.g. the
    autocatalytic ``A + B -> 2 B`` has several steady states (x_A = 0 and 1 without feed).

    Args:
        reaction: A binary reaction (species named as in ``species``).
        species: Names of (A, B) in the equation.
    """
    s = reaction.stoichiometry
    if not (reaction.k_f > 0 or reaction.k_b > 0 or reaction.arrhenius_A is not None):
        return f"reaction {reaction.label!r} has k_f = k_b = 0: it fixes nothing"
    if s.net(species[0]) == 0:
        return f"reaction {reaction.label!r} neither produces nor consumes {species[0]}"
    orders = [sum(s.reactants.values())] + ([sum(s.products.values())] if s.reversible else [])
    if any(order != 1 for order in orders):
        return (
            f"reaction {reaction.label!r} is not first order (its rate is nonlinear in x_A): "
            "such a rate fixes x_A only inside [0, 1], and some (autocatalytic A + B -> 2 B) "
            "have several steady states; with flux data only, first-order reactions (A <=> B, "
            "A -> B) fix x_A"
        )
    return None


def interface_name(name: str | None, known: Collection[str]) -> str | None:
    """A two-region interface name as ``known`` spells it: ``"b|a"`` for ``"a|b"``.

    Either orientation names the same interface (a reaction's ``side`` decides the side).
    Returns ``name`` itself when known, the swapped name when that is known, else None.
    """
    if name is None or name in known:
        return name
    first, bar, second = name.partition("|")
    swapped = f"{second}|{first}"
    return swapped if bar and "|" not in second and swapped in known else None


def on_interface(reaction: Reaction, known: Collection[str]) -> Reaction:
    """The reaction with its interface named as ``known`` spells it (:func:`interface_name`)."""
    name = interface_name(reaction.boundary, known)
    if name is None or name == reaction.boundary:
        return reaction
    return replace(reaction, boundary=name)


__all__ = [
    "Reaction",
    "Stoichiometry",
    "atom_counts",
    "atom_imbalance",
    "binary_coefficients",
    "equimolar_problem",
    "flux_only_problem",
    "interface_name",
    "on_interface",
    "parse_equation",
]
