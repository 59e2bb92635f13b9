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

from emcd_fem import solver as solver_mod
from emcd_fem.boundary import BoundaryCondition, MassTransfer, MolarFlux, ZeroFlux
from emcd_fem.domain import Domain
from emcd_fem.errors import AdmissibilityError, EmcdInputError
from emcd_fem.materials import Material, MaterialFields, assign_materials, check_regions
from emcd_fem.partition import boundary_solubility, region_solubilities
from emcd_fem.physics.emcd import emcd_forms, molar_flux
from emcd_fem.physics.emcd import mole_fraction as mole_fraction_of
from emcd_fem.postprocess import integrate, owned_range, partition_boundary_dofs, reaction_fluxes
from emcd_fem.quadrature import curved_degree_warning, pin_quadrature, restrict_to

logger = logging.getLogger("emcd_fem")

#: Relative tolerance of the balance check for flux-only problems:
#: |Σ_Γ q_Γ − ∫R dx| <= BALANCE_RTOL * (Σ_Γ |q_Γ| + |∫R dx|).
BALANCE_RTOL: float = 1e-9

_problem_ids = itertools.count()


@dataclass(frozen=True)
class Balance:
    """Global species balance Σ_Γ q_Γ = ∫ R dx.

    Attributes:
        net_outflow: Σ_Γ q_Γ over all boundaries.
        production: ∫ R_A dx.
        relative: |net_outflow − production| / (Σ|q_Γ| + |production|), 0 when all vanish.
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
        petsc_options: PETSc options merged over :func:`~emcd_fem.solver.default_petsc_options`.

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
        bcs, self._dirichlet_ranges = _dirichlet_conditions(
            domain, V, self.dirichlet_names, self._constants, self.solubility
        )
        self.singular = not any(
            bc.is_dirichlet or isinstance(bc, MassTransfer)
            for bc in self.boundary_conditions.values()
        )
        # Compiled post-processing forms (once per problem), each integral with the
        # quadrature rule of the solve (see emcd_fem.quadrature): the balance closes to
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
            flux = _tested_residual(bilinear, linear, "exterior_facet", tag, self.potential, one)
            if flux is None:  # no boundary term: zero flux (as the data say)
                flux = bc.outward_flux(x_expr, self._constants[n]) * ds(tag)
            self._data_flux_forms[n] = fem.form(flux)
        production = _tested_residual(None, linear, "cell", "everywhere", self.potential, one)
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

    def _check_flux_only(self, inventory: float | None) -> None:
        names = sorted(self._data_flux_forms)
        if inventory is None:
            raise EmcdInputError(
                "every boundary prescribes a flux, so the mole fraction is fixed only up to a "
                "constant: give inventory_mole_fraction (the mean mole fraction of A, "
                "∫c x_A dx / ∫c dx) or make one boundary a mole_fraction or mass_transfer "
                f"boundary (boundaries: {names})"
            )
        if not (isinstance(inventory, int | float) and 0.0 <= inventory <= 1.0):
            raise AdmissibilityError(
                f"inventory_mole_fraction = {inventory!r} must be a mole fraction in [0, 1]"
            )
        flux = {n: integrate(f) for n, f in self._data_flux_forms.items()}
        production = integrate(self._production_form)
        net = sum(flux.values())
        scale = sum(abs(v) for v in flux.values()) + abs(production)
        if abs(net - production) > BALANCE_RTOL * scale:
            detail = ", ".join(f"{n}: {v:.6g}" for n, v in flux.items() if v != 0.0)
            raise AdmissibilityError(
                "the prescribed fluxes admit no steady state: every boundary prescribes a "
                f"flux and the total outflow {net:.6g} differs from the production "
                f"{production:.6g} (relative {abs(net - production) / scale:.2e} > "
                f"{BALANCE_RTOL:g}); integrated outward fluxes: {{{detail}}}. Make the "
                "outward fluxes (times their boundary areas) sum to the production, or "
                "replace one flux boundary by a mole_fraction boundary."
            )

    # -- solve ----------------------------------------------------------------------
    def solve(self) -> Solution:
        """Solve, compute boundary fluxes and check the result (collective).

        Raises:
            EmcdSolverError: the linear solver failed.
            AdmissibilityError: flux data drove x_A out of [0, 1].
        """
        last: dict[str, Any] = {}

        def flux_scale() -> float:  # Σ|q_Γ| + |∫R dx| of the current solution
            last["fluxes"], last["production"] = self._fluxes()
            return sum(abs(v) for v in last["fluxes"].values()) + abs(last["production"])

        report = solver_mod.solve_linear(
            self._linear_problem, what="mole fraction", flux_scale=flux_scale
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
        scale = sum(abs(v) for v in fluxes.values()) + abs(production)
        balance = Balance(
            net_outflow=net,
            production=production,
            relative=abs(net - production) / scale if scale > 0 else 0.0,
        )
        x_min, x_max = owned_range(x)
        warnings = self._check_range(x_min, x_max, production)
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

    def _check_range(self, x_min: float, x_max: float, production: float) -> list[str]:
        msh = self.domain.mesh
        if self.solubility and (x_min < -1e-9 or x_max > 1 + 1e-9):
            raise AdmissibilityError(
                f"the partition coefficients push the mole fraction to [{x_min:.6g}, "
                f"{x_max:.6g}], outside [0, 1] (x_A = H μ with H per region: "
                f"{ {r: round(h, 6) for r, h in self.solubility.items()} }): the data are not "
                "consistent with a binary mixture; check the partition coefficients and the "
                "boundary mole fractions"
            )
        if self.solubility:  # the maximum principle holds for μ, not for the jumping x_A
            return []
        flux_data = [
            n
            for n, bc in self.boundary_conditions.items()
            if isinstance(bc, MolarFlux) and bc.value != 0.0
        ]
        if production != 0.0:
            flux_data.append("source")
        if not flux_data:
            # Maximum principle: x_h outside the data range is discretisation error only.
            data = [v for lo_hi in self._dirichlet_ranges.values() for v in lo_hi]
            data += [
                bc.ambient
                for bc in self.boundary_conditions.values()
                if isinstance(bc, MassTransfer)
            ]
            if self.singular:
                data.append(self.inventory_mole_fraction)
            lo, hi = min(data), max(data)
            if x_min < lo - 1e-9 or x_max > hi + 1e-9:  # beyond iterative-solver noise
                message = (
                    f"the discrete mole fraction [{x_min:.6g}, {x_max:.6g}] overshoots the data "
                    f"range [{lo:g}, {hi:g}]; the exact solution obeys the maximum principle, so "
                    "this is discretisation error (P2 or obtuse cells): refine the mesh"
                )
                logger.warning(message)
                return [message]
            return []
        tdim = msh.topology.dim
        n_cells = msh.topology.index_map(tdim).size_local
        h_local = msh.h(tdim, np.arange(n_cells, dtype=np.int32)).max(initial=0.0)
        h = msh.comm.allreduce(float(h_local), op=MPI.MAX)
        coords = msh.geometry.x[:, : msh.geometry.dim]
        lo_c, hi_c = np.empty(msh.geometry.dim), np.empty(msh.geometry.dim)
        msh.comm.Allreduce(coords.min(axis=0), lo_c, op=MPI.MIN)
        msh.comm.Allreduce(coords.max(axis=0), hi_c, op=MPI.MAX)
        diameter = float(np.linalg.norm(hi_c - lo_c))
        tol = 1e-9 + (h / diameter) ** (self.degree + 1)
        if x_min >= -tol and x_max <= 1.0 + tol:
            return []
        culprits = [
            f"{n!r} ({self.boundary_conditions[n].describe()})" if n != "source" else "the source"
            for n in flux_data
        ]
        if self.singular:
            culprits.append(f"inventory_mole_fraction={self.inventory_mole_fraction:g}")
        bound = f"x_A = {x_max:.6g} > 1" if x_max > 1.0 + tol else f"x_A = {x_min:.6g} < 0"
        spread = x_max - x_min
        hint = (
            "the prescribed flux needs a mole-fraction difference of "
            f"{spread:.4g} > 1 across the domain (in 1D: |q| <= c D / L)"
            if spread > 1.0
            else "shift the data (inventory or boundary mole fractions) so that the profile "
            "fits in [0, 1] (in 1D: 0 <= x_0 - q L/(c D) <= 1)"
        )
        raise AdmissibilityError(
            f"inadmissible flux data: the solution reaches {bound} (tolerance {tol:.1e}); "
            f"responsible data: {', '.join(culprits)}; {hint}. Lower the flux magnitude."
        )


def _tested_residual(
    bilinear: ufl.Form | None,
    linear: ufl.Form,
    integral_type: str,
    subdomain: object,
    solution: fem.Function,
    one: fem.Function,
) -> ufl.Form | None:
    """a(x_h, 1) − L(1) restricted to one integral type and subdomain (``None`` if empty).

    On a boundary this is the outward flux the solve imposed there (with its quadrature);
    over the cells with ``bilinear=None`` it is minus the production ∫R dx.
    """
    parts = []
    a_part = restrict_to(bilinear, integral_type, subdomain) if bilinear is not None else None
    if a_part is not None:
        parts.append(ufl.action(ufl.action(a_part, solution), one))
    l_part = restrict_to(linear, integral_type, subdomain)
    if l_part is not None:
        parts.append(-ufl.action(l_part, one))
    if not parts:
        return None
    return sum(parts[1:], parts[0])


def _dirichlet_conditions(
    domain: Domain,
    V: fem.FunctionSpace,
    names: list[str],
    constants: Mapping[str, dict],
    solubility: Mapping[str, float] | None,
) -> tuple[list[fem.DirichletBC], dict[str, tuple[float, float]]]:
    """Dirichlet conditions on the potential μ = x_A / H for the given boundaries."""
    msh = domain.mesh
    fdim = msh.topology.dim - 1
    bcs, ranges = [], {}
    for n in names:
        dofs = fem.locate_dofs_topological(V, fdim, domain.facet_tags.find(domain.boundaries[n]))
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
