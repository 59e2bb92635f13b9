"""One steady species-transport model assembled from terms, on blocks of regions.

Terms (``emcd_fem.physics.terms``): the constitutive flux in the potential form
N_A = −c D H ∇μ (x_A = H μ), plus the Soret part −c D S_T x_A (1 − x_A) ∇T when a
temperature is given; the boundary conditions (``emcd_fem.physics.conditions``); a volumetric
source R_A; reactions, homogeneous, on walls and on interfaces (``emcd_fem.models.reacting``);
partition coefficients (through H, ``emcd_fem.materials.partition``); film resistances
k_ab H_a (μ_a − μ_b)(w_a − w_b) on film interfaces (``emcd_fem.models.films``). Regions
joined without a film form a block (``emcd_fem.models.blocks``); one residual F_b per block.

The temperature is a number, a UFL expression or a Function [K], or a
:class:`~emcd_fem.models.thermal.HeatConductionProblem` (contact resistances if given): T does
not depend on x_A, so T is solved first and the species afterwards.

Solve: every term but Soret's and nonlinear rates' is linear, so the isothermal problem is
assembled once and solved linearly (``solvers.linear``); with Soret or a nonlinear rate,
Newton (``models.newton``) starts from it. Flux-only problems are fixed by their inventory
(``models.inventory``). Fluxes: the reaction (residual) form on mole-fraction boundaries,
the solve's own terms elsewhere, so the balance Σ q_Γ − ∫R dx (reactions:
``ReactionTerms.report``) closes to solver tolerance. Forms: ``models.assembly``; post-solve
quantities: ``models.derived``; this module holds the data and the solve sequence.
"""

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import ufl
from dolfinx import fem

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import Material, assign_materials, check_regions
from emcd_fem.materials.partition import region_solubilities
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import Domain
from emcd_fem.mesh.quadrature import curved_degree_warning
from emcd_fem.models.assembly import (
    FormInputs,
    build_linear,
    build_monolithic,
    build_nonlinear,
    measured_forms,
)
from emcd_fem.models.blocks import (
    Block,
    boundary_block,
    build_blocks,
    check_films,
    whole_mesh_field,
)
from emcd_fem.models.derived import boundary_fluxes, film_fluxes, judged_state
from emcd_fem.models.dirichlet import block_dirichlet_conditions
from emcd_fem.models.inventory import Inventory, flux_only_singular, model_inventory
from emcd_fem.models.newton import newton_solve, solver_record, staggered
from emcd_fem.models.reacting import NEWTON_NAMES, ReactionTerms
from emcd_fem.models.reacting_interfaces import interior_measure
from emcd_fem.models.solution import TransportSolution
from emcd_fem.models.thermal_support import model_temperature
from emcd_fem.physics.conditions import BoundaryCondition
from emcd_fem.physics.soret import TemperatureDependence
from emcd_fem.physics.terms import potential_fluxes
from emcd_fem.post.integrals import flux_scale, integrate, relative_imbalance
from emcd_fem.solvers.linear import solve_linear
from emcd_fem.solvers.nonlinear import global_size, in_sequence, newton_petsc_options

logger = logging.getLogger("emcd_fem")


class SpeciesTransportModel:
    """Steady binary species transport (EMCD) assembled from terms.

    Args:
        domain: The domain (ghost mode ``shared_facet`` when there are films).
        materials: Region → material (c [mol/m^3], D [m^2/s] at the reference T).
        boundary_conditions: Boundary → condition (unnamed boundaries: zero flux); with
            films each boundary must lie within one block.
        films: (a, b) → k_ab [mol/(m^2 s)] > 0 (``emcd_fem.models.films`` for the law).
        partitions: (a, b) → K_ab = c_A,b / c_A,a at equilibrium [-].
        source: R_A [mol/(m^3 s)]: a number or a UFL expression on the mesh.
        inventory_mole_fraction: ∫c x_A dx / ∫c dx [-], required when every boundary
            prescribes a flux (isothermal, film-free only: ``models.inventory``) and
            ignored otherwise.
        reactions: :class:`~emcd_fem.materials.stoichiometry.Reaction` records (Δν = 0 only;
            on walls or interfaces); species: the (A, B) names their equations use.
        temperature: None (isothermal), T [K] as a number, UFL expression or Function, or
            a :class:`~emcd_fem.models.thermal.HeatConductionProblem` (solved first).
        soret: Region → S_T [1/K]. thermal_diffusion_factor: Region → α_T [-]
            (a number or a CompositionLaw of x_A).
        temperature_dependence: Region → :class:`TemperatureDependence`.
        coupling: With a heat problem: ``"staggered"`` (T, then Newton for x_A, repeated
            until the change < ``coupling_tolerance`` [-], at most
            ``max_coupling_iterations`` passes) or ``"monolithic"`` (film-free only).
        degree: Lagrange degree of the potentials.
        petsc_options: Overrides of the SNES/KSP options. closed: no inventory (transient).

    Raises:
        EmcdInputError: invalid data; a flux-only problem without an inventory, or with
            films, a temperature or reactions that do not fix x_A (``models.inventory``).
        AdmissibilityError: flux-only data that do not balance the production.

    Note:
        Collective on the mesh communicator.
    """

    def __init__(
        self,
        domain: Domain,
        materials: Mapping[str, Material],
        boundary_conditions: Mapping[str, BoundaryCondition],
        *,
        films: Mapping[tuple[str, str], float] | None = None,
        partitions: Mapping[tuple[str, str], float] | None = None,
        source: float | ufl.core.expr.Expr = 0.0,
        inventory_mole_fraction: float | None = None,
        reactions: Sequence[Reaction] = (),
        species: tuple[str, str] = ("A", "B"),
        temperature: Any = None,
        soret: Mapping[str, float] | None = None,
        thermal_diffusion_factor: Mapping[str, Any] | None = None,
        temperature_dependence: Mapping[str, TemperatureDependence] | None = None,
        coupling: str = "staggered",
        coupling_tolerance: float = 1e-10,
        max_coupling_iterations: int = 20,
        degree: int = 1,
        petsc_options: Mapping[str, Any] | None = None,
        closed: bool = False,
    ) -> None:
        if coupling not in ("staggered", "monolithic"):
            raise EmcdInputError(f"coupling must be 'staggered' or 'monolithic', got {coupling!r}")
        if not coupling_tolerance > 0:
            raise EmcdInputError(f"coupling_tolerance must be > 0, got {coupling_tolerance!r}")
        self.coupling, self.coupling_tolerance = coupling, coupling_tolerance
        self.max_coupling_iterations = int(max_coupling_iterations)
        if degree not in (1, 2, 3):
            raise EmcdInputError(f"degree must be 1, 2 or 3, got {degree!r}")
        check_regions(domain, materials)
        for name in boundary_conditions:
            if name not in domain.boundaries:
                raise EmcdInputError(
                    f"boundary {name!r} is not a boundary of the domain "
                    f"(boundaries: {sorted(domain.boundaries)})"
                )
        # flux-only: x_A fixed by its inventory; closed: by the storage term (transient)
        self.singular = not closed and flux_only_singular(  # first-order reactions fix x_A
            boundary_conditions, bool(films), temperature is not None, reactions, species,
            inventory_mole_fraction,
        )  # fmt: skip
        self.domain, msh = domain, domain.mesh
        self._curved_warning = curved_degree_warning(msh, degree)
        if self._curved_warning is not None:
            logger.warning(self._curved_warning)
        self.films = check_films(domain, films or {})
        self.solubility = region_solubilities(domain, materials, dict(partitions or {}))
        self.fields = assign_materials(domain, materials, self.solubility)
        self._materials = dict(materials)
        self._conductance = max(m.concentration * m.diffusivity for m in materials.values())
        self.blocks: list[Block] = build_blocks(domain, self.films, degree)
        self.block_of = {r: i for i, b in enumerate(self.blocks) for r in b.regions}
        self._maps = [b.entity_map for b in self.blocks if b.entity_map is not None] or None
        self.potentials = [
            fem.Function(b.space, name="potential_" + "_".join(b.regions)) for b in self.blocks
        ]
        self.conditions = dict(boundary_conditions)
        self._block_of_boundary = {
            n: boundary_block(domain, self.block_of, n, bc) for n, bc in self.conditions.items()
        }
        self._constants = {
            n: bc.bind(self.blocks[self._block_of_boundary[n]].space)
            for n, bc in self.conditions.items()
        }
        if isinstance(source, bool) or not isinstance(source, int | float | ufl.core.expr.Expr):
            raise EmcdInputError("source must be a number [mol/(m^3 s)] or a UFL expression")
        self.source = (
            fem.Constant(msh, float(source)) if isinstance(source, int | float) else source
        )

        self.heat, self.temperature, self.transport = model_temperature(
            domain,
            materials,
            temperature,
            dict(soret or {}),
            dict(thermal_diffusion_factor or {}),
            dict(temperature_dependence or {}),
        )
        sides = {"films": self.films, "solubility": self.solubility, "materials": materials}
        terms = ReactionTerms(
            domain, reactions, species, self.temperature, self.conditions, **sides
        )
        self.reactions = terms if reactions else None
        self._film_data, self._dS, self._interface_ids = interior_measure(
            domain, self.films, self.solubility, terms.interfaces
        )
        self._bcs, self.dirichlet_ranges = block_dirichlet_conditions(
            domain,
            self.blocks,
            self.conditions,
            self._block_of_boundary,
            self._constants,
            self.solubility,
        )
        user_options, n_species = dict(petsc_options or {}), global_size(self.potentials)
        options = newton_petsc_options(n_species, user_options, blocks=len(self.blocks))
        # the linear solve: the isothermal problem, also Newton's start (Soret, rates)
        linear_options = {k: v for k, v in user_options.items() if not k.startswith("snes")}
        self._inputs = FormInputs(
            domain=domain,
            blocks=self.blocks,
            block_of=self.block_of,
            potentials=self.potentials,
            fields=self.fields,
            transport=self.transport,
            # a zero source (the default) adds no integral: nothing to compile or assemble
            source=None if isinstance(source, int | float) and source == 0 else self.source,
            film_data=self._film_data,
            dS=self._dS,
            conditions=self.conditions,
            block_of_boundary=self._block_of_boundary,
            constants=self._constants,
            entity_maps=self._maps,
            reactions=self.reactions,
            interface_ids=self._interface_ids,
        )
        self._isothermal = measured_forms(self._inputs)
        self._data_flux_forms = self._isothermal["data_flux_forms"]
        self._production_form = self._isothermal["production_form"]
        self.inventory: Inventory | None = None
        if self.singular:  # checked before the solver is set up: inventory, balance
            self.inventory = model_inventory(
                domain,
                self.fields,
                self.potentials[0],
                inventory_mole_fraction,
                self.conditions,
                self._data_flux_forms,
                self._production_form,
            )
        built = build_linear(self._inputs, self._bcs, linear_options, singular=self.singular)
        self.linear_problem = built["linear"]
        # public for models built on this one (models.transient)
        self.form_inputs, self.dirichlet_bcs = self._inputs, self._bcs
        self.data_flux_forms, self.interior_measure = self._data_flux_forms, self._dS
        self._thermal = None
        if self.temperature is not None:
            self._thermal = build_nonlinear(self._inputs, self._bcs, self.temperature, options)
        elif self.reactions is not None and not self.reactions.linear:  # rate in the Jacobian
            built = build_nonlinear(self._inputs, self._bcs, None, options)
            self._thermal = built | {"names": NEWTON_NAMES}
        T_fields = [self.heat.temperature] if self.heat is not None else []
        self._monolithic, n_all = None, n_species + global_size(T_fields)
        # at scale by default T first, then Newton for x_A: J is block triangular (exact)
        self.sequential = coupling == "monolithic" and in_sequence(n_all, user_options)
        if self.heat is not None and coupling == "monolithic" and not self.sequential:
            self._monolithic = build_monolithic(
                domain,
                len(self.blocks),
                self._thermal["F"][0],
                self.potentials[0],
                self.heat,
                self._bcs,
                self._conductance,
                newton_petsc_options(n_all, user_options, split=True),
            )

    # -- assembly -----------------------------------------------------------------------
    def update_materials(self, materials: Mapping[str, Material]) -> None:
        """Change some regions' c, D before the next :meth:`solve` (isothermal; no recompile)."""
        self.fields.update(self.domain, materials)
        self._materials.update(materials)
        self._conductance = max(m.concentration * m.diffusivity for m in self._materials.values())

    def fluxes(
        self, potential: ufl.core.expr.Expr
    ) -> tuple[ufl.core.expr.Expr, ufl.core.expr.Expr | None]:
        """(Fickian, thermal) parts of N_A [mol/(m^2 s)] for a potential on the parent mesh."""
        return potential_fluxes(potential, self.fields, self.temperature, self.transport)

    # -- solve --------------------------------------------------------------------------
    def _newton(self, built: dict) -> tuple[int, str, list[float]]:
        names, rows = built.get("names", {}), built.get("rows")
        result = newton_solve(built["problem"], self.domain.comm, rows=rows, **names)
        self.newton_record = solver_record(built["problem"])  # method, fallback (summary)
        for u in self.potentials:
            u.x.scatter_forward()
        return result

    def _boundary_fluxes(self, residuals: list[fem.Form]) -> dict[str, float]:
        return boundary_fluxes(
            self.domain,
            self.blocks,
            self.conditions,
            self._block_of_boundary,
            residuals,
            self._data_flux_forms,
        )

    def solve(self, *, check_range: bool = True) -> TransportSolution:
        """Solve T (if a heat problem), then the species; fluxes, balance, checks (collective).

        Args:
            check_range: Judge x_A against [0, 1] (``derived.range_check``); False for an
                intermediate solve.

        Raises:
            EmcdSolverError: Newton failed.
            AdmissibilityError: flux data drove x_A out of [0, 1].
            EmcdResultError: x_A out of [0, 1] by more than the discretisation explains.
        """
        domain = self.domain
        heat, passes, changes, coupling = None, 1, [], "isothermal"
        if self.temperature is not None:
            coupling = "prescribed" if self.heat is None else self.coupling
        last: dict[str, dict[str, float]] = {}

        production = 0.0 if self._production_form is None else integrate(self._production_form)

        # no floor (unlike the balance): a flux that is noise must not pass for being small
        def current_flux_scale() -> float:  # Σ|q_Γ| + |∫R dx| of the current potentials
            last["fluxes"] = self._boundary_fluxes(self._isothermal["residuals"])
            return sum(abs(v) for v in last["fluxes"].values()) + abs(production)

        report = solve_linear(
            self.linear_problem,
            what="film-coupled potential" if self.films else "mole fraction",
            flux_scale=current_flux_scale,
        )
        for u in self.potentials:
            u.x.scatter_forward()
        if self.inventory is not None:  # the constant μ is free: fix the inventory
            self.inventory.shift()
        iterations, reason, history = report.iterations, report.reason, []
        built = self._isothermal
        T = self.temperature
        if self._monolithic is not None:
            T.x.array[:] = self.heat.initial_guess()
            for bc in self.heat.bcs:  # start from the boundary data: no residual there
                bc.set(T.x.array)
            iterations, reason, history = self._newton(self._monolithic)
            heat, built = self.heat.post_process(), self._thermal
        elif self.heat is not None:  # staggered, or T then x_A once (monolithic at scale)
            heat, iterations, reason, history, passes, changes = staggered(
                self.heat,
                lambda: self._newton(self._thermal),
                self.potentials,
                tolerance=self.coupling_tolerance,
                max_passes=self.max_coupling_iterations,
                one_pass=self.sequential,
            )
            built = self._thermal
        elif self._thermal is not None:
            iterations, reason, history = self._newton(self._thermal)
            built = self._thermal
        if built is self._isothermal and self.inventory is None and "fluxes" in last:
            fluxes = last["fluxes"]  # the accepted solve's, from its flux-scale check
        else:
            fluxes = self._boundary_fluxes(built["residuals"])
        plain = len(self.blocks) == 1 and self.blocks[0].entity_map is None
        if plain and all(h == 1.0 for h in self.solubility.values()):
            mu = self.potentials[0]  # one block on the whole mesh, x_A = μ: no copy
        else:
            mu = whole_mesh_field(domain, self.blocks, self.potentials, "potential")
        reacting = self.reactions and self.reactions.report(
            mu, self.fields, self._materials, self._dS, self._interface_ids
        )
        if reacting:  # walls, interfaces: outward fluxes; regions: production
            sinks = reacting["wall_flux"] | reacting["interface_flux"]
            fluxes |= {b: fluxes.get(b, 0.0) + q for b, q in sinks.items()}
            production += sum(reacting["production"].values())
        net = sum(fluxes.values())
        balance = relative_imbalance(net, production, fluxes, flux_scale(domain, self._conductance))
        film = film_fluxes(self._film_data, self.block_of, self.potentials, self._dS, self._maps)
        state = judged_state(self, mu, production, judge=check_range)  # x_A, split, range
        warnings = list(state.pop("warnings"))
        if self._curved_warning is not None:
            warnings.append(self._curved_warning)
        if report.fallback is not None and report.fallback.startswith("direct"):
            warnings.append(f"linear solver: {report.fallback}")
        return TransportSolution(
            **state,
            potentials=self.potentials,
            potential=mu,
            boundary_flux=fluxes,
            production=production,
            film_flux=film,
            balance=balance,
            iterations=iterations,
            reason=reason,
            residual_history=history,
            temperature=self.temperature,
            heat=heat,
            warnings=tuple(warnings),
            coupling=coupling,
            coupling_iterations=passes,
            coupling_history=changes,
            solver=report,
            reactions=reacting,
        )


__all__ = ["SpeciesTransportModel", "TransportSolution"]
