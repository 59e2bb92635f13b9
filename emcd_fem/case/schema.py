"""The whole case (:class:`Case`: every section) and its JSON Schema."""

from typing import Any

from pydantic import Field

from emcd_fem.case.base import Section as _Section
from emcd_fem.case.boundaries import BoundarySpec
from emcd_fem.case.geometry import Geometry, LayeredSlab
from emcd_fem.case.materials import InterfaceSpec, MaterialSpec, Species
from emcd_fem.case.multicomponent import MulticomponentSpec
from emcd_fem.case.reactions import ReactionSpec
from emcd_fem.case.settings import Analysis, Discretisation, Output, Physics, Solver
from emcd_fem.case.thermal import Thermal
from emcd_fem.case.time import Time


class Case(_Section):
    """A complete emcd_fem case."""

    geometry: Geometry = Field(description="The geometry.")
    materials: dict[str, MaterialSpec] = Field(
        default_factory=dict,
        description="Materials by name (required, except with [multicomponent]).",
    )
    regions: dict[str, str] = Field(
        default_factory=dict,
        description="Region name → material name for gmsh geometries (default: same name).",
    )
    boundaries: dict[str, BoundarySpec] = Field(
        default_factory=dict,
        description="Conditions by boundary name (required, except with [multicomponent]).",
    )
    species: Species | None = Field(default=None, description="Molar masses of A and B.")
    interfaces: list[InterfaceSpec] = Field(
        default_factory=list,
        description=(
            "Partition coefficients, films and contact resistances between material pairs, "
            "each pair once (default: x_A and T continuous)."
        ),
    )
    reactions: list[ReactionSpec] = Field(
        default_factory=list, description="Homogeneous and surface reactions (Δν = 0 in EMCD)."
    )
    physics: Physics = Field(default_factory=Physics, description="Sources and constraints.")
    thermal: Thermal | None = Field(
        default=None, description="Temperature field and Soret coupling (thermal diffusion)."
    )
    time: Time | None = Field(
        default=None, description="Transient run (absent: steady): time span, steps, outputs."
    )
    multicomponent: MulticomponentSpec | None = Field(
        default=None,
        description="n-species Maxwell–Stefan gas (instead of [materials], [boundaries]).",
    )
    discretisation: Discretisation = Field(
        default_factory=Discretisation, description="Element degree."
    )
    solver: Solver = Field(default_factory=Solver, description="PETSc options.")
    analysis: Analysis = Field(default_factory=Analysis, description="Extra analyses.")
    output: Output = Field(default_factory=Output, description="Output selection.")

    def material_of(self, region: str) -> str:
        """Material name of a region."""
        if isinstance(self.geometry, LayeredSlab):
            return self.geometry.region_material(region)
        return self.regions.get(region, region)


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of case files, for editor completion and validation.

    Generated from the pydantic models, so it lists every key with its type, bounds,
    default and description (units in brackets). Cross-field rules (names that must
    exist, admissibility) are checked by ``emcd check`` only.
    """
    schema = Case.model_json_schema()
    # [materials] and [boundaries] are required unless [multicomponent] describes the gas
    schema["anyOf"] = [{"required": ["materials", "boundaries"]}, {"required": ["multicomponent"]}]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "emcd_fem case file",
        **{k: v for k, v in schema.items() if k != "title"},
    }
