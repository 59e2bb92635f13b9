"""Steady isothermal dusty-gas transport (n species, pressure unknown) on a tagged domain.

The flux law is :mod:`emcd_fem.physics.dusty_gas` (unknowns: the n species concentrations
c_i, one vector-valued Lagrange field; p = R T Σ c_i). This module assembles it per region
(porous data as DG0 fields, so new values never recompile a form), prescribes pressure and
composition on named boundaries (c_i = x_i p/(R T)), closes every other boundary to every
species, adds homogeneous and wall reactions of any stoichiometry (mass action, the rate
laws of :mod:`emcd_fem.physics.reaction` with x_i = c_i/c and c = Σ c_i) and solves with
Newton (PETSc SNES, LU), started from the harmonic extension of the boundary data.

Boundary fluxes are the reaction fluxes of the discrete residual (``post.integrals``),
q_Γ,i = −r_i(w_Γ), on open boundaries and −ν_i ∫_Γ r_s ds on reacting walls, so every
species' balance Σ_Γ q_Γ,i = ∫ R_i dx closes to solver tolerance. The viscous flux of a
boundary is the same reaction flux of the viscous part of the residual (the x_i N^V
terms), so diffusive and viscous parts add up to q_Γ exactly.
"""

import itertools
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from mpi4py import MPI

import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem, la

from emcd_fem.agreement import checkpoint
from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.errors import EmcdInputError
from emcd_fem.interrupts import deferred_call
from emcd_fem.materials.porous import DustyGas, PorousMedium
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.dusty_gas_inputs import (
    BoundaryState,
    check_gas,
    check_media,
    check_reactions,
    check_states,
)
from emcd_fem.models.dusty_gas_solution import (
    RANGE_TOLERANCE,
    DustyGasSolution,
    each_part,
    weighted_form,
)
from emcd_fem.models.newton import newton_solve
from emcd_fem.physics import dusty_gas as dg
from emcd_fem.physics.reaction import mass_action_rate, rate_constants
from emcd_fem.post.integrals import (
    flux_scale,
    owned_range,
    partition_boundary_dofs,
    relative_imbalance,
)

#: Fluxes below this fraction of the natural flux scale count as round-off (zero).
ROUND_OFF: float = 1e-10
_logger = logging.getLogger("emcd_fem")
_ids = itertools.count()


class DustyGasModel:
    """Steady isothermal dusty-gas transport with pressure as an unknown.

    Complete on construction: inputs checked, forms compiled, the solver set up.

    Args:
        domain: Mesh with named regions and boundaries.
        media: Region name → :class:`~emcd_fem.materials.porous.PorousMedium`, every region.
        gas: The gas (:class:`~emcd_fem.materials.porous.DustyGas`: species, Đ_ij at a
            reference concentration, M_i, μ), n ≤ 4 species.
        boundary_states: Boundary name → :class:`BoundaryState` (pressure and composition);
            every other boundary is closed to every species (or carries a wall reaction).
        temperature: T [K] (isothermal).
        reactions: :class:`~emcd_fem.materials.stoichiometry.Reaction` objects of any
            stoichiometry: homogeneous (in their regions, every region if none) or surface
            (on a closed boundary); mass action r = k_f c Π x_i^ν_i − k_b c Π x_j^ν_j.
        degree: Lagrange degree (1, 2 or 3).
        quadrature_degree: Quadrature degree of the residual and its Jacobian (default
            2·degree + 1: UFL's estimate for the rational flux law, 8 for a P2 residual and
            16 for its Jacobian, made a 3D P2 solve 30 times slower, while the rate of the
            P2 annulus of the tests changed by < 3e-10 relative, far below the
            discretisation error of 4e-7).
        petsc_options: SNES/KSP options merged over the defaults (Newton with line search,
            MUMPS LU, rtol 1e-12).

    Note:
        Collective on the mesh communicator.
    """

    def __init__(
        self,
        domain: Domain,
        media: Mapping[str, PorousMedium],
        gas: DustyGas,
        boundary_states: Mapping[str, BoundaryState],
        *,
        temperature: float,
        reactions: Sequence[Reaction] = (),
        degree: int = 1,
        quadrature_degree: int | None = None,
        petsc_options: Mapping[str, Any] | None = None,
    ) -> None:
        if degree not in (1, 2, 3):
            raise EmcdInputError(f"degree must be 1, 2 or 3, got {degree!r}")
        self.species = check_gas(gas, temperature)
        self.media = check_media(domain, media)
        self.states = check_states(domain, self.species, boundary_states)
        self.reactions = check_reactions(domain, self.species, reactions, sorted(self.states))
        self.domain, self.gas, self.degree = domain, gas, degree
        self.temperature = float(temperature)
        n, msh = len(self.species), domain.mesh
        rt = GAS_CONSTANT * self.temperature
        V = fem.functionspace(msh, ("Lagrange", degree, (n,)))
        self.space = V
        self.c = fem.Function(V, name="concentrations")
        # porous data per region as DG0 fields: G_ij, D^e_iK, B_0
        Q = fem.functionspace(msh, ("DG", 0))
        cells = domain.local_cell_tags()
        self.conductance = {
            (i, j): fem.Function(Q, name=f"G_{i}{j}") for i in range(n) for j in range(i + 1, n)
        }
        self.knudsen = [fem.Function(Q, name=f"DK_{s}") for s in self.species]
        self.permeability = fem.Function(Q, name="permeability")
        molecular, masses = gas.molecular_conductance(), gas.masses
        for region, medium in self.media.items():
            sel = cells == domain.regions[region]
            for (i, j), f in self.conductance.items():
                f.x.array[sel] = medium.porosity_over_tortuosity * molecular[i, j]
            for k, f in enumerate(self.knudsen):
                f.x.array[sel] = medium.knudsen_diffusivity(self.temperature, masses[k])
            self.permeability.x.array[sel] = medium.viscous_permeability
        self.rt = fem.Constant(msh, rt)
        self.viscosity = fem.Constant(msh, float(gas.viscosity))
        coefficient = dg.viscous_coefficient(self.permeability, self.viscosity, self.rt)
        self.fluxes, self.viscous = dg.molar_fluxes(
            self.c, self.conductance, self.knudsen, coefficient
        )
        quadrature = 2 * degree + 1 if quadrature_degree is None else int(quadrature_degree)
        dx = domain.dx(metadata={"quadrature_degree": quadrature})
        w = ufl.TestFunction(V)
        F = dg.residual(self.fluxes, w, dx)
        sources, walls = self._reaction_terms(dx)
        if sources:
            F = F - sum(r * w[i] for i, r in enumerate(sources) if r is not None) * dx
        for tag, flux in walls.items():  # wall: ∫ (N_i·n) w_i ds with N_i·n = −ν_i r_s
            F = F + sum(q * w[i] for i, q in enumerate(flux) if q is not None) * domain.ds(tag)
        self.residual_form = F
        self._residual = fem.form(F)
        self._viscous_residual = fem.form(dg.residual(self.viscous, w, dx))
        zero = fem.Constant(msh, 0.0)
        production = [r if r is not None else zero for r in sources] or [zero] * n
        self._production = weighted_form([(r, domain.dx) for r in production], msh)
        self._walls = walls
        if walls:
            wall_parts = [
                (q, domain.ds(tag)) for tag, flux in walls.items() for q in flux if q is not None
            ]
            self._wall_forms = weighted_form(wall_parts, msh)
        # boundary conditions c_i = x_i p/(R T) on open boundaries
        fdim = msh.topology.dim - 1
        names = sorted(self.states)
        self.dirichlet_names = names
        bcs = []
        for name in names:
            pressure, x = self.states[name]
            g = fem.Function(V)
            g.x.array.reshape(-1, n)[:] = x * pressure / rt
            facets = domain.facet_tags.find(domain.boundaries[name])
            bcs.append(fem.dirichletbc(g, fem.locate_dofs_topological(V, fdim, facets)))
        self.dirichlet_bcs = bcs
        self._dofs = partition_boundary_dofs(V, domain, names)
        # mean pressure per boundary: one compiled form each for ∫ p ds and |Γ|
        total = dg.total_concentration(self.c, n)
        tags = [domain.boundaries[b] for b in sorted(domain.boundaries)]
        self._boundary_p = weighted_form([(self.rt * total, domain.ds(t)) for t in tags], msh)
        self._boundary_area = weighted_form([(zero + 1.0, domain.ds(t)) for t in tags], msh)
        self._problem = self._newton(F, bcs, petsc_options)
        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        self._guess = deferred_call(
            dolfinx.fem.petsc.LinearProblem,
            ufl.inner(ufl.grad(u), ufl.grad(v)) * domain.dx,
            ufl.inner(fem.Constant(msh, np.zeros(n)), v) * domain.dx,
            bcs=bcs,
            petsc_options_prefix=f"emcd_dgm_guess_{next(_ids)}_",
            petsc_options={
                "ksp_type": "preonly",
                "pc_type": "lu",
                "pc_factor_mat_solver_type": "mumps",
            },
        )

    def _reaction_terms(self, dx: ufl.Measure) -> tuple[list, dict[int, list]]:
        """(R_i per species, wall tag → N_i·n per species) as UFL (None where absent)."""
        n, msh, domain = len(self.species), self.domain.mesh, self.domain
        total = dg.total_concentration(self.c, n)
        x_of = {s: self.c[k] / total for k, s in enumerate(self.species)}
        temperature = fem.Constant(msh, self.temperature)
        sources: list = [None] * n
        walls: dict[int, list] = {}
        for reaction in self.reactions:
            given = (
                (reaction.k_f, reaction.k_b)
                if reaction.arrhenius_A is None
                else reaction.arrhenius_A
            )
            constants = tuple(fem.Constant(msh, float(v)) for v in given)
            k_f, k_b = rate_constants(reaction, constants, temperature)
            rate = mass_action_rate(reaction, x_of, total, k_f, k_b)
            if reaction.kind == "homogeneous":
                tags = [domain.regions[r] for r in reaction.regions]
                if tags and len(tags) < len(domain.regions):
                    indicator = fem.Function(fem.functionspace(msh, ("DG", 0)))
                    indicator.x.array[np.isin(domain.local_cell_tags(), tags)] = 1.0
                    rate = indicator * rate
            else:
                tag = domain.boundaries[str(reaction.boundary)]
                flux = walls.setdefault(tag, [None] * n)
            for k, s in enumerate(self.species):
                nu = reaction.stoichiometry.net(s)
                if nu == 0:
                    continue
                if reaction.kind == "homogeneous":
                    term = nu * rate
                    sources[k] = term if sources[k] is None else sources[k] + term
                else:
                    term = -nu * rate
                    flux[k] = term if flux[k] is None else flux[k] + term
        return (sources if any(r is not None for r in sources) else []), walls

    def _newton(
        self, F: ufl.Form, bcs: list, petsc_options: Mapping[str, Any] | None
    ) -> dolfinx.fem.petsc.NonlinearProblem:
        n = len(self.species)
        # the largest natural conductance [mol/(m s)]: diffusive c Đ, Knudsen c D_K, viscous
        # c² B_0 R T/μ at the largest boundary pressure (a fixed atol would stop Newton at
        # once on a micro-scale domain, or never on a large-pore one)
        c_max = max(p for p, _ in self.states.values()) / (GAS_CONSTANT * self.temperature)
        molecular = self.gas.molecular_conductance()
        scale = 0.0
        for medium in self.media.values():
            values = [
                medium.porosity_over_tortuosity * molecular[i, j]
                for i in range(n)
                for j in range(i + 1, n)
            ]
            values += [
                c_max * medium.knudsen_diffusivity(self.temperature, m) for m in self.gas.masses
            ]
            values.append(
                c_max**2
                * medium.viscous_permeability
                * GAS_CONSTANT
                * self.temperature
                / self.gas.viscosity
            )
            scale = max(scale, *values)
        self.flux_scale = flux_scale(self.domain, scale)  # q_ref [mol/s in 3D]
        options = {
            "snes_type": "newtonls",
            "snes_linesearch_type": "bt",
            "snes_rtol": 1e-12,
            "snes_atol": 1e-13 * self.flux_scale,
            "snes_max_it": 50,
            "ksp_type": "preonly",
            "pc_type": "lu",
            "pc_factor_mat_solver_type": "mumps",
        }
        options.update(petsc_options or {})
        problem = deferred_call(
            dolfinx.fem.petsc.NonlinearProblem,
            F,
            self.c,
            bcs=bcs,
            petsc_options_prefix=f"emcd_dgm_{next(_ids)}_",
            petsc_options=options,
        )
        problem.solver.setConvergenceHistory()
        return problem

    def solve(self) -> DustyGasSolution:
        """Solve (collective); raises EmcdSolverError if Newton fails."""
        checkpoint(self.domain.comm, "dusty-gas initial guess")
        guess = self._guess.solve()
        self.c.x.array[:] = guess.x.array
        iterations, reason, _ = newton_solve(
            self._problem,
            self.domain.comm,
            what="the dusty-gas Newton solve",
            advice="refine the mesh, check the boundary pressures and compositions and the "
            "reaction constants, or pass petsc_options (e.g. snes_max_it)",
        )
        self.c.x.scatter_forward()
        return self._solution(iterations, reason)

    def _solution(self, iterations: int, reason: str) -> DustyGasSolution:
        n, comm = len(self.species), self.domain.comm
        W = fem.functionspace(self.domain.mesh, ("Lagrange", self.degree))
        total = dg.total_concentration(self.c, n)
        points = W.element.interpolation_points
        pressure = fem.Function(W, name="pressure")
        pressure.interpolate(fem.Expression(self.rt * total, points))
        fractions = {}
        for k, s in enumerate(self.species):
            f = fem.Function(W, name=f"x_{s}")
            f.interpolate(fem.Expression(self.c[k] / total, points))
            fractions[s] = f
        x_range = {s: owned_range(f) for s, f in fractions.items()}
        warnings = []
        for s, (low, high) in x_range.items():
            if low < -RANGE_TOLERANCE or high > 1 + RANGE_TOLERANCE:
                warnings.append(
                    f"x_{s} leaves [0, 1] (min {low:.3g}, max {high:.3g}): refine the mesh "
                    "where the profiles are steep"
                )
                _logger.warning(warnings[-1])
        names = sorted(self.domain.boundaries)
        integral = each_part(*self._boundary_p, comm)
        area = each_part(*self._boundary_area, comm)
        mean = {b: float(integral[k] / area[k]) for k, b in enumerate(names)}
        fluxes = self.reaction_fluxes()
        return DustyGasSolution(
            species=self.species,
            mole_fractions=fractions,
            pressure=pressure,
            pressure_range=owned_range(pressure),
            boundary_pressure=mean,
            pressure_difference={
                (a, b): mean[b] - mean[a] for a, b in itertools.combinations(names, 2)
            },
            x_range=x_range,
            iterations=iterations,
            reason=reason,
            warnings=tuple(warnings),
            **fluxes,
        )

    def _open_fluxes(self, form: fem.Form) -> np.ndarray:
        """Reaction fluxes −r_i(w_Γ) of a residual on the open boundaries (collective)."""
        n = len(self.species)
        vector = fem.assemble_vector(form)
        vector.scatter_reverse(la.InsertMode.add)
        values = vector.array.reshape(-1, n)
        names = self.dirichlet_names
        local = np.array([-values[self._dofs[b]].sum(axis=0) for b in names]).reshape(-1, n)
        q = np.zeros_like(local)
        self.domain.comm.Allreduce(local, q, op=MPI.SUM)
        return q

    def reaction_fluxes(self) -> dict:
        """Boundary fluxes, totals, viscous parts, production and imbalance (collective)."""
        comm = self.domain.comm
        names = sorted(self.domain.boundaries)
        flux = {s: dict.fromkeys(names, 0.0) for s in self.species}
        viscous = dict.fromkeys(names, 0.0)
        q, q_viscous = self._open_fluxes(self._residual), self._open_fluxes(self._viscous_residual)
        for a, b in enumerate(self.dirichlet_names):
            for k, s in enumerate(self.species):
                flux[s][b] = float(q[a, k])
            viscous[b] = float(q_viscous[a].sum())
        if self._walls:
            values = iter(each_part(*self._wall_forms, comm))
            by_tag = {t: b for b, t in self.domain.boundaries.items()}
            for tag, parts in self._walls.items():
                for k, part in enumerate(parts):
                    if part is not None:
                        flux[self.species[k]][by_tag[tag]] += float(next(values))
        made = each_part(*self._production, comm)
        production = {s: float(made[k]) for k, s in enumerate(self.species)}
        total = {b: float(sum(flux[s][b] for s in self.species)) for b in names}
        # below ROUND_OFF of the natural flux scale the fluxes are round-off (a uniform
        # state): no share
        floor = ROUND_OFF * self.flux_scale
        share = {}
        for b in names:
            gross = sum(abs(flux[s][b]) for s in self.species)
            share[b] = viscous[b] / gross if gross > floor else 0.0
        imbalance = {  # the project's balance measure (post.integrals.relative_imbalance)
            s: relative_imbalance(sum(flux[s].values()), production[s], flux[s], self.flux_scale)
            for s in self.species
        }
        return {
            "boundary_flux": flux,
            "total_flux": total,
            "viscous_flux": viscous,
            "viscous_share": share,
            "production": production,
            "imbalance": imbalance,
        }


__all__ = ["RANGE_TOLERANCE", "ROUND_OFF", "BoundaryState", "DustyGasModel", "DustyGasSolution"]
