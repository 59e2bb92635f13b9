"""The ``[[reactions]]`` section: stoichiometric equations with mass-action rate constants."""

from typing import Literal

from pydantic import Field

from emcd_fem.case.base import Section as _Section


class ReactionSpec(_Section):
    """One reaction between the species A and B (``[species]`` names or `A`/`B`).

    Rate, mass action in mole fractions: r = k_f c Π x_reactants^ν − k_b c Π x_products^ν;
    R_A = ν_A r. A ⇌ B gives R_A = −c (k_f + k_b)(x_A − x_eq), x_eq = k_b/(k_f + k_b); on a
    wall N_A·n = c (k_f + k_b)(x_A − x_eq). Only mole-balanced reactions (Δν = 0) run in
    EMCD; a wall reaction A -> ν B at the end of a 1D film runs with flux_model = "stefan".
    """

    equation: str = Field(
        description='Stoichiometric equation, e.g. `"A <=> B"` (reversible), `"A -> B"`, '
        '`"A -> 2 B"`, `"A -> 0"` (A taken up); species are `A`/`B` or the [species] names; '
        'a species repeated on one side adds up (`"A + A"` is `"2 A"`).'
    )
    kind: Literal["homogeneous", "surface"] = Field(
        default="homogeneous",
        description="`homogeneous` (in `regions`, [mol/(m^3 s)]) or `surface` (on "
        "`boundary`, a catalytic wall, [mol/(m^2 s)]).",
    )
    regions: list[str] = Field(
        default_factory=list, description="Regions of a homogeneous reaction (default: all)."
    )
    boundary: str | None = Field(
        default=None,
        description="Where a surface reaction sits: an exterior boundary (a catalytic wall) "
        'or an internal interface (a layered slab names them `"<layer>|<next layer>"`, '
        "either order; a mesh file's internal facet groups): the flux jumps there by the "
        "rate.",
    )
    side: str | None = Field(
        default=None,
        description="Interface reactions: the region whose x_A and c drive the rate; required "
        "where they jump (partition, film, unequal c); with a film the reaction sits on that "
        "side's face.",
    )
    k_f: float = Field(
        default=0.0, ge=0, description="Forward constant: [1/s] homogeneous, [m/s] surface."
    )
    k_b: float = Field(
        default=0.0, ge=0, description="Backward constant (same units; `<=>` equations only)."
    )
    arrhenius_A: list[float] | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="[A_f, A_b] replacing k_f, k_b: k = A exp(−E_a/(R T)) (needs [thermal]).",
    )
    activation_energy: list[float] = Field(
        default_factory=lambda: [0.0, 0.0],
        min_length=2,
        max_length=2,
        description="[E_f, E_b] activation energies [J/mol] with arrhenius_A.",
    )
    name: str = Field(default="", description="Label for messages (default: the equation).")
