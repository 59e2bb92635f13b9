"""The isobaric dusty-gas rate (Knudsen + molecular) through a slab or shell."""

import numpy as np

from emcd_fem.analytic.shells import shell_resistance
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import Material


def dusty_gas_rate(
    kind: str,
    r_in: float,
    r_out: float,
    *,
    concentration: float,
    d_molecular: float,
    d_knudsen_a: float,
    molar_mass_a: float,
    molar_mass_b: float,
    x_in: float,
    x_out: float,
    porosity_over_tortuosity: float = 1.0,
    height: float = 1.0,
) -> float:
    """Rate of A through a porous slab/shell by the isobaric binary dusty-gas model [mol/s].

    The reference for the equimolar (Bosanquet) approximation. At uniform pressure the
    dusty-gas model fixes the flux ratio by Graham's law, N_B = −sqrt(M_A/M_B) N_A, and
    then gives N_A = −c D_A(x_A) ∇x_A with

        1/D_A = (τ/ε) [1/D_K,A + (1 − α x_A)/D_AB],   α = 1 − sqrt(M_A/M_B).

    With β = D_AB/D_K,A the profile integral is closed form:
    ṅ = (ε/τ) c (D_AB/α) ln[(β + 1 − α x_out)/(β + 1 − α x_in)] / R_g, where R_g is the
    geometric resistance (slab: (r_out − r_in) per unit area; cylinder:
    ln(r_out/r_in)/(2π H); sphere: (1/r_in − 1/r_out)/(4π)). For α → 0 (M_A = M_B) it is
    the Bosanquet/EMCD rate (ε/τ) c D_AB (x_in − x_out)/((β + 1) R_g); in the Knudsen limit
    (β → ∞) both models give (ε/τ) c D_K,A (x_in − x_out)/R_g for A (but EMCD's N_B = −N_A
    is still wrong there).

    Args:
        kind: ``"slab"``, ``"cylinder"`` or ``"sphere"``.
        r_in: Inner radius, or the slab's start coordinate [m].
        r_out: Outer radius, or the slab's end coordinate [m].
        concentration: c [mol/m^3].
        d_molecular: D_AB, free-gas binary diffusivity [m^2/s].
        d_knudsen_a: D_K,A, Knudsen diffusivity of A in the pores [m^2/s].
        molar_mass_a: M_A [kg/mol].
        molar_mass_b: M_B [kg/mol].
        x_in: x_A at r_in.
        x_out: x_A at r_out.
        porosity_over_tortuosity: ε/τ.
        height: Cylinder height H [m].

    Returns:
        The rate of A from r_in to r_out (outward positive): mol/s for shells, mol/(m^2 s)
        for a slab.
    """
    values = {
        "concentration": concentration,
        "d_molecular": d_molecular,
        "d_knudsen_a": d_knudsen_a,
        "molar_mass_a": molar_mass_a,
        "molar_mass_b": molar_mass_b,
        "porosity_over_tortuosity": porosity_over_tortuosity,
        "height": height,
        "r_out - r_in": r_out - r_in,
    }
    for name, value in values.items():
        if not value > 0:
            raise EmcdInputError(f"dusty_gas_rate: {name} must be positive, got {value}")
    for name, value in (("x_in", x_in), ("x_out", x_out)):
        if not 0.0 <= value <= 1.0:
            raise EmcdInputError(f"dusty_gas_rate: {name} = {value} is outside [0, 1]")
    if kind == "slab":
        geometric = r_out - r_in
    elif kind in ("cylinder", "sphere"):
        if not r_in > 0:
            raise EmcdInputError(f"dusty_gas_rate: r_in must be positive, got {r_in}")
        geometric = shell_resistance(kind, r_in, r_out, Material(1.0, 1.0), height)
    else:
        raise EmcdInputError(f"kind must be 'slab', 'cylinder' or 'sphere', got {kind!r}")
    alpha = 1.0 - np.sqrt(molar_mass_a / molar_mass_b)
    beta = d_molecular / d_knudsen_a
    base = beta + 1.0 - alpha * x_in
    if abs(alpha) < 1e-12:
        integral = (x_in - x_out) / (beta + 1.0)
    else:  # log1p keeps digits when α (x_in − x_out) is small
        integral = np.log1p(alpha * (x_in - x_out) / base) / alpha
    return float(porosity_over_tortuosity * concentration * d_molecular * integral / geometric)
