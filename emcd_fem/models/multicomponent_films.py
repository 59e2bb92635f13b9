"""Film resistances between regions in the n-species Maxwell–Stefan model.

For ``(a, b)`` and every independent species k (all but the bootstrap's eliminated e, which
closes Σ x_i = 1 on each side; docs/multicomponent.md, "Interfaces between regions"):
N_k·n_ab = k_k (x_k,a − x_k,b/κ_k), κ_k = K_k c_a/c_b (K_k: ``partitions``, else c_b/c_a),
and N_e·n_ab = −Σ_k (ν_k/ν_e) N_k·n_ab, so the bootstrap holds at the film (zero net flux:
Σ_i N_i·n = 0 through it). A film law for e too would over-determine it: refused.

Discretisation: the binary model's blocks (:mod:`emcd_fem.models.blocks`), one continuous
vector potential μ (x_k = H_k μ_k) per film-free group of regions on its submesh, coupled by
∫ k_k H_a,k (μ_a,k − μ_b,k)(w_a,k − w_b,k) dS on interior facets with '+' in the pair's first
region; Newton (SNES, LU) started from the Fick problem with each region's mean Đ.

Sources and reactions (in regions, on walls) act in each block on its own mole fractions
(:mod:`emcd_fem.models.multicomponent_film_reactions`), as in the one-field model.
"""

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from mpi4py import MPI

import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.partition import regions_on_boundary
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import Domain
from emcd_fem.mesh.quadrature import pin_quadrature
from emcd_fem.models import multicomponent_range as mrange
from emcd_fem.models import multicomponent_reactions as mr
from emcd_fem.models.assembly import jacobian
from emcd_fem.models.blocks import boundary_dofs, build_blocks, interface_entities, whole_mesh_field
from emcd_fem.models.multicomponent_film_reactions import FilmReactions
from emcd_fem.models.multicomponent_inputs import (
    MODELS,
    check_compositions,
    check_mixtures,
    check_sources,
    check_stagnant,
    check_step_stop,
    mixture_fields,
    newton_options,
)
from emcd_fem.models.multicomponent_interfaces import (
    Partitions,
    boundary_potential,
    check_species_films,
    scaled,
    solubility_field,
    species_solubilities,
)
from emcd_fem.models.multicomponent_solution import (
    MulticomponentSolution,
    all_fluxes,
    boundary_reaction_fluxes,
    model_velocity,
    species_imbalance,
)
from emcd_fem.models.newton import newton_solve
from emcd_fem.physics import maxwell_stefan as ms
from emcd_fem.physics.mixture_averaged import mixture_averaged_fluxes

_ids = itertools.count()


class MaxwellStefanFilmModel:
    """Steady n-species Maxwell–Stefan with film resistances (complete on construction; collective).

    Args:
        domain: Mesh with named regions and boundaries (a ghost layer: built-in or gmsh).
        mixtures: Region → GasMixture for every region (the same species everywhere).
        boundary_mole_fractions: Boundary → species → x_i (every species, Σ = 1); each such
            boundary inside one block (regions joined without a film).
        bootstrap: Σ ν_i N_i = 0 (default: zero net molar flux).
        films: Region pair (a, b) → species → k_k [mol/(m^2 s)] for every species but the
            eliminated one (see the module docstring), at least one pair.
        partitions: Region pair → species → K_k (as for
            :class:`~emcd_fem.models.multicomponent.MaxwellStefanModel`).
        degree: Lagrange degree.
        model: ``"maxwell_stefan"`` or ``"mixture_averaged"``.
        sources: Region → species → R_i [mol/(m^3 s)] (Σ ν_i R_i = 0), as for
            :class:`~emcd_fem.models.multicomponent.MaxwellStefanModel`.
        reactions: Mass-action reactions, homogeneous or on walls (each wall in one block).
        temperatures: Region → T [K] (Arrhenius constants).
        closed: Admit no boundary composition (a closed vessel, for TransientMaxwellStefan;
            :meth:`solve` then refuses).
        petsc_options: SNES/KSP options over the defaults (Newton, LU, rtol 1e-12).
    """

    def __init__(
        self,
        domain: Domain,
        mixtures: Mapping[str, GasMixture],
        boundary_mole_fractions: Mapping[str, Mapping[str, float]],
        bootstrap: ms.Bootstrap | None = None,
        *,
        films: Partitions,
        partitions: Partitions | None = None,
        degree: int = 1,
        model: str = "maxwell_stefan",
        sources: Mapping[str, Mapping[str, float]] | None = None,
        reactions: Sequence[Reaction] = (),
        temperatures: Mapping[str, float] | None = None,
        closed: bool = False,
        petsc_options: Mapping[str, Any] | None = None,
    ) -> None:
        if model not in MODELS:
            raise EmcdInputError(f"unknown multicomponent model {model!r}; choose one of {MODELS}")
        self.species = species = check_mixtures(domain, mixtures)
        self.mixtures: dict[str, GasMixture] = dict(mixtures)
        n = len(species)
        self.bootstrap = bootstrap if bootstrap is not None else ms.zero_net_flux(n)
        if len(self.bootstrap.weights) != n:
            raise EmcdInputError(f"bootstrap: {len(self.bootstrap.weights)} weights, {n} species")
        if not films:
            raise EmcdInputError("films: give at least one pair (else use MaxwellStefanModel)")
        self.compositions = check_compositions(
            domain, species, boundary_mole_fractions, closed=closed
        )
        self.closed = closed and not self.compositions
        check_stagnant(species, self.bootstrap, self.compositions)
        rates = check_sources(domain, species, self.bootstrap, sources or {})
        walled = {"compositions": tuple(self.compositions), "temperature": bool(temperatures)}
        self.reactions = mr.check_reactions(domain, species, self.bootstrap, reactions, **walled)
        self.solubility = species_solubilities(
            domain, mixtures, species, self.bootstrap, partitions or {}
        )
        self.films = check_species_films(domain, species, self.bootstrap, films)
        self.domain, self.degree, self.model = domain, degree, model
        self.warnings: list[str] = []
        self.interfaces = mrange.interface_coefficients(partitions or {}, mixtures)  # κ's
        self.film_flux: dict[str, dict[str, float]] = {}  # "a|b" → species → rate a → b
        msh = domain.mesh
        self.blocks = build_blocks(domain, self.films, degree, shape=(n - 1,))
        block_of = {r: i for i, b in enumerate(self.blocks) for r in b.regions}
        for a, b in self.films:
            if block_of[a] == block_of[b]:
                raise EmcdInputError(
                    f"the film between {a!r} and {b!r} lies inside one block: the two regions "
                    "are also joined through other regions without a film, so x cannot jump "
                    "there; give films on those interfaces too"
                )
        self.entity_maps = [b.entity_map for b in self.blocks]
        self.potentials = [
            fem.Function(b.space, name="potential_" + "_".join(b.regions)) for b in self.blocks
        ]
        self.unknowns = self.potentials  # the block view a transient model works on
        self.block_regions = [b.regions for b in self.blocks]
        self.concentration, self.diffusivity = mixture_fields(domain, mixtures)
        self.solubility_field = solubility_field(domain, self.solubility)
        # boundary data: μ = x/H on the block of each composition boundary
        fdim = msh.topology.dim - 1
        self.dirichlet_names = sorted(self.compositions)
        self.block_of_boundary, bcs, owners = {}, [], []
        ind = self.bootstrap.independent
        for name in self.dirichlet_names:
            touched = sorted({block_of[r] for r in regions_on_boundary(domain, name)})
            if len(touched) != 1:
                raise EmcdInputError(
                    f"boundary {name!r} touches regions separated by films; split it by region"
                )
            i = self.block_of_boundary[name] = touched[0]
            owners.append(i)
            block = self.blocks[i]
            g = fem.Function(block.space)
            g.x.array.reshape(-1, n - 1)[:] = boundary_potential(
                domain, name, self.compositions[name][ind], self.solubility
            )
            dofs = fem.locate_dofs_topological(
                block.space, fdim, block.facet_tags.find(domain.boundaries[name])
            )
            bcs.append(fem.dirichletbc(g, dofs))
        self.dirichlet_bcs = bcs
        self.bcs_by_block = [
            [bc for bc, i in zip(bcs, owners, strict=True) if i == k]
            for k in range(len(self.blocks))
        ]
        data = [  # the films' interior-facet measure, '+' in the first region of each pair
            (j + 1, interface_entities(domain, a, b).ravel()) for j, (a, b) in enumerate(self.films)
        ]
        self._dS = ufl.Measure("dS", domain=msh, subdomain_data=data)
        self._film_constants = {
            pair: (j + 1, fem.Constant(msh, k * self.solubility[pair[0]]))
            for j, (pair, k) in enumerate(self.films.items())
        }
        self._reacting = FilmReactions(
            domain,
            species,
            self.bootstrap,
            block_of,
            [
                ms.all_mole_fractions(self.mole_fractions_of(u), self.bootstrap)
                for u in self.potentials
            ],
            self.concentration,
            rates,
            self.reactions,
            mr.temperature_field(domain, temperatures),
            self.entity_maps,
        )
        flux_law = ms.molar_fluxes if model == MODELS[0] else mixture_averaged_fluxes
        F = self._residuals(block_of, flux_law)
        self.block_residuals = F  # UFL per block (a transient model adds its storage)
        self._residual_forms = [fem.form(f, entity_maps=self.entity_maps) for f in F]
        self._boundary_dofs = [
            boundary_dofs(
                block,
                [(b, domain.boundaries[b]) for b, i in self.block_of_boundary.items() if i == k],
            )
            for k, block in enumerate(self.blocks)
        ]
        self._film_forms = {
            pair: [fem.form(q * self._dS(j), entity_maps=self.entity_maps) for q in flow]
            for pair, (j, flow) in self._film_flows(block_of).items()
        }
        options, self.flux_scale = newton_options(domain, mixtures, petsc_options)
        self.options = options
        self._problem = self.nonlinear_problem(F, bcs, options, "emcd_ms_films")
        guess_options = options | {"snes_rtol": 1e-10}
        self._guess = self.nonlinear_problem(
            self._residuals(block_of, self._fick_fluxes), bcs, guess_options, "emcd_ms_films_guess"
        )
        # x on the parent mesh (DG), filled after a solve: flux fields and velocity use them
        self._x_parent = [
            fem.Function(fem.functionspace(msh, ("DG", degree)), name=f"x_{species[k]}")
            for k in ind
        ]
        self.mole_fraction_vector = ufl.as_vector(self._x_parent)
        # for filling them: scalar copies of each block's components, H at every DG node
        self._parts = [
            fem.Function(fem.functionspace(u.function_space.mesh, ("Lagrange", degree)))
            for u in self.potentials
        ]
        W = self._x_parent[0].function_space
        self._h_nodes = np.ones((self._x_parent[0].x.array.size, n - 1))
        tags = domain.local_cell_tags()
        for region, h in self.solubility.items():
            self._h_nodes[W.dofmap.list[tags == domain.regions[region]].ravel()] = h
        self._independent: fem.Function | None = None
        self.fluxes = flux_law(
            self.mole_fraction_vector, self.concentration, self.diffusivity, self.bootstrap
        )

    def _fick_fluxes(self, x: Any, c: Any, d: Mapping, bootstrap: ms.Bootstrap) -> list:
        # the start: Fick with the mean Đ of each region (linear in μ, one Newton step)
        mean = sum(d.values()) / len(d)
        full = [None] * len(bootstrap.weights)
        for m, k in enumerate(bootstrap.independent):
            full[k] = -c * mean * ufl.grad(x[m])
        return full

    def _residuals(self, block_of: Mapping[str, int], flux_law: Any) -> list[ufl.Form]:
        domain, us = self.domain, self.potentials
        ws = [ufl.TestFunction(b.space) for b in self.blocks]
        F: list = [0] * len(self.blocks)
        for region, tag in sorted(domain.regions.items()):
            i = block_of[region]
            x = scaled(self.solubility_field, us[i])
            fluxes = flux_law(x, self.concentration, self.diffusivity, self.bootstrap)
            F[i] += ms.species_residual(fluxes, ws[i], self.bootstrap, domain.dx(tag))
        for i, w in enumerate(ws):  # sources and reactions on each block's own x
            term = self._reacting.residual(i, w)
            F[i] = F[i] if term is None else F[i] + term
        for (a, b), (j, flow) in self._film_flows(block_of).items():
            A, B = block_of[a], block_of[b]
            F[A] += sum(q * ws[A][m]("+") for m, q in enumerate(flow)) * self._dS(j)
            F[B] += -sum(q * ws[B][m]("-") for m, q in enumerate(flow)) * self._dS(j)
        return [pin_quadrature(f) for f in F]  # one rule for F and its Jacobian: exact Newton

    def _film_flows(self, block_of: Mapping[str, int]) -> dict:
        """(a, b) → (dS id, [N_k·n_ab = k_k H_a,k (μ_a,k − μ_b,k) per independent k])."""
        us, out = self.potentials, {}
        for (a, b), (j, g) in self._film_constants.items():
            ua, ub = us[block_of[a]]("+"), us[block_of[b]]("-")
            out[(a, b)] = (j, [g[m] * (ua[m] - ub[m]) for m in range(g.ufl_shape[0])])
        return out

    def mole_fractions_of(self, u: ufl.core.expr.Expr) -> ufl.core.expr.Expr:
        """The independent mole fractions H ⊙ u of a block field u (UFL)."""
        return scaled(self.solubility_field, u)

    def nonlinear_problem(
        self, F: list[ufl.Form], bcs: list, options: Mapping[str, Any], prefix: str
    ) -> dolfinx.fem.petsc.NonlinearProblem:
        """Newton (SNES) on block residuals F over the potentials (Jacobian by UFL)."""
        us = self.potentials
        J = jacobian(F, us, [ufl.TrialFunction(u.function_space) for u in us])
        problem = dolfinx.fem.petsc.NonlinearProblem(
            F,
            us,
            bcs=bcs,
            J=J,
            kind="mpi",
            entity_maps=self.entity_maps,
            petsc_options_prefix=f"{prefix}_{next(_ids)}_",
            petsc_options=options,
        )
        problem.solver.setConvergenceHistory()
        return problem

    def solve(self) -> MulticomponentSolution:
        """Solve (collective); raises EmcdSolverError if Newton fails."""
        if self.closed:
            raise EmcdInputError(
                "a closed vessel (no boundary composition) has no unique steady state: "
                "march it in time (TransientMaxwellStefan) or prescribe a composition"
            )
        comm = self.domain.comm
        advice = "refine the mesh, check the compositions and film coefficients"
        advice += mrange.interface_advice(self.interfaces)
        newton_solve(self._guess, comm, what="the Maxwell–Stefan film start (Fick)", advice=advice)
        what = "the Maxwell–Stefan (films) Newton solve"
        iterations, reason, history = newton_solve(self._problem, comm, what=what, advice=advice)
        check_step_stop(what, reason, history, self.flux_scale, self.mixtures)
        for u in self.potentials:
            u.x.scatter_forward()
        fractions = self.mole_fraction_fields()
        x_range, warnings = mrange.checked_range(
            fractions, self.interfaces, self.warnings, produced=self._reacting.produced
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

    def reaction_fluxes(self, residuals: list[fem.Form] | None = None) -> dict:
        """Boundary fluxes (reaction fluxes per block), totals, imbalance, film fluxes.

        Args:
            residuals: Compiled residuals per block (default: the steady ones; a transient
                model passes its own, storage included).
        """
        comm = self.domain.comm
        forms = residuals if residuals is not None else self._residual_forms
        flux = boundary_reaction_fluxes(
            self.domain, self.species, self.bootstrap, forms, self._boundary_dofs
        )
        for s, walls in self._reacting.wall_values().items():
            flux[s].update(walls)
        total = {b: float(sum(flux[s][b] for s in self.species)) for b in flux[self.species[0]]}
        production = self._reacting.production_values()
        imbalance = species_imbalance(flux, production, self.flux_scale)
        film_flux = {}
        for (a, b), forms in self._film_forms.items():
            rates = np.array([comm.allreduce(fem.assemble_scalar(f), op=MPI.SUM) for f in forms])
            film_flux[f"{a}|{b}"] = dict(
                zip(self.species, all_fluxes(rates, self.bootstrap).tolist(), strict=True)
            )
        self.film_flux = film_flux
        return {
            "boundary_flux": flux,
            "total_flux": total,
            "imbalance": imbalance,
            "production": production,
        }

    def mole_fraction_fields(self) -> dict[str, fem.Function]:
        """Species → x_i on the parent mesh, discontinuous Lagrange (jumps at interfaces)."""
        ind, e = self.bootstrap.independent, self.bootstrap.eliminated
        size = len(self._x_parent)
        # blocked dofmap = scalar one, block size n − 1 (stride copy); x = H μ per DG node
        for m, target in enumerate(self._x_parent):
            for part, u in zip(self._parts, self.potentials, strict=True):
                part.x.array[:] = u.x.array.reshape(-1, size)[:, m]
            mu = whole_mesh_field(self.domain, self.blocks, self._parts, "mu")
            target.x.array[:] = mu.x.array * self._h_nodes[:, m]
        out = {self.species[k]: self._x_parent[m] for m, k in enumerate(ind)}
        last = fem.Function(self._x_parent[0].function_space, name=f"x_{self.species[e]}")
        last.x.array[:] = 1.0 - sum(f.x.array for f in self._x_parent)
        out[self.species[e]] = last
        return {s: out[s] for s in self.species}

    def independent_field(self) -> fem.Function:
        """The n − 1 independent x_k as one DG vector field of the parent mesh (collective)."""
        self.mole_fraction_fields()
        size = len(self._x_parent)
        if self._independent is None:
            V = fem.functionspace(self.domain.mesh, ("DG", self.degree, (size,)))
            self._independent = fem.Function(V, name="mole_fractions")
        values = self._independent.x.array.reshape(-1, size)
        values[:] = np.column_stack([f.x.array for f in self._x_parent])
        return self._independent

    def mass_average_velocity(self, molar_masses: Mapping[str, float]) -> fem.Function:
        """V = Σ_i M_i N_i / ρ [m/s] of the current state: :func:`model_velocity`."""
        return model_velocity(self, molar_masses)


__all__ = ["MaxwellStefanFilmModel"]
