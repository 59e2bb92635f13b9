"""The ``[boundaries.<name>]`` section: mole fraction, flux, mass transfer, zero flux."""

from typing import Annotated, Literal, Union

from pydantic import Field

from emcd_fem.case.base import Section as _Section


# -- boundary conditions -------------------------------------------------------------------
class MoleFractionBC(_Section):
    """Dirichlet: prescribed mole fraction."""

    type: Literal["mole_fraction"] = Field(description="Condition type.")
    value: float = Field(ge=0, le=1, description="x_A on the boundary [-].")


class FluxBC(_Section):
    """Prescribed outward molar flux N_A·n (positive: A leaves the domain)."""

    type: Literal["flux"] = Field(description="Condition type.")
    value: float = Field(description="N_A·n [mol/(m^2 s)], outward positive.")


class MassTransferBC(_Section):
    """Robin: N_A·n = k_c (x_A − x_∞)."""

    type: Literal["mass_transfer"] = Field(description="Condition type.")
    coefficient: float = Field(gt=0, description="k_c [mol/(m^2 s)].")
    ambient: float = Field(ge=0, le=1, description="x_∞, mole fraction of A outside [-].")


class ZeroFluxBC(_Section):
    """Impermeable: N_A·n = 0 (also the default for boundaries not listed)."""

    type: Literal["zero_flux"] = Field(description="Condition type.")


BoundarySpec = Annotated[
    Union[MoleFractionBC, FluxBC, MassTransferBC, ZeroFluxBC],  # noqa: UP007
    Field(discriminator="type"),
]
