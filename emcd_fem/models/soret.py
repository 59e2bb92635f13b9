"""Thermal diffusion (Soret) coupled to EMCD and, optionally, to steady heat conduction.

N_A = −c D (∇x_A + S_T x_A (1 − x_A) ∇T): S_T [1/K] > 0 drives A towards the cold side.
Kinetic theory puts the heavier species of typical gas pairs at the cold side, so S_T and
α_T = S_T T are negative when A is the lighter gas (He in He–Ar: α_T ≈ −0.39) and positive
when it is the heavier; ``emcd_fem.case.soret_sign`` warns when given data contradict that.
The species balance ∇·N_A = 0 is nonlinear in x_A (and in T through c(T), D(T), S_T(T));
it is solved with PETSc SNES (Newton with a backtracking line search, MUMPS LU inside)
through ``dolfinx.fem.petsc.NonlinearProblem``, starting from the isothermal EMCD solution.

The temperature is either prescribed (a number, a UFL expression or a Function, in K) or
solved from a :class:`~emcd_fem.models.thermal.HeatConductionProblem`, coupled in one of two ways:

* ``"staggered"`` (default): solve T, then Newton for x_A at that T; repeat until the
  largest relative change of T and the largest change of x_A between passes fall below
  ``coupling_tolerance`` (default 1e-10). Each step is the most robust solver for its
  field (a linear solve for T, Newton from the isothermal guess for x_A).
* ``"monolithic"``: one Newton iteration on the block system (x_A, T) with a block
  Jacobian (``kind="mpi"``), starting from the isothermal x_A and a uniform T.

The forms, the solve (both coupling schemes) and every check live in the composed
species-transport model (:class:`emcd_fem.models.transport.SpeciesTransportModel`); this
class is its thermal-diffusion facade.

Honest note: with k independent of x_A and no Dufour effect (heat flux driven by
concentration gradients, negligible in gases at these conditions), T does not feel the
species; the coupling is one-way and the staggered iteration converges in two passes (the
second confirms the first). Both schemes are kept so that x-dependent thermal properties
can be added without changing the interface, and they agree to solver tolerance (tested).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from dolfinx import fem

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import Material
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.thermal import ThermalSolution
from emcd_fem.models.thermal_support import (
    NEWTON_OPTIONS,
    TYPICAL_GAS_ALPHA_T,
    cell_peclet,
    check_temperature,
    prescribed_temperature,
    thermal_diagnostics,
)
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.physics.conditions import BoundaryCondition
from emcd_fem.physics.soret import TemperatureDependence, TransportFields, soret_fluxes


@dataclass(frozen=True)
class SoretSolution:
    """Result of a Soret solve.

    Attributes:
        mole_fraction: x_A (Lagrange).
        boundary_flux: Boundary → outward q_Γ: the reaction flux on Dirichlet boundaries,
            the data elsewhere (flux, k_c (x_A − x_∞), 0): exactly conservative.
        flux_split: Boundary → {"fickian": ..., "thermal": ...}: ∫ of each part of N_A·n,
            from the gradients (converges like the gradient, h^p; on a zero-flux boundary
            the two parts cancel up to that error).
        iterations: Newton iterations (summed over the passes of a staggered solve).
        reason: SNES converged reason (of the last Newton solve).
        residual_history: Residual norm per Newton iteration (last Newton solve).
        x_min: Smallest nodal x_A. x_max: Largest.
        balance: Relative species imbalance |Σ q_Γ| / Σ |q_Γ| (against 1e-6 of the flux
            scale when every flux is round-off: ``postprocess.relative_imbalance``).
        thermal_fraction: |N_thermal| / (|N_Fick| + |N_thermal|) in DG(p − 1), in [0, 1].
        alpha_t: Region → its volume mean of α_T = S_T(T, x_A) T at the solved T, x_A [-].
        notes: Remarks: α_T outside the range typical of gases, a cell Péclet number of the
            thermal drift above 1 (under-resolved, possibly oscillating x_A).
        cell_peclet: max |S_T ∇T| h / 2 over cells [-].
        temperature: T [K] (a Function when solved or given as one).
        heat: The heat-conduction result when T was solved.
        coupling: ``"prescribed"``, ``"staggered"`` or ``"monolithic"``.
        coupling_iterations: Staggered passes (1 otherwise).
        coupling_history: Largest change between staggered passes.
    """

    mole_fraction: fem.Function
    boundary_flux: dict[str, float]
    flux_split: dict[str, dict[str, float]]
    iterations: int
    reason: str
    residual_history: list[float]
    x_min: float
    x_max: float
    balance: float = 0.0
    thermal_fraction: fem.Function | None = None
    alpha_t: dict[str, float] | None = None
    notes: tuple[str, ...] = ()
    cell_peclet: float = 0.0
    temperature: Any = None
    heat: ThermalSolution | None = None
    coupling: str = "prescribed"
    coupling_iterations: int = 1
    coupling_history: list[float] = field(default_factory=list)


class SoretProblem:
    """Steady EMCD with thermal diffusion.

    Args:
        domain: The domain.
        materials: Region → material (c and D at the reference temperature).
        boundary_conditions: Boundary → species condition (as for
            :class:`~emcd_fem.EMCDProblem`).
        temperature: T [K]: a number, a UFL expression on the mesh or a Function (> 0), or a
            :class:`~emcd_fem.models.thermal.HeatConductionProblem` to solve.
        soret: Region → S_T [1/K] (regions not listed: 0).
        thermal_diffusion_factor: Region → α_T [-] (a number or a CompositionLaw of x_A),
            S_T = α_T/T (instead of ``soret``).
        temperature_dependence: Region → :class:`TemperatureDependence` (default: constant
            c and D).
        coupling: ``"staggered"`` (default) or ``"monolithic"`` when T is solved.
        coupling_tolerance: Staggered stopping tolerance on the change between passes.
        max_coupling_iterations: Staggered passes before giving up.
        degree: Lagrange degree of x_A.
        petsc_options: Overrides of the SNES/KSP options.

    Note:
        Collective on the mesh communicator.
    """

    def __init__(
        self,
        domain: Domain,
        materials: Mapping[str, Material],
        boundary_conditions: Mapping[str, BoundaryCondition],
        *,
        temperature: Any,
        soret: Mapping[str, float] | None = None,
        thermal_diffusion_factor: Mapping[str, Any] | None = None,
        temperature_dependence: Mapping[str, TemperatureDependence] | None = None,
        coupling: Literal["staggered", "monolithic"] = "staggered",
        coupling_tolerance: float = 1e-10,
        max_coupling_iterations: int = 20,
        degree: int = 1,
        petsc_options: Mapping[str, Any] | None = None,
    ) -> None:
        if temperature is None:
            raise EmcdInputError(
                "temperature must be a number [K], a UFL expression, a Function or a "
                "HeatConductionProblem, got NoneType"
            )
        self.model = SpeciesTransportModel(
            domain,
            materials,
            boundary_conditions,
            temperature=temperature,
            soret=soret,
            thermal_diffusion_factor=thermal_diffusion_factor,
            temperature_dependence=temperature_dependence,
            coupling=coupling,
            coupling_tolerance=coupling_tolerance,
            max_coupling_iterations=max_coupling_iterations,
            degree=degree,
            petsc_options=petsc_options,
        )
        self.domain = domain
        self.transport: TransportFields = self.model.transport
        self.heat = self.model.heat
        self.coupling = "prescribed" if self.heat is None else coupling
        self.temperature = self.model.temperature
        self.coupling_tolerance = coupling_tolerance
        self.max_coupling_iterations = int(max_coupling_iterations)
        # no partition coefficients here: the potential is x_A itself (H = 1)
        self.mole_fraction: fem.Function = self.model.potentials[0]
        self.mole_fraction.name = "mole_fraction_A"
        self._fluxes = self.model.fluxes(self.mole_fraction)

    def solve(self) -> SoretSolution:
        """Solve (Newton, per pass when staggered); fluxes and their split (collective).

        Raises:
            EmcdSolverError: Newton or the staggered iteration failed.
            AdmissibilityError: flux data drove x_A out of [0, 1]
                (:func:`emcd_fem.post.admissibility.check_range`).
            EmcdResultError: x_A out of [0, 1] by more than the discretisation explains.
        """
        solution = self.model.solve()
        return SoretSolution(
            mole_fraction=self.mole_fraction,
            boundary_flux=solution.boundary_flux,
            flux_split=solution.flux_split,
            iterations=solution.iterations,
            reason=solution.reason,
            residual_history=solution.residual_history,
            x_min=solution.x_min,
            x_max=solution.x_max,
            balance=solution.balance,
            thermal_fraction=solution.thermal_fraction,
            alpha_t=solution.alpha_t,
            notes=solution.warnings,
            cell_peclet=solution.cell_peclet,
            temperature=solution.temperature,
            heat=solution.heat,
            coupling=solution.coupling,
            coupling_iterations=solution.coupling_iterations,
            coupling_history=solution.coupling_history,
        )


__all__ = [
    "NEWTON_OPTIONS",
    "TYPICAL_GAS_ALPHA_T",
    "SoretProblem",
    "SoretSolution",
    "TemperatureDependence",
    "cell_peclet",
    "check_temperature",
    "prescribed_temperature",
    "soret_fluxes",
    "thermal_diagnostics",
]
