"""The result of a composed species-transport solve."""

from dataclasses import dataclass, field
from typing import Any

from dolfinx import fem

from emcd_fem.models.thermal import ThermalSolution


@dataclass(frozen=True)
class TransportSolution:
    """Result of :meth:`SpeciesTransportModel.solve`.

    Attributes:
        potentials: Block potentials μ_b (Lagrange, on each block's mesh).
        potential: μ over the whole mesh (discontinuous Lagrange, jumps at films).
        mole_fraction: x_A = H μ over the whole mesh (discontinuous Lagrange).
        boundary_flux: Boundary → outward q_Γ [mol/s; mol/(m s) in 2D; mol/(m^2 s) in 1D].
        production: ∫ R_A dx [same units].
        film_flux: (a, b) → ∫_Γ N_A·n_ab dS through each film.
        flux_split: Boundary → {"fickian", "thermal"} integrals of the two parts of N_A·n
            (with a temperature only).
        balance: |Σ q_Γ − ∫R| / throughput [-] (``postprocess.relative_imbalance``).
        x_min: Smallest nodal x_A. x_max: Largest.
        iterations: Newton iterations of the final solve.
        reason: SNES converged reason.
        residual_history: Newton residual norms of the final solve.
        temperature: T [K] (None when isothermal).
        heat: The heat-conduction result when T was solved.
        thermal_fraction: |N_thermal| / (|N_Fick| + |N_thermal|) (with a temperature).
        alpha_t: Region → α_T = S_T T at its mean T (with a temperature).
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


__all__ = ["TransportSolution"]
