"""Flux-only problems: the inventory constraint of the composed species-transport model.

When every boundary prescribes a flux (no mole-fraction or mass-transfer boundary) the
steady x_A is fixed only up to a constant: the operator has the constant null space. The
problem is well posed when

* the data balance: Σ_Γ q_Γ = ∫R_A dx (:func:`emcd_fem.post.admissibility.check_flux_balance`,
  checked before the solve with the solve's own flux and production forms), and
* the inventory is given: the mean mole fraction x̄ = ∫c x_A dx / ∫c dx ∈ [0, 1]
  (:func:`emcd_fem.post.admissibility.check_inventory`).

The linear solve then runs with the constant null space attached (CG + GAMG,
``solvers.linear``), and :meth:`Inventory.shift` adds the constant that gives the
prescribed inventory: with x_A = H μ, μ ← μ + (x̄ − ∫c H μ dx / ∫c dx) / (∫c H dx / ∫c dx).

This is the isothermal, film-free case only (one block on the whole mesh): with films the
inventory couples the blocks, and with thermal diffusion x_A enters the terms themselves,
so the missing constant is not a shift of μ; those combinations are refused (by the model
and, for case files, by the case check). First-order reactions fix x_A themselves
(:func:`flux_only_singular`): no null space, no inventory, films allowed.
"""

from collections.abc import Iterable, Mapping, Sequence

from dolfinx import fem

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import MaterialFields
from emcd_fem.materials.stoichiometry import Reaction, flux_only_problem
from emcd_fem.mesh.domain import Domain
from emcd_fem.physics.conditions import BoundaryCondition, MassTransfer
from emcd_fem.post import admissibility
from emcd_fem.post.integrals import integrate


def is_flux_only(conditions: Mapping[str, BoundaryCondition]) -> bool:
    """True when no boundary fixes x_A (no mole-fraction or mass-transfer condition)."""
    return not any(bc.is_dirichlet or isinstance(bc, MassTransfer) for bc in conditions.values())


def flux_only_singular(
    conditions: Mapping[str, BoundaryCondition],
    films: bool,
    thermal: bool,
    reactions: Sequence[Reaction] = (),
    species: tuple[str, str] = ("A", "B"),
    inventory: float | None = None,
) -> bool:
    """Whether the problem is flux-only and needs its inventory; refuse what is not available.

    First-order reactions fix x_A themselves (``materials.stoichiometry.flux_only_problem``:
    R_A = −c (k_f + k_b)(x_A − x_eq) for any feed): the problem is then nonsingular, takes
    no inventory, and films are allowed. Without reactions x_A is fixed only up to its
    inventory (module docstring): films and thermal diffusion are refused.

    Returns:
        True when every boundary prescribes a flux (:func:`is_flux_only`) and the constant
        null space remains (the inventory fixes x_A).

    Raises:
        EmcdInputError: a temperature; films without reactions; a reaction that does not fix
            x_A (the reason of that reaction); an inventory where the reactions fix x_A.
    """
    if not is_flux_only(conditions):
        return False
    if thermal or (films and not reactions):
        raise EmcdInputError(
            "every boundary prescribes a flux: with films or thermal diffusion one boundary "
            "must be a mole_fraction or mass_transfer boundary. A flux-only problem fixes "
            "x_A only up to its inventory; with films the inventory couples "
            "all blocks and with thermal diffusion x_A enters nonlinearly, so it is not a "
            "constant shift — give a mole_fraction or mass_transfer boundary"
        )
    if not reactions:
        return True
    for reaction in reactions:  # (not a Reaction: refused by models.reacting)
        problem = flux_only_problem(reaction, species) if isinstance(reaction, Reaction) else None
        if problem is not None:
            raise EmcdInputError(
                f"every boundary prescribes a flux, and {problem}: give a mole_fraction or "
                "mass_transfer boundary"
            )
    if inventory is not None:
        raise EmcdInputError(
            "inventory_mole_fraction: every boundary prescribes a flux, but the first-order "
            "reactions fix x_A (one steady state for any feed); remove the inventory"
        )
    return False


class Inventory:
    """The inventory constraint of a flux-only problem on one potential μ (x_A = H μ).

    Args:
        domain: The domain.
        fields: The material fields (c and H).
        potential: μ, a Lagrange Function on the domain's mesh.
        inventory: The prescribed mean mole fraction ∫c x_A dx / ∫c dx [-].
        boundaries: Every boundary name (for the message of a missing inventory).
        data_flux: Boundary → outward flow q_Γ [mol/s; mol/(m s) in 2D; mol/(m^2 s) in 1D]
            of the data, from the solve's own boundary terms.
        production: ∫R_A dx [same units], from the solve's own linear form.

    Raises:
        EmcdInputError: no inventory given.
        AdmissibilityError: an inventory outside [0, 1], or fluxes that do not balance the
            production (no steady state).

    Note:
        Collective on the mesh communicator.
    """

    def __init__(
        self,
        domain: Domain,
        fields: MaterialFields,
        potential: fem.Function,
        inventory: float | None,
        boundaries: Iterable[str],
        data_flux: Mapping[str, float],
        production: float,
    ) -> None:
        admissibility.check_inventory(inventory, boundaries)
        admissibility.check_flux_balance(dict(data_flux), production)
        self.value = float(inventory)
        self.potential = potential
        c, h, dx = fields.concentration, fields.partition, domain.dx
        self._moles = fem.form(c * h * potential * dx)
        self._total = fem.form(c * dx)
        self._weight = fem.form(c * h * dx)

    def shift(self) -> None:
        """Add the constant to μ that gives the prescribed inventory (collective)."""
        total = integrate(self._total)
        moles = integrate(self._moles)
        self.potential.x.array[:] += (self.value - moles / total) / (
            integrate(self._weight) / total
        )
        self.potential.x.scatter_forward()


def model_inventory(
    domain: Domain,
    fields: MaterialFields,
    potential: fem.Function,
    inventory: float | None,
    conditions: Iterable[str],
    data_flux_forms: Mapping[str, fem.Form],
    production_form: fem.Form | None,
) -> Inventory:
    """The :class:`Inventory` of a flux-only model from its compiled forms (collective).

    Args:
        domain: The domain.
        fields: The material fields (c and H).
        potential: μ, a Lagrange Function on the domain's mesh.
        inventory: The prescribed mean mole fraction ∫c x_A dx / ∫c dx [-] (or None).
        conditions: The boundaries with a condition (the others carry no flux).
        data_flux_forms: Flux-data boundary → its compiled outward flow (the solve's own
            boundary term) [mol/s; mol/(m s) in 2D; mol/(m^2 s) in 1D].
        production_form: The compiled ∫R_A dx of the solve's own cell terms (None: no
            source term).

    Raises:
        EmcdInputError, AdmissibilityError: as :class:`Inventory`.
    """
    data = dict.fromkeys([*conditions, *domain.boundaries], 0.0) | {
        n: integrate(f) for n, f in sorted(data_flux_forms.items())
    }
    return Inventory(
        domain,
        fields,
        potential,
        inventory,
        domain.boundaries,
        data,
        0.0 if production_form is None else integrate(production_form),
    )


__all__ = ["Inventory", "flux_only_singular", "is_flux_only", "model_inventory"]
