"""Transient n-species Maxwell–Stefan transport: c ∂x_i/∂t + ∇·N_i = R_i (issue 19).

:class:`TransientMaxwellStefan` adds the storage term ∫ c (a0 x + a1 x^n + a2 x^{n−1})·w dx
(the variable-step BDF1/BDF2 of :mod:`emcd_fem.solvers.time_stepping`) to the steady
residual of a :class:`~emcd_fem.models.multicomponent.MaxwellStefanModel` and advances
the n − 1 independent mole fractions with Newton; :meth:`step` has the interface
:func:`emcd_fem.models.march.march` drives (output times, adaptive steps, steady stop).

Only the zero-net-flux bootstrap (Σ N_i = 0) is admitted: summing the species equations
gives c ∂(Σ ν_i x_i)/∂t = 0, which holds for ν_i = 1 (Σ x_i = 1) and for no other ν at
uniform c — a stagnant or Graham bootstrap is a steady (quasi-steady) closure only. At
uniform T and P the molar-average velocity of a closed vessel (Loschmidt tube, two-bulb
cell) is zero, so Σ N_i = 0 is the physics there, not an approximation.

With thermal diffusion (``model.thermal``: T steady, solved once by conduction or
prescribed) the storage term and the inventories take the local c(T) of the steady model's
law (c = P/(R T) or constant per region, :mod:`emcd_fem.physics.thermal_maxwell_stefan`)
and the driving force is the steady one, ∇x + k_T ∇ln T, as the binary transient Soret path
(``models.transient``: storage with ``concentration_of(T)``). Summing the species
equations gives c ∂(Σ x_i)/∂t = 0 again; a closed vessel (T gradient, no composition
given) keeps every ∫ c(T) x_i dx and relaxes to the thermal-diffusion equilibrium
∇x_i = −k_T,i ∇ln T. Transient heat conduction is not coupled here.

Boundary fluxes are the reaction fluxes of the transient residual (storage included), so
each species' balance Σ_Γ q_Γ,i + dI_i/dt = P_i closes to solver tolerance, with
I_i = ∫ c x_i dx and dI_i/dt by the same BDF formula.
"""

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.errors import EmcdInputError
from emcd_fem.interrupts import deferred_call
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_films import MaxwellStefanFilmModel
from emcd_fem.models.multicomponent_thermal import thermal_quadrature_degree
from emcd_fem.models.newton import newton_solve
from emcd_fem.models.shared_nodes import inventory_weighted_values, region_nodes
from emcd_fem.models.stepping import StepHooks, attempt
from emcd_fem.models.transient import TransientState
from emcd_fem.physics import maxwell_stefan as ms
from emcd_fem.post.integrals import flux_scale
from emcd_fem.solvers.time_stepping import (
    SCHEMES,
    StepControl,
    bdf_coefficients,
)

_ids = itertools.count()
#: How far the initial mole fractions of a node may sum away from 1.
SUM_TOLERANCE: float = 1e-9


@dataclass(frozen=True)
class MulticomponentStepRecord:
    """One accepted step.

    Attributes:
        step: Step number. t: Time reached [s]. dt: Step [s].
        boundary_flux: Species → boundary → outward q [mol/s in 3D, per depth/area below].
        total_flux: Boundary → Σ_i q_i.
        inventory: Species → I_i = ∫ c x_i dx [mol in 3D].
        balance: Species → |Σ_Γ q_i + dI_i/dt − P_i| / (Σ_Γ |q_i| + Σ_k |a_k I_i^k| + |P_i|)
            (dI_i/dt = Σ_k a_k I_i^k, the BDF formula; its terms' sizes are the scale, so a
            closed vessel's dI/dt = 0 is judged against the inventory, not against 0).
        error_ratio: Local error / tolerance (adaptive steps), else None.
        rejected: Steps rejected before this one was accepted.
        change_rate: max |Δx| / (dt max |x|) [1/s] (steady when small).
    """

    step: int
    t: float
    dt: float
    boundary_flux: dict[str, dict[str, float]]
    total_flux: dict[str, float]
    inventory: dict[str, float]
    balance: dict[str, float]
    error_ratio: float | None
    rejected: int
    change_rate: float


class TransientMaxwellStefan:
    """Time-dependent Maxwell–Stefan transport (collective on the mesh communicator).

    Args:
        model: The steady model (mixtures, boundary compositions, sources, partitions) or
            the film model (one unknown per block, the films' terms in its residuals); its
            bootstrap must be zero net flux.
        scheme: ``"bdf1"`` (backward Euler) or ``"bdf2"`` (variable step, BE start).
        petsc_options: SNES/KSP options over the defaults (Newton, LU, rtol 1e-12).
    """

    def __init__(
        self,
        model: MaxwellStefanModel | MaxwellStefanFilmModel,
        *,
        scheme: str = "bdf2",
        petsc_options: dict[str, Any] | None = None,
    ) -> None:
        if model.bootstrap.kind != "zero_net_flux":
            raise EmcdInputError(
                f"transient Maxwell–Stefan needs bootstrap 'zero_net_flux' (Σ N_i = 0), got "
                f"{model.bootstrap.kind!r}: at uniform c the storage terms sum to "
                "c ∂(Σ ν_i x_i)/∂t, zero only for ν_i = 1"
            )
        if scheme not in SCHEMES:
            raise EmcdInputError(f"scheme must be one of {sorted(SCHEMES)}, got {scheme!r}")
        self.model, self.scheme, self.order = model, scheme, SCHEMES[scheme]
        domain, msh = model.domain, model.domain.mesh
        self.comm = msh.comm
        # one block (the whole mesh) or one per film-free group of regions (films)
        us, maps, single = model.unknowns, model.entity_maps, len(model.unknowns) == 1
        self.unknowns = us
        self.previous = [[fem.Function(u.function_space) for u in us] for _ in range(2)]
        self.coefficients = [fem.Constant(msh, 0.0) for _ in range(3)]
        a0, a1, a2 = self.coefficients
        # the local c: c(T) (P/(R T) or constant per region) with thermal diffusion, at the
        # thermal residual's quadrature (T is steady: a known field, as in the steady model)
        thermal = getattr(model, "thermal", None)
        c = model.concentration if thermal is None else thermal.concentration
        dx_all = domain.dx
        if thermal is not None:
            dx_all = domain.dx(
                metadata={"quadrature_degree": thermal_quadrature_degree(model.degree)}
            )
        measures = [
            [dx_all] if single else [dx_all(domain.regions[r]) for r in regions]
            for regions in model.block_regions
        ]
        F, xs = [], []
        for b, u in enumerate(us):
            p0, p1 = self.previous[0][b], self.previous[1][b]
            rate = model.mole_fractions_of(a0 * u + a1 * p0 + a2 * p1)
            w = ufl.TestFunction(u.function_space)
            storage = sum(c * ufl.inner(rate, w) * dx for dx in measures[b])
            F.append(model.block_residuals[b] + storage)
            xs.append(ms.all_mole_fractions(model.mole_fractions_of(u), model.bootstrap))
        self._residual = fem.form(F[0]) if single else [fem.form(f, entity_maps=maps) for f in F]
        self._inventory = [
            fem.form(
                sum(c * x[k] * dx for x, dxs in zip(xs, measures, strict=True) for dx in dxs),
                entity_maps=maps,
            )
            for k in range(len(model.species))
        ]
        local = max(
            float(np.max(model.concentration.x.array * d.x.array, initial=0.0))
            for d in model.diffusivity.values()
        )
        conductance = self.comm.allreduce(local, op=MPI.MAX)
        options = {
            "snes_type": "newtonls",
            "snes_linesearch_type": "bt",
            "snes_rtol": 1e-12,
            "snes_atol": 1e-14 * flux_scale(domain, conductance),
            "snes_max_it": 50,
            "ksp_type": "preonly",
            "pc_type": "lu",
            "pc_factor_mat_solver_type": "mumps",
        } | dict(petsc_options or {})
        prefix = f"emcd_ms_transient_{next(_ids)}_"
        if single:
            self.problem = deferred_call(
                dolfinx.fem.petsc.NonlinearProblem,
                F[0],
                us[0],
                bcs=model.dirichlet_bcs,
                petsc_options_prefix=prefix,
                petsc_options=options,
            )
        else:  # the film model's block Newton (Jacobian by UFL, MUMPS)
            self.problem = model.nonlinear_problem(F, model.dirichlet_bcs, options, prefix)

    def set_initial(self, mole_fractions: Callable[[np.ndarray], np.ndarray]) -> None:
        """Set x(t_start) from a function of points (3, N) → all n mole fractions (n, N)."""
        if self.model.solubility_field is not None:
            raise EmcdInputError(
                "with partition coefficients or films x jumps at interfaces: set the start per "
                "region "
                "(set_initial_by_region)"
            )
        ind = list(self.model.bootstrap.independent)
        self.model.x.interpolate(lambda p: np.asarray(mole_fractions(p), dtype=float)[ind])
        self.model.x.x.scatter_forward()

    def set_initial_by_region(
        self,
        compositions: Mapping[str, Callable[[np.ndarray], np.ndarray]],
        labels: Mapping[str, str] | None = None,
    ) -> None:
        """Set x(t_start) per region (collective): region → points (3, N) → all n x_i (n, N).

        Each region's start is stored as its potential μ_k = x_k/H_k (x itself without
        partitions). A node shared by regions takes the mean of their values weighted by
        w_r = ∫_{Ω_r} c H_k φ dx (:func:`~emcd_fem.models.shared_nodes.inventory_weighted_values`),
        so every species' initial inventory Σ_r ∫_{Ω_r} c x_{k,r} dx is exact for data the
        space represents (piecewise uniform starts: to round-off) whatever c, H and the mesh
        on either side; nodes outside the inventory (P2 triangle vertices) take the plain
        mean. Which regions touch a node is summed over every rank's owned cells, so the
        start does not depend on the partition.

        Args:
            compositions: Every region of the domain → its initial composition.
            labels: Region → the name used in error messages (e.g. a case key path).

        Raises:
            EmcdInputError: a region missing, or mole fractions outside [0, 1] or not
                summing to 1 (to 1e-9) at some node of a region (same verdict on every rank).
        """
        model, n = self.model, len(self.model.species)
        domain = model.domain
        missing = sorted(set(domain.regions) - set(compositions))
        if missing:
            raise EmcdInputError(f"initial composition: give one for the regions {missing}")
        labels = dict(labels or {})
        ind = list(model.bootstrap.independent)
        tdim = domain.mesh.topology.dim
        parent_tags = domain.local_cell_tags()
        storage = model.concentration * model.mole_fractions_of(ufl.as_vector([1.0] * (n - 1)))
        problems = []
        for b, u in enumerate(self.unknowns):
            V = u.function_space
            imap = V.dofmap.index_map
            nodes = imap.size_local + imap.num_ghosts
            cells = np.arange(V.mesh.topology.index_map(tdim).size_local, dtype=np.int32)
            emap = None if model.entity_maps is None else model.entity_maps[b]
            if emap is not None:  # a block's submesh: its cells' parent tags
                cells = emap.sub_topology_to_topology(cells, inverse=False)
            tags = parent_tags[cells]
            points = V.tabulate_dof_coordinates()[:nodes].T
            regions = {r: domain.regions[r] for r in model.block_regions[b]}
            touched, potentials = {}, {}
            for region, tag in regions.items():
                touched[region] = region_nodes(V, tags, tag)
                values = np.broadcast_to(
                    np.asarray(compositions[region](points), dtype=float), (n, nodes)
                ).T
                problem = _composition_problem(values[touched[region]], self.comm)
                if problem:
                    problems.append(f"{labels.get(region, f'region {region!r}')}: {problem}")
                potentials[region] = values[:, ind] / model.solubility[region]  # μ = x/H
            measures = [domain.dx] if emap is None else [domain.dx(t) for t in regions.values()]
            start = inventory_weighted_values(
                V, domain.mesh, storage, measures, parent_tags, regions, potentials, touched, emap
            )
            u.x.array.reshape(-1, n - 1)[:] = start
            u.x.scatter_forward()
        if problems:
            raise EmcdInputError("; ".join(problems))

    def initial_state(self, t_start: float, dt: float) -> TransientState:
        """The state at t_start from the current x (set it first); boundary data applied."""
        for u, bcs in zip(self.unknowns, self.model.bcs_by_block, strict=True):
            for bc in bcs:
                bc.set(u.x.array)
            u.x.scatter_forward()
        return TransientState(
            t=t_start,
            dt=dt,
            times=[t_start],
            states=[self._snapshot()],
            inventories=[self._inventories()],
        )

    def _inventories(self) -> np.ndarray:
        return np.array(
            [self.comm.allreduce(fem.assemble_scalar(f), op=MPI.SUM) for f in self._inventory]
        )

    def _owned(self) -> list[int]:
        return [
            u.function_space.dofmap.index_map.size_local * u.function_space.dofmap.index_map_bs
            for u in self.unknowns
        ]

    def _snapshot(self) -> list[np.ndarray]:
        return [u.x.array.copy() for u in self.unknowns]

    def _owned_part(self, arrays: list[np.ndarray]) -> np.ndarray:
        return np.concatenate([a[:n] for a, n in zip(arrays, self._owned(), strict=True)])

    def _solve_step(self, state: TransientState, dt: float, order: int) -> None:
        past = state.times
        a = bdf_coefficients(order, dt, past[-1] - past[-2] if order == 2 else None)
        for constant, value in zip(self.coefficients, a, strict=True):
            constant.value = value
        for slot, back in ((0, 1), (1, 2)):
            if len(state.states) >= back:
                for f, stored in zip(self.previous[slot], state.states[-back], strict=True):
                    f.x.array[:] = stored
        for u, stored in zip(self.unknowns, state.states[-1], strict=True):
            u.x.array[:] = stored
        newton_solve(self.problem, self.comm)
        for u in self.unknowns:
            u.x.scatter_forward()

    def step(
        self, state: TransientState, t_stop: float, control: StepControl | None
    ) -> MulticomponentStepRecord:
        """Advance ``state`` by one accepted step, not beyond ``t_stop`` [s] (collective).

        Raises:
            EmcdSolverError: Newton failed, or dt fell below ``control.dt_min``.
        """
        hooks = StepHooks(
            self._solve_step,
            self._snapshot,
            lambda: self._owned_part([u.x.array for u in self.unknowns]),
            self._owned_part,
        )
        step = attempt(state, t_stop, control, self.order, hooks, self.comm)
        dt, order, ratio, rejected, landing = (
            step.dt,
            step.order,
            step.ratio,
            step.rejected,
            step.landing,
        )
        record = self._record(state, dt, order, ratio, rejected)
        record = MulticomponentStepRecord(**{**vars(record), "t": t_stop if landing else record.t})
        state.t = record.t
        state.step += 1
        state.times = [*state.times, record.t][-3:]
        state.states = [*state.states, self._snapshot()][-3:]
        state.inventories = [*state.inventories, self._inventories()][-3:]
        state.records.append(record)
        if control is not None and ratio is not None:
            state.dt = control.next_step(dt, ratio, order)
        return record

    def _record(
        self, state: TransientState, dt: float, order: int, ratio: float | None, rejected: int
    ) -> MulticomponentStepRecord:
        species = self.model.species
        fluxes = self.model.reaction_fluxes(self._residual)
        inventory = self._inventories()
        a = [c.value.item() for c in self.coefficients]
        terms = [a[0] * inventory, a[1] * state.inventories[-1]]
        if order == 2:
            terms.append(a[2] * state.inventories[-2])
        rate = sum(terms)
        magnitude = sum(np.abs(term) for term in terms)  # the BDF terms' own sizes
        balance = {}
        for k, s in enumerate(species):
            q, made = fluxes["boundary_flux"][s], fluxes["production"][s]
            size = sum(abs(v) for v in q.values()) + magnitude[k] + abs(made)
            net = sum(q.values()) + rate[k] - made
            balance[s] = abs(net) / size if size > 0 else 0.0
        old = self._owned_part(state.states[-1])
        new = self._owned_part([u.x.array for u in self.unknowns])
        change = self.comm.allreduce(float(np.abs(new - old).max(initial=0.0)), op=MPI.MAX)
        size = self.comm.allreduce(float(np.abs(new).max(initial=0.0)), op=MPI.MAX)
        return MulticomponentStepRecord(
            step=state.step + 1,
            t=state.times[-1] + dt,
            dt=dt,
            boundary_flux=fluxes["boundary_flux"],
            total_flux=fluxes["total_flux"],
            inventory=dict(zip(species, map(float, inventory), strict=True)),
            balance=balance,
            error_ratio=ratio,
            rejected=rejected,
            change_rate=change / (dt * max(size, 1e-300)),
        )


def _composition_problem(values: np.ndarray, comm: MPI.Comm) -> str | None:
    """What is wrong with mole fractions (nodes, n) of a region, the same on every rank."""
    low = comm.allreduce(float(values.min(initial=0.0)), op=MPI.MIN)
    high = comm.allreduce(float(values.max(initial=1.0)), op=MPI.MAX)
    error = comm.allreduce(float(np.abs(values.sum(axis=1) - 1.0).max(initial=0.0)), op=MPI.MAX)
    if not (np.isfinite([low, high, error]).all() and low >= 0.0 and high <= 1.0):
        return f"initial mole fractions leave [0, 1] ({low:g}..{high:g})"
    if error > SUM_TOLERANCE:
        return f"initial mole fractions sum to 1 ± {error:.3g}"
    return None


__all__ = ["MulticomponentStepRecord", "TransientMaxwellStefan"]
