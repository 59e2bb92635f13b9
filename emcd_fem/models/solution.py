"""The results of a species-transport solve: the balance record and the solution records.

:class:`TransportSolution` is what :class:`~emcd_fem.models.transport.SpeciesTransportModel`
returns; :class:`Solution` (with its :class:`Balance`) is the record of the public
:class:`~emcd_fem.EMCDProblem` facade, built from it.
"""

from dataclasses import dataclass, field
from typing import Any

from dolfinx import fem

from emcd_fem.models.thermal import ThermalSolution
from emcd_fem.solvers import linear as solver_mod


@dataclass(frozen=True)
class Balance:
    """Global species balance Σ_Γ q_Γ = ∫ R dx.

    Attributes:
        net_outflow: Σ_Γ q_Γ over all boundaries.
        production: ∫ R_A dx.
        relative: |net_outflow − production| / (Σ|q_Γ| + |production|), measured against
            a floor of 1e-6 of the natural flux scale when every flux is below it
            (``postprocess.relative_imbalance``): round-off zeros give round-off, not 1.
    """

    net_outflow: float
    production: float
    relative: float


@dataclass(frozen=True)
class Solution:
    """Result of a steady EMCD solve.

    Attributes:
        mole_fraction: x_A: the Lagrange unknown, or with partition coefficients x_A = H μ
            in discontinuous Lagrange of the same degree.
        potential: The continuous unknown (x_A itself without partition coefficients).
        boundary_flux: Boundary name → outward flux q_Γ = ∫_Γ N_A·n ds (positive: A
            leaves) [mol/s in 3D, mol/(m s) per unit depth in 2D, mol/(m^2 s) in 1D].
        balance: The global balance.
        x_min: Smallest nodal mole fraction.
        x_max: Largest nodal mole fraction.
        solver: What the linear solver did.
        warnings: Warnings raised while checking the solution.
    """

    mole_fraction: fem.Function
    potential: fem.Function
    boundary_flux: dict[str, float]
    balance: Balance
    x_min: float
    x_max: float
    solver: solver_mod.SolverReport
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class TransportSolution:
    """Result of :meth:`SpeciesTransportModel.solve`.

    Attributes:
        potentials: Block potentials μ_b (Lagrange, on each block's mesh).
        potential: μ over the whole mesh (discontinuous Lagrange, jumps at films; the block
            potential itself when there is one block and no partition coefficient).
        mole_fraction: x_A = H μ over the whole mesh (discontinuous Lagrange; a copy of
            ``potential`` when x_A = μ).
        boundary_flux: Boundary → outward q_Γ [mol/s; mol/(m s) in 2D; mol/(m^2 s) in 1D].
        production: ∫ R_A dx [same units].
        film_flux: (a, b) → ∫_Γ N_A·n_ab dS through each film.
        flux_split: Boundary → {"fickian", "thermal"} integrals of the two parts of N_A·n
            (with a temperature only).
        balance: |Σ q_Γ − ∫R| / throughput [-] (``postprocess.relative_imbalance``);
            :attr:`balance_record` gives the whole :class:`Balance`.
        x_min: Smallest nodal x_A. x_max: Largest.
        iterations: Newton iterations of the final solve.
        reason: SNES converged reason.
        residual_history: Newton residual norms of the final solve.
        temperature: T [K] (None when isothermal).
        heat: The heat-conduction result when T was solved.
        thermal_fraction: |N_thermal| / (|N_Fick| + |N_thermal|) (with a temperature).
        alpha_t: Region → mean of α_T = S_T(T, x_A) T over it (with a temperature).
        cell_peclet: max |S_T ∇T| h / 2 [-].
        warnings: Warnings and notes from the checks.
        coupling: ``"isothermal"``, ``"prescribed"``, ``"staggered"`` or ``"monolithic"``.
        coupling_iterations: Passes of the T–x_A coupling (1: T does not depend on x_A).
        coupling_history: Changes between passes (empty: one pass).
        solver: Report of the linear (isothermal) solve (``emcd_fem.solvers.linear.SolverReport``).
        reactions: With reactions, ``ReactionTerms.report``: verdict, production per region,
            reacting-wall fluxes, Thiele moduli and effectiveness factors.
    """

    potentials: list[fem.Function]
    potential: fem.Function
    mole_fraction: fem.Function
    boundary_flux: dict[str, float]
    production: float
    film_flux: dict[tuple[str, str], float]
    flux_split: dict[str, dict[str, float]]
    balance: float
    x_min: float
    x_max: float
    iterations: int
    reason: str
    residual_history: list[float]
    temperature: Any = None
    heat: ThermalSolution | None = None
    thermal_fraction: fem.Function | None = None
    alpha_t: dict[str, float] | None = None
    cell_peclet: float = 0.0
    warnings: tuple[str, ...] = ()
    coupling: str = "isothermal"
    coupling_iterations: int = 1
    coupling_history: list[float] = field(default_factory=list)
    solver: Any = None
    reactions: dict[str, Any] | None = None

    @property
    def balance_record(self) -> Balance:
        """The global balance as a record: Σ_Γ q_Γ, ∫R_A dx and the relative imbalance."""
        return Balance(
            net_outflow=sum(self.boundary_flux.values()),
            production=self.production,
            relative=self.balance,
        )


__all__ = ["Balance", "Solution", "TransportSolution"]
