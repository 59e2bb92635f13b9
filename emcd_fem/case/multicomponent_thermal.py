"""Thermal diffusion in ``[multicomponent]`` cases: the region keys and their checks.

A steady n-species Maxwell–Stefan case with ``[thermal]`` (a prescribed T, or heat
conduction with ``thermal_conductivity`` per region) takes per region::

    [multicomponent.regions.gas]
    diffusivities = {H2 = {N2 = 8.33e-5, CO2 = 6.80e-5}, N2 = {CO2 = 1.68e-5}}
    T = 300.0                     # K: T_ref of the laws below (and of kinetic_theory α_ij)
    P = 101325.0                  # Pa
    concentration_law = "ideal_gas"   # c = P/(R T)
    diffusivity_law = "power"         # Đ_ij (T/T_ref)^n, every pair
    diffusivity_exponent = 1.75
    thermal_conductivity = 0.1        # W/(m K), with [thermal.boundaries]
    thermal_diffusion_factors = {N2 = {H2 = 0.35}, CO2 = {H2 = 0.40, N2 = 0.06}}

``thermal_diffusion_factors = {i = {j = α_ij}}``: α_ij > 0 drives i to the cold side
(α_ji = −α_ij; pairs not given: 0), the sign of the binary path; or ``"kinetic_theory"``:
Cantera's binary α_T of every pair at the region's T and P (default 1 atm), evaluated at the
pair's equimolar composition x_i = x_j = 1/2 and frozen (not followed along T or x).
"""

from typing import Literal

from pydantic import Field

from emcd_fem.case.base import Section as _Section


class ThermalMixSpec(_Section):
    """Thermal-diffusion keys of a region's mixture (used with ``[thermal]`` only)."""

    thermal_diffusion_factors: dict[str, dict[str, float]] | Literal["kinetic_theory"] | None = (
        Field(
            default=None,
            description="α_ij [-] nested {i = {j = α_ij}}: α_ij > 0 drives i to the cold side "
            "(the heavier of a gas pair), α_ji = −α_ij; or `kinetic_theory` (Cantera, each "
            "pair at x_i = x_j = 1/2, the region's T and P, frozen). Needs [thermal].",
        )
    )
    thermal_conductivity: float | None = Field(
        default=None, gt=0, description="k [W/(m K)] (heat conduction: [thermal.boundaries])."
    )
    diffusivity_law: Literal["constant", "power"] = Field(
        default="constant", description="Đ_ij(T): `power` Đ_ij (T/T_ref)^n, T_ref = T."
    )
    diffusivity_exponent: float = Field(default=1.5, description="n of the `power` law [-].")
    concentration_law: Literal["constant", "ideal_gas"] = Field(
        default="constant", description="c(T): `ideal_gas` c = P/(R T) (needs P and T)."
    )


__all__ = ["ThermalMixSpec"]
