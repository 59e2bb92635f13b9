"""The steady binary EMCD problem: validated inputs → forms → solve → fluxes.

Usage::

    domain = layered_slab([0.3, 0.4, 0.3], dim=2)
    bcs = {"left": MoleFraction(0.9), "right": MoleFraction(0.1)}
    problem = EMCDProblem(domain, materials, bcs)
    solution = problem.solve()
    solution.boundary_flux["right"]      # outward, mol/(m s) in 2D

:class:`EMCDProblem` (plain and partition coefficients, isothermal, flux-only with an
inventory) is a facade over the composed model
:class:`~emcd_fem.models.transport.SpeciesTransportModel`: the forms, the solve, the
fluxes, the balance and the checks are the model's; this class keeps the public API and
returns the :class:`~emcd_fem.models.solution.Solution` record.
"""

from collections.abc import Mapping
from typing import Any

import ufl
from dolfinx import fem

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import Material, MaterialFields
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.derived import judge_range
from emcd_fem.models.solution import Balance, Solution
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.physics.conditions import BoundaryCondition, ZeroFlux
from emcd_fem.physics.emcd import molar_flux
from emcd_fem.post import admissibility
from emcd_fem.post.integrals import integrate, owned_range

#: Relative tolerance of the balance check for flux-only problems (see
#: :data:`emcd_fem.post.admissibility.BALANCE_RTOL`).
BALANCE_RTOL: float = admissibility.BALANCE_RTOL


class EMCDProblem:
    """Steady binary equimolar counterdiffusion of A in B on a tagged domain.

    Complete on construction: inputs are validated, forms compiled and the PETSc solver
    set up; :meth:`solve` may be called repeatedly, e.g. after :meth:`update_materials`.

    Args:
        domain: Mesh with named regions and boundaries.
        materials: Region name → :class:`~emcd_fem.Material` for every region.
        boundary_conditions: Boundary name → condition; unnamed boundaries are zero-flux.
        degree: Lagrange degree (1, 2 or 3).
        source: Volumetric production rate of A, R_A [mol/(m^3 s)] (a number or a UFL
            expression on the mesh); default 0.
        inventory_mole_fraction: Mean mole fraction ∫c x_A dx / ∫c dx, required when every
            boundary prescribes a flux (it fixes the free constant) and ignored otherwise.
        partitions: (region a, region b) → K_ab = c_A,b / c_A,a at equilibrium [-].
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
        self.model = SpeciesTransportModel(
            domain,
            materials,
            self.boundary_conditions,
            partitions=partitions,
            source=source,
            inventory_mole_fraction=inventory_mole_fraction,
            degree=degree,
            petsc_options=petsc_options,
        )
        self.fields: MaterialFields = self.model.fields
        self.solubility = self.model.solubility if partitions else None
        self.source = self.model.source
        self.singular = self.model.singular
        self.inventory_mole_fraction = inventory_mole_fraction
        self.dirichlet_names = [n for n, bc in self.boundary_conditions.items() if bc.is_dirichlet]
        # the unknown: x_A itself, or the continuous potential μ (x_A = H μ) with partitions
        self.potential = self.model.potentials[0]
        self.potential.name = "potential" if partitions else "mole_fraction_A"
        self._partitioned = bool(partitions)
        self.mole_fraction: fem.Function = self.potential

    @property
    def _linear_problem(self) -> Any:
        """The model's assembled-once linear problem (compiled forms and solver)."""
        return self.model.linear_problem

    # -- inputs ---------------------------------------------------------------------
    def update_materials(self, materials: Mapping[str, Material]) -> None:
        """Change material values before the next :meth:`solve` (no recompilation)."""
        self.model.update_materials(materials)

    # -- solve ----------------------------------------------------------------------
    def solve(self, *, check_range: bool = True) -> Solution:
        """Solve, compute boundary fluxes and check the result (collective).

        Args:
            check_range: Judge x_A against [0, 1] (:meth:`check_range`); False for an
                intermediate solve.

        Raises:
            EmcdSolverError: the linear solver failed.
            AdmissibilityError: flux data drove x_A out of [0, 1].
            EmcdResultError: x_A out of [0, 1] by more than the discretisation explains.
        """
        solved = self.model.solve(check_range=check_range)
        if self._partitioned:  # x_A = H μ, discontinuous at the interfaces
            self.mole_fraction = solved.mole_fraction
        names = list(self.boundary_conditions)
        fluxes = {n: solved.boundary_flux[n] for n in names}
        return Solution(
            mole_fraction=self.mole_fraction,
            potential=self.potential,
            boundary_flux=fluxes,
            balance=solved.balance_record,
            x_min=solved.x_min,
            x_max=solved.x_max,
            solver=solved.solver,
            warnings=solved.warnings,
        )

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
            maximum_principle: False when x_A may leave the data range (thermal diffusion;
                reactions, which pull x_A towards their equilibria, set it False here).

        Returns:
            Warnings. Raises AdmissibilityError or EmcdResultError (see there).
        """
        reacting = self.model.reactions is not None
        return judge_range(
            self.domain,
            x_min,
            x_max,
            degree=self.degree,
            conditions=self.boundary_conditions,
            solubility=self.model.solubility,
            dirichlet_ranges=self.model.dirichlet_ranges,
            production=production,
            potential_range=potential_range or owned_range(self.potential),
            model=model,
            advice=advice,
            maximum_principle=maximum_principle and not reacting,
            inventory=self.inventory_mole_fraction if self.singular else None,
        )


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
