"""The case-file schema: typed, strict, with units in every description.

A case is a TOML file (or a dict) with the sections ``[geometry]``, ``[materials.<name>]``,
``[species]``, ``[boundaries.<name>]``, ``[physics]``, ``[discretisation]``, ``[solver]`` and
``[output]``. :func:`load_case` parses and validates it and reports *all* errors at once,
each with its key path (``materials.coating.D: must be > 0``) and, for unknown keys or
names, a "did you mean" suggestion.
"""

import difflib
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emcd_fem.domain import AXIS_BOUNDARIES
from emcd_fem.errors import EmcdInputError


class CaseError(EmcdInputError):
    """An invalid case: every problem with its key path.

    Attributes:
        problems: ``(key_path, message)`` pairs.
    """

    def __init__(self, problems: Sequence[tuple[str, str]], source: str = "case") -> None:
        self.problems = list(problems)
        lines = [f"  {path}: {message}" if path else f"  {message}" for path, message in problems]
        super().__init__(f"{source} has {len(problems)} problem(s):\n" + "\n".join(lines))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- geometry ---------------------------------------------------------------------------
class Layer(_Section):
    """One layer of a layered slab."""

    name: str = Field(description="Region name of the layer (used by `material` and outputs).")
    thickness: float = Field(gt=0, description="Thickness along x [m].")
    material: str | None = Field(
        default=None, description="Name of its `[materials.<name>]` entry (default: `name`)."
    )
    cells: int = Field(default=10, ge=1, description="Cells across the layer along x.")


class LayeredSlab(_Section):
    """Layers stacked along x, on DOLFINx's built-in meshes (interfaces on nodes)."""

    kind: Literal["layered_slab"] = Field(description="Geometry family.")
    dim: Literal[1, 2, 3] = Field(default=1, description="Spatial dimension.")
    layers: list[Layer] = Field(min_length=1, description="Layers from x = 0 (array of tables).")
    width: float = Field(default=1.0, gt=0, description="Extent along y [m] (2D, 3D).")
    depth: float = Field(default=1.0, gt=0, description="Extent along z [m] (3D).")
    cells_across: int = Field(default=2, ge=1, description="Cells along y and z.")
    cell_type: Literal["simplex", "hypercube"] = Field(
        default="simplex", description="Triangles/tetrahedra or quadrilaterals/hexahedra."
    )
    mesher: Literal["builtin", "gmsh"] = Field(
        default="builtin",
        description="`builtin`: DOLFINx structured cells (`cells`, `cells_across`); `gmsh`: "
        "unstructured cells of size `size` (2D/3D).",
    )
    size: float | None = Field(default=None, gt=0, description="gmsh cell size [m].")
    order: Literal[1, 2] = Field(default=1, description="gmsh geometric order.")
    refine: int = Field(default=0, ge=0, description="Uniform refinements after distribution.")

    def region_names(self) -> list[str]:
        """Region names (the layer names)."""
        return [layer.name for layer in self.layers]

    def region_material(self, region: str) -> str:
        """Material name of a layer."""
        layer = next(layer for layer in self.layers if layer.name == region)
        return layer.material or layer.name

    def boundary_names(self) -> list[str]:
        """Names of the boundaries: left/right (x), bottom/top (y), front/back (z)."""
        return [name for pair in AXIS_BOUNDARIES[: self.dim] for name in pair]

    def volume(self) -> float:
        """Measure of the slab: volume [m^3] in 3D, area [m^2] in 2D, length [m] in 1D."""
        length = sum(layer.thickness for layer in self.layers)
        return (
            length * (self.width if self.dim >= 2 else 1.0) * (self.depth if self.dim == 3 else 1.0)
        )

    def boundary_measure(self, name: str) -> float:
        """Measure of a face: area [m^2] in 3D, length [m] in 2D, 1 in 1D."""
        extents = [sum(layer.thickness for layer in self.layers), self.width, self.depth]
        axis = next(i for i, pair in enumerate(AXIS_BOUNDARIES) if name in pair)
        others = [extents[i] for i in range(self.dim) if i != axis]
        product = 1.0
        for value in others:
            product *= value
        return product


class _GmshOptions(_Section):
    size: float = Field(gt=0, description="Target cell size [m].")
    region_sizes: dict[str, float] = Field(
        default_factory=dict, description="Region name → cell size [m] inside it."
    )
    order: Literal[1, 2] = Field(default=1, description="Geometric order (2: curved cells).")
    refine: int = Field(
        default=0, ge=0, description="Uniform refinements after distribution (order 1 only)."
    )


class CylinderShells(_GmshOptions):
    """Concentric cylindrical shells: 2D annulus (per unit depth) or 3D finite cylinder."""

    kind: Literal["cylinder_shells"] = Field(description="Geometry family.")
    dim: Literal[2, 3] = Field(default=2, description="2: annulus; 3: cylinder along z.")
    radii: list[float] = Field(min_length=2, description="Shell radii r_0 < ... < r_n [m].")
    names: list[str] | None = Field(
        default=None, description="Shell (region) names, inside out (default shell1, ...)."
    )
    height: float = Field(default=1.0, gt=0, description="Cylinder height [m] (3D).")

    def region_names(self) -> list[str]:
        """Shell names, inside out."""
        return self.names or [f"shell{i + 1}" for i in range(len(self.radii) - 1)]

    def boundary_names(self) -> list[str]:
        """inner, outer (and bottom/top in 3D)."""
        return ["inner", "outer"] + (["bottom", "top"] if self.dim == 3 else [])


class SphereShells(_GmshOptions):
    """Concentric spherical shells in 3D."""

    kind: Literal["sphere_shells"] = Field(description="Geometry family.")
    dim: Literal[3] = Field(
        default=3, description="Must be 3 (no axisymmetric 2D section: use dim = 3)."
    )
    radii: list[float] = Field(min_length=2, description="Shell radii r_0 < ... < r_n [m].")
    names: list[str] | None = Field(
        default=None, description="Shell (region) names, inside out (default shell1, ...)."
    )

    def region_names(self) -> list[str]:
        """Shell names, inside out."""
        return self.names or [f"shell{i + 1}" for i in range(len(self.radii) - 1)]

    def boundary_names(self) -> list[str]:
        """Inner and outer."""
        return ["inner", "outer"]


class MeshFile(_Section):
    """A gmsh `.msh` mesh or `.geo` script; physical groups name regions and boundaries."""

    kind: Literal["mesh_file"] = Field(description="Geometry family.")
    path: str = Field(description="File path, relative to the case file.")
    dim: Literal[1, 2, 3] | None = Field(
        default=None, description="Geometric dimension (default: the model's)."
    )
    size: float | None = Field(default=None, gt=0, description="`.geo` only: cell size [m].")
    order: Literal[1, 2] = Field(default=1, description="`.geo` only: geometric order.")
    refine: int = Field(default=0, ge=0, description="Uniform refinements after distribution.")
    boundaries: dict[str, str] = Field(
        default_factory=dict,
        description="Boundaries the file does not name: name → condition on x, y, z [m] that "
        'holds at every vertex of their exterior facets (e.g. `"x < 1e-9"`, '
        '`"abs(y - 0.4) < 1e-9 and x > 0.3"`), or `"exterior"` for every exterior facet '
        "that no other boundary holds.",
    )

    def region_names(self) -> None:
        """Unknown until the mesh is read."""
        return None

    def boundary_names(self) -> None:
        """Unknown until the mesh is read."""
        return None


class Inclusions(_Section):
    """Matrix with circular (2D), spherical or fibre (3D) inclusions in a box cell."""

    kind: Literal["inclusions"] = Field(description="Geometry family.")
    dim: Literal[2, 3] = Field(default=2, description="Spatial dimension.")
    shape: Literal["circle", "sphere", "fibre"] = Field(
        default="circle", description="`circle` (2D), `sphere` or `fibre` (3D, along z)."
    )
    extents: list[float] = Field(min_length=2, max_length=3, description="Cell size [m].")
    radius: float = Field(gt=0, description="Inclusion radius [m].")
    arrangement: Literal["periodic", "random"] = Field(
        default="periodic", description="Regular array or seeded random packing."
    )
    counts: list[int] | None = Field(
        default=None, description="Periodic: inclusions along x, y (and z for spheres)."
    )
    volume_fraction: float | None = Field(
        default=None, gt=0, lt=1, description="Random: requested inclusion volume fraction."
    )
    seed: int = Field(default=0, description="Random: seed (same seed, same packing).")
    size: float = Field(gt=0, description="Cell size in the matrix [m].")
    inclusion_size: float | None = Field(
        default=None, gt=0, description="Cell size inside inclusions [m]."
    )
    order: Literal[1, 2] = Field(default=1, description="Geometric order.")
    refine: int = Field(default=0, ge=0, description="Uniform refinements after distribution.")

    def region_names(self) -> list[str]:
        """Matrix and inclusion."""
        return ["matrix", "inclusion"]

    def boundary_names(self) -> list[str]:
        """The faces of the cell (the internal `interface` takes no condition)."""
        return [name for pair in AXIS_BOUNDARIES[: self.dim] for name in pair]


class StomatalPore(_Section):
    """Sub-stomatal cavity, epidermis with a pore, outside air (3D circular, 2D slit)."""

    kind: Literal["stomatal_pore"] = Field(description="Geometry family.")
    dim: Literal[2, 3] = Field(default=3, description="3: circular pore; 2: slit section.")
    pore_radius: float = Field(gt=0, description="Pore radius a (2D: slit half-width) [m].")
    epidermis_thickness: float = Field(gt=0, description="Pore length l [m].")
    cell_radius: float = Field(gt=0, description="Cell radius b > a [m].")
    cavity_depth: float = Field(gt=0, description="Cavity depth below the epidermis [m].")
    outside_height: float = Field(gt=0, description="Outside air above the epidermis [m].")
    size: float = Field(gt=0, description="Cell size far from the pore [m].")
    pore_size: float | None = Field(
        default=None, gt=0, description="Cell size in and near the pore [m]."
    )
    order: Literal[1, 2] = Field(default=1, description="Geometric order.")
    refine: int = Field(default=0, ge=0, description="Uniform refinements after distribution.")

    def region_names(self) -> list[str]:
        """cavity, pore, outside."""
        return ["cavity", "pore", "outside"]

    def boundary_names(self) -> list[str]:
        """cavity_bottom, outside_top, epidermis, side."""
        return ["cavity_bottom", "outside_top", "epidermis", "side"]


Geometry = Annotated[
    Union[LayeredSlab, CylinderShells, SphereShells, MeshFile, Inclusions, StomatalPore],  # noqa: UP007
    Field(discriminator="kind"),
]


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
    thermal_diffusion_factor: float | None = Field(
        default=None,
        description="α_T [-], S_T = α_T / T (instead of soret_coefficient; 0.05–0.45 for gases).",
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


class InterfaceSpec(_Section):
    """Partition coefficient between two materials (an ordered pair)."""

    materials: list[str] = Field(
        min_length=2, max_length=2, description="[first, second] material names."
    )
    partition: float | None = Field(
        default=None,
        gt=0,
        description="K: c_A,second = K c_A,first at equilibrium (molar concentrations).",
    )
    film: float | None = Field(
        default=None,
        gt=0,
        description="Film coefficient k [mol/(m^2 s)]: N·n = k (μ_first − μ_second), μ = x_A/H.",
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


# -- physics, discretisation, solver, output ------------------------------------------------
class Physics(_Section):
    """Sources and constraints of the species problem."""

    source: float = Field(default=0.0, description="Production rate of A, R_A [mol/(m^3 s)].")
    inventory_mole_fraction: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Mean ∫c x_A dx / ∫c dx [-]; required when every boundary is a flux one.",
    )


class Discretisation(_Section):
    """Finite-element discretisation."""

    degree: Literal[1, 2] = Field(default=1, description="Lagrange degree of x_A.")


class Solver(_Section):
    """Linear solver; defaults: MUMPS LU up to 20k DOFs, else CG + GAMG (rtol 1e-10)."""

    petsc_options: dict[str, str | int | float | bool] = Field(
        default_factory=dict,
        description='PETSc options passed through, e.g. `{ ksp_type = "cg", pc_type = "gamg" }`.',
    )


FieldName = Literal[
    "mole_fraction", "molar_flux", "mass_average_velocity", "temperature", "thermal_fraction"
]


class Profile(_Section):
    """A straight sampling line for profiles.csv."""

    name: str = Field(description="Profile label in profiles.csv.")
    start: list[float] = Field(min_length=1, max_length=3, description="Start point [m].")
    end: list[float] = Field(min_length=1, max_length=3, description="End point [m].")
    points: int = Field(default=101, ge=2, description="Number of equispaced samples.")


class Analysis(_Section):
    """Extra analyses run after the solve."""

    effective_diffusivity: bool = Field(
        default=False,
        description="Inclusion cells: D_eff diagonal (face-to-face cell problems) next to the "
        "Wiener/Hashin–Shtrikman bounds and Rayleigh's value.",
    )


class Output(_Section):
    """What is written to the output directory."""

    format: Literal["vtx", "xdmf"] = Field(
        default="vtx", description="Field files: VTX (ADIOS2 .bp) or XDMF (P1/DG0 only)."
    )
    fields: list[FieldName] | None = Field(
        default=None,
        description="Fields to write (default: all available; mass_average_velocity needs "
        "[species]).",
    )
    profiles: list[Profile] = Field(
        default_factory=list, description="Lines sampled into profiles.csv."
    )
    pictures: bool = Field(
        default=False,
        description="Write mole_fraction.png (and profiles.png) plus plot/ data for `emcd plot`.",
    )


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


class Case(_Section):
    """A complete emcd_fem case."""

    geometry: Geometry = Field(description="The geometry.")
    materials: dict[str, MaterialSpec] = Field(description="Materials by name.")
    regions: dict[str, str] = Field(
        default_factory=dict,
        description="Region name → material name for gmsh geometries (default: same name).",
    )
    boundaries: dict[str, BoundarySpec] = Field(description="Conditions by boundary name.")
    species: Species | None = Field(default=None, description="Molar masses of A and B.")
    interfaces: list[InterfaceSpec] = Field(
        default_factory=list,
        description="Partition coefficients between materials (default: x_A continuous).",
    )
    physics: Physics = Field(default_factory=Physics, description="Sources and constraints.")
    thermal: Thermal | None = Field(
        default=None, description="Temperature field and Soret coupling (thermal diffusion)."
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


# -- validation and error reporting ---------------------------------------------------------
def _message(error: Mapping[str, Any]) -> str:
    ctx = error.get("ctx", {})
    kind = error["type"]
    if kind == "greater_than":
        return f"must be > {ctx['gt']}"
    if kind == "greater_than_equal":
        return f"must be >= {ctx['ge']}"
    if kind == "less_than_equal":
        return f"must be <= {ctx['le']}"
    if kind == "missing":
        return "missing (required)"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {error.get('input')!r}"
    if kind == "union_tag_invalid":
        return f"unknown type {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return f"missing key {ctx.get('discriminator')}"
    return f"{error['msg'][0].lower()}{error['msg'][1:]}, got {error.get('input')!r}"


def _tag_of(model: type[BaseModel]) -> str:
    """The discriminator value of a union member (its ``type`` or ``kind`` literal)."""
    field = model.model_fields.get("type") or model.model_fields["kind"]
    return get_args(field.annotation)[0]


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional around a type."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, type(int | None)):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return annotation


def _walk(loc: Sequence[Any]) -> tuple[str, list[str] | None]:
    """Format a pydantic location as a key path; return the allowed keys at its end.

    Discriminated-union tags that pydantic inserts into locations are dropped.
    """
    parts: list[str] = []
    node: Any = Case
    allowed: list[str] | None = None
    for item in loc:
        node = _unwrap(node)
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
            node = get_args(node)[0] if get_args(node) else None
            continue
        origin = get_origin(node)
        if origin is Union:
            members = {_tag_of(m): m for m in get_args(node)}
            if item in members:
                node = members[item]
                continue
        if isinstance(node, type) and issubclass(node, BaseModel):
            allowed = list(node.model_fields)
            field = node.model_fields.get(item)
            node = field.annotation if field is not None else None
        elif origin is dict:
            allowed = None
            node = get_args(node)[1]
        else:
            allowed, node = None, None
        parts.append(str(item))
    return ".".join(parts), allowed


def _schema_problems(error: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for item in error.errors():
        path, allowed = _walk(item["loc"])
        if item["type"] == "extra_forbidden":
            key = str(item["loc"][-1])
            close = difflib.get_close_matches(key, allowed or [], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {allowed}"
            problems.append((path, f"unknown key{hint}"))
        else:
            problems.append((path, _message(item)))
    return problems


def _suggest(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else f"known: {sorted(known)}"


def _semantic_problems(case: Case) -> list[tuple[str, str]]:
    problems = []
    geometry = case.geometry
    if isinstance(geometry, LayeredSlab):
        names = geometry.region_names()
        for i, layer in enumerate(geometry.layers):
            if names.count(layer.name) > 1 and names.index(layer.name) != i:
                problems.append(
                    (f"geometry.layers[{i}].name", f"duplicate layer name {layer.name!r}")
                )
            material = geometry.region_material(layer.name)
            if material not in case.materials:
                key = "material" if layer.material else "name"
                problems.append(
                    (
                        f"geometry.layers[{i}].{key}",
                        f"no material {material!r} in [materials]; "
                        f"{_suggest(material, list(case.materials))}",
                    )
                )
        if geometry.mesher == "gmsh" and geometry.size is None:
            problems.append(("geometry.size", "required with mesher = 'gmsh'"))
        if geometry.mesher == "gmsh" and geometry.dim == 1:
            problems.append(("geometry.mesher", "gmsh slabs are 2D or 3D; use 'builtin' in 1D"))
    if isinstance(geometry, Inclusions):
        problems += _inclusion_problems(geometry)
    if isinstance(geometry, MeshFile):
        problems += _located_boundary_problems(geometry)
    problems += _material_problems(case)
    problems += _thermal_problems(case)
    if case.analysis.effective_diffusivity and not isinstance(geometry, Inclusions):
        problems.append(
            ("analysis.effective_diffusivity", "needs an 'inclusions' geometry (a composite cell)")
        )
    has_films = any(spec.film is not None for spec in case.interfaces)
    if has_films and (case.physics.source != 0 or case.physics.inventory_mole_fraction):
        problems.append(("physics", "sources and flux-only problems are not available with films"))
    for i, interface in enumerate(case.interfaces):
        if (
            interface.partition is None
            and interface.film is None
            and (interface.contact_resistance is None)
        ):
            problems.append((f"interfaces[{i}]", "give partition, film and/or contact_resistance"))
        for j, name in enumerate(interface.materials):
            if name not in case.materials:
                problems.append(
                    (
                        f"interfaces[{i}].materials[{j}]",
                        f"unknown material {name!r}; {_suggest(name, list(case.materials))}",
                    )
                )
    if isinstance(geometry, StomatalPore) and geometry.cell_radius <= geometry.pore_radius:
        problems.append(("geometry.cell_radius", "must exceed pore_radius"))
    regions = geometry.region_names()
    if regions is not None:
        for region in case.regions:
            if region not in regions:
                problems.append(
                    (
                        f"regions.{region}",
                        f"not a region of the geometry; {_suggest(region, regions)}",
                    )
                )
        if not isinstance(geometry, LayeredSlab):
            for region in regions:
                material = case.material_of(region)
                if material not in case.materials:
                    problems.append(
                        (
                            f"regions.{region}" if region in case.regions else "materials",
                            f"no material {material!r} for region {region!r}; "
                            f"{_suggest(material, list(case.materials))}",
                        )
                    )
            for key in getattr(geometry, "region_sizes", {}):
                if key not in regions:
                    problems.append(
                        (f"geometry.region_sizes.{key}", f"not a region; {_suggest(key, regions)}")
                    )
    boundary_names = geometry.boundary_names()
    if boundary_names is not None:
        for name in case.boundaries:
            if name not in boundary_names:
                problems.append(
                    (
                        f"boundaries.{name}",
                        f"not a boundary of this {geometry.dim}D {geometry.kind}; "
                        f"{_suggest(name, boundary_names)}",
                    )
                )
    flux_only = not any(
        isinstance(bc, MoleFractionBC | MassTransferBC) for bc in case.boundaries.values()
    )
    if flux_only and case.physics.inventory_mole_fraction is None:
        problems.append(
            (
                "physics.inventory_mole_fraction",
                "required: every boundary prescribes a flux, so x_A is fixed only up to a "
                "constant (or make one boundary mole_fraction or mass_transfer)",
            )
        )
    fields = case.output.fields or []
    if "mass_average_velocity" in fields and case.species is None:
        problems.append(
            ("output.fields", "mass_average_velocity needs molar masses: add a [species] section")
        )
    for i, profile in enumerate(case.output.profiles):
        for key in ("start", "end"):
            if geometry.dim is not None and len(getattr(profile, key)) != geometry.dim:
                problems.append(
                    (
                        f"output.profiles[{i}].{key}",
                        f"needs {geometry.dim} coordinate(s) for a {geometry.dim}D geometry",
                    )
                )
    return problems


def _located_boundary_problems(geometry: MeshFile) -> list[tuple[str, str]]:
    """Conditions of ``[geometry.boundaries]``: valid text, at most one "exterior"."""
    from emcd_fem.expressions import check_condition

    problems = []
    for name, condition in geometry.boundaries.items():
        if condition == "exterior":
            continue
        try:
            check_condition(condition, geometry.dim or 3)
        except EmcdInputError as exc:
            problems.append((f"geometry.boundaries.{name}", f'{exc} (or "exterior")'))
    exterior = [n for n, c in geometry.boundaries.items() if c == "exterior"]
    if len(exterior) > 1:
        problems.append(
            (
                f"geometry.boundaries.{exterior[1]}",
                f'only one boundary can be "exterior" (also {exterior[0]!r})',
            )
        )
    return problems


def _material_problems(case: Case) -> list[tuple[str, str]]:
    from emcd_fem.kinetic_theory import GASES

    problems = []
    for name, m in case.materials.items():
        key = f"materials.{name}"
        for i, gas in enumerate(m.gases or []):
            if gas not in GASES:
                problems.append(
                    (f"{key}.gases[{i}]", f"unknown gas {gas!r}; {_suggest(gas, list(GASES))}")
                )
        if m.D is None and (m.gases is None or m.T is None or m.P is None):
            problems.append((f"{key}.D", "missing: give D, or gases = [A, B] with T and P"))
        if m.c is None and (m.T is None or m.P is None):
            problems.append((f"{key}.c", "missing: give c, or T and P (c = P/(R T))"))
        if m.knudsen == "bosanquet" and (m.pore_diameter is None or m.gases is None or m.T is None):
            problems.append(
                (f"{key}.knudsen", "the Bosanquet model needs pore_diameter, gases and T")
            )
    return problems


def _thermal_problems(case: Case) -> list[tuple[str, str]]:
    """Consistency of [thermal], the Soret keys of materials and the thermal interfaces."""
    from emcd_fem.expressions import check_expression

    problems = []
    thermal, geometry = case.thermal, case.geometry
    soret_keys = ("soret_coefficient", "thermal_diffusion_factor")
    for name, m in case.materials.items():
        key = f"materials.{name}"
        given = [k for k in soret_keys if getattr(m, k) is not None]
        laws = m.diffusivity_law != "constant" or m.concentration_law != "constant"
        if thermal is None and (given or laws):
            culprit = (
                given[0]
                if given
                else ("diffusivity_law" if m.diffusivity_law != "constant" else "concentration_law")
            )
            problems.append(
                (
                    f"{key}.{culprit}",
                    "needs a temperature field: add a [thermal] section (temperature = ... or "
                    "thermal boundaries)",
                )
            )
        if len(given) == 2:
            problems.append((key, "give soret_coefficient or thermal_diffusion_factor, not both"))
        if m.diffusivity_law != "constant" and m.T is None:
            problems.append(
                (f"{key}.T", f"diffusivity_law = {m.diffusivity_law!r} needs T_ref = T")
            )
        if m.diffusivity_law == "chapman_enskog" and m.gases is None:
            problems.append((f"{key}.gases", "diffusivity_law = 'chapman_enskog' needs gases"))
        if m.concentration_law == "ideal_gas" and (m.P is None or m.T is None):
            problems.append((f"{key}.P", "concentration_law = 'ideal_gas' needs P and T"))
        if m.diffusivity_law != "constant" and m.knudsen != "off":
            problems.append(
                (f"{key}.knudsen", "temperature-dependent D with Knudsen diffusion: not available")
            )
    for i, interface in enumerate(case.interfaces):
        if interface.contact_resistance is not None and (thermal is None or not thermal.boundaries):
            problems.append(
                (
                    f"interfaces[{i}].contact_resistance",
                    "needs heat conduction: add [thermal.boundaries]",
                )
            )
    if thermal is None:
        return problems
    solved = bool(thermal.boundaries)
    if (thermal.temperature is None) == (not solved):
        problems.append(
            (
                "thermal",
                "give either temperature (prescribed T) or boundaries (heat conduction), "
                "exactly one of them",
            )
        )
    if isinstance(thermal.temperature, str):
        try:
            check_expression(thermal.temperature, geometry.dim or 3)
        except EmcdInputError as exc:
            problems.append(("thermal.temperature", str(exc)))
    elif isinstance(thermal.temperature, float) and thermal.temperature <= 0:
        problems.append(("thermal.temperature", "temperatures are absolute: must be > 0 K"))
    if solved:
        if not any(
            isinstance(bc, TemperatureBC | ConvectiveBC) for bc in thermal.boundaries.values()
        ):
            problems.append(
                (
                    "thermal.boundaries",
                    "T is fixed only up to a constant: give at least one temperature or "
                    "convective boundary",
                )
            )
        boundary_names = geometry.boundary_names()
        for name in thermal.boundaries:
            if boundary_names is not None and name not in boundary_names:
                problems.append(
                    (
                        f"thermal.boundaries.{name}",
                        f"not a boundary; {_suggest(name, boundary_names)}",
                    )
                )
        regions = geometry.region_names()
        used = {case.material_of(r) for r in regions} if regions else set(case.materials)
        for name in sorted(used & set(case.materials)):
            if case.materials[name].thermal_conductivity is None:
                problems.append(
                    (
                        f"materials.{name}.thermal_conductivity",
                        "missing: heat conduction needs k [W/(m K)] for every material",
                    )
                )
    if any(spec.partition is not None or spec.film is not None for spec in case.interfaces):
        problems.append(
            ("interfaces", "partition coefficients and films are not available with [thermal] yet")
        )
    if case.physics.source != 0 or case.physics.inventory_mole_fraction is not None:
        problems.append(
            ("physics", "sources and flux-only problems are not available with [thermal] yet")
        )
    return problems


def _inclusion_problems(g: Inclusions) -> list[tuple[str, str]]:
    problems = []
    if g.shape == "circle" and g.dim != 2:
        problems.append(("geometry.shape", "'circle' inclusions are 2D; use 'sphere' or 'fibre'"))
    if g.shape != "circle" and g.dim != 3:
        problems.append(("geometry.shape", f"{g.shape!r} inclusions are 3D; set dim = 3"))
    if len(g.extents) != g.dim:
        problems.append(("geometry.extents", f"needs {g.dim} values for dim = {g.dim}"))
    if g.arrangement == "periodic":
        wanted = 3 if g.shape == "sphere" else 2
        if g.counts is None or len(g.counts) != wanted or min(g.counts) < 1:
            problems.append(("geometry.counts", f"periodic arrays need {wanted} counts >= 1"))
    elif g.volume_fraction is None:
        problems.append(("geometry.volume_fraction", "required for a random arrangement"))
    return problems


def parse_value(text: str) -> Any:
    """A ``--set`` value: TOML syntax (numbers, booleans, strings, arrays), else a string."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Apply ``key.path=value`` overrides to raw case data (a deep copy is returned).

    List elements are addressed as ``geometry.layers.0.thickness``.
    """
    import copy

    data = copy.deepcopy(data)
    problems = []
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            problems.append(("--set", f"expected key.path=value, got {item!r}"))
            continue
        parts = key.strip().split(".")
        node: Any = data
        for part in parts[:-1]:
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict):
                node = node.setdefault(part, {})
            else:
                problems.append((key, "cannot set: the path does not lead to a table"))
                break
        else:
            last = parts[-1]
            if isinstance(node, list) and last.isdigit() and int(last) < len(node):
                node[int(last)] = parse_value(text)
            elif isinstance(node, dict):
                node[last] = parse_value(text)
            else:
                problems.append((key, "cannot set: the path does not lead to a table"))
    if problems:
        raise CaseError(problems, "--set option")
    return data


def validate_case(data: Mapping[str, Any], source: str = "case") -> Case:
    """Validate raw case data; raise :class:`CaseError` listing every problem."""
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(_schema_problems(exc), source) from None
    problems = _semantic_problems(case)
    if problems:
        raise CaseError(problems, source)
    return case


def read_case_data(path: str | Path) -> dict[str, Any]:
    """Read a TOML case file into raw data; TOML syntax errors become :class:`CaseError`."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except FileNotFoundError:
        raise CaseError([("", f"case file {str(path)!r} not found")], str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise CaseError([("", f"TOML syntax error: {exc}")], str(path)) from None


def load_case(source: str | Path | Mapping[str, Any] | Case, overrides: Sequence[str] = ()) -> Case:
    """Load and validate a case from a TOML path, raw data or a :class:`Case`.

    Args:
        source: Path of a TOML file, a mapping of raw data, or a Case.
        overrides: ``key.path=value`` strings applied before validation.

    Returns:
        The validated case.

    Raises:
        CaseError: with every problem and its key path.
    """
    if isinstance(source, Case):
        if not overrides:
            return source
        source = source.model_dump(exclude_none=True)
    if isinstance(source, str | Path):
        label = str(source)
        data = read_case_data(source)
        geometry = data.get("geometry")
        if isinstance(geometry, dict) and isinstance(geometry.get("path"), str):
            geometry["path"] = str((Path(source).parent / geometry["path"]).resolve())
    else:
        label = "case"
        data = dict(source)
    return validate_case(apply_overrides(data, overrides), label)
