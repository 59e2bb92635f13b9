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

from emcd_fem.errors import EmcdInputError
from emcd_fem.mesh.domain import AXIS_BOUNDARIES


class CaseError(EmcdInputError):
    """An invalid case: every problem with its key path.

    Attributes:
        problems: ``(key_path, message)`` pairs.
    """

    def __init__(self, problems: Sequence[tuple[str, str]], source: str = "case") -> None:
        self.problems = list(problems)
        self.source = source
        lines = [f"  {path}: {message}" if path else f"  {message}" for path, message in problems]
        super().__init__(f"{source} has {len(problems)} problem(s):\n" + "\n".join(lines))

    def __reduce__(self) -> tuple[type, tuple[list[tuple[str, str]], str]]:
        """Pickle support (errors travel between MPI ranks)."""
        return (type(self), (self.problems, self.source))


class SolverOptionsError(CaseError):
    """A case whose only problems are its PETSc options (``[solver.petsc_options]``).

    Unknown, ill-typed or unsafe options: ``emcd`` exit code 4, as PETSc errors.
    """


class _Section(BaseModel):
    # strict: a boolean is not a number (true is not 1.0), text is not a number; numbers
    # must be finite (inf and nan are refused with their key path)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


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
        description="α_T [-], S_T = α_T / T (instead of soret_coefficient); |α_T| 0.05–0.45 "
        "for gases, < 0 when A is the lighter gas (the heavier goes to the cold side).",
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

    degree: Literal[1, 2] = Field(
        default=1,
        description="Lagrange degree of x_A. On a second-order (curved) mesh use 2: P1 "
        "does not contain linear fields on curved cells, and the run warns with the error "
        "it measures on the mesh (RMS gradient error of a linear field: 6e-3 and 6e-2 on "
        "the cylinder and sphere shell demos).",
    )


class Solver(_Section):
    """Linear solver; defaults: MUMPS LU up to 20k DOFs, else CG + GAMG (rtol 1e-10).

    Every solve (cell problems and heat problems included) uses these options; results are
    checked by their true residual against the flux scale, with a MUMPS fallback (reported
    in summary.json → solver.fallback) and a refusal of noise (exit code 4).
    """

    petsc_options: dict[str, str | int | float | bool] = Field(
        default_factory=dict,
        description="PETSc options of the solvers (`ksp_*`, `pc_*`, `snes_*`, `mat_*`), e.g. "
        '`{ ksp_type = "cg", pc_type = "gamg" }`; checked against PETSc\'s own lists. Options '
        "that write files, load code or read other files need `--allow-unsafe-petsc-options`.",
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

    format: Literal["vtkhdf", "vtx", "xdmf"] = Field(
        default="vtkhdf",
        description="Field files: fields.vtkhdf is always written (pyvista, ParaView, "
        "DOLFINx, emcd_fem.load_result); 'vtx' (ADIOS2 .bp) or 'xdmf' adds that format.",
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
        description="Render mole_fraction.png, molar_flux.png, profiles.png (as `emcd plot`).",
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
        description=(
            "Partition coefficients, films and contact resistances between material pairs, "
            "each pair once (default: x_A and T continuous)."
        ),
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
    if kind in ("float_type", "int_type") and isinstance(error.get("input"), bool):
        wanted = "an integer" if kind == "int_type" else "a number"
        return f"must be {wanted}, got a boolean ({str(error['input']).lower()})"
    if kind == "finite_number":
        return f"must be a finite number, got {error.get('input')!r}"
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
    return _merge_union_members(problems)


_MEMBER = ("float", "str", "int", "bool")


def _merge_union_members(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One problem per key for a plain union (``float | str``).

    pydantic reports each member under ``key.float``, ``key.str``: their messages are
    joined with "or".
    """
    merged: dict[str, list[str]] = {}
    order: list[str] = []
    for path, message in problems:
        head, _, last = path.rpartition(".")
        key = head if head and (last in _MEMBER or last.startswith(("list[", "dict["))) else path
        if key not in merged:
            merged[key] = []
            order.append(key)
        if message not in merged[key]:
            merged[key].append(message)
    return [(key, " or ".join(merged[key])) for key in order]


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
    problems += _size_problems(geometry)
    if isinstance(geometry, CylinderShells | SphereShells):
        problems += _shell_problems(geometry)
    if isinstance(geometry, MeshFile):
        suffix = Path(geometry.path).suffix.lower()
        if suffix not in (".msh", ".geo"):
            problems.append(("geometry.path", f"expected a gmsh .msh or .geo file, got {suffix!r}"))
        elif not Path(geometry.path).is_file():
            problems.append(("geometry.path", f"mesh file {geometry.path!r} not found"))
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
    seen: dict[frozenset[str], int] = {}
    for i, interface in enumerate(case.interfaces):
        pair = frozenset(interface.materials)
        if pair in seen:
            problems.append(
                (
                    f"interfaces[{i}].materials",
                    f"the pair {interface.materials} is already given in interfaces[{seen[pair]}]"
                    " (in either order): give each material pair once",
                )
            )
        seen.setdefault(pair, i)
        if len(pair) == 1 and interface.partition not in (None, 1.0):
            problems.append(
                (
                    f"interfaces[{i}].partition",
                    "a material is in equilibrium with itself at K = 1: leave partition out",
                )
            )
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
    problems += _profile_problems(case)
    problems += _range_problems(case)
    return problems


#: Temperatures a case may give [K]: outside, a value is a typo (5e-324, 1.8e308), not data.
TEMPERATURE_RANGE: tuple[float, float] = (1.0, 1.0e5)
#: Magnitudes a nonzero number of a case may have: beyond, products of data overflow or
#: underflow in double precision (a typo such as 1e-320 or 1e300), whatever the unit.
MAGNITUDE_RANGE: tuple[float, float] = (1.0e-150, 1.0e150)


def _numbers(node: Any, path: str) -> list[tuple[str, float]]:
    """Every float of validated case data with its key path (solver options excluded)."""
    found: list[tuple[str, float]] = []
    stack: list[tuple[Any, str]] = [(node, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, BaseModel):
            for name in type(item).model_fields:
                if where == "solver" and name == "petsc_options":
                    continue
                stack.append((getattr(item, name), f"{where}.{name}" if where else name))
        elif isinstance(item, dict):
            stack += [(v, f"{where}.{k}") for k, v in item.items()]
        elif isinstance(item, list | tuple):
            stack += [(v, f"{where}[{i}]") for i, v in enumerate(item)]
        elif isinstance(item, float) and not isinstance(item, bool):
            found.append((where, item))
    return sorted(found)


def _range_problems(case: Case) -> list[tuple[str, str]]:
    """Finite, representable magnitudes everywhere; temperatures in TEMPERATURE_RANGE."""
    problems = []
    low, high = MAGNITUDE_RANGE
    t_low, t_high = TEMPERATURE_RANGE
    temperatures = {f"materials.{n}.T" for n in case.materials} | {"thermal.temperature"}
    if case.thermal is not None:
        for name, bc in case.thermal.boundaries.items():
            key = "value" if isinstance(bc, TemperatureBC) else "ambient"
            temperatures.add(f"thermal.boundaries.{name}.{key}")
    for path, value in _numbers(case, ""):
        if path in temperatures:
            if not t_low <= value <= t_high:
                problems.append(
                    (path, f"temperature {value!r} K outside [{t_low:g}, {t_high:g}] K")
                )
        elif value != 0 and not low <= abs(value) <= high:
            problems.append(
                (path, f"{value!r} is outside the magnitudes {low:g} to {high:g} (a typo?)")
            )
    return problems


def _inside(geometry: Any) -> tuple[Any, float] | None:
    """A test ``inside(points (n, dim)) -> bool array`` for the geometry and its size [m].

    None when the domain is not known before meshing (mesh files, stomatal pores).
    """
    import numpy as np

    if isinstance(geometry, LayeredSlab):
        upper = [sum(layer.thickness for layer in geometry.layers), geometry.width, geometry.depth]
        upper = np.array(upper[: geometry.dim])
        return (lambda p: np.all((p >= -1e-9 * upper) & (p <= upper * (1 + 1e-9)), axis=1)), max(
            upper
        )
    if isinstance(geometry, Inclusions) and len(geometry.extents) == geometry.dim:
        upper = np.array(geometry.extents)
        return (lambda p: np.all((p >= -1e-9 * upper) & (p <= upper * (1 + 1e-9)), axis=1)), max(
            upper
        )
    if isinstance(geometry, CylinderShells | SphereShells):
        r0, rn = min(geometry.radii), max(geometry.radii)
        planar = 2 if isinstance(geometry, CylinderShells) else 3

        def inside(p: Any) -> Any:
            r = np.linalg.norm(p[:, :planar], axis=1)
            ok = (r >= r0 * (1 - 1e-9)) & (r <= rn * (1 + 1e-9))
            if isinstance(geometry, CylinderShells) and geometry.dim == 3:
                h = geometry.height
                ok &= (p[:, 2] >= -1e-9 * h) & (p[:, 2] <= h * (1 + 1e-9))
            return ok

        return inside, rn
    return None


def _profile_problems(case: Case) -> list[tuple[str, str]]:
    """Profile lines lie inside the domain (else profiles.csv would hold NaN)."""
    import numpy as np

    found = _inside(case.geometry)
    if found is None:
        return []
    inside, _ = found
    problems = []
    for i, profile in enumerate(case.output.profiles):
        start, end = np.array(profile.start), np.array(profile.end)
        if len(start) != case.geometry.dim or len(end) != case.geometry.dim:
            continue  # reported above
        t = np.linspace(0.0, 1.0, profile.points)[:, None]
        points = start + t * (end - start)
        outside = ~inside(points)
        if outside.any():
            first = points[int(np.argmax(outside))]
            where = "start" if outside[0] else "end" if outside[-1] else "line"
            problems.append(
                (
                    f"output.profiles[{i}].{where}",
                    f"leaves the domain at {[float(f'{v:.6g}') for v in first]} m "
                    f"({int(outside.sum())} of {profile.points} points outside)",
                )
            )
    return problems


def temperature_expression_problems(case: Case) -> list[tuple[str, str]]:
    """A prescribed temperature expression outside TEMPERATURE_RANGE over the domain's box.

    An admissibility question (finite values that are not physical), asked by
    :func:`emcd_fem.simulation.check_case`; non-finite values are refused by validation.
    """
    thermal = case.thermal
    if thermal is None or not isinstance(thermal.temperature, str):
        return []
    return _temperature_expression_problems(thermal.temperature, case.geometry, finite_only=False)


def _temperature_expression_problems(
    text: str, geometry: Any, *, finite_only: bool = True
) -> list[tuple[str, str]]:
    """Evaluate a temperature expression over the domain's box: finite (and in range)."""
    import numpy as np

    from emcd_fem.expressions import evaluate

    dim = geometry.dim or 3
    found = _inside(geometry)
    if isinstance(geometry, LayeredSlab):
        upper = [sum(layer.thickness for layer in geometry.layers), geometry.width, geometry.depth]
        lower = [0.0, 0.0, 0.0]
    elif isinstance(geometry, Inclusions):
        upper, lower = [*geometry.extents, 0.0, 0.0], [0.0, 0.0, 0.0]
    elif found is not None:
        r = found[1]
        upper, lower = [r, r, getattr(geometry, "height", r)], [-r, -r, 0.0]
    else:
        upper = lower = [0.0, 0.0, 0.0]
    axes = [np.linspace(lower[k], upper[k], 9) for k in range(dim)]
    grid = np.array([g.ravel() for g in np.meshgrid(*axes, indexing="ij")])
    try:
        values = evaluate(text, grid, dim)
    except EmcdInputError as exc:
        return [("thermal.temperature", str(exc))]
    t_low, t_high = TEMPERATURE_RANGE
    bad = ~np.isfinite(values)
    if not finite_only:
        bad = ~(np.isfinite(values) & (values >= t_low) & (values <= t_high))
    if not bad.any():
        return []
    k = int(np.argmax(bad))
    point = [float(f"{v:.6g}") for v in grid[:, k]]
    return [
        (
            "thermal.temperature",
            f"expression {text!r} reaches {float(values[k])!r} K at {point} m: temperatures "
            f"must be finite and within [{t_low:g}, {t_high:g}] K over the domain",
        )
    ]


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
    from emcd_fem.materials.kinetic_theory import GASES

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
        else:
            problems += _temperature_expression_problems(thermal.temperature, geometry)
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


def _shell_problems(g: CylinderShells | SphereShells) -> list[tuple[str, str]]:
    problems = []  # radii: _size_problems
    if g.names is not None and len(g.names) != len(g.radii) - 1:
        problems.append(
            (
                "geometry.names",
                f"{len(g.radii) - 1} shell(s) between {len(g.radii)} radii, got "
                f"{len(g.names)} name(s)",
            )
        )
    elif g.names is not None and len(set(g.names)) != len(g.names):
        problems.append(("geometry.names", "duplicate shell names"))
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
    for i, extent in enumerate(g.extents):
        if not extent > 0:
            problems.append((f"geometry.extents[{i}]", f"must be positive, got {extent}"))
    if problems:
        return problems
    if g.arrangement == "periodic":
        from emcd_fem.geometry.inclusions import layout_problems, periodic_array

        centers = periodic_array(g.extents, g.counts)
        problems += [
            ("geometry.radius", m) for m in layout_problems(g.shape, g.extents, centers, g.radius)
        ]
    elif 2 * g.radius >= min(g.extents[: 3 if g.shape == "sphere" else 2]):
        problems.append(
            ("geometry.radius", f"a diameter of {2 * g.radius:g} m does not fit in the cell")
        )
    return problems


def _size_problems(geometry: Any) -> list[tuple[str, str]]:
    """Zero-size layers and shells: thinner than 1e-9 of the whole (nodes would coincide)."""
    problems = []
    if isinstance(geometry, LayeredSlab):
        total = sum(layer.thickness for layer in geometry.layers)
        for i, layer in enumerate(geometry.layers):
            if layer.thickness <= 1e-9 * total:
                problems.append(
                    (
                        f"geometry.layers[{i}].thickness",
                        f"{layer.thickness:g} m is a zero-size layer (below 1e-9 of the slab "
                        f"length {total:g} m): remove it or give its real thickness",
                    )
                )
    if isinstance(geometry, CylinderShells | SphereShells):
        radii = geometry.radii
        if radii[0] <= 0:
            problems.append(("geometry.radii[0]", f"the inner radius must be > 0, got {radii[0]}"))
        for i in range(1, len(radii)):
            if radii[i] - radii[i - 1] <= 1e-9 * abs(radii[-1]):
                problems.append(
                    (
                        f"geometry.radii[{i}]",
                        f"radii must increase: r_{i} = {radii[i]:g} m after r_{i - 1} = "
                        f"{radii[i - 1]:g} m (a shell of zero or negative thickness)",
                    )
                )
    return problems


def parse_value(text: str) -> Any:
    """A ``--set`` value: TOML syntax (numbers, booleans, strings, arrays), else a string."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except (tomllib.TOMLDecodeError, RecursionError):
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


def validate_case(
    data: Mapping[str, Any], source: str = "case", *, allow_unsafe_petsc_options: bool = False
) -> Case:
    """Validate raw case data; raise :class:`CaseError` listing every problem.

    Args:
        data: Raw case data (from TOML).
        source: Label for messages (the file name).
        allow_unsafe_petsc_options: Accept PETSc options that write files, load code or
            read other files (see :mod:`emcd_fem.solvers.petsc_options`); refused by default.
    """
    from emcd_fem.solvers.petsc_options import option_problems

    deep = _too_deep(data)
    if deep is not None:
        raise CaseError([(deep, f"nested deeper than {MAX_NESTING} levels")], source)
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(_schema_problems(exc), source) from None
    except RecursionError:
        raise CaseError([("", "case data nested too deeply")], source) from None
    problems = _semantic_problems(case)
    solver = option_problems(case.solver.petsc_options, allow_unsafe=allow_unsafe_petsc_options)
    if solver and not problems:
        raise SolverOptionsError(solver, source)
    if problems or solver:
        raise CaseError(problems + solver, source)
    return case


#: Deepest nesting of tables and arrays a case may have (the schema needs 5).
MAX_NESTING: int = 16
#: Largest case file read [bytes].
MAX_CASE_BYTES: int = 4_000_000


def _too_deep(data: Any, limit: int = MAX_NESTING) -> str | None:
    """Key path of the first value nested deeper than ``limit`` (iterative), or None."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > limit:
            return path
        if isinstance(node, dict):
            stack += [(v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(node)]
    return None


def parse_case_text(text: str, source: str = "case") -> dict[str, Any]:
    """Parse TOML case text; syntax errors and absurd nesting become :class:`CaseError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseError([("", f"TOML syntax error: {exc}")], source) from None
    except RecursionError:
        raise CaseError(
            [("", f"TOML nested too deeply (a case needs at most {MAX_NESTING} levels)")], source
        ) from None
    deep = _too_deep(data)
    if deep is not None:
        raise CaseError(
            [(deep.split(".")[0].split("[")[0], f"nested deeper than {MAX_NESTING} levels")],
            source,
        )
    return data


def read_case_data(path: str | Path) -> dict[str, Any]:
    """Read a TOML case file into raw data.

    Raises:
        CaseError: missing or unreadable file, not UTF-8 (TOML's encoding; the line and
            column of the first bad byte are named), TOML syntax, absurd nesting.
    """
    path = Path(path)
    name = str(path)
    try:
        if path.is_file() and path.stat().st_size > MAX_CASE_BYTES:
            raise CaseError([("", f"case file larger than {MAX_CASE_BYTES} bytes")], name)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CaseError([("", f"case file {name!r} not found")], name) from None
    except IsADirectoryError:
        raise CaseError([("", f"{name!r} is a directory, not a case file")], name) from None
    except OSError as exc:
        raise CaseError([("", f"cannot read case file {name!r}: {exc.strerror}")], name) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise CaseError(
            [
                (
                    "",
                    f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {line}, column "
                    f"{column} (TOML files are UTF-8; re-save the file as UTF-8, e.g. "
                    "`iconv -f latin1 -t utf-8`)",
                )
            ],
            name,
        ) from None
    return parse_case_text(text, name)


def load_case(
    source: str | Path | Mapping[str, Any] | Case,
    overrides: Sequence[str] = (),
    *,
    allow_unsafe_petsc_options: bool = False,
) -> Case:
    """Load and validate a case from a TOML path, raw data or a :class:`Case`.

    Args:
        source: Path of a TOML file, a mapping of raw data, or a Case.
        overrides: ``key.path=value`` strings applied before validation.
        allow_unsafe_petsc_options: Accept PETSc options that write files, load code or
            read other files (refused by default: a case file is data, not code).

    Returns:
        The validated case.

    Raises:
        CaseError: with every problem and its key path.
    """
    if isinstance(source, Case):
        if not overrides:
            from emcd_fem.solvers.petsc_options import option_problems

            problems = option_problems(
                source.solver.petsc_options, allow_unsafe=allow_unsafe_petsc_options
            )
            if problems:
                raise SolverOptionsError(problems)
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
    return validate_case(
        apply_overrides(data, overrides),
        label,
        allow_unsafe_petsc_options=allow_unsafe_petsc_options,
    )


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of case files, for editor completion and validation.

    Generated from the pydantic models, so it lists every key with its type, bounds,
    default and description (units in brackets). Cross-field rules (names that must
    exist, admissibility) are checked by ``emcd check`` only.
    """
    schema = Case.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "emcd_fem case file",
        **{k: v for k, v in schema.items() if k != "title"},
    }
