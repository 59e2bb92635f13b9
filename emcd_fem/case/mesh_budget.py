"""How many cells a geometry asks for, and whether that can fit in memory at all.

A layered slab with ``cells = 1000000000`` was "valid and admissible" for ``emcd check``
and then ate the machine's memory until the kernel killed ``emcd run`` (exit 137, no
message). Built-in geometries say how many cells they will make before anything is
meshed: exactly for the structured slab, from the measure and the cell size for the gmsh
families. A mesh that cannot fit even if every rank had a whole machine's memory to itself
is refused before meshing; ``emcd check`` (which does not know how many ranks the run will
have) warns with the estimate. Mesh files are not estimated (their cells are in the file or
made by the script: :mod:`emcd_fem.geometry.script_size` estimates a ``.geo`` script inside
gmsh before meshing).
"""

import math

from emcd_fem.case.geometry import (
    CylinderShells,
    Inclusions,
    LayeredSlab,
    SphereShells,
    StomatalPore,
)
from emcd_fem.geometry.script_size import BYTES_PER_CELL, SIMPLICES_PER_SIZE, machine_memory


def estimated_cells(geometry: object) -> float | None:
    """Cells the geometry will make (a float: no overflow), or None when unknown.

    Exact for the built-in structured slab (``cells``, ``cells_across``, simplex split);
    for the gmsh families the domain's measure over the smallest requested cell size to
    the power d, times :data:`SIMPLICES_PER_SIZE` (a lower estimate); uniform refinements
    multiply by 2^d each. Mesh files: None.
    """
    g = geometry
    if isinstance(g, LayeredSlab) and g.mesher == "builtin":
        along = float(sum(layer.cells for layer in g.layers))
        across = float(g.cells_across) ** (g.dim - 1)
        split = {1: 1.0, 2: 2.0, 3: 6.0}[g.dim] if g.cell_type == "simplex" else 1.0
        return along * across * split
    if isinstance(g, LayeredSlab):
        measure, sizes, dim = g.volume(), [g.size], g.dim
    elif isinstance(g, CylinderShells):
        r0, r1 = g.radii[0], g.radii[-1]
        measure = math.pi * (r1**2 - r0**2) * (g.height if g.dim == 3 else 1.0)
        sizes, dim = [g.size, *g.region_sizes.values()], g.dim
    elif isinstance(g, SphereShells):
        measure = 4.0 / 3.0 * math.pi * (g.radii[-1] ** 3 - g.radii[0] ** 3)
        sizes, dim = [g.size, *g.region_sizes.values()], 3
    elif isinstance(g, Inclusions):
        measure = math.prod(g.extents[: g.dim])
        sizes, dim = [g.size, g.inclusion_size], g.dim
    elif isinstance(g, StomatalPore):
        height = g.cavity_depth + g.epidermis_thickness + g.outside_height
        measure = (math.pi * g.cell_radius**2 if g.dim == 3 else 2 * g.cell_radius) * height
        sizes, dim = [g.size], g.dim  # the pore's finer size covers only the pore
    else:
        return None
    if sizes[0] is None:  # a gmsh slab without its size: refused by the case check
        return None
    size = min(s for s in sizes if s is not None)
    refine = float(getattr(g, "refine", 0))
    return SIMPLICES_PER_SIZE[dim] * measure / size**dim * 2.0 ** (dim * refine)


def memory_problem(geometry: object, ranks: int, memory: float) -> str | None:
    """Why the mesh cannot fit on ``ranks`` ranks with ``memory`` bytes each, or None.

    Args:
        geometry: The case's ``[geometry]``.
        ranks: Number of ranks; each is credited a whole machine's ``memory`` (generous:
            only a mesh that cannot run anywhere is refused).
        memory: Memory of one machine [bytes]; 0: unknown (never refused).
    """
    cells = estimated_cells(geometry)
    if cells is None or memory <= 0:
        return None
    need = cells * BYTES_PER_CELL
    if need <= memory * ranks:
        return None
    nodes = math.ceil(need / memory)
    return (
        f"the mesh would have about {cells:.3g} cells, which need at least "
        f"{need / 2**30:.3g} GiB (≥ {BYTES_PER_CELL:g} bytes per cell); {ranks} rank(s) "
        f"with {memory / 2**30:.3g} GiB each cannot hold it. Check the cell counts and "
        f"sizes (a unit mistake?), or run on at least {nodes:.3g} machines"
    )


__all__ = [
    "BYTES_PER_CELL",
    "SIMPLICES_PER_SIZE",
    "estimated_cells",
    "machine_memory",
    "memory_problem",
]
