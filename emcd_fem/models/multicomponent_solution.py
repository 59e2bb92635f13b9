"""The result record of a steady n-species Maxwell–Stefan solve, and its derived fields."""

from collections.abc import Sequence
from dataclasses import dataclass

import ufl
from dolfinx import fem

from emcd_fem.mesh.domain import Domain


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
        imbalance: Species → |Σ_Γ q_Γ,i − P_i| / max(Σ_Γ |q_Γ,i| + |P_i|, 1e-6 q_ref)
            (``post.integrals.relative_imbalance``; q_ref the natural flux scale).
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


def mass_average_velocity(
    domain: Domain,
    degree: int,
    molar_masses: Sequence[float],
    mole_fractions: Sequence[ufl.core.expr.Expr],
    fluxes: Sequence[ufl.core.expr.Expr],
    concentration: ufl.core.expr.Expr,
) -> fem.Function:
    """V = Σ_i M_i N_i / ρ, ρ = c Σ_i x_i M_i [m/s] in DG of degree − 1 (the degree of ∇x).

    Args:
        domain: The domain (every expression lives on its mesh).
        degree: The mole fractions' Lagrange degree.
        molar_masses: M_i [kg/mol], species order.
        mole_fractions: x_i (UFL), species order.
        fluxes: N_i [mol/(m^2 s)] (UFL), species order.
        concentration: c [mol/m^3] (UFL).
    """
    density = concentration * sum(m * x for m, x in zip(molar_masses, mole_fractions, strict=True))
    velocity = sum(m * n for m, n in zip(molar_masses, fluxes, strict=True)) / density
    msh = domain.mesh
    W = fem.functionspace(msh, ("DG", max(degree - 1, 0), (msh.geometry.dim,)))
    v = fem.Function(W, name="mass_average_velocity")
    v.interpolate(fem.Expression(velocity, W.element.interpolation_points))
    return v


__all__ = ["MulticomponentSolution", "mass_average_velocity"]
