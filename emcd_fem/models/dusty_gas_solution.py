"""The result record of the dusty-gas model and its one-compilation integral helpers."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem

#: How far a nodal mole fraction may leave [0, 1] before the solution carries a warning.
RANGE_TOLERANCE: float = 1e-8


@dataclass(frozen=True)
class DustyGasSolution:
    """Result of a steady dusty-gas solve.

    Fluxes in mol/s in 3D, mol/(m s) per unit depth in 2D, mol/(m^2 s) in 1D; outward
    positive.

    Attributes:
        species: Species names, in order.
        mole_fractions: Species → x_i = c_i/c (Lagrange Function, nodal values).
        pressure: p = R T Σ c_i [Pa] (Lagrange Function).
        pressure_range: (min, max) of the nodal pressure over all ranks [Pa].
        boundary_pressure: Boundary → mean pressure ∫_Γ p ds / |Γ| [Pa].
        pressure_difference: (a, b) with a < b (sorted boundary names) → p̄_b − p̄_a [Pa]:
            the pressure difference induced between every pair of boundaries.
        boundary_flux: Species → boundary → q_Γ,i = ∫_Γ N_i·n ds (0 on closed walls).
        total_flux: Boundary → Σ_i q_Γ,i (the net molar flow out through Γ).
        viscous_flux: Boundary → the viscous (Darcy) part of the net molar flow,
            ∫_Γ N^V·n ds (as a reaction flux of the viscous residual; 0 on walls).
        viscous_share: Boundary → viscous_flux / Σ_i |q_Γ,i| (the viscous molar flow over
            the gross species throughput; 0 where nothing crosses, i.e. below
            ``ROUND_OFF`` of the natural flux scale): ≈ 0 for isobaric
            counterdiffusion, finite where a pressure difference drives flow.
        production: Species → P_i = ∫ R_i dx (homogeneous reactions) [mol/s in 3D].
        imbalance: Species → |Σ_Γ q_Γ,i − P_i| / (Σ_Γ |q_Γ,i| + |P_i|), the denominator at
            least ``post.integrals.FLUX_FLOOR`` of the natural flux scale (round-off fluxes
            of a uniform state are no failed balance).
        x_range: Species → (min, max) of its nodal mole fractions over all ranks.
        iterations: Newton iterations.
        reason: SNES converged reason.
        warnings: A mole fraction outside [0, 1] beyond :data:`RANGE_TOLERANCE`.
    """

    species: tuple[str, ...]
    mole_fractions: dict[str, fem.Function]
    pressure: fem.Function
    pressure_range: tuple[float, float]
    boundary_pressure: dict[str, float]
    pressure_difference: dict[tuple[str, str], float]
    boundary_flux: dict[str, dict[str, float]]
    total_flux: dict[str, float]
    viscous_flux: dict[str, float]
    viscous_share: dict[str, float]
    production: dict[str, float]
    imbalance: dict[str, float]
    x_range: dict[str, tuple[float, float]]
    iterations: int
    reason: str
    warnings: tuple[str, ...] = ()

    @property
    def net_production(self) -> float:
        """∫ R_T dx = Σ_i P_i: the moles made per unit time (0 for mole-balanced reactions)."""
        return float(sum(self.production.values()))


def weighted_form(
    parts: Sequence[tuple[ufl.core.expr.Expr, ufl.Measure]], msh: Any
) -> tuple[fem.Form, fem.Constant]:
    """One compiled form Σ_k w_k f_k dm_k of (integrand, measure) parts, and the weights w.

    Assembling it with one w_k = 1 gives part k: one JIT compilation for all the parts.
    """
    weights = fem.Constant(msh, np.zeros(len(parts)))
    return fem.form(sum(weights[k] * f * m for k, (f, m) in enumerate(parts))), weights


def each_part(form: fem.Form, weights: fem.Constant, comm: MPI.Comm) -> np.ndarray:
    """Every part of a :func:`weighted_form` form, summed over ranks (collective)."""
    local = np.zeros(weights.value.size)
    for k in range(local.size):
        weights.value[:] = 0.0
        weights.value[k] = 1.0
        local[k] = fem.assemble_scalar(form)
    total = np.zeros_like(local)
    comm.Allreduce(local, total, op=MPI.SUM)
    return total


__all__ = ["RANGE_TOLERANCE", "DustyGasSolution", "each_part", "weighted_form"]
