"""Transient species transport: c ∂x_A/∂t + ∇·N_A = R_A on a steady model's terms.

:class:`TransientModel` adds the storage term c H ∂μ/∂t (``emcd_fem.physics.storage``) to
the residuals of a :class:`~emcd_fem.models.transport.SpeciesTransportModel` (every term of
the steady model: partition, films, sources, reactions, Soret with a prescribed or solved
steady T) and marches in time with BDF1 or variable-step BDF2 (``solvers.time_stepping``;
BE first), fixed or adaptive (first step's error by step doubling). Flux-only (closed)
problems need no inventory: the storage term makes every step's operator nonsingular, and
the inventory follows d/dt ∫c x_A dx = −Σ q_Γ + ∫R_A dx (build the steady model with
``closed=True``).

Solve per step: PETSc SNES on the block residuals. Without a temperature the problem is
linear: SNES ``ksponly`` (one linear solve, MUMPS LU by default) and the Jacobian with its
factorization is reused while dt (hence a0) is unchanged. With a temperature or a
nonlinear reaction rate: Newton each step. Boundary fluxes are the reaction (residual) form
on mole-fraction boundaries, so the balance d(inventory)/dt + Σ q_Γ − ∫R dx (∫R: sources
and reactions; reacting walls count in Σ q_Γ), with d/dt the scheme's own difference,
closes to solver tolerance. Mole-fraction and flux data may depend on t (``boundary_values``).

Transient temperature (``heat_capacity``): ρ c_p ∂T/∂t − ∇·(k∇T) = Q
(``models.thermal_transient``) is marched with the species, on one step sequence and one
step acceptance: each step solves T^{n+1} first (the same BDF formula), then x_A^{n+1}
with T^{n+1}. T does not depend on x_A (no Dufour effect, k and ρ c_p independent of x_A),
so this sequential solve is the BDF step of the coupled system itself: no splitting
error, the order is the scheme's (1 or 2). The error estimate covers T as well (judged
with rtol against |T| in K; atol is negligible there), the steady-state measure is the
larger of the two relative change rates. Without a heat capacity T is steady (solved
once, before the march).
"""

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.errors import EmcdInputError
from emcd_fem.interrupts import deferred_call
from emcd_fem.materials.partition import boundary_solubility
from emcd_fem.mesh.quadrature import pin_quadrature
from emcd_fem.models.assembly import jacobian, residuals
from emcd_fem.models.derived import boundary_fluxes
from emcd_fem.models.newton import newton_solve
from emcd_fem.models.stepping import StepHooks, attempt
from emcd_fem.models.thermal_support import NEWTON_OPTIONS, check_temperature
from emcd_fem.models.thermal_transient import transient_heat
from emcd_fem.models.transient_state import StepRecord, TransientState
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.physics.storage import capacity, inventory_density, storage_term
from emcd_fem.post.integrals import integrate, owned_range
from emcd_fem.solvers.time_stepping import (
    SCHEMES,
    StepControl,
    bdf_coefficients,
)

_ids = iter(range(1 << 30))


class TransientModel:
    """Time-dependent counterpart of a steady model (collective on the mesh communicator).

    Args:
        model: The steady model (its terms, blocks, conditions and temperature; a heat
            problem is solved here, once: T does not depend on x_A).
        scheme: ``"bdf1"`` (backward Euler) or ``"bdf2"`` (variable-step; BE for the first
            step, the first two when adaptive).
        boundary_values: Boundary → f(t) [s → -, or mol/(m^2 s)]: the mole-fraction or
            flux value of that boundary's condition at time t (constant in space).
        petsc_options: Overrides of the SNES/KSP options.
        heat_capacity: Region → ρ c_p [J/(m^3 K)] > 0 (every region): march T in time
            (needs the model's heat problem; set T with ``self.heat.set_initial`` before
            :meth:`initial_state`). None: T steady.
        temperature_values: Boundary → f(x, t) [K or W/m^2]: time-dependent thermal data
            (``models.thermal_transient``); needs ``heat_capacity``.
    """

    def __init__(
        self,
        model: SpeciesTransportModel,
        *,
        scheme: str = "bdf2",
        boundary_values: Mapping[str, Callable[[float], float]] | None = None,
        petsc_options: Mapping[str, Any] | None = None,
        heat_capacity: Mapping[str, float] | None = None,
        temperature_values: Mapping[str, Callable] | None = None,
    ) -> None:
        if model.singular:  # built with a steady inventory constraint: it would be ignored
            raise EmcdInputError(
                "a transient flux-only model gets its inventory from the initial state, not "
                "inventory_mole_fraction: build the steady model with closed=True"
            )
        if scheme not in SCHEMES:
            raise EmcdInputError(f"scheme must be one of {sorted(SCHEMES)}, got {scheme!r}")
        self.model, self.order = model, SCHEMES[scheme]
        self.scheme = scheme
        inputs = model.form_inputs
        domain, msh = model.domain, model.domain.mesh
        self.comm = msh.comm
        self.boundary_values = dict(boundary_values or {})
        for name in self.boundary_values:
            bc = model.conditions.get(name)
            if bc is None or not isinstance(inputs.constants[name].get("value"), fem.Constant):
                raise EmcdInputError(
                    f"time-dependent value for boundary {name!r}: it needs a mole_fraction or "
                    "flux condition with a number as value"
                )
        self.heat = transient_heat(
            model.heat, model.transport, heat_capacity, temperature_values, petsc_options
        )
        if model.heat is not None and self.heat is None:  # steady T first (T ⊥ x_A)
            check_temperature(model.heat.solve().t_min)
        us = model.potentials
        self.marched = [*us] + ([model.temperature] if self.heat is not None else [])
        self.previous = [[fem.Function(u.function_space) for u in us] for _ in range(2)]
        self.coefficients = [fem.Constant(msh, 0.0) for _ in range(3)]
        a0, a1, a2 = self.coefficients
        T = model.temperature
        c = model.fields.concentration if T is None else model.transport.concentration_of(T)
        tests = [ufl.TestFunction(b.space) for b in model.blocks]
        F = residuals(inputs, T, tests)
        inventory = 0
        for region, tag in sorted(domain.regions.items()):
            i = inputs.block_of[region]
            cap = capacity(c, model.fields.partition)
            rate = a0 * us[i] + a1 * self.previous[0][i] + a2 * self.previous[1][i]
            F[i] += storage_term(cap, rate, tests[i], domain.dx(tag))
            inventory += inventory_density(cap, us[i]) * domain.dx(tag)
        F = [pin_quadrature(f) for f in F]
        maps = inputs.entity_maps
        self._residuals = [fem.form(f, entity_maps=maps) for f in F]
        self._inventory = fem.form(pin_quadrature(inventory), entity_maps=maps)
        # known-zero integrals are not built (as the steady path): no source, no reactions
        self._production = (
            None if inputs.source is None else fem.form(pin_quadrature(model.source * domain.dx))
        )
        reactions = model.reactions  # ∫R_A dx and wall → ∫N_A·n ds, as in the residuals
        self._reacting, self._walls = (
            reactions.measured_forms(
                model.fields, us, inputs.block_of, maps, inputs.dS, inputs.interface_ids
            )
            if reactions is not None
            else (None, {})
        )
        self.linear = T is None and (reactions is None or reactions.linear)  # else Newton
        options = dict(NEWTON_OPTIONS)
        if self.linear:
            options["snes_type"] = "ksponly"
            del options["snes_linesearch_type"]
        options |= dict(petsc_options or {})
        J = jacobian(F, us, [ufl.TrialFunction(u.function_space) for u in us])
        single = len(us) == 1
        self.problem = deferred_call(
            dolfinx.fem.petsc.NonlinearProblem,
            F[0] if single else F,
            us[0] if single else us,
            bcs=model.dirichlet_bcs,
            J=J[0][0] if single else J,
            kind=None if single else "mpi",
            entity_maps=maps,
            petsc_options_prefix=f"emcd_transient_{next(_ids)}_",
            petsc_options=options,
        )
        self.problem.solver.setConvergenceHistory()
        self._assembled_a0: float | None = None
        if self.heat is not None:  # d/dt ∫ρ c_p T dx by the scheme's difference
            C, (T1, T2) = self.heat.capacity, self.heat.previous
            rate = C * (a0 * T + a1 * T1 + a2 * T2)
            self._heat_rate = fem.form(rate * domain.dx)
        self._solubility = {
            n: boundary_solubility(domain, n, model.solubility) for n in self.boundary_values
        }

    # -- state ----------------------------------------------------------------------------
    def potential_arrays(self) -> list[np.ndarray]:
        """Copies of the local arrays of the block potentials (and of a transient T)."""
        return [u.x.array.copy() for u in self.marched]

    def set_potentials(self, arrays: list[np.ndarray]) -> None:
        """Set the block potentials (and a transient T) from local arrays (ghosts updated)."""
        for u, a in zip(self.marched, arrays, strict=True):
            u.x.array[:] = a
            u.x.scatter_forward()

    def initial_state(self, t_start: float, dt: float) -> TransientState:
        """The state at t_start from the current potentials (set them first) [s]."""
        # the given field everywhere, Dirichlet nodes included: the first step's storage
        # there counts what entered through that boundary, so the inventory balances
        self.set_boundary_values(t_start)
        self.set_potentials(self.potential_arrays())
        if self.heat is not None and not owned_range(self.heat.temperature)[0] > 0:
            raise EmcdInputError(
                "the initial temperature is not set (or not > 0 K): call "
                "transient.heat.set_initial(value, t_start) before initial_state"
            )
        return TransientState(
            t=t_start,
            dt=dt,
            times=[t_start],
            states=[self.potential_arrays()],
            inventories=[integrate(self._inventory)],
        )

    def set_boundary_values(self, t: float) -> None:
        """Update the time-dependent boundary data to time t [s]."""
        for name, f in self.boundary_values.items():
            k = self.model.form_inputs.constants[name]
            value = float(f(t))
            if not np.isfinite(value):
                raise EmcdInputError(f"boundary {name!r}: the value at t = {t:g} s is {value}")
            k["value"].value = value
            if "potential" in k:
                k["potential"].value = value / self._solubility[name]

    # -- one step -------------------------------------------------------------------------
    def _solve_step(self, state: TransientState, dt: float, order: int) -> int:
        """Solve for t + dt from the stored states; returns the solver iterations."""
        past = state.times
        dt_previous = past[-1] - past[-2] if order == 2 else None
        a = bdf_coefficients(order, dt, dt_previous)
        for constant, value in zip(self.coefficients, a, strict=True):
            constant.value = value
        for slot, back in ((0, 1), (1, 2)):
            if len(state.states) >= back:
                for f, arr in zip(self.previous[slot], state.states[-back], strict=False):
                    f.x.array[:] = arr
        self.set_boundary_values(past[-1] + dt)
        snes = self.problem.solver
        if self.linear:  # reuse the Jacobian and its factorization while a0 is unchanged
            same = self._assembled_a0 is not None and np.isclose(
                self._assembled_a0, a[0], rtol=1e-14, atol=0.0
            )
            if not same:  # -2: rebuild once at the next solve, then never (PETSc lag)
                options = PETSc.Options(snes.getOptionsPrefix())
                options["snes_lag_jacobian"] = -2
                snes.setFromOptions()
                del options["snes_lag_jacobian"]
            self._assembled_a0 = a[0]
        self.set_potentials(state.states[-1])  # start from the last state
        if self.heat is not None:  # T^{n+1} first: the species step uses it
            self.heat.solve(a, [s[-1] for s in state.states[::-1][:order]], past[-1] + dt)
        iterations, _, _ = newton_solve(self.problem, self.comm)
        for u in self.model.potentials:
            u.x.scatter_forward()
        return iterations

    def _owned(self) -> np.ndarray:
        """The owned values of the block potentials (and a transient T), concatenated."""
        return self._stored([u.x.array for u in self.marched])

    def _stored(self, entry: list[np.ndarray]) -> np.ndarray:
        """The owned values of a stored state (block arrays), concatenated."""
        sizes = [u.function_space.dofmap.index_map.size_local for u in self.marched]
        return np.concatenate([a[:n] for a, n in zip(entry, sizes, strict=True)])

    def _record(
        self, state: TransientState, dt: float, order: int, ratio: float | None, rejected: int
    ) -> StepRecord:
        model = self.model
        fluxes = boundary_fluxes(
            model.domain,
            model.blocks,
            model.conditions,
            model.form_inputs.block_of_boundary,
            self._residuals,
            model.data_flux_forms,
        )
        inventory = integrate(self._inventory)
        a = [c.value.item() for c in self.coefficients]
        rate = a[0] * inventory + a[1] * state.inventories[-1]
        if order == 2:
            rate += a[2] * state.inventories[-2]
        production = sum(integrate(f) for f in (self._production, self._reacting) if f is not None)
        for name, form in self._walls.items():  # reacting walls: outward N_A·n
            fluxes[name] = fluxes.get(name, 0.0) + integrate(form)
        change = self._change_rate(state.states[-1], dt)
        heat: dict[str, Any] = {}
        if self.heat is not None:
            flows = self.heat.flows()
            balance = integrate(self._heat_rate) + sum(flows.values()) - self.heat.production()
            heat = {"heat_flow": flows, "heat_energy": self.heat.energy(), "heat_balance": balance}
        return StepRecord(
            step=state.step + 1,
            t=state.times[-1] + dt,
            dt=dt,
            boundary_flux=fluxes,
            inventory=inventory,
            inventory_rate=rate,
            production=production,
            balance=rate + sum(fluxes.values()) - production,
            error_ratio=ratio,
            rejected=rejected,
            change_rate=change,
            **heat,
        )

    def _change_rate(self, old: list[np.ndarray], dt: float) -> float:
        groups = [range(len(self.model.potentials))] + ([[len(self.marched) - 1]] * bool(self.heat))
        local = np.zeros(2 * len(groups))
        for g, members in enumerate(groups):  # species potentials; T (in K) on its own
            for i in members:
                u, o = self.marched[i], old[i]
                n = u.function_space.dofmap.index_map.size_local * u.function_space.dofmap.bs
                diff = np.abs(u.x.array[:n] - o[:n]).max(initial=0.0)
                local[2 * g] = max(local[2 * g], diff)
                local[2 * g + 1] = max(local[2 * g + 1], np.abs(u.x.array[:n]).max(initial=0.0))
        total = np.zeros_like(local)
        self.comm.Allreduce(local, total, op=MPI.MAX)
        return float(max(total[0::2] / (dt * np.maximum(total[1::2], 1e-300))))

    def step(
        self,
        state: TransientState,
        t_stop: float,
        control: StepControl | None,
    ) -> StepRecord:
        """Advance ``state`` by one accepted step, not beyond ``t_stop`` [s] (collective).

        With ``control`` (adaptive) a step whose error ratio exceeds 1 is repeated with a
        smaller dt; the next dt is stored in the state.

        Raises:
            EmcdSolverError: the solver failed, or dt fell below ``control.dt_min``.
        """
        hooks = StepHooks(self._solve_step, self.potential_arrays, self._owned, self._stored)
        step = attempt(state, t_stop, control, self.order, hooks, self.comm)
        record = self._record(state, step.dt, step.order, step.ratio, step.rejected)
        if step.landing:
            record = replace(record, t=t_stop)
        state.t = record.t
        state.step += 1
        state.times = [*state.times, record.t][-3:]
        state.states = [*state.states, self.potential_arrays()][-3:]
        state.inventories = [*state.inventories, record.inventory][-3:]
        state.records.append(record)
        if control is not None and step.ratio is not None:
            state.dt = control.next_step(step.dt, step.ratio, step.order)
        return record


__all__ = ["StepRecord", "TransientModel", "TransientState"]
