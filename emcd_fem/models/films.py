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

The forms, the solve and every check live in the composed species-transport model
(:class:`emcd_fem.models.transport.SpeciesTransportModel`); this class is its film-facing
facade. For output the block potentials are copied onto one discontinuous Lagrange field of the
same degree over the whole mesh (:meth:`FilmEMCDProblem.potential_field`), exact cell by
cell, from which x_A = H μ and N_A = −c D H ∇μ follow as in the plain pipeline, jumps
included.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dolfinx import fem

from emcd_fem.materials import Material
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.blocks import whole_mesh_field
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.physics.conditions import BoundaryCondition
from emcd_fem.physics.emcd import mole_fraction as mole_fraction_of
from emcd_fem.post.fields import interpolate_expression


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


class FilmEMCDProblem:
    """Steady EMCD with film resistances (and optional partition coefficients).

    A facade over :class:`~emcd_fem.models.transport.SpeciesTransportModel` (films,
    partitions, isothermal: the linear block path with MUMPS LU).

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
        self.model = SpeciesTransportModel(
            domain,
            materials,
            boundary_conditions,
            films=films,
            partitions=partitions,
            degree=degree,
            petsc_options=petsc_options,
        )
        self.domain = domain
        self.solubility = self.model.solubility
        self.fields = self.model.fields
        self.blocks = [block.regions for block in self.model.blocks]
        self.block_of = self.model.block_of
        self.potentials = self.model.potentials

    # -- fields on the whole mesh ---------------------------------------------------------
    def potential_field(self) -> fem.Function:
        """μ over the whole mesh: each block's potential copied onto its cells (collective).

        Discontinuous Lagrange of the blocks' degree on the parent mesh, so it holds every
        block's P_p potential exactly and jumps across the film interfaces. Named
        ``potential``; current after :meth:`solve`.
        """
        return whole_mesh_field(self.domain, self.model.blocks, self.potentials, "potential")

    def mole_fraction_field(self, potential: fem.Function | None = None) -> fem.Function:
        """x_A = H μ over the whole mesh, discontinuous (``mole_fraction_A``; collective).

        Args:
            potential: The discontinuous μ of :meth:`potential_field` (computed if None).
        """
        mu = potential if potential is not None else self.potential_field()
        return interpolate_expression(
            mole_fraction_of(mu, self.fields), mu.function_space, "mole_fraction_A"
        )

    # -- solve --------------------------------------------------------------------------
    def solve(self) -> FilmSolution:
        """Solve and compute boundary and film fluxes (collective).

        Raises:
            EmcdSolverError: the linear solver failed.
            AdmissibilityError: flux data drove x_A out of [0, 1]
                (:func:`emcd_fem.post.admissibility.check_range`).
            EmcdResultError: x_A out of [0, 1] by more than the discretisation explains.
        """
        solution = self.model.solve()
        return FilmSolution(
            potentials={f"block{i}": p for i, p in enumerate(self.potentials)},
            boundary_flux=solution.boundary_flux,
            film_flux=solution.film_flux,
            balance=solution.balance,
            solver=solution.solver,
            x_min=solution.x_min,
            x_max=solution.x_max,
            mole_fraction=solution.mole_fraction,
            warnings=solution.warnings,
        )


__all__ = ["FilmEMCDProblem", "FilmSolution"]
