"""The ``[geometry]`` section: layered slab, shells, mesh file, inclusions, stomatal pore."""

import itertools
from typing import Annotated, Literal, Union

from pydantic import Field

from emcd_fem.case.base import Section as _Section
from emcd_fem.mesh.domain import AXIS_BOUNDARIES


# -- geometry ---------------------------------------------------------------------------
class Layer(_Section):
    """One layer of a layered slab."""

    name: str = Field(description="Region name of the layer (used by `material` and outputs).")
    thickness: float = Field(gt=0, description="Thickness along x [m].")
    material: str | None = Field(
        default=None, description="Name of its `[materials.<name>]` entry (default: `name`)."
    )
    cells: int = Field(
        default=10, ge=1, le=2**31 - 1, description="Cells across the layer along x."
    )


class LayeredSlab(_Section):
    """Layers stacked along x, on DOLFINx's built-in meshes (interfaces on nodes)."""

    kind: Literal["layered_slab"] = Field(description="Geometry family.")
    dim: Literal[1, 2, 3] = Field(default=1, description="Spatial dimension.")
    layers: list[Layer] = Field(min_length=1, description="Layers from x = 0 (array of tables).")
    width: float = Field(default=1.0, gt=0, description="Extent along y [m] (2D, 3D).")
    depth: float = Field(default=1.0, gt=0, description="Extent along z [m] (3D).")
    cells_across: int = Field(default=2, ge=1, le=2**31 - 1, description="Cells along y and z.")
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

    def interface_names(self) -> list[str]:
        """Internal interfaces ``"<layer>|<next layer>"`` a reaction may name (builtin mesher)."""
        if self.mesher != "builtin":
            return []
        names = self.region_names()
        return [f"{a}|{b}" for a, b in itertools.pairwise(names)]

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
    size: float | None = Field(
        default=None, gt=0, description="`.geo` only (refused with a `.msh`): cell size [m]."
    )
    order: Literal[1, 2] = Field(
        default=1, description="`.geo` only (refused with a `.msh`): geometric order."
    )
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
