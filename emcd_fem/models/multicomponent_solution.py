"""The result record of a steady n-species Maxwell–Stefan solve, and its derived fields."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import numpy as np
import numpy.typing as npt
import ufl
from dolfinx import fem, la

from emcd_fem.errors import EmcdInputError
from emcd_fem.mesh.domain import Domain
from emcd_fem.physics import maxwell_stefan as ms
from emcd_fem.physics.maxwell_stefan import Bootstrap
from emcd_fem.post.integrals import relative_imbalance


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


def model_velocity(model: Any, molar_masses: Mapping[str, float]) -> fem.Function:
    """The mass-average velocity of an n-species model's current state [m/s] (collective).

    Zero net molar flux (Σ N_i = 0, the molar-average velocity is 0) does not make v zero:
    v = Σ_i (M_i − M_e) N_i / ρ (:func:`mass_average_velocity`).

    Args:
        model: A Maxwell–Stefan model (``species``, ``bootstrap``, ``mole_fraction_vector``,
            ``fluxes``, ``concentration``, ``domain``, ``degree``).
        molar_masses: Species → M_i [kg/mol] > 0, for every species.

    Raises:
        EmcdInputError: a species without a molar mass > 0.
    """
    bad = [s for s in model.species if not molar_masses.get(s, 0) > 0]
    if bad:
        raise EmcdInputError(f"mass-average velocity: give molar masses > 0 for {bad}")
    xs = ms.all_mole_fractions(model.mole_fraction_vector, model.bootstrap)
    masses = [float(molar_masses[s]) for s in model.species]
    return mass_average_velocity(
        model.domain, model.degree, masses, xs, model.fluxes, model.concentration
    )


def species_imbalance(
    flux: Mapping[str, Mapping[str, float]], production: Mapping[str, float], scale: float
) -> dict[str, float]:
    """Species → relative imbalance |Σ_Γ q_Γ − P| / (Σ |q_Γ| + |P|).

    :func:`~emcd_fem.post.integrals.relative_imbalance`: a species at rest (inert beside a
    wall) is judged against q_ref.

    Args:
        flux: Species → boundary → q_Γ [mol/s in 3D].
        production: Species → ∫ R_i dx [mol/s in 3D].
        scale: The natural flux scale q_ref [mol/s in 3D].
    """
    return {
        s: relative_imbalance(sum(q.values()), production[s], q, scale) for s, q in flux.items()
    }


def all_fluxes(independent: npt.ArrayLike, bootstrap: Bootstrap) -> np.ndarray:
    """The n species' fluxes from the n − 1 independent ones: N_e = −Σ_k (ν_k/ν_e) N_k."""
    nu, e, ind = bootstrap.weights, bootstrap.eliminated, bootstrap.independent
    independent = np.asarray(independent, dtype=float)
    full = np.zeros(len(nu))
    full[list(ind)] = independent
    full[e] = -sum(nu[k] / nu[e] * independent[m] for m, k in enumerate(ind))
    return full


def boundary_reaction_fluxes(
    domain: Domain,
    species: Sequence[str],
    bootstrap: Bootstrap,
    residuals: Sequence[fem.Form],
    dofs: Sequence[Mapping[str, npt.NDArray[np.int32]]],
) -> dict[str, dict[str, float]]:
    """Species → boundary → q_Γ,i [mol/s in 3D]: the reaction fluxes (collective).

    −Σ of each residual's entries at the owned DOFs of each composition boundary (the
    discrete flux, conservative), the eliminated species' from the bootstrap; 0 on the
    other boundaries.

    Args:
        domain: The domain.
        species: Species names.
        bootstrap: The model's bootstrap.
        residuals: Compiled residual per block (vector of the n − 1 independent species).
        dofs: Per block, composition boundary → its owned DOFs in that block.
    """
    n = len(species)
    names = sorted({name for block in dofs for name in block})
    local = np.zeros((len(names), n - 1))
    for form, block in zip(residuals, dofs, strict=True):
        vector = fem.assemble_vector(form)
        vector.scatter_reverse(la.InsertMode.add)
        values = vector.array.reshape(-1, n - 1)
        for a, name in enumerate(names):
            if name in block:
                local[a] -= values[block[name]].sum(axis=0)
    q = np.zeros_like(local)
    domain.comm.Allreduce(local, q, op=MPI.SUM)
    flux = {s: dict.fromkeys(sorted(domain.boundaries), 0.0) for s in species}
    for a, name in enumerate(names):
        for s, value in zip(species, all_fluxes(q[a], bootstrap), strict=True):
            flux[s][name] = float(value)
    return flux


__all__ = [
    "MulticomponentSolution",
    "all_fluxes",
    "boundary_reaction_fluxes",
    "mass_average_velocity",
    "model_velocity",
    "species_imbalance",
]
