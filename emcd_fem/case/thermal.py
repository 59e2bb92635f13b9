"""The ``[thermal]`` section and its boundary conditions."""

from typing import Annotated, Literal, Union

from pydantic import Field

from emcd_fem.case.base import Section as _Section


# -- thermal problem ---------------------------------------------------------------------------
class TemperatureBC(_Section):
    """Fixed temperature."""

    type: Literal["temperature"] = Field(description="Condition type.")
    value: float = Field(gt=0, description="T on the boundary [K].")


class HeatFluxBC(_Section):
    """Prescribed outward heat flux q·n (positive: heat leaves the domain)."""

    type: Literal["heat_flux"] = Field(description="Condition type.")
    value: float = Field(description="q·n [W/m^2], outward positive.")


class ConvectiveBC(_Section):
    """Newton cooling q·n = h (T − T_∞)."""

    type: Literal["convective"] = Field(description="Condition type.")
    coefficient: float = Field(gt=0, description="h [W/(m^2 K)].")
    ambient: float = Field(gt=0, description="T_∞ [K].")


class InsulatedBC(_Section):
    """Adiabatic: q·n = 0 (also the default for boundaries not listed)."""

    type: Literal["insulated"] = Field(description="Condition type.")


ThermalBoundarySpec = Annotated[
    Union[TemperatureBC, HeatFluxBC, ConvectiveBC, InsulatedBC],  # noqa: UP007
    Field(discriminator="type"),
]


class Thermal(_Section):
    """Temperature field for thermal diffusion: prescribed, or solved by heat conduction."""

    temperature: float | str | None = Field(
        default=None,
        description="Prescribed T [K]: a number or an expression of x, y, z [m], e.g. "
        '`"300 + 24*x"` (+ - * / **, sin cos tan exp log sqrt tanh atan abs, pi).',
    )
    boundaries: dict[str, ThermalBoundarySpec] = Field(
        default_factory=dict,
        description="Heat conduction: conditions by boundary name (others insulated).",
    )
    source: float = Field(default=0.0, description="Heat source Q [W/m^3] (heat conduction).")
    coupling: Literal["staggered", "monolithic"] = Field(
        default="staggered",
        description="T–x_A coupling: `staggered` (T, then Newton for x_A, until the change "
        "< coupling_tolerance) or `monolithic` (one Newton on both).",
    )
    coupling_tolerance: float = Field(
        default=1e-10, gt=0, description="Staggered: largest change between passes."
    )
    volumetric_heat_capacity: dict[str, float] | None = Field(
        default=None,
        description="Transient temperature ([time] runs with heat conduction): region → "
        "ρ c_p [J/(m^3 K)] > 0 for every region; ρ c_p ∂T/∂t − ∇·(k∇T) = Q is marched with "
        "the species. Without it T is steady. Refused without [time].",
    )
    initial_temperature: float | str | None = Field(
        default=None,
        description='Transient temperature at t_start: `"steady"` (the steady solution with '
        "the boundary data of t_start), a number [K] or an expression of x, y, z [m]. "
        'Default: T of the previous run with time.initial = {from = "DIR"} when DIR holds '
        'one, else `"steady"`.',
    )
    boundary_values: dict[str, str] = Field(
        default_factory=dict,
        description="Transient temperature: boundary → its temperature [K], heat_flux "
        "[W/m^2] or convective ambient [K] as an expression of x, y, z [m] and t [s], e.g. "
        '`left = "300 + 20*(1 - exp(-t/60))"`.',
    )
