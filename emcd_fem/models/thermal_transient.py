"""Transient heat conduction ρ c_p ∂T/∂t − ∇·(k ∇T) = Q on a steady heat problem's terms.

:class:`TransientHeat` takes a :class:`~emcd_fem.models.thermal.HeatConductionProblem`
(conductivity, conditions, source, contact resistances, Lagrange or SIPG discretisation)
and adds the storage term ∫ ρ c_p (∂T/∂t) w dx (``emcd_fem.physics.heat``) with ∂T/∂t the
variable-step BDF difference a0 T^{n+1} + a1 T^n + a2 T^{n−1}
(``emcd_fem.solvers.time_stepping.bdf_coefficients``). It does not march by itself: the
species model's time loop (``emcd_fem.models.transient``) calls :meth:`TransientHeat.solve`
at the start of each step, so T and x_A share one step sequence and one step acceptance.

Boundary data may depend on time and position: ``boundary_values[name](x, t)`` gives the
temperature (``Temperature``), outward heat flux (``HeatFlux``) or ambient temperature
(``Convective``) of that boundary at the points x (shape (3, n), m) and time t [s]; it is
interpolated into the temperature space at every step (exact at the nodes of a Dirichlet
boundary). Each step is one linear solve (MUMPS LU by default); the matrix and its
factorization are reused while a0 (hence dt and the order) is unchanged.

Boundary heat flows are the solve's own residual: the reaction of the transient residual
on Lagrange Dirichlet boundaries, a(T, 1) − L(1) on the others, so the energy balance
d/dt ∫ρ c_p T dx + Σ Q_Γ − ∫Q dx (d/dt: the scheme's own difference) closes to round-off.
"""

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.errors import EmcdInputError, EmcdSolverError
from emcd_fem.mesh.quadrature import pin_quadrature, tested_residual
from emcd_fem.models.thermal import (
    Convective,
    HeatConductionProblem,
    HeatFlux,
    Temperature,
    positive_region_field,
)
from emcd_fem.physics.heat import heat_storage_term, thermal_energy_density
from emcd_fem.post.integrals import integrate, owned_range, partition_boundary_dofs, reaction_fluxes

_ids = itertools.count()

#: Which value of a condition a time-dependent boundary value replaces.
TIME_DEPENDENT_KEYS = {Temperature: "value", HeatFlux: "value", Convective: "ambient"}
#: Default linear solver of a step (direct: exact enough for 1 vs 2 ranks to 1e-10).
LU_OPTIONS = {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}


def heat_capacity_field(domain: Any, heat_capacity: Mapping[str, float]) -> fem.Function:
    """DG0 field of ρ c_p [J/(m^3 K)] from region → value; every region, finite and > 0."""
    return positive_region_field(
        domain,
        heat_capacity,
        "heat_capacity",
        "volumetric heat capacity",
        "J/(m^3 K)",
        "give rho*c_p [J/(m^3 K)] for every region (or none for a steady temperature)",
    )


class TransientHeat:
    """Transient heat conduction on a steady heat problem (collective on the mesh comm).

    Args:
        problem: The steady problem; its ``temperature`` Function is the unknown.
        heat_capacity: Region → ρ c_p [J/(m^3 K)] > 0, every region.
        boundary_values: Boundary → f(x, t) (see the module text) for time-dependent data.
        petsc_options: Linear-solver options (default: MUMPS LU).
    """

    def __init__(
        self,
        problem: HeatConductionProblem,
        heat_capacity: Mapping[str, float],
        *,
        boundary_values: Mapping[str, Callable[[np.ndarray, float], np.ndarray]] | None = None,
        petsc_options: Mapping[str, Any] | None = None,
    ) -> None:
        domain = problem.domain
        msh = domain.mesh
        self.problem, self.domain, self.comm = problem, domain, msh.comm
        self.temperature = T = problem.temperature
        V = T.function_space
        self.capacity = heat_capacity_field(domain, heat_capacity)
        self.previous = [fem.Function(V) for _ in range(2)]
        self.coefficients = [fem.Constant(msh, 0.0) for _ in range(3)]
        a, L = problem.forms
        # time-dependent data: the condition's Constant replaced by a Function on V
        self.boundary_values = dict(sorted((boundary_values or {}).items()))
        self._data: dict[str, fem.Function] = {}
        replace: dict[Any, Any] = {}
        bound = problem.bound_values
        for name in self.boundary_values:
            bc = problem.boundary_conditions.get(name)
            key = next((k for c, k in TIME_DEPENDENT_KEYS.items() if isinstance(bc, c)), None)
            if key is None:
                raise EmcdInputError(
                    f"time-dependent thermal value for boundary {name!r}: it needs a "
                    "temperature, heat_flux or convective condition"
                )
            function = fem.Function(V, name=f"{name}_{key}")
            old = bound[name][key]
            if isinstance(old, fem.Function):
                function = old  # a callable value: interpolated into V already
            else:
                replace[old] = function
            self._data[name] = function
        if replace:
            a, L = ufl.replace(a, replace), ufl.replace(L, replace)
        w, u = a.arguments() if a.arguments()[0].number() == 0 else a.arguments()[::-1]
        a0, a1, a2 = self.coefficients
        dx = domain.dx
        a_t = a + pin_quadrature(heat_storage_term(self.capacity, a0 * u, w, dx))
        L_t = L - pin_quadrature(
            heat_storage_term(self.capacity, a1 * self.previous[0] + a2 * self.previous[1], w, dx)
        )
        self._a, self._L = fem.form(a_t), fem.form(L_t)
        # strong Dirichlet conditions (Lagrange): the problem's, or on the new data
        fdim = msh.topology.dim - 1
        self.bcs = []
        dirichlet = []
        if not problem.discontinuous:
            for name, bc in problem.boundary_conditions.items():
                if not bc.is_dirichlet:
                    continue
                dirichlet.append(name)
                facets = domain.facet_tags.find(domain.boundaries[name])
                dofs = fem.locate_dofs_topological(V, fdim, facets)
                value = self._data.get(name, bound[name]["value"])
                extra = (V,) if isinstance(value, fem.Constant) else ()
                self.bcs.append(fem.dirichletbc(value, dofs, *extra))
        self._reaction = (
            (fem.form(ufl.action(a_t, T) - L_t), partition_boundary_dofs(V, domain, dirichlet))
            if dirichlet
            else None
        )
        one = fem.Function(V)
        one.x.array[:] = 1.0
        self._flow_forms = {}
        for name in problem.boundary_conditions:
            if name in dirichlet:
                continue
            tag = domain.boundaries[name]
            flow = tested_residual(a_t, L_t, "exterior_facet", tag, T, one)
            self._flow_forms[name] = None if flow is None else fem.form(flow)  # None: 0
        produced = tested_residual(None, L, "cell", "everywhere", T, one)
        self._source = None if produced is None else fem.form(-produced)  # None: no source
        self._energy = fem.form(thermal_energy_density(self.capacity, T) * dx)
        # the linear solver: the matrix is assembled again only when a0 changes
        self._A = dolfinx.fem.petsc.create_matrix(self._a)
        self._b = dolfinx.fem.petsc.create_vector(V)
        self._ksp = PETSc.KSP().create(self.comm)
        prefix = f"emcd_transient_heat_{next(_ids)}_"
        self._ksp.setOptionsPrefix(prefix)
        options = PETSc.Options()
        user = {k: v for k, v in (petsc_options or {}).items() if not k.startswith("snes")}
        chosen = dict(LU_OPTIONS) if not {"ksp_type", "pc_type"} & set(user) else {}
        for key, value in (chosen | user).items():
            options[prefix + key] = value
        self._ksp.setFromOptions()
        for key in chosen | user:
            del options[prefix + key]
        self._assembled_a0: float | None = None

    def set_time(self, t: float) -> None:
        """Evaluate the time-dependent boundary data at time t [s]."""
        for name, f in self.boundary_values.items():
            function = self._data[name]
            function.interpolate(lambda x, f=f: np.asarray(f(x, t), dtype=np.float64) + 0 * x[0])
            if not np.all(np.isfinite(function.x.array)):
                raise EmcdInputError(
                    f"thermal boundary {name!r}: the time-dependent value is not finite at "
                    f"t = {t:g} s"
                )

    def set_initial(
        self, value: float | Callable[[np.ndarray], np.ndarray] | str, t: float
    ) -> None:
        """Set T at the start time t [s]: a number [K], f(x) [K], or ``"steady"``.

        ``"steady"``: the steady solution −∇·(k∇T) = Q with the boundary data of time t.
        """
        T = self.temperature
        if isinstance(value, str):
            if value != "steady":
                raise EmcdInputError(f"initial temperature: unknown option {value!r}")
            self.set_time(t)
            self._solve((0.0, 0.0, 0.0))
        elif callable(value):
            T.interpolate(value)
        else:
            T.x.array[:] = float(value)
        T.x.scatter_forward()
        t_min, _ = owned_range(T)
        if not t_min > 0:
            raise EmcdInputError(
                f"the initial temperature reaches {t_min:g} K <= 0: temperatures are absolute (K)"
            )

    def _solve(self, a: tuple[float, float, float]) -> None:
        for constant, value in zip(self.coefficients, a, strict=True):
            constant.value = value
        if self._assembled_a0 is None or self._assembled_a0 != a[0]:
            self._A.zeroEntries()
            dolfinx.fem.petsc.assemble_matrix(self._A, self._a, bcs=self.bcs)
            self._A.assemble()
            self._ksp.setOperators(self._A)
            self._assembled_a0 = a[0]
        b = self._b
        with b.localForm() as local:
            local.set(0.0)
        dolfinx.fem.petsc.assemble_vector(b, self._L)
        dolfinx.fem.petsc.apply_lifting(b, [self._a], bcs=[self.bcs])
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        dolfinx.fem.petsc.set_bc(b, self.bcs)
        T = self.temperature
        self._ksp.solve(b, T.x.petsc_vec)
        reason = self._ksp.getConvergedReason()
        if reason <= 0:
            raise EmcdSolverError(f"the transient temperature solve failed (KSP reason {reason})")
        T.x.scatter_forward()
        t_min, _ = owned_range(T)
        if not t_min > 0:  # never march on with a meaningless T
            hint = (
                " (contact resistances: the SIPG discretisation needs cells of moderate "
                "aspect ratio; long thin cells make it unstable)"
                if self.problem.discontinuous
                else ""
            )
            raise EmcdSolverError(
                f"the transient temperature reached {t_min:.4g} K <= 0: the heat data remove "
                f"more heat than they supply, or the step is unstable{hint}"
            )

    def solve(self, a: tuple[float, float, float], previous: list[np.ndarray], t: float) -> None:
        """Solve the step to time t [s] (collective).

        Args:
            a: BDF coefficients (a0, a1, a2) [1/s].
            previous: Local arrays of T^n (and T^{n−1} for BDF2), newest first.
            t: The time at the end of the step [s].
        """
        for function, array in zip(self.previous, previous, strict=False):
            function.x.array[:] = array
        self.set_time(t)
        self._solve(a)

    def flows(self) -> dict[str, float]:
        """Boundary → outward heat flow ∫ q·n ds of the current T [W, W/m or W/m^2]."""
        flows = reaction_fluxes(*self._reaction) if self._reaction is not None else {}
        flows |= {n: 0.0 if f is None else integrate(f) for n, f in self._flow_forms.items()}
        return {n: flows[n] for n in self.problem.boundary_conditions}

    def energy(self) -> float:
        """Stored heat ∫ ρ c_p T dx [J, J/m or J/m^2] of the current T."""
        return integrate(self._energy)

    def production(self) -> float:
        """Heat released by the source ∫ Q dx [W, W/m or W/m^2]."""
        return 0.0 if self._source is None else integrate(self._source)

    def destroy(self) -> None:
        """Free the PETSc objects (collective)."""
        self._ksp.destroy()
        self._A.destroy()
        self._b.destroy()


def transient_heat(
    problem: HeatConductionProblem | None,
    transport: Any,
    heat_capacity: Mapping[str, float] | None,
    values: Mapping[str, Callable] | None,
    petsc_options: Mapping[str, Any] | None,
) -> TransientHeat | None:
    """The transient heat problem of a species model with a heat capacity, else None.

    Args:
        problem: The species model's heat problem (None: T prescribed or isothermal).
        transport: Its T-dependent transport fields (``physics.soret.TransportFields``).
        heat_capacity: Region → ρ c_p [J/(m^3 K)], or None/empty (T steady).
        values: Boundary → f(x, t): time-dependent thermal data (needs a heat capacity).
        petsc_options: Linear-solver options.

    Raises:
        EmcdInputError: data without a heat capacity, a heat capacity without a solved T,
            or an ideal-gas concentration (c(T) changing in time breaks EMCD).
    """
    if not heat_capacity:
        if values:
            raise EmcdInputError("time-dependent thermal values need a heat capacity")
        return None
    if problem is None:
        raise EmcdInputError(
            "a heat capacity needs a solved temperature (a HeatConductionProblem with thermal "
            "boundary conditions), not a prescribed one"
        )
    ideal = transport.ideal_gas.x.array
    if problem.domain.comm.allreduce(float(ideal.max(initial=0.0)), op=MPI.MAX) > 0:
        raise EmcdInputError(
            "a transient temperature with concentration_law = 'ideal_gas': c = P/(R T) then "
            "changes in time and the net molar flux N_A + N_B = −∫∂c/∂t is not zero, so EMCD "
            "does not hold; use a constant concentration or a steady temperature"
        )
    return TransientHeat(
        problem, heat_capacity, boundary_values=values, petsc_options=petsc_options
    )


__all__ = [
    "LU_OPTIONS",
    "TIME_DEPENDENT_KEYS",
    "TransientHeat",
    "heat_capacity_field",
    "transient_heat",
]
