"""Gmsh models → distributed DOLFINx domains (the only module that starts gmsh).

Gmsh runs on one rank only; its errors are broadcast so every rank raises the same
:class:`~emcd_fem.errors.EmcdMeshError`. The mesh is distributed by DOLFINx's default
graph partitioner (``create_cell_partitioner(GhostMode.shared_facet)``: ParMETIS/PT-SCOTCH/
KaHIP as available, one layer of ghost cells sharing a facet with owned cells).
"""

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mpi4py import MPI

import numpy as np

from emcd_fem.errors import EmcdError, EmcdMeshError, EmcdMeshingError
from emcd_fem.mesh.domain import Domain

if TYPE_CHECKING:
    from emcd_fem.geometry.gmsh_arrays import MeshArrays

from emcd_fem.geometry.distribute import distribute
from emcd_fem.geometry.refine import refine_with_tags

logger = logging.getLogger(__name__)

#: gmsh 3D algorithm: HXT, 4x+ faster than the default Delaunay here (toolchain.md).
ALGORITHM_3D_HXT = 10
#: gmsh numbers the discrete entities it creates for a ``Compound`` above this tag.
COMPOUND_TAGS = 100000


def run_on_root(
    build: Callable[[], object],
    comm: MPI.Comm,
    rank: int = 0,
    error_type: type[Exception] = EmcdMeshError,
) -> object:
    """Run ``build()`` on ``rank`` and broadcast its result, or its error to every rank.

    Errors of the project's own types keep their message; others are prefixed with their
    type. Every rank raises ``error_type``.
    """
    result = error = None
    if comm.rank == rank:
        try:
            result = build()
        except EmcdError as exc:
            error = str(exc)
        except Exception as exc:  # re-raised on every rank below
            kind = "gmsh" if type(exc) is Exception else type(exc).__name__  # gmsh API errors
            error = f"{kind}: {exc}"
    result, error = comm.bcast((result, error), root=rank)
    if error is not None:
        raise error_type(error)
    return result


def collectively(comm: MPI.Comm, work: Callable[[], object]) -> object:
    """Run ``work()`` on every rank; if it fails on any rank, raise on all of them.

    Use around local work that ends with collective calls, so that one rank's exception
    cannot leave the others waiting.
    """
    error = None
    result = None
    try:
        result = work()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    errors = [e for e in comm.allgather(error) if e is not None]
    if errors:
        raise EmcdMeshError(errors[0])
    return result


def apply_mesh_sizes(
    size: float,
    region_sizes: Mapping[int, float] | None = None,
    *,
    tdim: int,
    near: list[tuple[int, list[int], float, float]] | None = None,
) -> None:
    """Set the global mesh size and per-region sizes (gmsh Constant fields, minimum wins).

    Must run on the gmsh rank, after ``synchronize()`` and before ``generate``.

    Args:
        size: Target cell size [m] everywhere.
        region_sizes: gmsh entity tag (dimension ``tdim``) → cell size [m] inside it.
        tdim: Dimension of the regions.
        near: ``(entity_dim, tags, fine_size, distance)``: cells of ``fine_size`` within
            ``distance`` [m] of those entities, growing to ``size`` further away.
    """
    import gmsh

    if not size > 0:
        raise ValueError(f"mesh size must be > 0, got {size!r}")
    gmsh.option.setNumber("Mesh.MeshSizeMax", size)
    gmsh.option.setNumber("Mesh.MeshSizeMin", 0.0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0 if region_sizes else 1)
    gmsh.option.setNumber("Mesh.Algorithm3D", ALGORITHM_3D_HXT)
    if not region_sizes and not near:
        return
    fields = []
    for entity_dim, tags, fine, distance in near or []:
        to_entities = gmsh.model.mesh.field.add("Distance")
        key = {0: "PointsList", 1: "CurvesList", 2: "SurfacesList"}[entity_dim]
        gmsh.model.mesh.field.setNumbers(to_entities, key, list(tags))
        threshold = gmsh.model.mesh.field.add("Threshold")
        gmsh.model.mesh.field.setNumber(threshold, "InField", to_entities)
        gmsh.model.mesh.field.setNumber(threshold, "SizeMin", fine)
        gmsh.model.mesh.field.setNumber(threshold, "SizeMax", size)
        gmsh.model.mesh.field.setNumber(threshold, "DistMin", distance)
        gmsh.model.mesh.field.setNumber(threshold, "DistMax", distance + 4 * (size - fine))
        fields.append(threshold)
    region_sizes = region_sizes or {}
    key = {2: "SurfacesList", 3: "VolumesList"}[tdim]
    for entity, value in region_sizes.items():
        if not value > 0:
            raise ValueError(f"region mesh size must be > 0, got {value!r}")
        field = gmsh.model.mesh.field.add("Constant")
        gmsh.model.mesh.field.setNumber(field, "VIn", value)
        gmsh.model.mesh.field.setNumber(field, "VOut", size)
        gmsh.model.mesh.field.setNumbers(field, key, [entity])
        fields.append(field)
    minimum = gmsh.model.mesh.field.add("Min")
    gmsh.model.mesh.field.setNumbers(minimum, "FieldsList", fields)
    gmsh.model.mesh.field.setAsBackgroundMesh(minimum)


def box_faces(extents: "list[float] | tuple[float, ...]", dim: int) -> dict[str, list[int]]:
    """Gmsh entities (dimension ``dim − 1``) on the faces of the box [0, extents].

    Returns face name (``left``/``right``, ``bottom``/``top``, ``front``/``back``) → tags.
    Runs on the gmsh rank after ``synchronize()``.
    """
    import gmsh

    from emcd_fem.mesh.domain import AXIS_BOUNDARIES

    # centres of mass, not bounding boxes: OCC boxes are enlarged by an absolute tolerance
    # (~1e-7), too much for micrometre geometries; a face in a plane has its centre there,
    # anything crossing or curving away from the plane does not.
    tol = 1e-9 * max(extents)
    faces: dict[str, list[int]] = {}
    for _, tag in gmsh.model.getEntities(dim - 1):
        centre = gmsh.model.occ.getCenterOfMass(dim - 1, tag)
        for axis in range(dim):
            for side, coordinate in enumerate((0.0, extents[axis])):
                if abs(centre[axis] - coordinate) < tol:
                    faces.setdefault(AXIS_BOUNDARIES[axis][side], []).append(tag)
    return faces


def add_box_face_groups(faces: dict[str, list[int]], dim: int, first_tag: int = 100) -> None:
    """Physical groups for the box faces, in the fixed order left, right, bottom, ..."""
    import gmsh

    from emcd_fem.mesh.domain import AXIS_BOUNDARIES

    names = [name for pair in AXIS_BOUNDARIES[:dim] for name in pair]
    for j, name in enumerate(names):
        if faces.get(name):
            gmsh.model.addPhysicalGroup(dim - 1, faces[name], first_tag + j, name=name)


def point_on(dim: int, tag: int) -> np.ndarray:
    """A point on a gmsh entity: the middle of its parametrisation (gmsh rank only).

    Unlike the centre of mass, it lies on the entity (e.g. on a cylindrical surface).
    """
    import gmsh

    low, high = gmsh.model.getParametrizationBounds(dim, tag)
    return np.asarray(gmsh.model.getValue(dim, tag, 0.5 * (np.asarray(low) + np.asarray(high))))


def region_entity_sizes(
    names: list[str], entities: Mapping[int, list[int]], region_sizes: Mapping[str, float] | None
) -> dict[int, float]:
    """Gmsh entity tag → cell size, from region name → size.

    ``entities`` maps a region's index in ``names`` to its gmsh entity tags; unknown region
    names raise.
    """
    unknown = set(region_sizes or {}) - set(names)
    if unknown:
        raise ValueError(f"region_sizes names {sorted(unknown)} are not regions {names}")
    return {
        tag: region_sizes[names[i]]
        for i, tags in entities.items()
        for tag in tags
        if region_sizes and names[i] in region_sizes
    }


def generate(tdim: int, order: int, *, size: float | None = None, advice: str = "") -> None:
    """Mesh the current model in ``tdim`` dimensions with geometric ``order`` (1 or 2).

    Args:
        tdim: Dimension of the cells.
        order: Geometric order.
        size: The requested cell size [m] (named in the error message).
        advice: What to try for this geometry (ends the error message).

    Raises:
        EmcdMeshingError: gmsh failed, or left an entity of dimension ``tdim`` without
            cells (what a failed 3D mesher leaves), naming the size and what to try.
    """
    import gmsh

    if order not in (1, 2):
        raise ValueError(f"geometric order must be 1 or 2, got {order!r}")
    try:
        gmsh.model.mesh.generate(tdim)
    except Exception as exc:  # the gmsh API raises plain Exceptions with its message
        raise EmcdMeshingError(meshing_message(tdim, size, f"gmsh: {exc}", advice)) from exc
    entities = [tag for _, tag in gmsh.model.getEntities(tdim)]
    empty = [
        t for t in entities if not any(len(e) for e in gmsh.model.mesh.getElements(tdim, t)[1])
    ]
    # a `Compound` meshes its entities as one discrete entity (tag above COMPOUND_TAGS) and
    # hands the cells back to some of them: empty members are by design there (the API
    # does not say which entities a compound holds, so only an all-empty model fails)
    compound = any(
        t > COMPOUND_TAGS and gmsh.model.getType(tdim, t).startswith("Discrete") for t in entities
    )
    if compound and len(empty) < len(entities):
        empty = []
    if empty:
        what = ["points", "curves", "surfaces", "volumes"][tdim]
        raise EmcdMeshingError(
            meshing_message(
                tdim,
                size,
                f"{len(empty)} of the {len(entities)} {what} got no cells (gmsh "
                f"entities {empty[:10]})",
                advice,
            )
        )
    if order == 2:
        gmsh.model.mesh.setOrder(2)


def meshing_message(tdim: int, size: float | None, detail: str, advice: str = "") -> str:
    """The message of a mesher failure: the size, gmsh's reason, what to try."""
    at = f" at cell size {size:.4g} m (geometry.size)" if size else ""
    generic = (
        "try another cell size: a finer one resolves narrow gaps and thin slivers; or a "
        "coarser gmsh mesh refined in DOLFINx (geometry.refine = 1, order 1); or "
        "simplify the geometry"
    )
    return f"gmsh could not mesh the geometry in {tdim}D{at} ({detail}); " + (advice or generic)


def domain_from_gmsh(
    build_model: Callable[[], object],
    *,
    gdim: int | None,
    comm: MPI.Comm = MPI.COMM_WORLD,
    rank: int = 0,
    refine: int = 0,
    layout: object | None = None,
    msh_file: str | Path | None = None,
) -> Domain:
    """Build a domain from a gmsh model whose physical groups name regions and boundaries.

    ``build_model`` runs on rank ``rank`` only, inside a fresh gmsh session (default
    options) with an empty model, and must leave a meshed model with physical groups of
    dimension ``tdim`` (regions) and ``tdim − 1`` (boundaries). The groups are validated
    there (:func:`~emcd_fem.geometry.gmsh_arrays.extract`: one cell type, every cell in one
    region, disjoint boundaries that are faces of the cells; others set aside in
    ``Domain.excluded``). An exception in it is re-raised on every rank as
    :class:`EmcdMeshError`.

    Args:
        build_model: Callable that builds and meshes the current gmsh model.
        gdim: Geometric dimension of the mesh (None: the model's dimension).
        comm: MPI communicator.
        rank: Rank that runs gmsh.
        refine: Uniform refinements after distribution (tags kept). New vertices are
            *not* moved onto curved surfaces: re-mesh with gmsh for convergence studies on
            curved geometry; order-2 geometry cannot be refined. Cells stay on their
            parent's rank; the ghost layer (shared facets) is rebuilt.
        layout: Geometry description kept on the domain (for analytic references).
        msh_file: If given, rank ``rank`` also saves the gmsh mesh there (``.msh``).

    Returns:
        The distributed domain (ghost mode ``shared_facet``).

    Note:
        Collective on ``comm``.
    """
    import gmsh

    from emcd_fem.geometry.gmsh_arrays import extract

    def build() -> "MeshArrays":
        start_gmsh()
        gmsh.model.add("emcd_fem")
        build_model()
        arrays = extract()
        if msh_file is not None:
            Path(msh_file).parent.mkdir(parents=True, exist_ok=True)
            gmsh.write(str(msh_file))
        gmsh.clear()
        return arrays

    arrays = None
    error = None
    if comm.rank == rank:
        try:
            arrays = build()
        except EmcdError as exc:
            error = (str(exc), isinstance(exc, EmcdMeshingError))
        except Exception as exc:  # re-raised on every rank below
            # the gmsh API raises plain Exceptions with gmsh's own message
            kind = "gmsh" if type(exc) is Exception else type(exc).__name__
            error = (f"{kind}: {exc}", False)
        if error is not None and gmsh.isInitialized():
            gmsh.clear()
    error = comm.bcast(error, root=rank)
    if error is not None:
        raise (EmcdMeshingError if error[1] else EmcdMeshError)(error[0])
    msh, cell_tags, facet_tags, groups = distribute(arrays, comm, rank, gdim)
    for warning in groups["warnings"]:
        logger.warning("%s", warning)
    for _ in range(refine):
        msh, cell_tags, facet_tags = collectively(
            comm, lambda m=msh, c=cell_tags, f=facet_tags: refine_with_tags(m, c, f)
        )
    return Domain(
        mesh=msh,
        cell_tags=cell_tags,
        facet_tags=facet_tags,
        regions=groups["regions"],
        boundaries=groups["boundaries"],
        interfaces=groups["interfaces"],
        layout=layout,
        excluded=groups["excluded"],
    )


def start_gmsh() -> None:
    """Start a fresh gmsh session: default options, silent, never prompting, empty model.

    Options persist across models within a session (a mesh size or algorithm set by one
    builder or script would silently change the next mesh), so the session is restarted;
    that takes well under a millisecond. (``gmsh.option.restoreDefaults()`` is not used:
    it deletes the user's ``~/.gmsh-options``.)
    """
    import gmsh

    if gmsh.isInitialized():
        gmsh.finalize()
    gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    # GetValue/GetString in a script would wait for the terminal (a hang under MPI)
    gmsh.option.setNumber("General.NoPopup", 1)
    gmsh.clear()
