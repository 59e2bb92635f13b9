"""Thermal diffusion (Soret effect) in n-species Maxwell–Stefan transport, as UFL.

Ideal gas, isobaric, dilute-gas generalised Maxwell–Stefan relations with thermal diffusion
(Taylor & Krishna, *Multicomponent Mass Transfer*, 1993, §2.4; Chapman & Cowling):

    −c (∇x_i + k_T,i ∇ln T) = Σ_{j≠i} (x_j N_i − x_i N_j)/Đ_ij,   Σ_i k_T,i = 0,

with the thermal diffusion ratios in the binary-pair approximation (the one of Chemkin's
and Cantera's mixture-averaged transport):

    k_T,i = Σ_{j≠i} x_i x_j α_ij,   α_ji = −α_ij,

α_ij the binary thermal diffusion factor of the pair. **Sign**: as the binary Soret path
(:mod:`emcd_fem.physics.soret`), α_ij > 0 drives species i towards the cold side (and j
to the hot side). For n = 2 with Σ N_i = 0 this is exactly the binary law
N_A = −c D (∇x_A + S_T x_A x_B ∇T) with S_T = α_AB / T. Kinetic theory sends the
heavier species of a typical gas pair to the cold side: α_ij > 0 when i is the heavier.

In the code's formulation (:mod:`emcd_fem.physics.maxwell_stefan`) the driving force of
the n − 1 independent species becomes d = ∇x + k_T ∇ln T and N = −c [B]^{-1} d: the
bootstrap elimination is unchanged (it touches only the right-hand side), and
Σ k_T,i = 0 keeps the eliminated species' relation consistent. N is linear in d at given
x and T, so the fluxes of ∇x and of k_T ∇ln T (the Fick and Soret parts) add up exactly.

Temperature laws of the properties (per region, DG0 parameters):
c(T) = P/(R T) (``ideal_gas``) or constant; Đ_ij(T) = Đ_ij,ref (T/T_ref)^n (``power``, the
same exponent n for every pair; n = 1.5 is the hard-sphere law) or constant.
"""

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import ufl

from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.physics import maxwell_stefan as ms


class FluxParts(NamedTuple):
    """Molar fluxes N_i [mol/(m^2 s)] of every species (lists of n UFL vectors).

    Attributes:
        total: N_i = fickian_i + thermal_i.
        fickian: −c [B]^{-1} ∇x (the flux of the composition gradient).
        thermal: −c [B]^{-1} k_T ∇ln T (the flux of thermal diffusion).
    """

    total: list
    fickian: list
    thermal: list


def thermal_diffusion_ratios(
    mole_fractions: Sequence, factors: Mapping[tuple[int, int], object]
) -> list:
    """k_T,i = Σ_{j≠i} x_i x_j α_ij of every species [-] (UFL or numbers).

    Args:
        mole_fractions: x_i of all n species.
        factors: (i, j) with i < j → α_ij [-] (α_ji = −α_ij); pairs not given are 0.

    Returns:
        The n ratios; Σ_i k_T,i = 0 identically (each pair enters as +x_i x_j α_ij and
        −x_i x_j α_ij).
    """
    xs = list(mole_fractions)
    ratios: list = [0] * len(xs)
    for (i, j), alpha in factors.items():
        if not i < j:
            raise ValueError(f"thermal diffusion factor keys are (i, j) with i < j, got {(i, j)}")
        term = xs[i] * xs[j] * alpha
        ratios[i] = ratios[i] + term
        ratios[j] = ratios[j] - term
    return ratios


def thermal_driving(
    x: ufl.core.expr.Expr,
    bootstrap: ms.Bootstrap,
    temperature: ufl.core.expr.Expr,
    factors: Mapping[tuple[int, int], ufl.core.expr.Expr],
) -> ufl.core.expr.Expr:
    """k_T,i ∇ln T of the independent species, an (n−1) × gdim UFL tensor [1/m].

    Args:
        x: The n − 1 unknown mole fractions.
        bootstrap: The bootstrap (which species are independent).
        temperature: T [K] (> 0), a UFL expression on the mesh.
        factors: (i, j), i < j → α_ij [-] (UFL, e.g. DG0 fields).
    """
    ratios = thermal_diffusion_ratios(ms.all_mole_fractions(x, bootstrap), factors)
    grad_ln_t = ufl.grad(temperature) / temperature
    return ufl.as_tensor([ratios[k] * grad_ln_t for k in bootstrap.independent])


def thermal_fluxes(
    x: ufl.core.expr.Expr,
    concentration: ufl.core.expr.Expr,
    diffusivity: Mapping[tuple[int, int], ufl.core.expr.Expr],
    bootstrap: ms.Bootstrap,
    temperature: ufl.core.expr.Expr,
    factors: Mapping[tuple[int, int], ufl.core.expr.Expr],
) -> FluxParts:
    """N_i = −c [B]^{-1} (∇x + k_T ∇ln T) and its Fick and Soret parts [mol/(m^2 s)].

    The one place the thermal-diffusion constitutive law is written: the residual, the
    summary's fluxes and the flux fields use it. ``concentration`` and ``diffusivity`` are
    c(T) [mol/m^3] and Đ_ij(T) [m^2/s] (e.g. from :func:`ideal_gas_concentration` and
    :func:`power_law_diffusivity`).
    """
    fick = ufl.grad(x)
    soret = thermal_driving(x, bootstrap, temperature, factors)
    args = (x, concentration, diffusivity, bootstrap)
    return FluxParts(
        ms.driven_fluxes(*args, fick + soret),
        ms.driven_fluxes(*args, fick),
        ms.driven_fluxes(*args, soret),
    )


def concentration_law(
    reference: ufl.core.expr.Expr,
    ideal_gas: ufl.core.expr.Expr,
    pressure: ufl.core.expr.Expr,
    temperature: ufl.core.expr.Expr,
) -> ufl.core.expr.Expr:
    """c(T) [mol/m^3]: P/(R T) where ``ideal_gas`` = 1, the constant ``reference`` where 0.

    Args:
        reference: c at the material's state [mol/m^3].
        ideal_gas: 1 (c = P/(R T)) or 0 (constant) per cell.
        pressure: P [Pa] (used where ``ideal_gas`` = 1).
        temperature: T [K].
    """
    return (1 - ideal_gas) * reference + ideal_gas * pressure / (GAS_CONSTANT * temperature)


def power_law_diffusivity(
    reference: ufl.core.expr.Expr,
    temperature: ufl.core.expr.Expr,
    reference_temperature: ufl.core.expr.Expr,
    exponent: ufl.core.expr.Expr,
) -> ufl.core.expr.Expr:
    """Đ(T) = Đ_ref (T/T_ref)^n [m^2/s] (n = 0: constant)."""
    return reference * (temperature / reference_temperature) ** exponent


__all__ = [
    "FluxParts",
    "concentration_law",
    "power_law_diffusivity",
    "thermal_diffusion_ratios",
    "thermal_driving",
    "thermal_fluxes",
]
