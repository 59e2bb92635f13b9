"""Homogeneous mass-action reactions of the n-species Maxwell–Stefan model.

A reaction's rate is the mass-action law of :mod:`emcd_fem.physics.reaction` written in
the model's mole fractions, r = k_f c Π x_i^{s_i} − k_b c Π x_j^{s_j} [mol/(m^3 s)], and
species i is produced at R_i = s_i r (s_i = net stoichiometric coefficient, > 0 for a
product). The rates are UFL in the unknowns, so Newton's Jacobian includes them.

The isobaric model closes its fluxes with a bootstrap Σ ν_i N_i = 0; with ∇·N_i = R_i this
survives only if Σ ν_i R_i = 0, i.e. Σ ν_i s_i = 0 for every reaction (zero net flux:
Δν = 0, e.g. the exchange A + B ⇌ C + D). Other reactions change the number of moles and
need a pressure unknown: the dusty-gas model.
"""

from collections.abc import Sequence

import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.errors import EmcdInputError, unknown_name
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import Domain
from emcd_fem.physics.maxwell_stefan import Bootstrap
from emcd_fem.physics.reaction import mass_action_rate

#: Largest |Σ ν_i s_i| / Σ |ν_i s_i| accepted as balanced (the coefficients are exact
#: numbers parsed from the equation; this only absorbs roundoff of the bootstrap weights).
BALANCE_TOLERANCE: float = 1e-12


def check_reactions(
    domain: Domain,
    species: tuple[str, ...],
    bootstrap: Bootstrap,
    reactions: Sequence[Reaction],
) -> list[Reaction]:
    """The homogeneous reactions, checked against the species, regions and bootstrap.

    Raises:
        EmcdInputError: not a Reaction, a surface reaction, Arrhenius constants (the model
            is isothermal: give k_f and k_b), an unknown species or region, a label given
            twice, or a reaction with Σ ν_i s_i ≠ 0 (it breaks the bootstrap Σ ν_i N_i = 0).
    """
    nu = dict(zip(species, bootstrap.weights, strict=True))
    out, labels = [], set()
    for reaction in reactions:
        if not isinstance(reaction, Reaction):
            raise EmcdInputError(
                "Maxwell–Stefan model: reactions must be emcd_fem Reaction objects, got "
                f"{type(reaction).__name__}"
            )
        label = reaction.label
        if reaction.kind != "homogeneous":
            raise EmcdInputError(
                f"reaction {label!r}: the Maxwell–Stefan model takes homogeneous reactions "
                "only; for a wall reaction use the dusty-gas model ([multicomponent] model = "
                '"dusty_gas")'
            )
        if reaction.arrhenius_A is not None:
            raise EmcdInputError(
                f"reaction {label!r}: the Maxwell–Stefan model is isothermal; give k_f and "
                "k_b instead of Arrhenius constants"
            )
        for s in reaction.stoichiometry.species:
            if s not in species:
                raise EmcdInputError(f"reaction {label!r}: {unknown_name('species', s, species)}")
        for region in reaction.regions:
            domain.region_tag(region)
        terms = [nu[s] * reaction.stoichiometry.net(s) for s in reaction.stoichiometry.species]
        if abs(sum(terms)) > BALANCE_TOLERANCE * max(sum(abs(t) for t in terms), 1.0):
            raise EmcdInputError(
                f"reaction {label!r}: Σ ν_i s_i = {sum(terms):.6g} ≠ 0 under the bootstrap "
                f"{bootstrap.kind!r}: with ∇·N_i = s_i r the relation Σ ν_i N_i = 0 cannot "
                "hold (for zero net flux the reaction must keep the number of moles, e.g. "
                "A + B <=> C + D); use the dusty-gas model for porous media ([multicomponent] "
                'model = "dusty_gas"), which carries the pressure'
            )
        if label in labels:
            raise EmcdInputError(f"reaction {label!r} is given twice; give each reaction once")
        labels.add(label)
        out.append(reaction)
    return out


def reaction_sources(
    domain: Domain,
    species: tuple[str, ...],
    reactions: Sequence[Reaction],
    mole_fractions: Sequence[ufl.core.expr.Expr],
    concentration: ufl.core.expr.Expr,
) -> list:
    """R_i = Σ_r s_i,r r_r per species as UFL [mol/(m^3 s)] (None if no reaction touches i).

    A reaction limited to some regions is multiplied by their DG0 indicator.

    Args:
        domain: The tagged domain.
        species: Species names (the order of ``mole_fractions``).
        reactions: Checked reactions (:func:`check_reactions`).
        mole_fractions: x_i of every species (UFL).
        concentration: c [mol/m^3] (UFL).
    """
    msh = domain.mesh
    x_of = dict(zip(species, mole_fractions, strict=True))
    sources: list = [None] * len(species)
    for reaction in reactions:
        k_f, k_b = (fem.Constant(msh, float(v)) for v in (reaction.k_f, reaction.k_b))
        rate = mass_action_rate(reaction, x_of, concentration, k_f, k_b)
        tags = [domain.regions[r] for r in reaction.regions]
        if tags and len(set(tags)) < len(domain.regions):
            indicator = fem.Function(fem.functionspace(msh, ("DG", 0)))
            indicator.x.array[np.isin(domain.local_cell_tags(), tags)] = 1.0
            rate = indicator * rate
        for k, s in enumerate(species):
            coefficient = reaction.stoichiometry.net(s)
            if coefficient != 0:
                term = coefficient * rate
                sources[k] = term if sources[k] is None else sources[k] + term
    return sources


__all__ = ["BALANCE_TOLERANCE", "check_reactions", "reaction_sources"]
