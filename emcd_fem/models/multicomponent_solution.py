"""The result record of a steady n-species Maxwell–Stefan solve."""

from dataclasses import dataclass

from dolfinx import fem


@dataclass(frozen=True)
class MulticomponentSolution:
    """Result of a steady Maxwell–Stefan solve.

    Attributes:
        species: Species names, in order.
        mole_fractions: Species → x_i (Lagrange Function; the eliminated species'
            computed as 1 − Σ of the others).
        boundary_flux: Species → boundary name → outward flux q_Γ,i = ∫_Γ N_i·n ds [mol/s in
            3D, mol/(m s) per unit depth in 2D, mol/(m^2 s) in 1D]; 0 on no-flux boundaries.
        total_flux: Boundary name → Σ_i q_Γ,i (0 for zero net flux: whether the exchange
            is equimolar).
        imbalance: Species → |Σ_Γ q_Γ,i − P_i| / (Σ_Γ |q_Γ,i| + |P_i|) (0 if all are 0).
        production: Species → P_i = ∫ R_i dx [mol/s in 3D] (0 without sources).
        iterations: Newton iterations.
        reason: SNES converged reason.
        x_range: Species → (min, max) of its nodal mole fractions over all ranks.
        warnings: A species outside [0, 1] beyond ``models.multicomponent.RANGE_TOLERANCE``
            (mesh too coarse for a steep layer), and the mixture-averaged coupling warning.
    """

    species: tuple[str, ...]
    mole_fractions: dict[str, fem.Function]
    boundary_flux: dict[str, dict[str, float]]
    total_flux: dict[str, float]
    imbalance: dict[str, float]
    iterations: int
    reason: str
    x_range: dict[str, tuple[float, float]]
    production: dict[str, float]
    warnings: tuple[str, ...] = ()


__all__ = ["MulticomponentSolution"]
