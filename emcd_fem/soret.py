"""Thermal diffusion (Soret) coupled to EMCD and, optionally, to steady heat conduction.

N_A = −c D (∇x_A + S_T x_A (1 − x_A) ∇T): S_T [1/K] > 0 drives A towards the cold side.
Kinetic theory puts the heavier species of typical gas pairs at the cold side, so S_T and
α_T = S_T T are negative when A is the lighter gas (He in He–Ar: α_T ≈ −0.39) and positive
when it is the heavier; ``emcd_fem.case.soret_sign`` warns when given data contradict that.
The species balance ∇·N_A = 0 is nonlinear in x_A (and in T through c(T), D(T), S_T(T));
it is solved with PETSc SNES (Newton with a backtracking line search, MUMPS LU inside)
through ``dolfinx.fem.petsc.NonlinearProblem``, starting from the isothermal EMCD solution.

The temperature is either prescribed (a number, a UFL expression or a Function, in K) or
solved from a :class:`~emcd_fem.thermal.HeatConductionProblem`, coupled in one of two ways:

* ``"staggered"`` (default): solve T, then Newton for x_A at that T; repeat until the
  largest relative change of T and the largest change of x_A between passes fall below
  ``coupling_tolerance`` (default 1e-10). Each step is the most robust solver for its
  field (a linear solve for T, Newton from the isothermal guess for x_A).
* ``"monolithic"``: one Newton iteration on the block system (x_A, T) with a block
  Jacobian (``kind="mpi"``), starting from the isothermal x_A and a uniform T.

Honest note: with k independent of x_A and no Dufour effect (heat flux driven by
concentration gradients, negligible in gases at these conditions), T does not feel the
species; the coupling is one-way and the staggered iteration converges in two passes (the
second confirms the first). Both schemes are kept so that x-dependent thermal properties
can be added without changing the interface, and they agree to solver tolerance (tested).
"""

import itertools
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mpi4py import MPI

import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem

from emcd_fem import progress
from emcd_fem.agreement import checkpoint
from emcd_fem.callback_guard import guarded_callbacks
from emcd_fem.errors import AdmissibilityError, EmcdInputError, EmcdSolverError
from emcd_fem.materials import Material
from emcd_fem.mesh.domain import Domain
from emcd_fem.mesh.quadrature import pin_quadrature, tested_residual
from emcd_fem.physics.conditions import BoundaryCondition
from emcd_fem.physics.soret import (
    TemperatureDependence,
    TransportFields,
    soret_fluxes,
    transport_fields,
)
from emcd_fem.post.integrals import (
    flux_scale,
    integrate,
    owned_range,
    reaction_fluxes,
    relative_imbalance,
)
from emcd_fem.problem import EMCDProblem
from emcd_fem.thermal import HeatConductionProblem, ThermalSolution

_logger = logging.getLogger("emcd_fem")

_ids = itertools.count()

#: Thermal diffusion factors of common gas pairs near 300 K (kinetic theory): 0.06 (N2–CO2)
#: to 0.4 (He–Ar); outside this range a note is added to the solution.
TYPICAL_GAS_ALPHA_T = (0.05, 0.45)
_REASONS = {
    v: k
    for k, v in vars(__import__("petsc4py.PETSc", fromlist=["PETSc"]).SNES.ConvergedReason).items()
    if isinstance(v, int)
}
NEWTON_OPTIONS = {
    "snes_type": "newtonls",
    "snes_linesearch_type": "bt",
    "snes_rtol": 1e-12,
    "snes_atol": 1e-14,
    "snes_max_it": 50,
    "ksp_type": "preonly",
    "pc_type": "lu",
    "pc_factor_mat_solver_type": "mumps",
}


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
        alpha_t: Region → thermal diffusion factor α_T = S_T T at the region's mean T [-].
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
            :class:`~emcd_fem.thermal.HeatConductionProblem` to solve.
        soret: Region → S_T [1/K] (regions not listed: 0).
        thermal_diffusion_factor: Region → α_T [-], S_T = α_T/T (instead of ``soret``).
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
        thermal_diffusion_factor: Mapping[str, float] | None = None,
        temperature_dependence: Mapping[str, TemperatureDependence] | None = None,
        coupling: Literal["staggered", "monolithic"] = "staggered",
        coupling_tolerance: float = 1e-10,
        max_coupling_iterations: int = 20,
        degree: int = 1,
        petsc_options: Mapping[str, Any] | None = None,
    ) -> None:
        if coupling not in ("staggered", "monolithic"):
            raise EmcdInputError(f"coupling must be 'staggered' or 'monolithic', got {coupling!r}")
        if not coupling_tolerance > 0:
            raise EmcdInputError(f"coupling_tolerance must be > 0, got {coupling_tolerance!r}")
        # the isothermal problem: validation, Dirichlet data, initial guess
        self._emcd = EMCDProblem(domain, materials, boundary_conditions, degree=degree)
        self._conductance = max(m.concentration * m.diffusivity for m in materials.values())
        self.domain = domain
        msh = domain.mesh
        self.transport: TransportFields = transport_fields(
            domain,
            materials,
            dict(soret or {}),
            dict(thermal_diffusion_factor or {}),
            dict(temperature_dependence or {}),
        )
        self.heat: HeatConductionProblem | None = None
        self.coupling = "prescribed"
        if isinstance(temperature, HeatConductionProblem):
            if temperature.domain is not domain:
                raise EmcdInputError("the heat problem must be built on the same domain")
            self.heat, self.coupling = temperature, coupling
            temperature = temperature.temperature
        else:
            temperature = _prescribed_temperature(msh, temperature)
        self.temperature = temperature
        self.coupling_tolerance = coupling_tolerance
        self.max_coupling_iterations = int(max_coupling_iterations)

        x = self._emcd.potential
        self.mole_fraction = x
        w = ufl.TestFunction(x.function_space)
        fick, thermal = soret_fluxes(x, temperature, self.transport)
        F = ufl.inner(-(fick + thermal), ufl.grad(w)) * domain.dx
        emcd = self._emcd
        for name, bc in emcd.boundary_conditions.items():
            ds_b = domain.ds(domain.boundaries[name])
            k = emcd._constants[name]
            lhs, rhs = bc.lhs(x, w, ds_b, k), bc.rhs(w, ds_b, k)
            F += (lhs if lhs is not None else 0) - (rhs if rhs is not None else 0)
        F = pin_quadrature(F)  # Newton and the flux post-processing: the same rules
        one = fem.Function(x.function_space)
        one.x.array[:] = 1.0
        self._data_flux_forms = {}  # boundaries with flux data: F's own boundary term
        for name, bc in emcd.boundary_conditions.items():
            if not bc.is_dirichlet:
                tag = domain.boundaries[name]
                flux = tested_residual(None, -F, "exterior_facet", tag, x, one)
                self._data_flux_forms[name] = (
                    fem.form(flux) if flux is not None else emcd._data_flux_forms[name]
                )
        options = dict(NEWTON_OPTIONS) | dict(petsc_options or {})
        prefix = f"emcd_soret_{next(_ids)}_"
        if self.coupling == "monolithic":
            # scale the heat residual to the species one (c D ΔT/T vs k ΔT): Newton steps are
            # unchanged, but the line search and the stopping test weigh both equations
            a_T, L_T = self.heat.forms
            cd = max(m.concentration * m.diffusivity for m in materials.values())
            k_max = msh.comm.allreduce(
                float(self.heat.conductivity.x.array.max(initial=0.0)), op=MPI.MAX
            )
            scale = fem.Constant(msh, cd / (k_max * self.heat.initial_guess()))
            F_T = scale * (ufl.action(a_T, temperature) - L_T)
            self._problem = dolfinx.fem.petsc.NonlinearProblem(
                [F, F_T],
                [x, temperature],
                bcs=[*emcd._linear_problem.bcs, *self.heat.bcs],
                kind="mpi",
                petsc_options_prefix=prefix,
                petsc_options=options,
            )
        else:
            self._problem = dolfinx.fem.petsc.NonlinearProblem(
                F,
                x,
                bcs=emcd._linear_problem.bcs,
                petsc_options_prefix=prefix,
                petsc_options=options,
            )
        self._problem.solver.setConvergenceHistory()
        self._residual = fem.form(F)
        n = ufl.FacetNormal(msh)
        self._split_forms = {
            name: (
                fem.form(ufl.dot(fick, n) * domain.ds(tag)),
                fem.form(ufl.dot(thermal, n) * domain.ds(tag)),
            )
            for name, tag in domain.boundaries.items()
        }
        self._fluxes = (fick, thermal)

    # -- solving ------------------------------------------------------------------------
    def _newton(self) -> tuple[int, int, list[float]]:
        snes = self._problem.solver
        checkpoint(self.domain.comm, "Newton solve")
        newton = progress.bar(desc="Newton", unit="it", comm=self.domain.comm)

        log_residuals = self.domain.comm.rank == 0 and _logger.isEnabledFor(logging.INFO)

        def monitor(_snes, iteration: int, residual: float) -> None:
            newton.set_postfix_str(f"residual {residual:.2e}")
            if log_residuals:  # -v: Newton residual lines on rank 0
                _logger.info("  Newton iteration %d, residual norm %.3e", iteration, residual)
            if iteration:
                newton.update(1)

        snes.setMonitor(monitor)
        try:
            with guarded_callbacks(snes):  # a failing callback stops Newton on every rank
                self._problem.solve()
        finally:
            snes.cancelMonitor()
            newton.close()
        reason = snes.getConvergedReason()
        history = [float(r) for r in snes.getConvergenceHistory()[0]]
        if reason <= 0:
            raise EmcdSolverError(
                f"the Soret (Newton) solve did not converge: {_REASONS.get(reason, reason)} after "
                f"{snes.getIterationNumber()} iterations, last residual "
                f"{history[-1] if history else float('nan'):.3e}; reduce S_T or the "
                "temperature difference, refine the mesh, or try the other coupling scheme"
            )
        return snes.getIterationNumber(), reason, history

    def solve(self) -> SoretSolution:
        """Solve (Newton, per pass when staggered); fluxes and their split (collective).

        Raises:
            EmcdSolverError: Newton or the staggered iteration failed.
            AdmissibilityError: flux data drove x_A out of [0, 1]
                (:func:`emcd_fem.post.admissibility.check_range`).
            EmcdResultError: x_A out of [0, 1] by more than the discretisation explains.
        """
        # isothermal start (Newton converges in a few steps from here); its x_A is only a
        # guess, so its range is not judged
        self._emcd.solve(check_range=False)
        x, T = self.mole_fraction, self.temperature
        heat, passes, changes, iterations = None, 1, [], 0
        if self.coupling == "monolithic":
            T.x.array[:] = self.heat.initial_guess()
            for bc in self.heat.bcs:  # start from the boundary data: no residual there
                bc.set(T.x.array)
            iterations, reason, history = self._newton()
            heat = self.heat.post_process()
        elif self.coupling == "staggered":
            for passes in range(1, self.max_coupling_iterations + 1):
                previous = (T.x.array.copy(), x.x.array.copy())
                heat = self.heat.solve()
                _check_temperature(heat.t_min)
                its, reason, history = self._newton()
                iterations += its
                change = max(
                    _max_change(T.x.array, previous[0], relative=True, comm=T.function_space),
                    _max_change(x.x.array, previous[1], comm=x.function_space),
                )
                changes.append(change)
                if passes > 1 and change < self.coupling_tolerance:
                    break
            else:
                raise EmcdSolverError(
                    f"the staggered T–x_A iteration did not converge in "
                    f"{self.max_coupling_iterations} passes (last change {changes[-1]:.3e} > "
                    f"{self.coupling_tolerance:g}); use coupling = 'monolithic'"
                )
        else:
            iterations, reason, history = self._newton()
        x.x.scatter_forward()
        fluxes = reaction_fluxes(self._residual, self._emcd._dirichlet_dofs)
        split = {
            name: {"fickian": integrate(a), "thermal": integrate(b)}
            for name, (a, b) in self._split_forms.items()
        }
        # boundaries with flux data: the data (exactly conservative, like the reaction flux)
        fluxes |= {n: integrate(f) for n, f in self._data_flux_forms.items()}
        x_min, x_max = owned_range(x)
        peclet = self._cell_peclet()
        range_notes = self._emcd.check_range(
            x_min,
            x_max,
            0.0,
            potential_range=(x_min, x_max),
            model="the thermal diffusion (S_T, temperature gradient)",
            advice=f"the cell Péclet number of the thermal drift is {peclet:.3g} > 1: refine "
            "where T is steep"
            if peclet > 1
            else "",
            maximum_principle=False,  # x_A may leave the data range, not [0, 1]
        )
        balance = relative_imbalance(
            sum(fluxes.values()), 0.0, fluxes, flux_scale(self.domain, self._conductance)
        )
        fraction, alpha, notes = self._diagnostics()
        return SoretSolution(
            mole_fraction=x,
            boundary_flux=fluxes,
            flux_split=split,
            iterations=iterations,
            reason=_REASONS.get(reason, str(reason)),
            residual_history=history,
            x_min=x_min,
            x_max=x_max,
            balance=balance,
            thermal_fraction=fraction,
            alpha_t=alpha,
            notes=notes + tuple(range_notes),
            cell_peclet=peclet,
            temperature=T,
            heat=heat,
            coupling=self.coupling,
            coupling_iterations=passes,
            coupling_history=changes,
        )

    def _diagnostics(self) -> tuple[fem.Function, dict[str, float], tuple[str, ...]]:
        """Thermal-fraction field and α_T = S_T T per region (collective)."""
        from emcd_fem.post.fields import flux_space, interpolate_expression

        x, T = self.mole_fraction, self.temperature
        fick, thermal = self._fluxes
        tiny = 1e-300
        expr = ufl.sqrt(ufl.dot(thermal, thermal)) / (
            ufl.sqrt(ufl.dot(fick, fick)) + ufl.sqrt(ufl.dot(thermal, thermal)) + tiny
        )
        degree = flux_space(x).element.basix_element.degree
        space = fem.functionspace(x.function_space.mesh, ("DG", degree))
        fraction = interpolate_expression(expr, space, "thermal_fraction")
        alpha, notes = {}, []
        msh = x.function_space.mesh
        low, high = TYPICAL_GAS_ALPHA_T
        for region, tag in self.domain.regions.items():
            dx = self.domain.dx(tag)
            volume = integrate(fem.form(fem.Constant(msh, 1.0) * dx))
            alpha[region] = integrate(fem.form(self.transport.soret_of(T) * T * dx)) / volume
            if alpha[region] != 0 and not low <= abs(alpha[region]) <= high:
                notes.append(
                    f"region {region!r}: alpha_T = S_T T = {alpha[region]:.3g} is outside the "
                    f"range typical of gas pairs ({low}–{high}); fine for liquids and some "
                    "mixtures, check S_T for gases"
                )
        peclet = self._cell_peclet()
        if peclet > 1:
            notes.append(
                f"the cell Péclet number of the thermal drift, |S_T ∇T| h / 2, reaches "
                f"{peclet:.3g} > 1: the discrete x_A may oscillate; refine the mesh where "
                "the temperature gradient is steep"
            )
        return fraction, alpha, tuple(notes)

    def _cell_peclet(self) -> float:
        """Max over cells of |S_T(T) ∇T| h / 2: the drift-to-diffusion ratio per cell."""
        from emcd_fem.mesh.quadrature import cell_diameter
        from emcd_fem.post.fields import interpolate_expression

        msh = self.domain.mesh
        T = self.temperature
        drift = self.transport.soret_of(T) * ufl.grad(T)
        expr = ufl.sqrt(ufl.dot(drift, drift)) * cell_diameter(msh) / 2
        values = interpolate_expression(expr, fem.functionspace(msh, ("DG", 0)), "peclet")
        return msh.comm.allreduce(float(values.x.array.max(initial=0.0)), op=MPI.MAX)


def _prescribed_temperature(msh, temperature: Any) -> Any:
    """Number / UFL / Function → form coefficient, checked > 0 at the P1 nodes."""
    if isinstance(temperature, ufl.constantvalue.ScalarValue):
        temperature = float(temperature)  # e.g. 300 + 0*x simplified by UFL
    if isinstance(temperature, bool) or not isinstance(
        temperature, int | float | ufl.core.expr.Expr
    ):
        raise EmcdInputError(
            "temperature must be a number [K], a UFL expression, a Function or a "
            f"HeatConductionProblem, got {type(temperature).__name__}"
        )
    if isinstance(temperature, int | float):
        temperature = fem.Constant(msh, float(temperature))
    if isinstance(temperature, fem.Constant):
        t_min = float(temperature.value)
    elif isinstance(temperature, fem.Function):
        t_min, _ = owned_range(temperature)
    else:
        check = fem.Function(fem.functionspace(msh, ("Lagrange", 1)))
        points = check.function_space.element.interpolation_points
        check.interpolate(fem.Expression(temperature, points))
        t_min, _ = owned_range(check)
    _check_temperature(t_min)
    return temperature


def _check_temperature(t_min: float) -> None:
    if not t_min > 0:
        raise AdmissibilityError(
            f"the temperature field reaches {t_min:g} K <= 0: temperatures are absolute (K)"
        )


def _max_change(new: np.ndarray, old: np.ndarray, *, comm, relative: bool = False) -> float:
    """Largest |new − old| (relative to max |new|) over all ranks."""
    comm = comm.mesh.comm
    local = np.array([np.abs(new - old).max(initial=0.0), np.abs(new).max(initial=0.0)])
    total = np.zeros_like(local)
    comm.Allreduce(local, total, op=MPI.MAX)
    return float(total[0] / total[1]) if relative and total[1] > 0 else float(total[0])


__all__ = ["SoretProblem", "SoretSolution", "TemperatureDependence", "soret_fluxes"]
