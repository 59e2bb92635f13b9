"""Interfacial film resistances across an interface between regions a and b.

The film law is written in physical terms, oriented by the pair as given, (a, b):

    N_A·n_ab = k_ab (x_a − x_b / κ_ab),   κ_ab = K_ab c_a / c_b,

with n_ab the unit normal from a into b, x_a and x_b the mole fractions of A on either side
of the film, K_ab = c_A,b / c_A,a the equilibrium partition coefficient of the interface
(``partitions``; without one x_A is continuous at equilibrium, K_ab = c_b / c_a, κ_ab = 1), so
x_b/κ_ab is the mole fraction on side a in equilibrium with x_b: the flux is k_ab times the
departure from equilibrium measured on side a. The same film written as (b, a) has
k_ba = k_ab / κ_ab (and K_ba = 1/K_ab). With x_A = H μ and c_b H_b = K_ab c_a H_a
(:func:`~emcd_fem.materials.partition.region_solubilities`) the law reads k_ab H_a (μ_a − μ_b): the
internal film coefficient is k_ab H_a = k_ba H_b, the same for both orientations and
independent of the (arbitrary) normalisation of H.

A film makes the potential μ (x_A = H μ) jump, which a continuous Lagrange space cannot
carry. Regions are grouped into *blocks* joined by film-free interfaces; each block gets a
submesh (``dolfinx.mesh.create_submesh``) with a continuous P_p potential, and the blocks
are coupled by the film terms

    Σ_films ∫_Γ k_ab H_a (μ_a − μ_b)(w_a − w_b) dS,

which keep the block system symmetric positive definite. The interface integration
entities are built by hand with the '+' side always in the film's *first* region (DOLFINx's
own facet orientation would silently drop or flip terms), over owned facets, which needs
the ghost layer of ``GhostMode.shared_facet`` (built-in and gmsh domains have it; refined
domains do not). Solved with MUMPS LU by default (the block sparsity holds explicit zero
rows that slow GAMG down: see docs in dolfinx-notes).

For output the block potentials are copied onto one discontinuous Lagrange field of the
same degree over the whole mesh (:meth:`FilmEMCDProblem.potential_field`), exact cell by
cell, from which x_A = H μ and N_A = −c D H ∇μ follow as in the plain pipeline, jumps
included.
"""

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem, la
from dolfinx import mesh as dmesh

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import Material, assign_materials, check_regions
from emcd_fem.materials.partition import (
    adjacent_regions,
    boundary_solubility,
    region_solubilities,
    regions_on_boundary,
)
from emcd_fem.mesh.domain import Domain
from emcd_fem.mesh.quadrature import pin_quadrature, tested_residual
from emcd_fem.physics.conditions import BoundaryCondition
from emcd_fem.physics.emcd import molar_flux
from emcd_fem.physics.emcd import mole_fraction as mole_fraction_of
from emcd_fem.post import admissibility
from emcd_fem.post.fields import interpolate_expression
from emcd_fem.post.integrals import integrate, owned_range
from emcd_fem.solver import DIRECT_OPTIONS, solve_linear

_ids = itertools.count()


@dataclass(frozen=True)
class FilmSolution:
    """Result of a film problem.

    Attributes:
        potentials: Block name → continuous potential μ on the block's submesh.
        boundary_flux: Boundary name → outward flux q_Γ [mol/s, mol/(m s), mol/(m^2 s)].
        film_flux: (region a, region b) as given in ``films`` → ∫_Γ N_A·n_ab dS, the rate
            of A through the film from a into b [mol/s, mol/(m s), mol/s per m^2 in 1D].
        balance: Relative global imbalance Σ q_Γ / Σ |q_Γ|.
        solver: The linear solver report.
        x_min: Smallest nodal mole fraction x_A = H μ.
        x_max: Largest nodal mole fraction.
        mole_fraction: x_A = H μ over the whole mesh in discontinuous Lagrange of the
            potentials' degree (``mole_fraction_A``): it carries the film and partition
            jumps (see :meth:`FilmEMCDProblem.mole_fraction_field`).
        warnings: Warnings raised while checking the solution.
    """

    potentials: dict[str, fem.Function]
    boundary_flux: dict[str, float]
    film_flux: dict[tuple[str, str], float]
    balance: float
    solver: Any = None
    x_min: float = float("nan")
    x_max: float = float("nan")
    mole_fraction: fem.Function | None = None
    warnings: tuple[str, ...] = ()


def _blocks(regions: list[str], touching: list[tuple[str, str]], films: Mapping) -> list[list[str]]:
    """Connected sets of regions joined by interfaces without a film (sorted, deterministic)."""
    parent = {r: r for r in regions}

    def find(r: str) -> str:
        while parent[r] != r:
            r = parent[r]
        return r

    film_pairs = {tuple(sorted(p)) for p in films}
    for a, b in touching:
        if (a, b) not in film_pairs:
            parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for r in regions:
        groups.setdefault(find(r), []).append(r)
    return sorted(sorted(g) for g in groups.values())


def _interface_entities(domain: Domain, first: str, second: str) -> np.ndarray:
    """Integration entities of the interface between two regions.

    Rows (cell_a, local_facet_a, cell_b, local_facet_b) over owned facets, the '+' cell
    always in region ``first``.
    """
    msh = domain.mesh
    tdim = msh.topology.dim
    msh.topology.create_connectivity(tdim - 1, tdim)
    msh.topology.create_connectivity(tdim, tdim - 1)
    f2c = msh.topology.connectivity(tdim - 1, tdim)
    c2f = msh.topology.connectivity(tdim, tdim - 1)
    tag = domain.local_cell_tags()
    ta, tb = domain.regions[first], domain.regions[second]
    rows = []
    for f in range(msh.topology.index_map(tdim - 1).size_local):
        cells = f2c.links(f)
        tags = tag[cells]
        if len(cells) == 1:
            continue
        if {int(tags[0]), int(tags[1])} != {ta, tb}:
            continue
        ca, cb = (cells[0], cells[1]) if tags[0] == ta else (cells[1], cells[0])
        la_ = int(np.flatnonzero(c2f.links(ca) == f)[0])
        lb_ = int(np.flatnonzero(c2f.links(cb) == f)[0])
        rows.append((ca, la_, cb, lb_))
    return np.asarray(rows, dtype=np.int32).reshape(-1, 4)


class FilmEMCDProblem:
    """Steady EMCD with film resistances (and optional partition coefficients).

    Args:
        domain: Domain with ghost mode ``shared_facet`` (not refined).
        materials: Region → material.
        boundary_conditions: Boundary → condition (MoleFraction, MolarFlux, MassTransfer);
            each boundary must lie within one block.
        films: (region a, region b) → k_ab [mol/(m^2 s)] > 0 of the film between them:
            N_A·n_ab = k_ab (x_a − x_b/κ_ab), κ_ab = K_ab c_a/c_b, n_ab pointing from a into
            b (see the module docstring); give each pair once, in either orientation.
        partitions: (region a, region b) → K_ab = c_A,b/c_A,a at equilibrium, as in
            :class:`~emcd_fem.EMCDProblem`.
        degree: Lagrange degree.
        petsc_options: PETSc options (default MUMPS LU).

    Note:
        Collective on the mesh communicator.
    """

    def __init__(
        self,
        domain: Domain,
        materials: Mapping[str, Material],
        boundary_conditions: Mapping[str, BoundaryCondition],
        *,
        films: Mapping[tuple[str, str], float],
        partitions: Mapping[tuple[str, str], float] | None = None,
        degree: int = 1,
        petsc_options: Mapping[str, Any] | None = None,
    ) -> None:
        check_regions(domain, materials)
        if admissibility.flux_only(boundary_conditions):  # no inventory constraint here
            raise EmcdInputError(
                "with films, one boundary must be a mole_fraction or mass_transfer boundary "
                f"(every boundary prescribes a flux: {list(boundary_conditions)})"
            )
        touching = adjacent_regions(domain)
        films = dict(sorted(films.items()))  # one order on every rank (it drives collectives)
        for (a, b), k in films.items():
            if (b, a) in films:
                raise EmcdInputError(
                    f"the film between {a!r} and {b!r} is given twice ({a}|{b} and {b}|{a}): "
                    "give it once"
                )
            for r in (a, b):
                domain.region_tag(r)
            if not (isinstance(k, int | float) and k > 0):
                raise EmcdInputError(f"film coefficient k[{a}|{b}] must be > 0, got {k!r}")
            if tuple(sorted((a, b))) not in touching:
                raise EmcdInputError(f"regions {a!r} and {b!r} do not share an interface")
        self.domain = domain
        self.solubility = region_solubilities(domain, materials, partitions or {})
        self.fields = assign_materials(domain, materials, self.solubility)
        msh = domain.mesh
        tdim = msh.topology.dim
        blocks = _blocks(sorted(domain.regions), touching, films)
        self.block_of = {r: i for i, block in enumerate(blocks) for r in block}
        self.blocks = blocks
        spaces, self._entity_maps, sub_facets = [], [], []
        for block in blocks:
            cells = np.sort(
                np.concatenate([domain.cell_tags.find(domain.regions[r]) for r in block])
            ).astype(np.int32)
            sub, cell_map, vertex_map, _ = dmesh.create_submesh(msh, tdim, cells)
            sub.topology.create_connectivity(tdim - 1, tdim)
            sub_facets.append(
                dmesh.transfer_meshtags_to_submesh(
                    entity_tag=domain.facet_tags,
                    submesh=sub,
                    vertex_to_parent=vertex_map,
                    cell_to_parent=cell_map,
                )
            )
            spaces.append(fem.functionspace(sub, ("Lagrange", degree)))
            self._entity_maps.append(cell_map)
        self.potentials = [
            fem.Function(V, name=f"potential_block{i}") for i, V in enumerate(spaces)
        ]
        W = ufl.MixedFunctionSpace(*spaces)
        trial, test = ufl.TrialFunctions(W), ufl.TestFunctions(W)
        self._film_data = {}
        data = []
        for j, ((a, b), k) in enumerate(films.items()):
            rows = _interface_entities(domain, a, b)
            data.append((j + 1, rows.ravel()))
            # k_ab H_a: the film law in the potential (orientation-free, see module docstring)
            self._film_data[(a, b)] = (j + 1, fem.Constant(msh, float(k) * self.solubility[a]))
        self._dS = ufl.Measure("dS", domain=msh, subdomain_data=data)
        self._check_ghosts(films)
        self._conditions = dict(boundary_conditions)
        self._boundary_block = {n: self._block_of_boundary(n) for n in boundary_conditions}
        self._constants = {
            n: bc.bind(spaces[self._boundary_block[n]]) for n, bc in boundary_conditions.items()
        }

        a_form = self._bilinear(trial, test)
        zero = fem.Constant(msh, 0.0)
        # every block's row integrates over that block's cells only (a submesh test function
        # has no values elsewhere: integrating it over the whole parent mesh is invalid)
        L_form = sum(
            zero * w * domain.dx(domain.regions[block[0]])
            for w, block in zip(test, blocks, strict=True)
        )
        for n, bc in boundary_conditions.items():
            b = self._boundary_block[n]
            rhs = bc.rhs(test[b], domain.ds(domain.boundaries[n]), self._constants[n])
            if rhs is not None:
                L_form += rhs
        bcs = []
        for n, bc in boundary_conditions.items():
            if bc.is_dirichlet:
                b = self._boundary_block[n]
                h = boundary_solubility(self.domain, n, self.solubility)
                value = fem.Constant(msh, float(bc.value) / h)
                dofs = fem.locate_dofs_topological(
                    spaces[b], tdim - 1, sub_facets[b].find(domain.boundaries[n])
                )
                bcs.append(fem.dirichletbc(value, dofs, spaces[b]))
        self._bcs = bcs
        user = dict(petsc_options or {})  # a user's method replaces the default one whole
        options = {} if "ksp_type" in user or "pc_type" in user else dict(DIRECT_OPTIONS)
        options.update(user)
        # one quadrature rule per integral, shared by the solve and the post-processing
        # (emcd_fem.mesh.quadrature): the balance closes to round-off on curved cells too
        a_blocks = [
            [pin_quadrature(f) if f is not None else None for f in row]
            for row in ufl.extract_blocks(a_form)
        ]
        L_blocks = [pin_quadrature(f) for f in ufl.extract_blocks(L_form)]
        self._problem = dolfinx.fem.petsc.LinearProblem(
            a_blocks,
            L_blocks,
            bcs=bcs,
            u=self.potentials,
            kind="mpi",
            entity_maps=self._entity_maps,
            petsc_options_prefix=f"emcd_films_{next(_ids)}_",
            petsc_options=options,
        )
        self._residuals = []
        for i, row in enumerate(a_blocks):
            r = -L_blocks[i]
            for j, a_ij in enumerate(row):
                if a_ij is not None:
                    (trial_j,) = (u for u in a_ij.arguments() if u.number() == 1)
                    r += ufl.replace(a_ij, {trial_j: self.potentials[j]})
            self._residuals.append(fem.form(r, entity_maps=self._entity_maps))
        self._data_flux_forms = {}  # non-Dirichlet boundaries: the solve's own flux there
        for n, bc in boundary_conditions.items():
            if bc.is_dirichlet:
                continue
            b = self._boundary_block[n]
            one = fem.Function(spaces[b])
            one.x.array[:] = 1.0
            flux = tested_residual(
                a_blocks[b][b],
                L_blocks[b],
                "exterior_facet",
                domain.boundaries[n],
                self.potentials[b],
                one,
            )
            if flux is not None:
                self._data_flux_forms[n] = fem.form(flux, entity_maps=self._entity_maps)
        self._spaces = spaces
        self._sub_facets = sub_facets

    # -- forms ------------------------------------------------------------------------
    def _bilinear(self, us, ws) -> ufl.Form:
        domain = self.domain
        form = 0
        for region, tag in domain.regions.items():
            b = self.block_of[region]
            form += ufl.inner(-molar_flux(us[b], self.fields), ufl.grad(ws[b])) * domain.dx(tag)
        for (a, b_region), (j, k) in self._film_data.items():
            A, B = self.block_of[a], self.block_of[b_region]
            form += k * (us[A]("+") - us[B]("-")) * (ws[A]("+") - ws[B]("-")) * self._dS(j)
        for n, bc in self._conditions.items():
            b = self._boundary_block[n]
            x = self.fields.partition * us[b]
            lhs = bc.lhs(x, ws[b], domain.ds(domain.boundaries[n]), self._constants[n])
            if lhs is not None:
                form += lhs
        return form

    def _block_of_boundary(self, boundary: str) -> int:
        blocks = {self.block_of[r] for r in regions_on_boundary(self.domain, boundary)}
        if len(blocks) != 1:
            raise EmcdInputError(
                f"boundary {boundary!r} touches regions separated by films; split it by region"
            )
        return blocks.pop()

    def _check_ghosts(self, films) -> None:
        msh = self.domain.mesh
        counts = np.array([len(_interface_entities(self.domain, a, b)) for a, b in films])
        total = np.zeros_like(counts)
        msh.comm.Allreduce(counts, total, op=MPI.SUM)
        if np.any(total == 0):
            raise EmcdInputError("a film interface has no facets on this mesh")

    # -- fields on the whole mesh ---------------------------------------------------------
    def potential_field(self) -> fem.Function:
        """μ over the whole mesh: each block's potential copied onto its cells (collective).

        Discontinuous Lagrange of the blocks' degree on the parent mesh, so it holds every
        block's P_p potential exactly and jumps across the film interfaces. Named
        ``potential``; current after :meth:`solve`.
        """
        msh = self.domain.mesh
        tdim = msh.topology.dim
        degree = self._spaces[0].element.basix_element.degree
        mu = fem.Function(fem.functionspace(msh, ("DG", degree)), name="potential")
        for potential, cell_map in zip(self.potentials, self._entity_maps, strict=True):
            sub = potential.function_space.mesh
            sub_cells = np.arange(sub.topology.index_map(tdim).size_local, dtype=np.int32)
            parent_cells = cell_map.sub_topology_to_topology(sub_cells, inverse=False)
            mu.interpolate(potential, cells0=sub_cells, cells1=parent_cells)
        mu.x.scatter_forward()
        return mu

    def mole_fraction_field(self, potential: fem.Function | None = None) -> fem.Function:
        """x_A = H μ over the whole mesh, discontinuous (``mole_fraction_A``; collective).

        Args:
            potential: The discontinuous μ of :meth:`potential_field` (computed if None).
        """
        mu = potential if potential is not None else self.potential_field()
        return interpolate_expression(
            mole_fraction_of(mu, self.fields), mu.function_space, "mole_fraction_A"
        )

    def _boundary_fluxes(self) -> dict[str, float]:
        """Outward flux through every named boundary for the current potentials."""
        domain = self.domain
        fluxes = {}
        for n, bc in self._conditions.items():
            b = self._boundary_block[n]
            if bc.is_dirichlet:
                vector = fem.assemble_vector(self._residuals[b])
                vector.scatter_reverse(la.InsertMode.add)
                V = self._spaces[b]
                dofs = fem.locate_dofs_topological(
                    V,
                    domain.mesh.topology.dim - 1,
                    self._sub_facets[b].find(domain.boundaries[n]),
                )
                owned = dofs[dofs < V.dofmap.index_map.size_local]
                fluxes[n] = domain.comm.allreduce(-float(vector.array[owned].sum()), op=MPI.SUM)
            elif n in self._data_flux_forms:
                fluxes[n] = integrate(self._data_flux_forms[n])
            else:  # zero flux
                x = self.fields.partition * self.potentials[b]
                flux = bc.outward_flux(x, self._constants[n])
                fluxes[n] = integrate(
                    fem.form(flux * domain.ds(domain.boundaries[n]), entity_maps=self._entity_maps)
                )
        return fluxes

    # -- solve --------------------------------------------------------------------------
    def solve(self) -> FilmSolution:
        """Solve and compute boundary and film fluxes (collective).

        Raises:
            EmcdSolverError: the linear solver failed.
            AdmissibilityError: flux data drove x_A out of [0, 1]
                (:func:`emcd_fem.post.admissibility.check_range`).
            EmcdResultError: x_A out of [0, 1] by more than the discretisation explains.
        """
        last: dict[str, dict[str, float]] = {}

        def flux_scale() -> float:  # Σ|q_Γ| of the current potentials: judges the solve
            last["fluxes"] = self._boundary_fluxes()
            return sum(abs(v) for v in last["fluxes"].values())

        report = solve_linear(self._problem, what="film-coupled potential", flux_scale=flux_scale)
        domain = self.domain
        fluxes = last["fluxes"]  # of the accepted solution
        film_flux = {}
        for (a, b_region), (j, k) in self._film_data.items():
            A, B = self.block_of[a], self.block_of[b_region]
            expr = k * (self.potentials[A]("+") - self.potentials[B]("-")) * self._dS(j)
            film_flux[(a, b_region)] = integrate(fem.form(expr, entity_maps=self._entity_maps))
        for name in domain.boundaries:  # unnamed boundaries are impermeable
            fluxes.setdefault(name, 0.0)
        scale = sum(abs(v) for v in fluxes.values())
        balance = abs(sum(fluxes.values())) / scale if scale else 0.0
        x = self.mole_fraction_field()
        x_min, x_max = owned_range(x)
        ranges = [owned_range(p) for p in self.potentials]  # admissibility of x_A = H μ
        warnings = admissibility.check_range(
            x_min,
            x_max,
            msh=domain.mesh,
            degree=self._spaces[0].element.basix_element.degree,
            conditions=self._conditions,
            boundary_solubility={
                n: self.solubility[regions_on_boundary(domain, n)[0]] for n in self._conditions
            },
            region_solubility=self.solubility,
            potential_range=(min(r[0] for r in ranges), max(r[1] for r in ranges)),
            model="the film resistances (interfaces.film)",
        )
        return FilmSolution(
            potentials={f"block{i}": p for i, p in enumerate(self.potentials)},
            boundary_flux=fluxes,
            film_flux=film_flux,
            balance=balance,
            solver=report,
            x_min=x_min,
            x_max=x_max,
            mole_fraction=x,
            warnings=tuple(warnings),
        )


__all__ = ["FilmEMCDProblem", "FilmSolution"]
