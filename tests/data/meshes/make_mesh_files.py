"""Regenerate the mesh files of tests/test_mesh_files.py: `python make_mesh_files.py`.

Each file is a user-style gmsh mesh of the two-layer slab (coating 0 < x < 0.3, support
0.3 < x < 1, height 0.4; in 3D depth 0.2) in one format, or one defect class:

== ============================== =====================================================
   file                           what it exercises
== ============================== =====================================================
   slab_msh22.msh                 MSH 2.2 ASCII, triangles (exact)
   slab_msh41_binary.msh          MSH 4.1 binary, tetrahedra (exact)
   slab_order2.msh                MSH 4.1 ASCII, 6-node triangles (exact)
   gappy_nodes.msh                MSH 2.2 ASCII, node tags 1000, 1003, 1006, ... (exact)
   orphan_surface.msh             3D, a surface group bounding no volume and a curve
                                  group (ignored with a warning; exact)
   no_boundary_groups.msh         only region groups (boundaries by locator; exact)
   overlap_facets.msh             the left curve in groups 'left' and 'inlet'
   left_with_interface.msh        group 'left' holds the left curve and the internal
                                  interface x = 0.3 (conditions act on the exterior
                                  facets only, with a warning; exact)
   nested_regions.msh             region 'plate' holds the cells of 'coating' and 'support'
   mixed_tri_quad.msh             triangles in one layer, quadrilaterals in the other
   mixed_tet_prism.msh            prisms in one layer, tetrahedra in the other
== ============================== =====================================================
"""

from pathlib import Path

import gmsh

HERE = Path(__file__).parent
T1, L, H, W = 0.3, 1.0, 0.4, 0.2


def _slab_2d(size: float = 0.1, *, boundaries: bool = True, extra=None) -> None:
    """Two rectangles fragmented into one conforming 2D model with physical groups."""
    occ = gmsh.model.occ
    occ.addRectangle(0, 0, 0, T1, H, 1)
    occ.addRectangle(T1, 0, 0, L - T1, H, 2)
    occ.fragment([(2, 1)], [(2, 2)])
    occ.synchronize()
    gmsh.model.addPhysicalGroup(2, [1], 1, name="coating")
    gmsh.model.addPhysicalGroup(2, [2], 2, name="support")
    if boundaries:
        _side_groups(1, (L, H))
    if extra is not None:
        extra()
    gmsh.option.setNumber("Mesh.MeshSizeMax", size)


def _side_groups(dim: int, extents: tuple[float, ...]) -> None:
    """left/right/walls groups of the facets (dimension ``dim``) on the outer box."""
    left, right, walls = [], [], []
    for _, tag in gmsh.model.getEntities(dim):
        c = gmsh.model.occ.getCenterOfMass(dim, tag)
        if abs(c[0]) < 1e-9:
            left.append(tag)
        elif abs(c[0] - L) < 1e-9:
            right.append(tag)
        elif any(abs(c[k]) < 1e-9 or abs(c[k] - extents[k]) < 1e-9 for k in range(1, dim + 1)):
            walls.append(tag)
    gmsh.model.addPhysicalGroup(dim, left, 11, name="left")
    gmsh.model.addPhysicalGroup(dim, right, 12, name="right")
    gmsh.model.addPhysicalGroup(dim, walls, 13, name="walls")


def _slab_3d(size: float = 0.15) -> None:
    occ = gmsh.model.occ
    occ.addBox(0, 0, 0, T1, H, W, 1)
    occ.addBox(T1, 0, 0, L - T1, H, W, 2)
    occ.fragment([(3, 1)], [(3, 2)])
    occ.synchronize()
    gmsh.model.addPhysicalGroup(3, [1], 1, name="coating")
    gmsh.model.addPhysicalGroup(3, [2], 2, name="support")
    _side_groups(2, (L, H, W))
    gmsh.option.setNumber("Mesh.MeshSizeMax", size)


def _write(
    name: str,
    dim: int,
    build,
    *,
    version: float = 4.1,
    binary: bool = False,
    order: int = 1,
    after=None,
) -> None:
    gmsh.clear()
    gmsh.model.add(name)
    build()
    gmsh.model.mesh.generate(dim)
    if order == 2:
        gmsh.model.mesh.setOrder(2)
    gmsh.option.setNumber("Mesh.MshFileVersion", version)
    gmsh.option.setNumber("Mesh.Binary", int(binary))
    gmsh.write(str(HERE / name))
    if after is not None:
        after(HERE / name)
    print("wrote", HERE / name)


def _gappy_nodes(path: Path) -> None:
    """Rewrite an MSH 2.2 ASCII file with node tags 1000 + 3 t (gmsh renumbers on write)."""
    lines = path.read_text().splitlines()
    section, out = None, []
    for line in lines:
        fields = line.split()
        if line.startswith("$"):
            section = line if not line.startswith("$End") else None
        elif section == "$Nodes" and len(fields) == 4:
            fields[0] = str(1000 + 3 * int(fields[0]))
            line = " ".join(fields)
        elif section == "$Elements" and len(fields) > 3:
            n_tags = int(fields[2])
            head, nodes = fields[: 3 + n_tags], fields[3 + n_tags :]
            line = " ".join(head + [str(1000 + 3 * int(t)) for t in nodes])
        out.append(line)
    path.write_text("\n".join(out) + "\n")


def _orphan_surface() -> None:
    _slab_3d()
    occ = gmsh.model.occ
    floating = occ.addRectangle(0.2, 0.0, 0.5, 0.5, 0.3)  # above the slab, bounds nothing
    occ.synchronize()
    gmsh.model.addPhysicalGroup(2, [floating], 21, name="floating")
    edges = [t for _, t in gmsh.model.getBoundary([(2, floating)], oriented=False)]
    gmsh.model.addPhysicalGroup(1, edges, 22, name="rim")


def _overlap() -> None:
    left = gmsh.model.getEntitiesForPhysicalGroup(1, 11)
    gmsh.model.addPhysicalGroup(1, list(left), 14, name="inlet")


def _left_with_interface() -> None:
    """Add the internal interface curve x = 0.3 to the 'left' group (a user's slip)."""
    left = list(gmsh.model.getEntitiesForPhysicalGroup(1, 11))
    inner = [
        t
        for _, t in gmsh.model.getEntities(1)
        if abs(gmsh.model.occ.getCenterOfMass(1, t)[0] - T1) < 1e-9
    ]
    gmsh.model.removePhysicalGroups([(1, 11)])
    gmsh.model.addPhysicalGroup(1, left + inner, 11, name="left")


def _nested() -> None:
    gmsh.model.addPhysicalGroup(2, [1, 2], 3, name="plate")


def _mixed_tri_quad() -> None:
    _slab_2d()
    gmsh.model.mesh.setRecombine(2, 2)


def _mixed_tet_prism() -> None:
    geo = gmsh.model.geo
    p = [geo.addPoint(0, y, z) for y, z in ((0, 0), (H, 0), (H, W), (0, W))]
    lines = [geo.addLine(p[i], p[(i + 1) % 4]) for i in range(4)]
    face = geo.addPlaneSurface([geo.addCurveLoop(lines)])
    first = geo.extrude([(2, face)], T1, 0, 0, numElements=[3], recombine=True)  # prisms
    second = geo.extrude([first[0]], L - T1, 0, 0)  # unstructured: tetrahedra
    geo.synchronize()
    gmsh.model.addPhysicalGroup(3, [first[1][1]], 1, name="coating")
    gmsh.model.addPhysicalGroup(3, [second[1][1]], 2, name="support")
    gmsh.model.addPhysicalGroup(2, [face], 11, name="left")
    gmsh.model.addPhysicalGroup(2, [second[0][1]], 12, name="right")
    gmsh.option.setNumber("Mesh.MeshSizeMax", 0.15)


if __name__ == "__main__":
    gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    _write("slab_msh22.msh", 2, _slab_2d, version=2.2)
    _write("slab_msh41_binary.msh", 3, _slab_3d, binary=True)
    _write("slab_order2.msh", 2, lambda: _slab_2d(0.2), order=2)
    _write("gappy_nodes.msh", 2, _slab_2d, version=2.2, after=_gappy_nodes)
    _write("orphan_surface.msh", 3, _orphan_surface)
    _write("no_boundary_groups.msh", 2, lambda: _slab_2d(boundaries=False))
    _write("overlap_facets.msh", 2, lambda: _slab_2d(extra=_overlap))
    _write("nested_regions.msh", 2, lambda: _slab_2d(extra=_nested))
    _write("left_with_interface.msh", 2, lambda: _slab_2d(extra=_left_with_interface))
    _write("mixed_tri_quad.msh", 2, _mixed_tri_quad)
    _write("mixed_tet_prism.msh", 3, _mixed_tet_prism)
    gmsh.finalize()
