"""The computational domain: a mesh with named regions (cells) and boundaries (facets).

Builders here use DOLFINx's built-in meshes; :func:`domain_from_gmsh` converts a gmsh
model whose physical groups name the regions and boundaries.
"""

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem, la
from dolfinx import mesh as dmesh

from emcd_fem.errors import EmcdInputError, unknown_name
from emcd_fem.mesh.box_partition import slab_box, slab_box_columns
from emcd_fem.mesh.simplices import CellStatistics, cell_statistics, is_straight_simplex

#: Boundary names of the built-in box geometries, per coordinate axis (low, high).
AXIS_BOUNDARIES: tuple[tuple[str, str], ...] = (
    ("left", "right"),
    ("bottom", "top"),
    ("front", "back"),
)


@dataclass(frozen=True)
class SlabLayout:
    """Geometry of a layered slab, kept for comparison with the 1D analytic solution.

    Attributes:
        thicknesses: Layer thicknesses along x, from x = 0 [m].
        region_names: Region name of each layer, in the same order.
        cross_section: Extent of the slab across the layers: () in 1D, (width,) in 2D,
            (width, depth) in 3D [m].
    """

    thicknesses: tuple[float, ...]
    region_names: tuple[str, ...]
    cross_section: tuple[float, ...]

    @property
    def area(self) -> float:
        """Cross-section measure: 1 in 1D, width in 2D [m], width*depth in 3D [m^2]."""
        return float(np.prod(self.cross_section)) if self.cross_section else 1.0


def exterior_boundary_tags(
    msh: dmesh.Mesh, facet_tags: dmesh.MeshTags, boundaries: Mapping[str, int]
) -> dmesh.MeshTags:
    """``facet_tags`` without the interior facets that carry a boundary's tag (collective).

    Interface tags (every facet interior) are kept. Exterior is decided by the facet's
    owner and sent to the ranks that ghost it, so every rank keeps the same facets.
    """
    fdim = msh.topology.dim - 1
    boundary_values = np.array(sorted(set(boundaries.values())), dtype=np.int32)
    exterior = la.vector(msh.topology.index_map(fdim), 1, dtype=np.int32)
    exterior.array[:] = 0
    exterior.array[dmesh.exterior_facet_indices(msh.topology)] = 1
    exterior.scatter_forward()
    indices, values = facet_tags.indices, facet_tags.values
    keep = ~np.isin(values, boundary_values) | (exterior.array[indices] == 1)
    if keep.all():
        return facet_tags
    trimmed = dmesh.meshtags(msh, fdim, indices[keep], values[keep])
    trimmed.name = facet_tags.name
    return trimmed


@dataclass(frozen=True)
class Domain:
    """A mesh with named, tagged regions and boundaries.

    Attributes:
        mesh: The DOLFINx mesh (coordinates in m).
        cell_tags: Region tag of every cell.
        facet_tags: Boundary tag of the named boundary facets.
        regions: Region name → cell tag.
        boundaries: Boundary name → facet tag (exterior facets: they take conditions).
            Facets inside the mesh that carry a boundary's tag (a mesh-file group that
            also holds an internal surface) are dropped from ``facet_tags`` on
            construction, so a condition acts on the exterior only — a Dirichlet
            condition included.
        interfaces: Name → facet tag of internal facet groups (e.g. matrix/inclusion
            surfaces); no boundary condition applies there.
        layout: Description of the geometry family the domain was built from
            (:class:`SlabLayout`, :class:`~emcd_fem.geometry.shells.ShellLayout`, ...), kept
            for analytic references; None for arbitrary meshes.
        excluded: Physical groups of a mesh file that are neither regions nor boundaries
            (empty, not faces of any cell, other dimensions), with the reason: naming one
            raises that reason instead of "unknown name".
    """

    mesh: dmesh.Mesh
    cell_tags: dmesh.MeshTags
    facet_tags: dmesh.MeshTags
    regions: Mapping[str, int]
    boundaries: Mapping[str, int]
    interfaces: Mapping[str, int] = field(default_factory=dict)
    layout: object | None = None
    excluded: Mapping[str, str] = field(default_factory=dict)
    dx: ufl.Measure = field(init=False, repr=False)
    ds: ufl.Measure = field(init=False, repr=False)

    def __post_init__(self) -> None:
        tdim = self.mesh.topology.dim
        self.mesh.topology.create_connectivity(tdim - 1, tdim)
        object.__setattr__(
            self, "facet_tags", exterior_boundary_tags(self.mesh, self.facet_tags, self.boundaries)
        )
        # One measure object per integral type and domain (DOLFINx requires it).
        object.__setattr__(
            self, "dx", ufl.Measure("dx", domain=self.mesh, subdomain_data=self.cell_tags)
        )
        object.__setattr__(
            self, "ds", ufl.Measure("ds", domain=self.mesh, subdomain_data=self.facet_tags)
        )

    @functools.cached_property
    def extent(self) -> tuple[float, float]:
        """(measure of the whole mesh, diameter of its bounding box) [m^d, m].

        Collective on first access (two reductions, and :attr:`cell_statistics` or, for
        curved or non-simplex cells, one integral); cached afterwards, so every solve on
        this domain reuses it (the flux scale of the balance checks).
        """
        msh = self.mesh
        gdim = msh.geometry.dim
        points = msh.geometry.x[:, :gdim]
        local_low = points.min(axis=0) if points.size else np.full(gdim, np.inf)
        local_high = points.max(axis=0) if points.size else np.full(gdim, -np.inf)
        low, high = np.empty(gdim), np.empty(gdim)
        msh.comm.Allreduce(np.ascontiguousarray(local_low, dtype=np.float64), low, op=MPI.MIN)
        msh.comm.Allreduce(np.ascontiguousarray(local_high, dtype=np.float64), high, op=MPI.MAX)
        statistics = self.cell_statistics
        if statistics is not None:  # straight simplices: from the corners, no form to compile
            volume = statistics.volume
        else:
            local = fem.assemble_scalar(fem.form(fem.Constant(msh, 1.0) * self.dx))
            volume = msh.comm.allreduce(float(local), op=MPI.SUM)
        return volume, float(np.linalg.norm(high - low))

    @functools.cached_property
    def cell_statistics(self) -> CellStatistics | None:
        """Cell quality and volumes of straight simplex cells, None for other cells.

        One NumPy pass over the owned cells' corners (no compiled form: on a cold JIT cache
        each form costs a compiler run), shared by :attr:`extent` and the mesh report. Bins
        are the regions in sorted name order, then the cells of no region. Collective on
        first access (every rank takes the same branch: it depends on the cell type and the
        coordinate element only); cached afterwards.
        """
        msh = self.mesh
        if not is_straight_simplex(msh):
            return None
        names = sorted(self.regions)
        n_owned = msh.topology.index_map(msh.topology.dim).size_local
        bins = np.full(n_owned, len(names), dtype=np.int32)
        tags = self.cell_tags
        owned = tags.indices < n_owned
        cells, values = tags.indices[owned], tags.values[owned]
        for i, name in enumerate(names):
            bins[cells[values == self.regions[name]]] = i
        return cell_statistics(msh, bins, len(names) + 1)

    def region_volumes(self) -> dict[str, float] | None:
        """Region name → volume [m^3] (area in 2D, length in 1D) of straight simplex cells.

        From :attr:`cell_statistics`; None for curved or non-simplex cells (integrate
        those). Collective on first access of :attr:`cell_statistics`.
        """
        statistics = self.cell_statistics
        if statistics is None:
            return None
        names = sorted(self.regions)
        return {n: float(statistics.bin_volumes[names.index(n)]) for n in self.regions}

    def region_tag(self, name: str) -> int:
        """Cell tag of a region; raises with a suggestion if the name is unknown."""
        if name not in self.regions:
            raise self._unknown("region", name, self.regions)
        return self.regions[name]

    def boundary_tag(self, name: str) -> int:
        """Facet tag of a boundary; raises with a suggestion if the name is unknown."""
        if name not in self.boundaries:
            raise self._unknown("boundary", name, self.boundaries)
        return self.boundaries[name]

    def _unknown(self, kind: str, name: str, known: Mapping[str, int]) -> EmcdInputError:
        if name in self.excluded:
            return EmcdInputError(
                f"{kind} {name!r} cannot take a {'material' if kind == 'region' else 'condition'}"
                f": the mesh's physical group {name!r} is {self.excluded[name]}"
            )
        if kind == "boundary" and name in self.interfaces:
            return EmcdInputError(
                f"boundary {name!r} is an internal surface of the mesh (every facet lies "
                "between two cells): boundary conditions apply to the exterior only"
            )
        return unknown_name(kind, name, known)

    def local_cell_tags(self) -> np.ndarray:
        """Region tag of every local cell (owned and ghost), −1 where untagged."""
        tdim = self.mesh.topology.dim
        imap = self.mesh.topology.index_map(tdim)
        tags = np.full(imap.size_local + imap.num_ghosts, -1, dtype=np.int64)
        tags[self.cell_tags.indices] = self.cell_tags.values
        return tags

    @property
    def slab(self) -> SlabLayout | None:
        """The layout if the domain is a layered slab, else None."""
        return self.layout if isinstance(self.layout, SlabLayout) else None

    @property
    def comm(self) -> MPI.Comm:
        """The mesh communicator."""
        return self.mesh.comm


def _default_names(n: int) -> list[str]:
    return [f"layer{i + 1}" for i in range(n)]


def layered_slab(
    thicknesses: Sequence[float],
    *,
    region_names: Sequence[str] | None = None,
    dim: int = 1,
    cells_per_layer: int | Sequence[int] = 10,
    width: float = 1.0,
    depth: float = 1.0,
    cells_across: int = 2,
    cell_type: str = "simplex",
    comm: MPI.Comm = MPI.COMM_WORLD,
    interfaces: bool = False,
) -> Domain:
    """A slab of layers stacked along x, meshed with DOLFINx's built-in meshes.

    Interfaces between layers lie exactly on mesh nodes (each layer gets its own number of
    uniform cells), so a P1 solution of the constant-property layers is nodally exact.

    Args:
        thicknesses: Layer thicknesses along x [m], each > 0; layer 1 starts at x = 0.
        region_names: Name of each layer (default ``layer1``, ``layer2``, ...).
        dim: 1, 2 or 3.
        cells_per_layer: Cells across each layer along x (one number for all layers, or
            one per layer).
        width: Extent along y [m] (2D and 3D).
        depth: Extent along z [m] (3D).
        cells_across: Cells along y and z.
        cell_type: ``"simplex"`` (triangles/tetrahedra) or ``"hypercube"``
            (quadrilaterals/hexahedra).
        comm: MPI communicator.
        interfaces: Also name the internal interfaces ``"<layer i>|<layer i+1>"`` between
            consecutive layers (where interface reactions sit); off by default, since the
            mesh report measures every named interface (one more compiled form).

    Returns:
        The domain with regions named after the layers, boundaries ``left``/``right``
        (x), ``bottom``/``top`` (y, 2D and 3D) and ``front``/``back`` (z, 3D), and with
        ``interfaces`` the named interfaces.

    Note:
        Collective on ``comm``.
    """
    thick = np.asarray(thicknesses, dtype=np.float64)
    if thick.ndim != 1 or thick.size == 0 or not np.all(np.isfinite(thick)) or np.any(thick <= 0):
        raise EmcdInputError(
            f"layer thicknesses must be a non-empty list of numbers > 0, got {thicknesses!r}"
        )
    n_layers = thick.size
    names = list(region_names) if region_names is not None else _default_names(n_layers)
    if len(names) != n_layers or len(set(names)) != n_layers:
        raise EmcdInputError(f"need {n_layers} distinct region names, got {names!r}")
    if dim not in (1, 2, 3):
        raise EmcdInputError(f"dim must be 1, 2 or 3, got {dim!r}")
    counts = np.broadcast_to(np.asarray(cells_per_layer, dtype=np.int64), (n_layers,))
    if np.any(counts < 1) or cells_across < 1:
        raise EmcdInputError("cells_per_layer and cells_across must be >= 1")
    for key, value in (("width", width), ("depth", depth)):
        if not value > 0:
            raise EmcdInputError(f"{key} must be > 0, got {value!r}")
    if cell_type not in ("simplex", "hypercube"):
        raise EmcdInputError(f"cell_type must be 'simplex' or 'hypercube', got {cell_type!r}")

    n_total = int(counts.sum())
    extents = [float(thick.sum()), width, depth][:dim]
    ghost = dmesh.GhostMode.shared_facet
    if dim == 1:
        msh = dmesh.create_interval(comm, n_total, [0.0, float(n_total)], ghost_mode=ghost)
    elif dim == 2:
        ctype = dmesh.CellType.triangle if cell_type == "simplex" else dmesh.CellType.quadrilateral
        msh = dmesh.create_rectangle(
            comm,
            [[0.0, 0.0], [float(n_total), width]],
            [n_total, cells_across],
            cell_type=ctype,
            ghost_mode=ghost,
        )
    else:
        msh = slab_box(comm, n_total, cells_across, width, depth, cell_type, ghost)
    # Map the uniform index coordinate onto the layers: node k of layer i lands exactly on
    # the layer's uniform grid, interfaces on nodes.
    index_nodes = np.concatenate([[0], np.cumsum(counts)]).astype(np.float64)
    positions = np.concatenate([[0.0], np.cumsum(thick)])
    x = msh.geometry.x
    x[:, 0] = np.interp(x[:, 0], index_nodes, positions)

    tdim = msh.topology.dim
    n_cells = msh.topology.index_map(tdim).size_local + msh.topology.index_map(tdim).num_ghosts
    cells = np.arange(n_cells, dtype=np.int32)
    if dim == 3:  # the column along x of each cell, from its index in create_box
        column = slab_box_columns(msh, n_total, cells_across, cell_type)
        layer_index = np.searchsorted(np.cumsum(counts)[:-1], column, side="right")
    else:
        midpoints = dmesh.compute_midpoints(msh, tdim, cells)
        layer_index = np.searchsorted(positions[1:-1], midpoints[:, 0])
    cell_tags = dmesh.meshtags(msh, tdim, cells, (layer_index + 1).astype(np.int32))
    cell_tags.name = "regions"

    boundaries = {}
    facet_list, tag_list = [], []
    tol = 1e-10 * max(extents)
    # the exterior facets once, their corners once (locate_entities_boundary per side
    # would find them 2 dim times): a facet lies on a side when all its corners do
    msh.topology.create_connectivity(tdim - 1, tdim)
    exterior = dmesh.exterior_facet_indices(msh.topology)
    corners = msh.geometry.x[dmesh.entities_to_geometry(msh, tdim - 1, exterior)]
    for axis in range(dim):
        for side, coordinate in enumerate((0.0, extents[axis])):
            name = AXIS_BOUNDARIES[axis][side]
            tag = len(boundaries) + 1
            boundaries[name] = tag
            on_side = np.all(np.abs(corners[:, :, axis] - coordinate) <= tol, axis=1)
            facets = exterior[on_side].astype(np.int32)
            facet_list.append(facets)
            tag_list.append(np.full(facets.size, tag, dtype=np.int32))
    named = {}  # "a|b": the facets between consecutive layers (interface reactions)
    for i in range(n_layers - 1 if interfaces else 0):
        tag = len(boundaries) + len(named) + 1
        named[f"{names[i]}|{names[i + 1]}"] = tag
        facets = dmesh.locate_entities(
            msh, tdim - 1, lambda p, c=positions[i + 1]: np.abs(p[0] - c) <= tol
        )
        facet_list.append(facets)
        tag_list.append(np.full(facets.size, tag, dtype=np.int32))
    facets = np.concatenate(facet_list)
    order = np.argsort(facets)
    facet_tags = dmesh.meshtags(msh, tdim - 1, facets[order], np.concatenate(tag_list)[order])
    facet_tags.name = "boundaries"

    layout = SlabLayout(
        thicknesses=tuple(float(t) for t in thick),
        region_names=tuple(names),
        cross_section=tuple(extents[1:]),
    )
    return Domain(
        mesh=msh,
        cell_tags=cell_tags,
        facet_tags=facet_tags,
        regions={name: i + 1 for i, name in enumerate(names)},
        boundaries=boundaries,
        interfaces=named,
        layout=layout,
    )
