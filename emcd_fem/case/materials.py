"""The ``[materials.<name>]``, ``[species]`` and ``[[interfaces]]`` sections."""

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from emcd_fem.case.base import Section as _Section

if TYPE_CHECKING:
    from emcd_fem.materials.properties import ResolvedMaterial


# -- materials and species -----------------------------------------------------------------
class MaterialSpec(_Section):
    """Transport properties of one phase (give D, or gases with T and P)."""

    D: float | None = Field(
        default=None, gt=0, description="Binary diffusivity D_AB [m^2/s] (else Chapman–Enskog)."
    )
    c: float | None = Field(
        default=None, gt=0, description="Total molar concentration c [mol/m^3] (else P/(R T))."
    )
    gases: list[str] | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="Gas pair [A, B] from the built-in table (N2, O2, CO2, H2, He, Ar, CH4, "
        "air, H2O).",
    )
    T: float | None = Field(default=None, gt=0, description="Temperature [K].")
    P: float | None = Field(default=None, gt=0, description="Pressure [Pa].")
    porosity: float = Field(default=1.0, gt=0, le=1, description="Porosity ε [-].")
    tortuosity: float = Field(default=1.0, ge=1, description="Tortuosity τ [-]; D_eff = ε D/τ.")
    pore_diameter: float | None = Field(default=None, gt=0, description="Pore diameter [m].")
    knudsen: Literal["off", "bosanquet"] = Field(
        default="off", description="`bosanquet`: 1/D = 1/D_AB + 1/D_K,A (needs pore_diameter)."
    )
    characteristic_length: float | None = Field(
        default=None, gt=0, description="L_c for the Knudsen number when no pore diameter [m]."
    )
    thermal_conductivity: float | None = Field(
        default=None, gt=0, description="k [W/(m K)] (needed when [thermal] solves for T)."
    )
    soret_coefficient: float | None = Field(
        default=None,
        description="S_T [1/K]: N_A = −c D (∇x_A + S_T x_A x_B ∇T); S_T > 0 drives A to the "
        "cold side (needs [thermal]).",
    )
    thermal_diffusion_factor: float | Literal["kinetic_theory"] | None = Field(
        default=None,
        description="α_T [-] of the material (input), S_T = α_T / T at the local T (instead "
        "of soret_coefficient); α_T > 0 drives A to the cold side, so < 0 when A is the "
        "lighter gas (the heavier goes cold); |α_T| 0.05–0.45 for gases. A number is constant "
        "in x_A and T. `kinetic_theory`: α_T(T, x_A) of `gases` (at P, default 1 atm) "
        "evaluated at the local temperature and composition, from Cantera (extra `gas`), "
        "fitted over the case's temperatures × 0.8–1.25 (a solved T outside is refused); "
        "summary.json `soret.thermal_diffusion_factor.<material>` reports the law and "
        "`value` = α_T at T and x_A = 0.5, `soret.alpha_t_range` the α_T met. Not summary.json "
        "`soret.alpha_t.<region>`: that is the run's region mean "
        "of S_T(T, x_A) T over the solved T and x_A (equal to a constant α_T).",
    )
    diffusivity_law: Literal["constant", "power", "chapman_enskog"] = Field(
        default="constant",
        description="D(T): `power` D (T/T_ref)^n, `chapman_enskog` (needs gases); T_ref = T.",
    )
    diffusivity_exponent: float = Field(default=1.5, description="n of the `power` law [-].")
    concentration_law: Literal["constant", "ideal_gas"] = Field(
        default="constant", description="c(T): `ideal_gas` c = P/(R T) (needs P and T)."
    )


class SpeciesSpec(_Section):
    """One species of the binary pair."""

    name: str = Field(default="", description="Label, e.g. `He` (informational).")
    molar_mass: float = Field(gt=0, description="Molar mass M [kg/mol], e.g. 4.0026e-3 for He.")
    formula: str | None = Field(
        default=None,
        description="Chemical formula, e.g. `C4H10`: [[reactions]] are checked for atom balance.",
    )


class InterfaceSpec(_Section):
    """Coefficients of the interfaces between two materials, oriented first → second.

    With ``materials = [a, b]``: K_ab = c_A,b/c_A,a at equilibrium, κ_ab = K_ab c_a/c_b the
    same ratio in mole fractions (x_b = κ_ab x_a), and the film law
    N_A·n_ab = k_ab (x_a − x_b/κ_ab), n_ab the normal from a into b. Written as [b, a] the
    same interface has K_ba = 1/K_ab and k_ba = k_ab/κ_ab (README: Interface coefficients).
    """

    materials: list[str] = Field(
        min_length=2,
        max_length=2,
        description="[a, b]: the two material names; the order orients K and k (a → b).",
    )
    partition: float | None = Field(
        default=None,
        gt=0,
        description=(
            "K_ab [-]: c_A,b = K_ab c_A,a at equilibrium (molar concentrations of A either "
            "side); default c_b/c_a (x_A continuous). Swapped pair: K_ba = 1/K_ab."
        ),
    )
    film: float | None = Field(
        default=None,
        gt=0,
        description=(
            "Film coefficient k_ab [mol/(m^2 s)]: N_A·n_ab = k_ab (x_a − x_b/κ_ab), "
            "κ_ab = K_ab c_a/c_b (1 without partition), n_ab from a into b. "
            "Swapped pair: k_ba = k_ab/κ_ab."
        ),
    )
    contact_resistance: float | None = Field(
        default=None,
        gt=0,
        description="Thermal contact resistance R_c [m^2 K/W]: T jumps by R_c q·n ([thermal]).",
    )


class Species(_Section):
    """The species A (whose mole fraction is solved for) and B."""

    A: SpeciesSpec = Field(description="Species A.")
    B: SpeciesSpec = Field(description="Species B.")


def resolve_spec(name: str, spec: MaterialSpec) -> "ResolvedMaterial":
    """Transport properties (D [m^2/s], c [mol/m^3]) and regime diagnostics of a material."""
    from emcd_fem.materials import properties

    model = properties.MaterialModel(
        D=spec.D,
        c=spec.c,
        gases=tuple(spec.gases) if spec.gases else None,
        T=spec.T,
        P=spec.P,
        porosity=spec.porosity,
        tortuosity=spec.tortuosity,
        pore_diameter=spec.pore_diameter,
        knudsen=spec.knudsen,
        characteristic_length=spec.characteristic_length,
    )
    return properties.resolve(name, model)
