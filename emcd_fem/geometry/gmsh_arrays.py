"""A meshed gmsh model → validated plain arrays (runs on the gmsh rank only).

DOLFINx's ``model_to_mesh`` assumes a well-formed model; mesh files as users write them
are not always. :func:`extract` reads the current gmsh model and checks, before anything
is distributed:

* one supported cell type (mixed triangles/quadrilaterals or tetrahedra/prisms, prisms,
  pyramids and incomplete second-order cells are refused, naming the types);
* every cell in exactly one region group (groups of the model's dimension): overlapping
  or nested groups and untagged cells are refused, naming the groups and cell counts;
* boundary groups (one dimension lower) whose elements are faces of the cells; overlapping
  groups are refused; groups that are not faces of any cell, empty groups and groups of
  other dimensions are set aside with a reason (:attr:`MeshArrays.excluded`) and a warning;
* node tags of any numbering (gaps, any order): nodes are renumbered 0, 1, ... in the
  order of their tags, keeping only those the cells use.

Problems raise :class:`~emcd_fem.errors.EmcdMeshError`; callers broadcast them.
"""

from dataclasses import dataclass, field

import numpy as np

from emcd_fem.errors import EmcdMeshError
from emcd_fem.geometry.gmsh_groups import (
    face_keys,
    facet_groups,
    group_elements,
    overlap_message,
    simplex_face_keys,
    simplex_face_rows,
    sorted_unique,
    unique_with_counts,
    warn_duplicate_nodes,
)

#: gmsh element type → (DOLFINx cell name, geometric degree) for the supported cells.
CELL_TYPES: dict[int, tuple[str, int]] = {
    1: ("interval", 1),
    2: ("triangle", 1),
    3: ("quadrilateral", 1),
    4: ("tetrahedron", 1),
    5: ("hexahedron", 1),
    8: ("interval", 2),
    9: ("triangle", 2),
    10: ("quadrilateral", 2),
    11: ("tetrahedron", 2),
    12: ("hexahedron", 2),
}
#: Corner numbers of each facet of a cell, in gmsh's corner numbering.
LOCAL_FACETS: dict[str, list[list[int]]] = {
    "interval": [[0], [1]],
    "triangle": [[0, 1], [1, 2], [2, 0]],
    "quadrilateral": [[0, 1], [1, 2], [2, 3], [3, 0]],
    "tetrahedron": [[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]],
    "hexahedron": [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [0, 1, 5, 4],
        [1, 2, 6, 5],
        [2, 3, 7, 6],
        [3, 0, 4, 7],
    ],
}
CORNERS = {"interval": 2, "triangle": 3, "quadrilateral": 4, "tetrahedron": 4, "hexahedron": 8}
_ADVICE = {
    "prism": "mesh those volumes with tetrahedra (no `Recombine` in `Extrude`/`Layers`) or "
    "hexahedra",
    "pyramid": "mesh with tetrahedra only, or hexahedra only",
}


@dataclass
class MeshArrays:
    """The validated mesh of a gmsh model, as arrays (gmsh node order, 0-based nodes).

    Attributes:
        gmsh_type: gmsh element type of the cells.
        cell_name: DOLFINx cell name (``triangle``, ``tetrahedron``, ...).
        degree: Geometric degree of the cells (1 or 2).
        x: Node coordinates [m], shape (nodes, 3).
        cells: Cell → nodes, shape (cells, nodes per cell).
        cell_values: Region tag of every cell.
        facets: Facet → nodes of the tagged facets (each face once).
        facet_values: Boundary or interface tag of every tagged facet.
        regions: Region name → tag.
        boundaries: Boundary name → tag (groups with facets on the exterior).
        interfaces: Name → tag of facet groups inside the domain only.
        counts: Cells of every region, facets of every boundary and interface.
        excluded: Physical groups that are neither, with the reason.
        warnings: Problems that do not stop the run.
        exterior: Corner nodes of every exterior face, shape (faces, corners per face).
    """

    gmsh_type: int
    cell_name: str
    degree: int
    x: np.ndarray
    cells: np.ndarray
    cell_values: np.ndarray
    facets: np.ndarray
    facet_values: np.ndarray
    regions: dict[str, int]
    boundaries: dict[str, int]
    interfaces: dict[str, int]
    counts: dict[str, int]
    excluded: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    exterior: np.ndarray | None = None

    @property
    def tdim(self) -> int:
        """Topological dimension of the cells."""
        return {"interval": 1, "triangle": 2, "quadrilateral": 2}.get(self.cell_name, 3)


def _group_names() -> dict[tuple[int, int], str]:
    """(dim, tag) → name of every physical group; unnamed ones get ``region<tag>`` etc."""
    import gmsh

    top = gmsh.model.getDimension()
    names = {}
    for dim, tag in sorted(gmsh.model.getPhysicalGroups()):
        name = gmsh.model.getPhysicalName(dim, tag)
        if not name:
            label = {top: "region", top - 1: "boundary"}.get(dim, f"group{dim}d_")
            name = f"{label}{tag}"
        names[(dim, tag)] = name
    return names


def _element_label(gmsh_type: int) -> str:
    import gmsh

    return gmsh.model.mesh.getElementProperties(gmsh_type)[0]


def _cells(tdim: int) -> tuple[int, np.ndarray, np.ndarray]:
    """The cells of the model: element type, element tags, node tags (cells, nodes)."""
    import gmsh

    types, elements, nodes = gmsh.model.mesh.getElements(tdim)
    if len(types) == 0:
        raise EmcdMeshError(
            f"the model has no {tdim}D cells: mesh it (a .geo file: `Mesh {tdim};` or give "
            "geometry.size) or check that the .msh file holds its cells"
        )
    if len(types) > 1:
        found = ", ".join(
            f"{len(e)} {_element_label(int(t))}" for t, e in zip(types, elements, strict=True)
        )
        kinds = {CELL_TYPES.get(int(t), (_element_label(int(t)),))[0] for t in types}
        advice = next(
            (
                _ADVICE[k]
                for k in ("prism", "pyramid")
                if any(k in s.lower() for s in map(_element_label, map(int, types)))
            ),
            None,
        )
        raise EmcdMeshError(
            f"the mesh mixes {tdim}D cell types ({found}): emcd_fem needs one cell type per "
            "mesh (DOLFINx 0.11 cannot assemble on mixed meshes). "
            + (
                advice[0].upper() + advice[1:]
                if advice
                else "Recombine every surface (`Mesh.RecombineAll = 1;`) or none"
                if kinds <= {"triangle", "quadrilateral"}
                else "Use tetrahedra only, or hexahedra only"
            )
        )
    gmsh_type = int(types[0])
    if gmsh_type not in CELL_TYPES:
        import gmsh

        label, _, order = gmsh.model.mesh.getElementProperties(gmsh_type)[:3]
        kind = next((k for k in _ADVICE if k in label.lower()), None)
        if kind:
            advice = _ADVICE[kind]
        elif order > 2:
            advice = (
                f"their geometric order is {order}, and emcd_fem supports orders 1 and 2 only: "
                "mesh with `Mesh.ElementOrder = 1;` or `2;` (Python "
                "`gmsh.model.mesh.setOrder(2)`)"
            )
        else:
            advice = (
                "use complete Lagrange cells of order 1 or 2 (`Mesh.SecondOrderIncomplete = 0;`)"
            )
        raise EmcdMeshError(f"cells of type '{label}' are not supported: {advice}")
    per_cell = len(nodes[0]) // len(elements[0])
    return (
        gmsh_type,
        np.asarray(elements[0], np.int64),
        np.asarray(nodes[0], np.int64).reshape(-1, per_cell),
    )


def extract() -> MeshArrays:
    """Read and validate the current gmsh model (gmsh rank only; see the module doc).

    Raises:
        EmcdMeshError: naming the groups, cell types or nodes at fault.
    """
    import gmsh

    tdim = gmsh.model.getDimension()
    names = _group_names()
    region_groups = [(t, n) for (d, t), n in names.items() if d == tdim]
    if tdim < 1 or not region_groups:
        raise EmcdMeshError(
            "the gmsh model has no physical group for its cells: add physical groups naming "
            "the regions (and boundaries) before meshing"
        )
    excluded: dict[str, str] = {}
    warnings: list[str] = []
    for (dim, _), name in names.items():
        if dim < tdim - 1:
            excluded[name] = (
                f"a physical group of dimension {dim}; only groups of dimension {tdim} "
                f"(regions) and {tdim - 1} (boundaries) are used"
            )
    used: dict[str, list[tuple[int, int]]] = {}
    for (dim, tag), name in names.items():
        if dim in (tdim, tdim - 1):
            used.setdefault(name, []).append((dim, tag))
    for name, groups in used.items():
        if len(groups) > 1:
            listed = " and ".join(f"dimension {d} tag {t}" for d, t in groups)
            raise EmcdMeshError(
                f"{len(groups)} physical groups are named '{name}' ({listed}): give each "
                "group its own name"
            )

    gmsh_type, cell_tags, cell_nodes = _cells(tdim)
    cell_name, degree = CELL_TYPES[gmsh_type]

    # regions: every cell in exactly one group
    order = np.argsort(cell_tags)
    sorted_tags = cell_tags[order]
    members, region_names = [], []
    for tag, name in region_groups:
        elements = [e for t, e, _ in group_elements(tdim, tag) if t == gmsh_type]
        found = sorted_unique(np.concatenate(elements)) if elements else np.empty(0, np.int64)
        if found.size == 0:
            excluded[name] = "a region group without cells"
            continue
        members.append(found)
        region_names.append(name)
    if not members:
        raise EmcdMeshError("no region group holds any cell: add the cells to physical groups")
    everything = np.concatenate(members)
    if sorted_unique(everything).size != everything.size:
        raise EmcdMeshError(overlap_message("region", "cells", region_names, members))
    # the groups hold cells only (filtered by type) and no cell twice: counting is enough
    untagged = (
        np.setdiff1d(cell_tags, everything) if everything.size != cell_tags.size else everything[:0]
    )
    if untagged.size:
        entities = sorted(
            {
                int(gmsh.model.mesh.getElement(int(e))[3])
                for e in untagged[: min(untagged.size, 2000)]
            }
        )
        raise EmcdMeshError(
            f"{untagged.size} of {cell_tags.size} cells belong to no region group (gmsh "
            f"{['', 'curves', 'surfaces', 'volumes'][tdim]} {entities[:10]}): add them to a "
            f"physical group (`Physical {['', 'Curve', 'Surface', 'Volume'][tdim]}`) or delete "
            "them; every cell needs a material"
        )
    region_tags = {name: tag for tag, name in region_groups if name in region_names}
    values = np.empty(cell_tags.size, np.int32)
    for name, found in zip(region_names, members, strict=True):
        values[order[np.searchsorted(sorted_tags, found)]] = region_tags[name]

    # nodes: keep those of the cells, numbered in the order of their tags
    all_tags, all_x, _ = gmsh.model.mesh.getNodes()
    all_tags = np.asarray(all_tags, np.int64)
    all_x = np.asarray(all_x, np.float64).reshape(-1, 3)
    used = sorted_unique(cell_nodes)
    node_order = np.argsort(all_tags)
    position = np.searchsorted(all_tags[node_order], used)
    position = np.minimum(position, all_tags.size - 1)
    missing = used[all_tags[node_order][position] != used] if all_tags.size else used
    if missing.size:
        raise EmcdMeshError(
            f"cells refer to {missing.size} node tag(s) the file does not define (e.g. "
            f"{missing[:5].tolist()}): the mesh file is corrupt"
        )
    x = all_x[node_order][position]
    cells = np.searchsorted(used, cell_nodes)
    corners = CORNERS[cell_name]
    del cell_nodes, all_tags, all_x, node_order, position

    # faces of the cells: exterior (one cell) or interior (two)
    is_simplex = cell_name in ("triangle", "tetrahedron")
    simplex = simplex_face_keys(cells[:, :corners], used.size) if is_simplex else None
    if simplex is not None:  # large meshes: keys straight from the sorted corners
        keys, ordered = simplex
        known_keys, face_first, face_count = unique_with_counts(keys)
        del keys
        # a cell twice: the same first face and the same remaining corner
        first = face_keys(ordered[:, :-1], used.size)  # the face without the largest corner
        twice = np.lexsort((ordered[:, -1], first))
        repeated = bool(np.any((np.diff(first[twice]) == 0) & (np.diff(ordered[twice, -1]) == 0)))
        del first, twice
        exterior = simplex_face_rows(ordered, face_first[face_count == 1])
        del ordered
    else:
        repeated = sorted_unique(face_keys(cells[:, :corners], used.size)).size != cells.shape[0]
        local = np.asarray(LOCAL_FACETS[cell_name])
        faces = cells[:, local].reshape(-1, local.shape[1])
        known_keys, face_first, face_count = np.unique(
            face_keys(faces, used.size), return_index=True, return_counts=True
        )
        exterior = faces[face_first[face_count == 1]]
        del faces
    if repeated:
        raise EmcdMeshError(
            "some cells appear twice (same nodes): the mesh file lists a cell in two "
            "elementary entities or twice; remove the duplicates"
        )
    if np.any(face_count > 2):
        raise EmcdMeshError(
            f"{int(np.sum(face_count > 2))} faces are shared by more than two cells: the mesh "
            "is not a valid volume mesh (overlapping or duplicated cells)"
        )
    del face_first
    warn_duplicate_nodes(x, cells, warnings)

    facets, facet_values, boundaries, interfaces, counts = facet_groups(
        names, tdim, cell_name, used, known_keys, face_count, excluded, warnings
    )
    for name, found in zip(region_names, members, strict=True):
        counts[name] = int(found.size)
    for name, reason in excluded.items():
        group = (
            f"physical group '{name}' is"
            if not name.endswith(" (in part)")
            else (f"part of physical group '{name.removesuffix(' (in part)')}' is")
        )
        warnings.append(f"mesh: {group} ignored: it is {reason}")
    return MeshArrays(
        gmsh_type=gmsh_type,
        cell_name=cell_name,
        degree=degree,
        x=x,
        cells=cells,
        cell_values=values,
        facets=facets,
        facet_values=facet_values,
        regions=region_tags,
        boundaries=boundaries,
        interfaces=interfaces,
        counts=counts,
        excluded=excluded,
        warnings=warnings,
        exterior=exterior,
    )


def dimension_error(arrays: MeshArrays, gdim: int | None) -> str | None:
    """Why the mesh cannot be used with ``gdim`` coordinates (None: it can).

    ``gdim`` None takes the cells' dimension. Cells of a higher dimension than ``gdim``,
    or nodes that leave the first ``gdim`` coordinates (a 2D mesh outside the x-y plane),
    would be flattened silently.
    """
    if gdim is not None and gdim < arrays.tdim:
        return (
            f"the mesh has {arrays.tdim}D cells; geometry.dim = {gdim} is smaller: give "
            f"geometry.dim = {arrays.tdim} or 3, or leave it out"
        )
    gdim = arrays.tdim if gdim is None else gdim
    flat = arrays.x[:, gdim:]
    if flat.size and float(np.ptp(flat, axis=0).max()) > 1e-12 * max(
        float(np.ptp(arrays.x, axis=0).max()), 1e-300
    ):
        where = {1: "the x axis", 2: "a plane parallel to x-y"}[gdim]
        return (
            f"the mesh is not flat in {gdim}D: its nodes do not lie on {where}; give "
            f"geometry.dim = 3 (or draw it {'along x' if gdim == 1 else 'in the x-y plane'})"
        )
    return None
