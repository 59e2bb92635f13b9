"""Thermal diffusion (Soret) coupled to EMCD, with a prescribed temperature field.

N_A = −c D (∇x_A + S_T x_A (1 − x_A) ∇T): S_T [1/K] > 0 drives A towards the cold side.
The species balance ∇·N_A = 0 is nonlinear in x_A and is solved with PETSc SNES (Newton
with a backtracking line search, MUMPS LU inside) through
``dolfinx.fem.petsc.NonlinearProblem``, starting from the isothermal EMCD solution.

This release takes T as given (a UFL expression or a Function, in K); solving heat
conduction and T-dependent properties are the next steps (see README).
"""

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dolfinx.fem.petsc
import ufl
from dolfinx import fem

from emcd_fem.boundary import BoundaryCondition
from emcd_fem.domain import Domain
from emcd_fem.errors import AdmissibilityError, EmcdInputError, EmcdSolverError
from emcd_fem.materials import Material
from emcd_fem.postprocess import integrate, owned_range, reaction_fluxes
from emcd_fem.problem import EMCDProblem

_ids = itertools.count()

#: Thermal diffusion factors of common gas pairs near 300 K (kinetic theory): 0.06 (N2–CO2)
#: to 0.4 (He–Ar); outside this range a note is added to the solution.
TYPICAL_GAS_ALPHA_T = (0.05, 0.45)
_REASONS = {
    v: k
    for k, v in vars(__import__("petsc4py.PETSc", fromlist=["PETSc"]).SNES.ConvergedReason).items()
    if isinstance(v, int)
}


def soret_fluxes(x, temperature, fields, soret) -> tuple[ufl.core.expr.Expr, ufl.core.expr.Expr]:
    """(Fickian, thermal-diffusion) parts of N_A [mol/(m^2 s)]."""
    cd = fields.concentration * fields.diffusivity
    return -cd * ufl.grad(x), -cd * soret * x * (1 - x) * ufl.grad(temperature)


@dataclass(frozen=True)
class SoretSolution:
    """Result of a Soret solve.

    Attributes:
        mole_fraction: x_A (Lagrange).
        boundary_flux: Boundary → outward q_Γ (reaction flux on Dirichlet boundaries).
        flux_split: Boundary → {"fickian": ..., "thermal": ...}: ∫ of each part of N_A·n.
        iterations: Newton iterations.
        reason: SNES converged reason.
        residual_history: Residual norm per Newton iteration.
        x_min: Smallest nodal x_A. x_max: Largest.
        thermal_fraction: |N_thermal| / (|N_Fick| + |N_thermal|) in DG(p − 1), in [0, 1].
        alpha_t: Region → thermal diffusion factor α_T = S_T T at the region's mean T [-].
        notes: Remarks, e.g. α_T outside the range typical of gases.
    """

    mole_fraction: fem.Function
    boundary_flux: dict[str, float]
    flux_split: dict[str, dict[str, float]]
    iterations: int
    reason: str
    residual_history: list[float]
    x_min: float
    x_max: float
    thermal_fraction: fem.Function | None = None
    alpha_t: dict[str, float] | None = None
    notes: tuple[str, ...] = ()


class SoretProblem:
    """Steady EMCD with thermal diffusion in a prescribed temperature field.

    Args:
        domain: The domain.
        materials: Region → material.
        boundary_conditions: Boundary → condition (as for :class:`~emcd_fem.EMCDProblem`).
        temperature: T [K]: a number, a UFL expression on the mesh or a Function; > 0.
        soret: Region → S_T [1/K] (regions not listed: 0).
        degree: Lagrange degree.
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
        soret: Mapping[str, float],
        degree: int = 1,
        petsc_options: Mapping[str, Any] | None = None,
    ) -> None:
        # the isothermal problem: validation, fields, Dirichlet data, initial guess
        self._emcd = EMCDProblem(domain, materials, boundary_conditions, degree=degree)
        self.domain, self.fields = domain, self._emcd.fields
        msh = domain.mesh
        for region, value in soret.items():
            domain.region_tag(region)
            if not (isinstance(value, int | float) and math.isfinite(value)):
                raise EmcdInputError(f"soret[{region!r}] must be a finite number, got {value!r}")
        self.soret = fem.Function(fem.functionspace(msh, ("DG", 0)), name="soret_coefficient")
        for region, value in soret.items():
            cells = domain.cell_tags.find(domain.regions[region])
            self.soret.x.array[self.soret.function_space.dofmap.list[cells, 0]] = value
        self.soret.x.scatter_forward()
        if isinstance(temperature, ufl.constantvalue.ScalarValue):
            temperature = float(temperature)  # e.g. 300 + 0*x simplified by UFL
        if isinstance(temperature, int | float):
            temperature = fem.Constant(msh, float(temperature))
        self.temperature = temperature
        if isinstance(temperature, fem.Constant):
            t_min = float(temperature.value)
        else:
            check = fem.Function(fem.functionspace(msh, ("Lagrange", 1)))
            points = check.function_space.element.interpolation_points
            check.interpolate(fem.Expression(temperature, points))
            t_min, _ = owned_range(check)
        if t_min <= 0:
            raise AdmissibilityError(f"the temperature field reaches {t_min:g} K <= 0")
        self._emcd.solve()  # isothermal start: Newton converges in a few steps from here
        x = self._emcd.potential
        self.mole_fraction = x
        w = ufl.TestFunction(x.function_space)
        fick, thermal = soret_fluxes(x, temperature, self.fields, self.soret)
        forms = self._emcd  # boundary terms from the EMCD problem's conditions
        F = ufl.inner(-(fick + thermal), ufl.grad(w)) * domain.dx
        for name, bc in forms.boundary_conditions.items():
            ds_b = domain.ds(domain.boundaries[name])
            k = forms._constants[name]
            lhs, rhs = bc.lhs(x, w, ds_b, k), bc.rhs(w, ds_b, k)
            F += (lhs if lhs is not None else 0) - (rhs if rhs is not None else 0)
        options = {
            "snes_type": "newtonls",
            "snes_linesearch_type": "bt",
            "snes_rtol": 1e-12,
            "snes_atol": 1e-14,
            "snes_max_it": 50,
            "ksp_type": "preonly",
            "pc_type": "lu",
            "pc_factor_mat_solver_type": "mumps",
        }
        options.update(petsc_options or {})
        self._problem = dolfinx.fem.petsc.NonlinearProblem(
            F,
            x,
            bcs=forms._linear_problem.bcs,
            petsc_options_prefix=f"emcd_soret_{next(_ids)}_",
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

    def solve(self) -> SoretSolution:
        """Newton solve, fluxes and their Fickian/thermal split (collective)."""
        snes = self._problem.solver
        self._problem.solve()
        reason = snes.getConvergedReason()
        history = [float(r) for r in snes.getConvergenceHistory()[0]]
        if reason <= 0:
            raise EmcdSolverError(
                f"the Soret (Newton) solve did not converge: {_REASONS.get(reason, reason)} after "
                f"{snes.getIterationNumber()} iterations, last residual "
                f"{history[-1] if history else float('nan'):.3e}; reduce S_T or the "
                "temperature difference, or refine the mesh"
            )
        x = self.mole_fraction
        x.x.scatter_forward()
        fluxes = reaction_fluxes(self._residual, self._emcd._dirichlet_dofs)
        split = {
            name: {"fickian": integrate(a), "thermal": integrate(b)}
            for name, (a, b) in self._split_forms.items()
        }
        for name in self.domain.boundaries:
            fluxes.setdefault(name, split[name]["fickian"] + split[name]["thermal"])
        x_min, x_max = owned_range(x)
        if x_min < -1e-9 or x_max > 1 + 1e-9:
            raise AdmissibilityError(
                f"the thermal-diffusion solution leaves [0, 1]: x_A in [{x_min:.6g}, "
                f"{x_max:.6g}]; the Soret coefficient or temperature gradient is too large "
                "for these boundary data"
            )
        fraction, alpha, notes = self._diagnostics()
        return SoretSolution(
            thermal_fraction=fraction,
            alpha_t=alpha,
            notes=notes,
            mole_fraction=x,
            boundary_flux=fluxes,
            flux_split=split,
            iterations=snes.getIterationNumber(),
            reason=_REASONS.get(reason, str(reason)),
            residual_history=history,
            x_min=x_min,
            x_max=x_max,
        )

    def _diagnostics(self) -> tuple[fem.Function, dict[str, float], tuple[str, ...]]:
        """Thermal-fraction field and α_T = S_T T per region (collective)."""
        from emcd_fem.fields import flux_space, interpolate_expression

        x = self.mole_fraction
        fick, thermal = soret_fluxes(x, self.temperature, self.fields, self.soret)
        tiny = 1e-300
        expr = ufl.sqrt(ufl.dot(thermal, thermal)) / (
            ufl.sqrt(ufl.dot(fick, fick)) + ufl.sqrt(ufl.dot(thermal, thermal)) + tiny
        )
        space = fem.functionspace(
            x.function_space.mesh, ("DG", max(flux_space(x).element.basix_element.degree, 0))
        )
        fraction = interpolate_expression(expr, space, "thermal_fraction")
        alpha, notes = {}, []
        for region, tag in self.domain.regions.items():
            dx = self.domain.dx(tag)
            volume = integrate(fem.form(fem.Constant(x.function_space.mesh, 1.0) * dx))
            mean_t = integrate(fem.form(self.temperature * dx)) / volume
            s_t = integrate(fem.form(self.soret * dx)) / volume
            alpha[region] = s_t * mean_t
            low, high = TYPICAL_GAS_ALPHA_T
            if s_t != 0 and not low <= abs(alpha[region]) <= high:
                notes.append(
                    f"region {region!r}: alpha_T = S_T T = {alpha[region]:.3g} is outside the "
                    f"range typical of gas pairs ({low}–{high}); fine for liquids and some "
                    "mixtures, check S_T for gases"
                )
        return fraction, alpha, tuple(notes)


__all__ = ["SoretProblem", "SoretSolution", "soret_fluxes"]
