"""Mass-action reactions of the n-species Maxwell–Stefan model: in regions and on walls.

A reaction's rate is the mass-action law of :mod:`emcd_fem.physics.reaction` written in
the model's mole fractions, r = k_f c Π x_i^{s_i} − k_b c Π x_j^{s_j}: homogeneous
[mol/(m^3 s)] (k [1/s]), species i produced at R_i = s_i r (s_i = net stoichiometric
coefficient, > 0 for a product); on a wall (``kind = "surface"``, a named exterior boundary
without a prescribed composition) [mol/(m^2 s)] (k [m/s]), the outward wall flux
N_i·n = −s_i r_s (a species consumed at the wall flows into it). Arrhenius constants
k = A exp(−E_a/(R T)) take the temperature of each region (the model is isothermal per
region: a DG0 field, the wall's from its adjacent cell). The rates are UFL in the
unknowns, so Newton's Jacobian includes them (any order).

The isobaric model closes its fluxes with a bootstrap Σ ν_i N_i = 0; with ∇·N_i = R_i, and
on a wall Σ ν_i N_i·n = −r_s Σ ν_i s_i, this survives only if Σ ν_i s_i = 0 for every
reaction, homogeneous or on a wall: zero net flux (ν_i = 1) needs Δν = 0 (A ⇌ B,
A + B ⇌ C + D); a stagnant species k (ν = δ_ik) needs s_k = 0 (the stagnant species takes no
part); Graham's law (ν_i = √M_i) or given flux ratios need Σ ν_i s_i = 0 with those
weights. Every other reaction is refused by name: it changes the number of moles and needs
a pressure unknown (the dusty-gas model).
"""

from collections.abc import Mapping, Sequence

import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.dusty_gas_solution import each_part, weighted_form
from emcd_fem.models.multicomponent_inputs import check_reaction_places
from emcd_fem.physics.maxwell_stefan import Bootstrap
from emcd_fem.physics.reaction import mass_action_rate, rate_constants

#: Largest |Σ ν_i s_i| / Σ |ν_i s_i| accepted as balanced (the coefficients are exact
#: numbers parsed from the equation; this only absorbs roundoff of the bootstrap weights).
BALANCE_TOLERANCE: float = 1e-12


def check_reactions(
    domain: Domain,
    species: tuple[str, ...],
    bootstrap: Bootstrap,
    reactions: Sequence[Reaction],
    *,
    compositions: Sequence[str] = (),
    temperature: bool = False,
) -> list[Reaction]:
    """The reactions, checked against the species, regions, walls and bootstrap.

    Args:
        domain: The tagged domain.
        species: Species names.
        bootstrap: The model's bootstrap Σ ν_i N_i = 0.
        reactions: The reactions.
        compositions: Boundaries with a prescribed composition (no wall reaction there).
        temperature: Whether the model has a temperature (needed by Arrhenius constants).

    Raises:
        EmcdInputError: not a Reaction, Arrhenius constants without a temperature, an
            unknown species, region or boundary, a wall reaction on a boundary with a
            prescribed composition, a label given twice, or a reaction with Σ ν_i s_i ≠ 0
            (it breaks the bootstrap Σ ν_i N_i = 0).
    """
    out, labels = [], set()
    for reaction in reactions:
        if not isinstance(reaction, Reaction):
            raise EmcdInputError(
                "Maxwell–Stefan model: reactions must be emcd_fem Reaction objects, got "
                f"{type(reaction).__name__}"
            )
        label = reaction.label
        if reaction.arrhenius_A is not None and not temperature:
            raise EmcdInputError(
                f"reaction {label!r}: Arrhenius constants need the temperature of every "
                "region (temperatures= / T of each [multicomponent.regions]); or give k_f "
                "and k_b"
            )
        check_reaction_places(
            domain,
            reaction,
            species,
            compositions,
            "a prescribed composition; a wall reaction needs a wall (a boundary without "
            "one): remove its mole fractions or choose another boundary",
        )
        net = {s: reaction.stoichiometry.net(s) for s in reaction.stoichiometry.species}
        problem = bootstrap.reaction_problem(species, net, BALANCE_TOLERANCE)
        if problem is not None:
            raise EmcdInputError(f"reaction {label!r}: {problem}")
        if label in labels:
            raise EmcdInputError(f"reaction {label!r} is given twice; give each reaction once")
        labels.add(label)
        out.append(reaction)
    return out


def temperature_field(
    domain: Domain, temperatures: Mapping[str, float] | None
) -> fem.Function | None:
    """Region → T [K] as a DG0 Function (None without temperatures).

    Raises:
        EmcdInputError: an unknown or missing region, or T not a finite number > 0.
    """
    if not temperatures:
        return None
    for region, value in temperatures.items():
        domain.region_tag(region)
        if not (isinstance(value, int | float) and np.isfinite(value) and value > 0):
            raise EmcdInputError(f"region {region!r}: temperature must be > 0 [K], got {value!r}")
    missing = sorted(set(domain.regions) - set(temperatures))
    if missing:
        raise EmcdInputError(f"regions {missing} have no temperature; give T for every region")
    field = fem.Function(fem.functionspace(domain.mesh, ("DG", 0)), name="temperature")
    cells = domain.local_cell_tags()
    for region, value in temperatures.items():
        field.x.array[cells == domain.regions[region]] = float(value)
    return field


def reaction_terms(
    domain: Domain,
    species: tuple[str, ...],
    reactions: Sequence[Reaction],
    mole_fractions: Sequence[ufl.core.expr.Expr],
    concentration: ufl.core.expr.Expr,
    temperature: ufl.core.expr.Expr | None = None,
) -> tuple[list, dict[str, list]]:
    """(R_i per species, wall → N_i·n per species) as UFL (None where no reaction acts).

    R_i = Σ_r s_i,r r_r [mol/(m^3 s)] (a reaction limited to some regions is multiplied by
    their DG0 indicator); on a wall N_i·n = −Σ_r s_i,r r_s,r [mol/(m^2 s)], outward.

    Args:
        domain: The tagged domain.
        species: Species names (the order of ``mole_fractions``).
        reactions: Checked reactions (:func:`check_reactions`).
        mole_fractions: x_i of every species (UFL).
        concentration: c [mol/m^3] (UFL).
        temperature: T [K] (UFL; needed by Arrhenius constants).
    """
    msh = domain.mesh
    x_of = dict(zip(species, mole_fractions, strict=True))
    sources: list = [None] * len(species)
    walls: dict[str, list] = {}
    for reaction in reactions:
        given = (
            (reaction.k_f, reaction.k_b) if reaction.arrhenius_A is None else reaction.arrhenius_A
        )
        constants = tuple(fem.Constant(msh, float(v)) for v in given)
        k_f, k_b = rate_constants(reaction, constants, temperature)
        rate = mass_action_rate(reaction, x_of, concentration, k_f, k_b)
        if reaction.kind == "homogeneous":
            tags = [domain.regions[r] for r in reaction.regions]
            if tags and len(set(tags)) < len(domain.regions):
                indicator = fem.Function(fem.functionspace(msh, ("DG", 0)))
                indicator.x.array[np.isin(domain.local_cell_tags(), tags)] = 1.0
                rate = indicator * rate
            target, sign = sources, 1.0
        else:
            target, sign = walls.setdefault(str(reaction.boundary), [None] * len(species)), -1.0
        for k, s in enumerate(species):
            coefficient = sign * reaction.stoichiometry.net(s)
            if coefficient != 0:
                term = coefficient * rate
                target[k] = term if target[k] is None else target[k] + term
    return sources, walls


def wall_residual(
    domain: Domain, walls: Mapping[str, Sequence], w: ufl.core.expr.Expr, bootstrap: Bootstrap
) -> ufl.Form | None:
    """Σ_wall ∫ Σ_{i≠e} (N_i·n) w_i ds: the natural boundary term of the reacting walls."""
    parts = [
        flux[k] * w[m] * domain.ds(domain.boundaries[name])
        for name, flux in sorted(walls.items())
        for m, k in enumerate(bootstrap.independent)
        if flux[k] is not None
    ]
    return sum(parts[1:], parts[0]) if parts else None


class WallFluxes:
    """The reacting walls' fluxes ∫_Γ N_i·n ds, one compiled form for all (collective).

    Args:
        domain: The tagged domain.
        species: Species names.
        walls: Wall → N_i·n per species (UFL or None), from :func:`reaction_terms`.
    """

    def __init__(self, domain: Domain, species: tuple[str, ...], walls: Mapping[str, Sequence]):
        self.domain, self.species = domain, species
        self._keys = [
            (name, species[k])
            for name, flux in sorted(walls.items())
            for k, q in enumerate(flux)
            if q is not None
        ]
        parts = [
            (q, domain.ds(domain.boundaries[name]))
            for name, flux in sorted(walls.items())
            for q in flux
            if q is not None
        ]
        self._form = weighted_form(parts, domain.mesh) if parts else None

    def values(self) -> dict[str, dict[str, float]]:
        """Species → wall → ∫_Γ N_i·n ds [mol/s in 3D] (only the walls a species reacts on)."""
        out: dict[str, dict[str, float]] = {}
        if self._form is None:
            return out
        for (name, s), value in zip(
            self._keys, each_part(*self._form, self.domain.comm), strict=True
        ):
            out.setdefault(s, {})[name] = float(value)
        return out


__all__ = [
    "BALANCE_TOLERANCE",
    "WallFluxes",
    "check_reactions",
    "reaction_terms",
    "temperature_field",
    "wall_residual",
]
