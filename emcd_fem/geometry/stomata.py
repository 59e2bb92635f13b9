"""A stomatal pore: sub-stomatal cavity | epidermis with a pore | outside air.

The epidermis (thickness l) is impermeable and not meshed: the domain is the air in the
cavity (z < 0), in the pore (0 < z < l) and outside (z > l), in a cell of half-width b
(the spacing of neighbouring stomata). Regions ``cavity``, ``pore``, ``outside``;
boundaries ``cavity_bottom`` (z = −H_c), ``outside_top`` (z = l + H_o), ``epidermis``
(the leaf surfaces and the pore wall) and ``side`` (the cell wall, a symmetry plane).

- ``dim = 3, shape = "circular"``: a circular pore of radius a in a cylindrical cell of
  radius b (axis z).
- ``dim = 2`` (``shape = "slit"``): the cross-section of a long slit of half-width a, in
  x ∈ [−b, b].

Reference (Brown & Escombe 1900), circular pore, cavity and outside large compared with a:
R = (l + π a / 2) / (π a² c D): the pore's own resistance plus the access resistance
1/(4 a c D) of each opening (the π a / 4 end corrections).
"""

from dataclasses import dataclass
from pathlib import Path

from mpi4py import MPI

import numpy as np

from emcd_fem.errors import EmcdInputError
from emcd_fem.geometry.gmsh_model import apply_mesh_sizes, domain_from_gmsh, generate, point_on
from emcd_fem.mesh.domain import Domain


@dataclass(frozen=True)
class StomaLayout:
    """Dimensions of a stomatal pore cell [m]."""

    shape: str
    pore_radius: float
    epidermis_thickness: float
    cell_radius: float
    cavity_depth: float
    outside_height: float


def brown_escombe_resistance(pore_radius: float, thickness: float, c: float, D: float) -> float:
    """Brown–Escombe resistance of a circular pore, (l + π a/2)/(π a² c D) [s/mol]."""
    return (thickness + np.pi * pore_radius / 2) / (np.pi * pore_radius**2 * c * D)


def stomatal_pore(
    *,
    pore_radius: float,
    epidermis_thickness: float,
    cell_radius: float,
    cavity_depth: float,
    outside_height: float,
    dim: int = 3,
    size: float,
    pore_size: float | None = None,
    order: int = 1,
    refine: int = 0,
    msh_file: str | Path | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> Domain:
    """Mesh a stomatal pore cell (3D circular pore, or 2D slit cross-section).

    Args:
        pore_radius: a, pore radius (3D) or slit half-width (2D) [m].
        epidermis_thickness: l, pore length through the epidermis [m].
        cell_radius: b > a, radius (3D) or half-width (2D) of the cell [m].
        cavity_depth: H_c, depth of the sub-stomatal cavity below the epidermis [m].
        outside_height: H_o, height of outside air above the epidermis [m].
        dim: 3 (circular pore) or 2 (slit).
        size: Cell size far from the pore [m].
        pore_size: Cell size in and near the pore [m] (default ``size``).
        order: Geometric order.
        refine: Uniform refinements after distribution.
        msh_file: Also save the gmsh mesh there.
        comm: MPI communicator.

    Note:
        Collective on ``comm``.
    """
    a, thickness, b = pore_radius, epidermis_thickness, cell_radius
    for key, value in (
        ("pore_radius", a),
        ("epidermis_thickness", thickness),
        ("cell_radius", b),
        ("cavity_depth", cavity_depth),
        ("outside_height", outside_height),
    ):
        if not value > 0:
            raise EmcdInputError(f"{key} must be > 0, got {value!r}")
    if not b > a:
        raise EmcdInputError(f"cell_radius ({b:g}) must exceed pore_radius ({a:g})")
    if dim not in (2, 3):
        raise EmcdInputError(f"dim must be 2 (slit) or 3 (circular pore), got {dim!r}")
    top = thickness + outside_height
    layout = StomaLayout(
        "circular" if dim == 3 else "slit", a, thickness, b, cavity_depth, outside_height
    )

    def build() -> None:
        import gmsh

        occ = gmsh.model.occ
        if dim == 3:
            cavity = occ.addCylinder(0, 0, -cavity_depth, 0, 0, cavity_depth, b)
            pore = occ.addCylinder(0, 0, 0, 0, 0, thickness, a)
            outside = occ.addCylinder(0, 0, thickness, 0, 0, outside_height, b)
        else:
            cavity = occ.addRectangle(-b, -cavity_depth, 0, 2 * b, cavity_depth)
            pore = occ.addRectangle(-a, 0, 0, 2 * a, thickness)
            outside = occ.addRectangle(-b, thickness, 0, 2 * b, outside_height)
        occ.fragment([(dim, cavity)], [(dim, pore), (dim, outside)])
        occ.synchronize()
        axis = dim - 1  # z in 3D, y in 2D
        regions: dict[str, list[int]] = {"cavity": [], "pore": [], "outside": []}
        for _, tag in gmsh.model.getEntities(dim):
            height = occ.getCenterOfMass(dim, tag)[axis]
            name = "cavity" if height < 0 else ("pore" if height < thickness else "outside")
            regions[name].append(tag)
        for i, (name, tags) in enumerate(regions.items()):
            gmsh.model.addPhysicalGroup(dim, tags, i + 1, name=name)
        tol = 1e-9 * max(b, top, cavity_depth)
        sides: dict[str, list[int]] = {
            "cavity_bottom": [],
            "outside_top": [],
            "epidermis": [],
            "side": [],
        }
        pore_skin = []
        for _, tag in gmsh.model.getEntities(dim - 1):
            centre = np.asarray(occ.getCenterOfMass(dim - 1, tag))
            point = point_on(dim - 1, tag)  # on the surface (centres of cylinders are not)
            radial = abs(point[0]) if dim == 2 else np.hypot(point[0], point[1])
            if abs(centre[axis] + cavity_depth) < tol:
                sides["cavity_bottom"].append(tag)
            elif abs(centre[axis] - top) < tol:
                sides["outside_top"].append(tag)
            elif abs(radial - b) < 1e-6 * b:
                sides["side"].append(tag)
            else:
                if len(gmsh.model.getAdjacencies(dim - 1, tag)[0]) == 1:
                    sides["epidermis"].append(tag)  # leaf surfaces and the pore wall
                if abs(radial - a) < 1e-6 * a and 0 < centre[axis] < thickness:
                    pore_skin.append(tag)
        for j, (name, tags) in enumerate(sides.items()):
            if tags:
                gmsh.model.addPhysicalGroup(dim - 1, tags, 100 + j, name=name)
        fine = pore_size or size
        near = [(dim - 1, pore_skin, fine, a)] if fine < size else None
        apply_mesh_sizes(size, {t: fine for t in regions["pore"]}, tdim=dim, near=near)
        generate(dim, order)

    return domain_from_gmsh(
        build, gdim=dim, comm=comm, refine=refine, layout=layout, msh_file=msh_file
    )
