"""Steady n-species Maxwell–Stefan transport of an ideal gas on a tagged domain.

The flux law and the residual are :mod:`emcd_fem.physics.maxwell_stefan` (unknowns: the
n − 1 mole fractions other than the bootstrap's eliminated species, one vector-valued
Lagrange field); this module assembles them per material (Đ_ij and c as DG0 fields, so a
new value never recompiles a form), prescribes mole fractions of every species on named
boundaries (no flux of any species elsewhere) and solves with Newton (PETSc SNES, LU by
default), started from the harmonic extension of the boundary compositions.

Boundary fluxes are the reaction fluxes of the discrete residual (``post.integrals``):
q_Γ,i = −r_i(w_Γ) for the independent species, q_Γ,e = −Σ (ν_k/ν_e) q_Γ,k for the
eliminated one, so every species' balance Σ_Γ q_Γ,i = 0 closes to solver tolerance.
"""

import itertools
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from mpi4py import MPI

import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.agreement import checkpoint
from emcd_fem.errors import EmcdInputError, EmcdSolverError
from emcd_fem.interrupts import deferred_call
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import Domain
from emcd_fem.mesh.quadrature import pin_quadrature
from emcd_fem.models import multicomponent_reactions as mr
from emcd_fem.models.multicomponent_inputs import (
    MODELS,
    check_compositions,
    check_mixtures,
    check_sources,
    check_stagnant,
    check_step_stop,
    coupling_warnings,
    mixture_fields,
    newton_options,
)
from emcd_fem.models.multicomponent_interfaces import (
    Partitions,
    boundary_potential,
    scaled,
    solubility_field,
    species_solubilities,
)
from emcd_fem.models.multicomponent_range import (
    RANGE_TOLERANCE,
    checked_range,
    interface_advice,
    interface_coefficients,
)
from emcd_fem.models.multicomponent_solution import (
    MulticomponentSolution,
    boundary_reaction_fluxes,
    model_velocity,
    species_imbalance,
)
from emcd_fem.models.multicomponent_thermal import (
    ThermalDiffusionInputs,
    check_temperature_positive,
    thermal_fields,
    thermal_quadrature_degree,
    unsupported_with_thermal,
)
from emcd_fem.models.newton import REASONS, newton_solve
from emcd_fem.physics import maxwell_stefan as ms
from emcd_fem.physics import thermal_maxwell_stefan as tms
from emcd_fem.physics.mixture_averaged import mixture_averaged_fluxes
from emcd_fem.post.integrals import (
    partition_boundary_dofs,
)

_logger = logging.getLogger("emcd_fem")
_ids = itertools.count()


class MaxwellStefanModel:
    """Steady isothermal, isobaric n-species Maxwell–Stefan transport (complete on construction).

    Args:
        domain: Mesh with named regions and boundaries.
        mixtures: Region name → :class:`~emcd_fem.materials.mixture.GasMixture` for every
            region (the same species in the same order everywhere).
        boundary_mole_fractions: Boundary name → species → x_i (every species, Σ = 1);
            other boundaries are impermeable to every species.
        bootstrap: Σ ν_i N_i = 0 (default: zero net molar flux).
        degree: Lagrange degree.
        model: ``"maxwell_stefan"`` or ``"mixture_averaged"`` (Wilke/Fick with a bootstrap
            correction: cheap, wrong for strongly coupled mixtures; a warning is logged and
            kept in :attr:`warnings` when max Đ_ij / min Đ_ij > 2 in some region).
        quadrature_degree: Quadrature degree of the flux integrals (default 2 × degree + 2,
            ``multicomponent_thermal.thermal_quadrature_degree``: UFL's estimate for the
            rational law [B]^{-1} reaches 17 for four species with P2 — 729 points per
            hexahedron, a 3D transient step of seconds for 1 275 unknowns).
        sources: Region → species → production rate R_i [mol/(m^3 s)] (0 where not
            given); Σ ν_i R_i = 0 per region (the bootstrap must survive ∇·N_i = R_i).
        reactions: Mass-action reactions, homogeneous (in their regions, every region if
            none) or on walls (``kind="surface"``: a boundary without a composition), rates
            UFL in the mole fractions (see :mod:`~emcd_fem.models.multicomponent_reactions`);
            each needs Σ ν_i s_i = 0.
        temperatures: Region → T [K] for every region (the Arrhenius constants' T).
        partitions: Region pair (a, b) → species → K_k = c_k,b/c_k,a at equilibrium, for
            every species but the bootstrap's eliminated one (it closes Σ x_i = 1 on each
            side; see :mod:`~emcd_fem.models.multicomponent_interfaces`); pairs not given
            keep x continuous. The unknown is then μ with x_k = H_k μ_k per region.
        thermal: Thermal diffusion (Soret): T [K] as a known field, α_ij per region and the
            T laws of c and Đ_ij (:mod:`~emcd_fem.models.multicomponent_thermal`); steady
            Maxwell–Stefan only (no partitions, reactions or closed vessel).
        closed: Admit no boundary composition (a closed vessel): for
            :class:`~emcd_fem.models.multicomponent_transient.TransientMaxwellStefan` only,
            :meth:`solve` then refuses (the steady state is not unique).
        petsc_options: SNES/KSP options merged over the defaults (Newton with line search,
            LU, rtol 1e-12).

    Note:
        Collective on the mesh communicator.
    """

    def __init__(
        self,
        domain: Domain,
        mixtures: Mapping[str, GasMixture],
        boundary_mole_fractions: Mapping[str, Mapping[str, float]],
        bootstrap: ms.Bootstrap | None = None,
        *,
        degree: int = 1,
        model: str = "maxwell_stefan",
        quadrature_degree: int | None = None,
        sources: Mapping[str, Mapping[str, float]] | None = None,
        closed: bool = False,
        reactions: Sequence[Reaction] = (),
        temperatures: Mapping[str, float] | None = None,
        partitions: Partitions | None = None,
        thermal: ThermalDiffusionInputs | None = None,
        petsc_options: Mapping[str, Any] | None = None,
    ) -> None:
        if model not in MODELS:
            raise EmcdInputError(f"unknown multicomponent model {model!r}; choose one of {MODELS}")
        species = check_mixtures(domain, mixtures)
        self.mixtures: dict[str, GasMixture] = dict(mixtures)
        self.species: tuple[str, ...] = species
        n = len(self.species)
        self.bootstrap = bootstrap if bootstrap is not None else ms.zero_net_flux(n)
        if len(self.bootstrap.weights) != n:
            raise EmcdInputError(
                f"bootstrap {self.bootstrap.kind!r} has {len(self.bootstrap.weights)} weights"
                f" for {n} species"
            )
        self.warnings: list[str] = coupling_warnings(mixtures) if model == MODELS[1] else []
        for text in self.warnings:
            _logger.warning(text)
        self.compositions = check_compositions(
            domain, self.species, boundary_mole_fractions, closed=closed
        )
        self.closed = closed and not self.compositions
        check_stagnant(self.species, self.bootstrap, self.compositions)
        rates = check_sources(domain, self.species, self.bootstrap, sources or {})
        walled = {"compositions": tuple(self.compositions), "temperature": bool(temperatures)}
        self.reactions = mr.check_reactions(domain, species, self.bootstrap, reactions, **walled)
        self.domain = domain
        msh = domain.mesh
        ind = self.bootstrap.independent
        V = fem.functionspace(msh, ("Lagrange", degree, (n - 1,)))
        self.space, self.degree = V, degree
        self.x = fem.Function(V, name="mole_fractions")  # μ: x_k = H_k μ_k (H = 1 if none)
        self.solubility = species_solubilities(
            domain, mixtures, species, self.bootstrap, partitions or {}
        )  # region → H_k of the independent species
        self.solubility_field = solubility_field(domain, self.solubility) if partitions else None
        self.interfaces = interface_coefficients(partitions or {}, mixtures)  # κ's as text
        self.mole_fraction_vector = self.mole_fractions_of(self.x)
        # the block view a transient model works on (one block: the whole mesh)
        self.unknowns, self.entity_maps = [self.x], None
        self.block_regions = [sorted(domain.regions)]
        # material data: DG0 fields of c and Đ_ij (i < j)
        self.concentration, self.diffusivity = mixture_fields(domain, mixtures)
        self.thermal, self.flux_parts = None, None
        if thermal is not None:
            why = unsupported_with_thermal(model, bool(partitions), bool(reactions))
            if why is not None:
                raise EmcdInputError(why)
            check_temperature_positive(domain, thermal.temperature)
            self.thermal = thermal_fields(
                domain, species, thermal, self.concentration, self.diffusivity
            )
        Q, cells = self.concentration.function_space, domain.local_cell_tags()
        # boundary conditions on the n − 1 unknowns
        fdim = msh.topology.dim - 1
        names = sorted(self.compositions)
        self.dirichlet_names = names
        bcs = []
        for name in names:
            g = fem.Function(V)
            g.x.array.reshape(-1, n - 1)[:] = boundary_potential(
                domain, name, self.compositions[name][ind], self.solubility
            )
            dofs = fem.locate_dofs_topological(
                V, fdim, domain.facet_tags.find(domain.boundaries[name])
            )
            bcs.append(fem.dirichletbc(g, dofs))
        self.dirichlet_bcs = bcs  # (a transient model adds its storage term to the same)
        self.bcs_by_block = [bcs]
        w = ufl.TestFunction(V)
        flux_law = ms.molar_fluxes if model == "maxwell_stefan" else mixture_averaged_fluxes
        if self.thermal is None:
            fluxes = flux_law(
                self.mole_fraction_vector, self.concentration, self.diffusivity, self.bootstrap
            )
        else:
            th = self.thermal
            self.flux_parts = tms.thermal_fluxes(
                self.mole_fraction_vector,
                th.concentration,
                th.diffusivity,
                self.bootstrap,
                th.temperature,
                th.factors,
            )
            fluxes = self.flux_parts.total
        self.fluxes = fluxes  # N_i (UFL): the residual's own flux law, for derived fields
        dx = domain.dx
        if quadrature_degree is None:  # UFL's estimate for [B]^{-1}: 17 for 4 species, P2
            quadrature_degree = thermal_quadrature_degree(degree)
        dx = domain.dx(metadata={"quadrature_degree": int(quadrature_degree)})
        F = ms.species_residual(fluxes, w, self.bootstrap, dx)
        self.sources = []  # DG0 R_i per species (empty without sources)
        if rates:
            for k, s in enumerate(self.species):
                field = fem.Function(Q, name=f"R_{s}")
                for region, values in rates.items():
                    field.x.array[cells == domain.regions[region]] = values[k]
                self.sources.append(field)
        made, walls = mr.reaction_terms(
            domain,
            species,
            self.reactions,
            ms.all_mole_fractions(self.mole_fraction_vector, self.bootstrap),
            self.concentration,
            mr.temperature_field(domain, temperatures),
        )  # UFL R_i and wall N_i·n of the reactions (None where no reaction touches i)
        wall_term = mr.wall_residual(domain, walls, w, self.bootstrap)
        F = F if wall_term is None else F + wall_term
        self._walls = mr.WallFluxes(domain, species, walls)
        fixed = self.sources or [None] * n
        parts = [[t for t in pair if t is not None] for pair in zip(fixed, made, strict=True)]
        production = [sum(p[1:], p[0]) if p else fem.Constant(msh, 0.0) for p in parts]
        if not any(parts):
            production = []
        else:
            F = F - sum(production[k] * w[m] for m, k in enumerate(ind)) * dx
        self._production = [fem.form(f * domain.dx) for f in production]
        # one quadrature rule per integral for the residual and its UFL Jacobian (else UFL
        # estimates each separately: an inexact Newton for a rational flux law)
        F = pin_quadrature(F)
        self.residual_form = F  # UFL: the steady residual (storage added by a transient)
        self.block_residuals = [F]
        self._residual = fem.form(F)
        self._dofs = partition_boundary_dofs(V, domain, names)
        options, self.flux_scale = newton_options(domain, mixtures, petsc_options)
        self._problem = deferred_call(
            dolfinx.fem.petsc.NonlinearProblem,
            F,
            self.x,
            bcs=bcs,
            petsc_options_prefix=f"emcd_ms_{next(_ids)}_",
            petsc_options=options,
        )
        self._problem.solver.setConvergenceHistory()
        # initial guess: harmonic extension of the boundary compositions (one LU solve)
        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        self._guess = deferred_call(
            dolfinx.fem.petsc.LinearProblem,
            ufl.inner(ufl.grad(u), ufl.grad(v)) * domain.dx,
            ufl.inner(fem.Constant(msh, np.zeros(n - 1)), v) * domain.dx,
            bcs=bcs,
            petsc_options_prefix=f"emcd_ms_guess_{next(_ids)}_",
            petsc_options={
                "ksp_type": "preonly",
                "pc_type": "lu",
                "pc_factor_mat_solver_type": "mumps",
            },
        )

    def solve(self) -> MulticomponentSolution:
        """Solve (collective); raises EmcdSolverError if Newton fails."""
        if self.closed:
            raise EmcdInputError(
                "a closed vessel (no boundary composition) has no unique steady state: "
                "march it in time (TransientMaxwellStefan) or prescribe a composition"
            )
        checkpoint(self.domain.comm, "Maxwell–Stefan initial guess")
        guess = self._guess.solve()
        self.x.x.array[:] = guess.x.array
        try:
            iterations, reason, history = newton_solve(self._problem, self.domain.comm)
        except EmcdSolverError:
            snes = self._problem.solver
            history = snes.getConvergenceHistory()[0]
            raise EmcdSolverError(
                "the Maxwell–Stefan Newton solve did not converge: "
                f"{REASONS.get(snes.getConvergedReason(), snes.getConvergedReason())} after "
                f"{snes.getIterationNumber()} iterations, last residual "
                f"{history[-1] if len(history) else float('nan'):.3e}; refine the mesh, check "
                "the boundary compositions, or pass petsc_options (e.g. snes_max_it)"
                + interface_advice(self.interfaces)
            ) from None
        what = "the Maxwell–Stefan Newton solve"  # a step-size stop must have a small residual
        check_step_stop(what, reason, history, self.flux_scale, self.mixtures)
        self.x.x.scatter_forward()
        fractions = self._mole_fractions()
        produced = bool(self.sources or self.reactions)
        x_range, warnings = checked_range(
            fractions, self.interfaces, self.warnings, produced=produced
        )
        return MulticomponentSolution(
            species=self.species,
            mole_fractions=fractions,
            iterations=iterations,
            reason=reason,
            x_range=x_range,
            warnings=warnings,
            **self.reaction_fluxes(),
        )

    def mass_average_velocity(self, molar_masses: Mapping[str, float]) -> fem.Function:
        """V = Σ_i M_i N_i / ρ [m/s] of the current state: :func:`model_velocity`."""
        return model_velocity(self, molar_masses)

    def mole_fractions_of(self, u: ufl.core.expr.Expr) -> ufl.core.expr.Expr:
        """The independent mole fractions H ⊙ u of a field u in the unknown's space (UFL)."""
        return scaled(self.solubility_field, u)

    def mole_fraction_fields(self) -> dict[str, fem.Function]:
        """Species → x_i as a scalar Function named ``x_<species>`` (new each call).

        Lagrange of the model's degree; discontinuous Lagrange with partition coefficients
        (x jumps at the interfaces).
        """
        return self._mole_fractions()

    def _mole_fractions(self) -> dict[str, fem.Function]:
        # nodal values of each component in its own scalar space (exact: same element)
        family = "DG" if self.solubility_field is not None else "Lagrange"
        W = fem.functionspace(self.domain.mesh, (family, self.degree))
        xs = ms.all_mole_fractions(self.mole_fraction_vector, self.bootstrap)
        out = {}
        for k, s in enumerate(self.species):
            f = fem.Function(W, name=f"x_{s}")
            f.interpolate(fem.Expression(xs[k], W.element.interpolation_points))
            out[s] = f
        return out

    def reaction_fluxes(self, residual: fem.Form | None = None) -> dict:
        """Boundary fluxes, totals, production and imbalance from a residual (collective).

        Args:
            residual: The compiled residual whose reaction fluxes are wanted (default: the
                steady one; a transient model passes its own, storage included).
        """
        n = len(self.species)
        residual = residual if residual is not None else self._residual
        flux = boundary_reaction_fluxes(
            self.domain, self.species, self.bootstrap, [residual], [self._dofs]
        )
        for s, walls in self._walls.values().items():
            flux[s].update(walls)
        total = {
            b: float(sum(flux[s][b] for s in self.species)) for b in sorted(self.domain.boundaries)
        }
        comm = self.domain.comm
        made = [comm.allreduce(fem.assemble_scalar(f), op=MPI.SUM) for f in self._production]
        production = dict(zip(self.species, made or [0.0] * n, strict=True))
        imbalance = species_imbalance(flux, production, self.flux_scale)
        return {
            "boundary_flux": flux,
            "total_flux": total,
            "imbalance": imbalance,
            "production": production,
        }


__all__ = [
    "RANGE_TOLERANCE",
    "MaxwellStefanModel",
    "MulticomponentSolution",
]
