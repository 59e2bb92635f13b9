"""The case-file schema: typed, strict, with units in every description.

A case is a TOML file (or a dict) with the sections ``[geometry]``, ``[materials.<name>]``,
``[species]``, ``[boundaries.<name>]``, ``[physics]``, ``[discretisation]``, ``[solver]`` and
``[output]``. :func:`load_case` parses and validates it and reports *all* errors at once,
each with its key path (``materials.coating.D: must be > 0``) and, for unknown keys or
names, a "did you mean" suggestion.

One module per job, in the order a case goes through them:

* the schema, one module per section: ``base`` (errors, the strict section base),
  ``geometry``, ``materials``, ``boundaries``, ``settings`` (physics, discretisation,
  solver, analysis, output), ``thermal``; ``schema`` assembles them into :class:`Case`;
* ``load``: TOML text or file → ``--set`` overrides → :func:`validate_case`, which reports
  the schema's errors (``messages``) and then the checks the schema cannot express:
  ``check`` (names, references, combinations), ``check_ranges``, ``check_thermal``,
  ``check_geometry``, with helpers in ``check_tools``;
* ``mesh_check`` (the case against its mesh file), ``soret_sign`` (the α_T sign warning),
  ``reference`` (the README's case-file table, ``python -m emcd_fem.case.reference``).

Every public name of the schema and the loader is re-exported here.
"""

from emcd_fem.case.base import CaseError, SolverOptionsError
from emcd_fem.case.boundaries import (
    BoundarySpec,
    FluxBC,
    MassTransferBC,
    MoleFractionBC,
    ZeroFluxBC,
)
from emcd_fem.case.check_ranges import MAGNITUDE_RANGE, TEMPERATURE_RANGE
from emcd_fem.case.check_thermal import temperature_expression_problems
from emcd_fem.case.geometry import (
    CylinderShells,
    Geometry,
    Inclusions,
    Layer,
    LayeredSlab,
    MeshFile,
    SphereShells,
    StomatalPore,
)
from emcd_fem.case.load import (
    MAX_CASE_BYTES,
    MAX_NESTING,
    apply_overrides,
    load_case,
    parse_case_text,
    parse_value,
    read_case_data,
    validate_case,
)
from emcd_fem.case.materials import InterfaceSpec, MaterialSpec, Species, SpeciesSpec
from emcd_fem.case.multicomponent import CompositionSpec, MixtureSpec, MulticomponentSpec
from emcd_fem.case.reactions import ReactionSpec
from emcd_fem.case.schema import Case, case_json_schema
from emcd_fem.case.settings import (
    Analysis,
    Discretisation,
    FieldName,
    Output,
    Physics,
    Profile,
    Solver,
)
from emcd_fem.case.thermal import (
    ConvectiveBC,
    HeatFluxBC,
    InsulatedBC,
    TemperatureBC,
    Thermal,
    ThermalBoundarySpec,
)
from emcd_fem.case.time import InitialFrom, Time

__all__ = [
    "MAGNITUDE_RANGE",
    "MAX_CASE_BYTES",
    "MAX_NESTING",
    "TEMPERATURE_RANGE",
    "Analysis",
    "BoundarySpec",
    "Case",
    "CaseError",
    "CompositionSpec",
    "ConvectiveBC",
    "CylinderShells",
    "Discretisation",
    "FieldName",
    "FluxBC",
    "Geometry",
    "HeatFluxBC",
    "Inclusions",
    "InitialFrom",
    "InsulatedBC",
    "InterfaceSpec",
    "Layer",
    "LayeredSlab",
    "MassTransferBC",
    "MaterialSpec",
    "MeshFile",
    "MixtureSpec",
    "MoleFractionBC",
    "MulticomponentSpec",
    "Output",
    "Physics",
    "Profile",
    "ReactionSpec",
    "Solver",
    "SolverOptionsError",
    "Species",
    "SpeciesSpec",
    "SphereShells",
    "StomatalPore",
    "TemperatureBC",
    "Thermal",
    "ThermalBoundarySpec",
    "Time",
    "ZeroFluxBC",
    "apply_overrides",
    "case_json_schema",
    "load_case",
    "parse_case_text",
    "parse_value",
    "read_case_data",
    "temperature_expression_problems",
    "validate_case",
]
