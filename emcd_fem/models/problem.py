"""The steady binary EMCD problem: validated inputs → forms → solve → fluxes.

Usage::

    domain = layered_slab([0.3, 0.4, 0.3], dim=2)
    bcs = {"left": MoleFraction(0.9), "right": MoleFraction(0.1)}
    problem = EMCDProblem(domain, materials, bcs)
    solution = problem.solve()
    solution.boundary_flux["right"]      # outward, mol/(m s) in 2D
"""

import itertools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

from emcd_fem.errors import AdmissibilityError, EmcdInputError
from emcd_fem.materials import Material, MaterialFields, assign_materials, check_regions
from emcd_fem.materials.partition import boundary_solubility, region_solubilities
from emcd_fem.mesh.domain import Domain
from emcd_fem.mesh.quadrature import curved_degree_warning, pin_quadrature, tested_residual
from emcd_fem.physics.conditions import BoundaryCondition, MassTransfer, ZeroFlux
from emcd_fem.physics.emcd import emcd_forms, molar_flux
from emcd_fem.physics.emcd import mole_fraction as mole_fraction_of
from emcd_fem.post import admissibility
from emcd_fem.post.integrals import (
    flux_scale,
    integrate,
    owned_range,
    partition_boundary_dofs,
    reaction_fluxes,
    relative_imbalance,
)
from emcd_fem.solvers import linear as solver_mod

logger = logging.getLogger("emcd_fem")

#: Relative tolerance of the balance check for flux-only problems (see
#: :data:`emcd_fem.post.admissibility.BALANCE_RTOL`).
BALANCE_RTOL: float = admissibility.BALANCE_RTOL

_problem_ids = itertools.count()


@dataclass(frozen=True)
class Balance:
    """Global species balance Σ_Γ q_Γ = ∫ R dx.

    Attributes:
        net_outflow: Σ_Γ q_Γ over all boundaries.
        production: ∫ R_A dx.
        relative: |net_outflow − production| / (Σ|q_Γ| + |production|), measured against
            a floor of 1e-6 of the natural flux scale when every flux is below it
            (``postprocess.relative_imbalance``): round-off zeros give round-off, not 1.
    """

    net_outflow: float
    production: float
    relative: float


@dataclass(frozen=True)
class Solution:
    """Result of a steady EMCD solve.

    Attributes:
        mole_fraction: x_A: the Lagrange unknown, or with partition coefficients x_A = H μ
            in discontinuous Lagrange of the same degree.
        potential: The continuous unknown (x_A itself without partition coefficients).
        boundary_flux: Boundary name → outward flux q_Γ = ∫_Γ N_A·n ds (positive: A
            leaves) [mol/s in 3D, mol/(m s) per unit depth in 2D, mol/(m^2 s) in 1D].
        balance: The global balance.
        x_min: Smallest nodal mole fraction.
        x_max: Largest nodal mole fraction.
        solver: What the linear solver did.
        warnings: Warnings raised while checking the solution.
    """

    mole_fraction: fem.Function
    potential: fem.Function
    boundary_flux: dict[str, float]
    balance: Balance
    x_min: float
    x_max: float
    solver: solver_mod.SolverReport
    warnings: tuple[str, ...] = ()


class EMCDProblem:
    """Steady binary equimolar counterdiffusion of A in B on a tagged domain.

    Complete on construction: inputs are validated, forms compiled and the PETSc solver
    set up; :meth:`solve` may be called repeatedly, e.g. after :meth:`update_materials`.

    Args:
        domain: Mesh with named regions and boundaries.
        materials: Region name → :class:`~emcd_fem.Material` for every region.
        boundary_conditions: Boundary name → condition; unnamed boundaries are zero-flux.
        degree: Lagrange degree (1 or 2).
        source: Volumetric production rate of A, R_A [mol/(m^3 s)] (a number or a UFL
            expression on the mesh); default 0.
        inventory_mole_fraction: Mean mole fraction ∫c x_A dx / ∫c dx, required when every
            boundary prescribes a flux (it fixes the free constant) and ignored otherwise.
        petsc_options: PETSc options merged over
            :func:`~emcd_fem.solvers.linear.default_petsc_options`.

    Raises:
        EmcdInputError: unknown names, bad values.
        AdmissibilityError: data that admit no steady state with 0 <= x_A <= 1.

    Note:
        Collective on the mesh communicator.
    """

    def __init__(
        self,
        domain: Domain,
        materials: Mapping[str, Material],
        boundary_conditions: Mapping[str, BoundaryCondition],
        *,
        degree: int = 1,
        source: float | ufl.core.expr.Expr = 0.0,
        inventory_mole_fraction: float | None = None,
        partitions: Mapping[tuple[str, str], float] | None = None,
        petsc_options: Mapping[str, Any] | None = None,
    ) -> None:
        if degree not in (1, 2, 3):
            raise EmcdInputError(f"degree must be 1, 2 or 3, got {degree!r}")
        self.domain = domain
        self.degree = degree
        self.boundary_conditions = _complete_boundary_conditions(domain, boundary_conditions)
        check_regions(domain, materials)
        self.solubility = region_solubilities(domain, materials, partitions) if partitions else None
        self.fields: MaterialFields = assign_materials(domain, materials, self.solubility)
        self._materials = dict(materials)
        msh = domain.mesh
        V = fem.functionspace(msh, ("Lagrange", degree))
        self._curved_warning = curved_degree_warning(msh, degree)
        if self._curved_warning is not None:
            logger.warning(self._curved_warning)
        # the unknown: x_A itself, or the continuous potential μ (x_A = H μ) with partitions
        self.potential = fem.Function(V, name="mole_fraction_A" if not partitions else "potential")
        if partitions:
            self.mole_fraction = fem.Function(
                fem.functionspace(msh, ("DG", degree)), name="mole_fraction_A"
            )
        else:
            self.mole_fraction = self.potential
        x_expr = mole_fraction_of(self.potential, self.fields)
        self._constants = {n: bc.bind(V) for n, bc in self.boundary_conditions.items()}
        if isinstance(source, int | float):
            source = fem.Constant(msh, float(source))
        elif not isinstance(source, ufl.core.expr.Expr):
            raise EmcdInputError("source must be a number [mol/(m^3 s)] or a UFL expression")
        self.source = source

        forms = emcd_forms(
            domain,
            self.fields,
            self.potential,
            self.boundary_conditions,
            self._constants,
            source,
        )
        self.dirichlet_names = [n for n, bc in self.boundary_conditions.items() if bc.is_dirichlet]
        bcs, self._dirichlet_ranges = dirichlet_conditions(
            domain, V, self.dirichlet_names, self._constants, self.solubility
        )
        self.singular = not any(
            bc.is_dirichlet or isinstance(bc, MassTransfer)
            for bc in self.boundary_conditions.values()
        )
        # Compiled post-processing forms (once per problem), each integral with the
        # quadrature rule of the solve (see emcd_fem.mesh.quadrature): the balance closes to
        # round-off on curved cells too.
        bilinear, linear = pin_quadrature(forms.bilinear), pin_quadrature(forms.linear)
        one = fem.Function(V)
        one.x.array[:] = 1.0  # Σ_i φ_i: a residual tested with it is the integral
        ds = domain.ds
        self._data_flux_forms = {}
        for n, bc in self.boundary_conditions.items():
            if bc.is_dirichlet:
                continue
            tag = domain.boundaries[n]
            flux = tested_residual(bilinear, linear, "exterior_facet", tag, self.potential, one)
            if flux is None:  # no boundary term: zero flux (as the data say)
                flux = bc.outward_flux(x_expr, self._constants[n]) * ds(tag)
            self._data_flux_forms[n] = fem.form(flux)
        production = tested_residual(None, linear, "cell", "everywhere", self.potential, one)
        self._production_form = fem.form(
            -production if production is not None else source * domain.dx
        )
        self._residual_form = fem.form(ufl.action(bilinear, self.potential) - linear)
        self._dirichlet_dofs = partition_boundary_dofs(V, domain, self.dirichlet_names)
        if self.singular:
            self._check_flux_only(inventory_mole_fraction)
            c = self.fields.concentration
            self._inventory_forms = (
                fem.form(c * x_expr * domain.dx),
                fem.form(c * domain.dx),
            )
            self._inventory_h_form = fem.form(c * self.fields.partition * domain.dx)
        self.inventory_mole_fraction = inventory_mole_fraction

        n_dofs = V.dofmap.index_map.size_global
        options = solver_mod.merge_petsc_options(n_dofs, petsc_options, singular=self.singular)
        prefix = f"emcd_species_{next(_problem_ids)}_"
        self._linear_problem = solver_mod.linear_problem(
            bilinear,
            linear,
            self.potential,
            bcs,
            prefix=prefix,
            petsc_options=options,
        )
        if self.singular:
            solver_mod.attach_constant_null_space(self._linear_problem)

    # -- inputs ---------------------------------------------------------------------
    def update_materials(self, materials: Mapping[str, Material]) -> None:
        """Change material values before the next :meth:`solve` (no recompilation)."""
        self.fields.update(self.domain, materials)
        self._materials.update(materials)

    def _check_flux_only(self, inventory: float | None) -> None:
        admissibility.check_inventory(inventory, self._data_flux_forms)
        flux = {n: integrate(f) for n, f in self._data_flux_forms.items()}
        admissibility.check_flux_balance(flux, integrate(self._production_form))

    # -- solve ----------------------------------------------------------------------
    def solve(self, *, check_range: bool = True) -> Solution:
        """Solve, compute boundary fluxes and check the result (collective).

        Args:
            check_range: Judge x_A against [0, 1] (:meth:`check_range`); False for an
                intermediate solve, e.g. the isothermal start of a thermal-diffusion solve.

        Raises:
            EmcdSolverError: the linear solver failed.
            AdmissibilityError: flux data drove x_A out of [0, 1].
            EmcdResultError: x_A out of [0, 1] by more than the discretisation explains.
        """
        last: dict[str, Any] = {}

        def current_flux_scale() -> float:  # Σ|q_Γ| + |∫R dx| of the current solution
            last["fluxes"], last["production"] = self._fluxes()
            return sum(abs(v) for v in last["fluxes"].values()) + abs(last["production"])

        report = solver_mod.solve_linear(
            self._linear_problem, what="mole fraction", flux_scale=current_flux_scale
        )
        if self.singular:  # shift μ so that the inventory ∫c x dx / ∫c dx is the given one
            moles, total = (integrate(f) for f in self._inventory_forms)
            self.potential.x.array[:] += (self.inventory_mole_fraction - moles / total) / (
                integrate(self._inventory_h_form) / total
            )
        x = self.mole_fraction
        if x is not self.potential:
            x.interpolate(
                fem.Expression(
                    mole_fraction_of(self.potential, self.fields),
                    x.function_space.element.interpolation_points,
                )
            )
            x.x.scatter_forward()
        fluxes, production = last["fluxes"], last["production"]  # of the accepted solution
        net = sum(fluxes.values())
        conductance = max(m.concentration * m.diffusivity for m in self._materials.values())
        balance = Balance(
            net_outflow=net,
            production=production,
            relative=relative_imbalance(
                net, production, fluxes, flux_scale(self.domain, conductance)
            ),
        )
        x_min, x_max = owned_range(x)
        warnings = self.check_range(x_min, x_max, production) if check_range else []
        if self._curved_warning is not None:
            warnings.append(self._curved_warning)
        if report.fallback is not None and report.fallback.startswith("direct"):
            warnings.append(f"linear solver: {report.fallback}")
        return Solution(
            mole_fraction=x,
            potential=self.potential,
            boundary_flux=fluxes,
            balance=balance,
            x_min=x_min,
            x_max=x_max,
            solver=report,
            warnings=tuple(warnings),
        )

    def _fluxes(self) -> tuple[dict[str, float], float]:
        """Boundary fluxes (user's order) and ∫R dx of the current potential (collective)."""
        fluxes = reaction_fluxes(self._residual_form, self._dirichlet_dofs)
        fluxes.update({n: integrate(f) for n, f in self._data_flux_forms.items()})
        return {n: fluxes[n] for n in self.boundary_conditions}, integrate(self._production_form)

    def gradient_flux(self, boundary: str) -> float:
        """Outward flux ∫_Γ (−c D ∇x_h)·n ds from the gradient of the discrete solution.

        Less accurate than the reaction flux of :meth:`solve` on Dirichlet boundaries
        (provided for comparison and diagnostics). Collective.
        """
        n = ufl.FacetNormal(self.domain.mesh)
        tag = self.domain.boundary_tag(boundary)
        form = fem.form(ufl.dot(molar_flux(self.potential, self.fields), n) * self.domain.ds(tag))
        return integrate(form)

    def check_range(
        self,
        x_min: float,
        x_max: float,
        production: float,
        *,
        potential_range: tuple[float, float] | None = None,
        model: str = "",
        advice: str = "",
        maximum_principle: bool = True,
    ) -> list[str]:
        """:func:`emcd_fem.post.admissibility.check_range` with this problem's data (collective).

        Args:
            x_min: Smallest nodal x_A (over all ranks).
            x_max: Largest nodal x_A.
            production: ∫R_A dx.
            potential_range: Range of the unknown μ (default: of :attr:`potential`).
            model: What else shapes x_A (named among the responsible data).
            advice: Extra advice for the refusal.
            maximum_principle: False when x_A may leave the data range (thermal diffusion).

        Returns:
            Warnings. Raises AdmissibilityError or EmcdResultError (see there).
        """
        if potential_range is None:
            potential_range = owned_range(self.potential)
        h_b = (
            {
                n: boundary_solubility(self.domain, n, self.solubility)
                for n, bc in self.boundary_conditions.items()
                if bc.is_dirichlet or isinstance(bc, MassTransfer)
            }
            if self.solubility
            else {}
        )
        return admissibility.check_range(
            x_min,
            x_max,
            msh=self.domain.mesh,
            degree=self.degree,
            conditions=self.boundary_conditions,
            dirichlet_ranges=self._dirichlet_ranges,
            boundary_solubility=h_b,
            region_solubility=self.solubility,
            production=production,
            inventory=self.inventory_mole_fraction if self.singular else None,
            potential_range=potential_range,
            model=model,
            advice=advice,
            maximum_principle=maximum_principle,
        )


def dirichlet_conditions(
    domain: Domain,
    V: fem.FunctionSpace,
    names: list[str],
    constants: Mapping[str, dict],
    solubility: Mapping[str, float] | None,
    facet_tags: dmesh.MeshTags | None = None,
) -> tuple[list[fem.DirichletBC], dict[str, tuple[float, float]]]:
    """Dirichlet conditions on the potential μ = x_A / H for the given boundaries.

    Args:
        domain: The domain.
        V: The potential's space (on the domain's mesh or on a block's submesh).
        names: Mole-fraction boundaries.
        constants: Boundary → the condition's bound values (``BoundaryCondition.bind``).
        solubility: Region → H (None: every H = 1).
        facet_tags: The facet tags on V's mesh (default: the domain's).

    Returns:
        The conditions and boundary → (min, max) of the prescribed x_A [-].

    Raises:
        AdmissibilityError: function data outside [0, 1].
    """
    msh = domain.mesh
    fdim = msh.topology.dim - 1
    tags = facet_tags if facet_tags is not None else domain.facet_tags
    bcs, ranges = [], {}
    for n in names:
        dofs = fem.locate_dofs_topological(V, fdim, tags.find(domain.boundaries[n]))
        h = boundary_solubility(domain, n, solubility) if solubility else 1.0
        value = constants[n]["value"]
        if isinstance(value, fem.Function):
            lo, hi = _global_range(msh.comm, value.x.array[dofs])
            if lo < 0.0 or hi > 1.0:
                raise AdmissibilityError(
                    f"boundary {n!r}: the prescribed mole fraction ranges over "
                    f"[{lo:.6g}, {hi:.6g}], outside [0, 1]; fix the function given as value"
                )
            if h != 1.0:
                value.x.array[:] /= h
            bcs.append(fem.dirichletbc(value, dofs))
        elif isinstance(value, fem.Constant):
            lo = hi = float(value.value)
            if h != 1.0:
                value = fem.Constant(msh, lo / h)
                constants[n]["potential"] = value
            bcs.append(fem.dirichletbc(value, dofs, V))
        else:
            raise EmcdInputError(
                f"boundary {n!r}: a mole_fraction value must be a number or a callable f(x)"
            )
        ranges[n] = (lo, hi)
    return bcs, ranges


def _global_range(comm: MPI.Comm, values: np.ndarray) -> tuple[float, float]:
    lo = float(values.min()) if values.size else np.inf
    hi = float(values.max()) if values.size else -np.inf
    return comm.allreduce(lo, op=MPI.MIN), comm.allreduce(hi, op=MPI.MAX)


def _complete_boundary_conditions(
    domain: Domain, boundary_conditions: Mapping[str, BoundaryCondition]
) -> dict[str, BoundaryCondition]:
    complete: dict[str, BoundaryCondition] = {}
    for name, bc in boundary_conditions.items():
        domain.boundary_tag(name)  # unknown names raise with a suggestion
        if not isinstance(bc, BoundaryCondition):
            raise EmcdInputError(
                f"boundary {name!r}: expected MoleFraction, MolarFlux, MassTransfer or "
                f"ZeroFlux, got {type(bc).__name__}"
            )
        complete[name] = bc
    for name in domain.boundaries:
        complete.setdefault(name, ZeroFlux())
    return complete


def solve_emcd(
    domain: Domain,
    materials: Mapping[str, Material],
    boundary_conditions: Mapping[str, BoundaryCondition],
    **options: Any,
) -> Solution:
    """Build an :class:`EMCDProblem` and solve it once (collective).

    Keyword arguments are those of :class:`EMCDProblem`.
    """
    return EMCDProblem(domain, materials, boundary_conditions, **options).solve()


__all__ = ["Balance", "EMCDProblem", "Solution", "solve_emcd"]
