"""How many cells a gmsh script asks for, estimated before gmsh meshes it.

Built-in geometries are estimated from the case (:mod:`emcd_fem.case.mesh_budget`); a
``.geo`` script's measure and sizes are only known inside gmsh, and a script with a mesh
size that is far too small (``lc = 1e-7`` in a 1 m domain: a unit slip) made ``emcd run``
mesh until it was killed. Before the real mesh, on the gmsh rank:

1. the domain's **measure** and each curve's length from a coarse throw-away mesh
   (cell size = 1/20 of the bounding box diagonal; any kernel, curved boundaries, holes;
   measured with gmsh's own Jacobians);
2. the **curve elements** the sizes ask for: from the sizes at each curve's end points
   (gmsh interpolates linearly along the curve: ∫ ds/h = L ln(h_b/h_a)/(h_b − h_a)),
   the global size factor and bounds — without meshing anything; where the sizes come
   from size fields (``Field``/``Background Field``) or curvature they are not read here,
   and the curves are meshed (1D only) and counted instead;
3. the **cells**: measure / h^d × :data:`SIMPLICES_PER_SIZE` with h the mean
   curve-element length (uniform refinements × 2^d). For a uniform size this is the lower
   estimate of :mod:`emcd_fem.case.mesh_budget`; a mesh much finer on its curves than
   inside is over-estimated (hence the way out in the message).

Transfinite constraints are not read (their counts are in the script).
"""

import math
import os
from collections.abc import Callable

import numpy as np

from emcd_fem.errors import EmcdMeshError

#: Memory per cell [bytes], a lower bound: measured 2.5–5.4 kB per DOF for P1 on
#: tetrahedra (benchmarks/README.md) at ~0.18 DOFs per cell (≥ 450 B per cell), and a
#: 1D interval holds one DOF of ~0.5 kB. Refusals use the bound: they refuse only what
#: cannot run.
BYTES_PER_CELL = 300.0

#: Simplices per cell-size cube (square) that gmsh's meshers make, as a lower bound:
#: measured 5.9–6.0 tetrahedra per h³ (cylinder and sphere shells) and 2.4–2.6 triangles per
#: h² (annulus, slab, inclusion); a regular mesh of edge h has 6√2 ≈ 8.5 and 4/√3 ≈ 2.3.
#: tests/test_mesh_budget.py checks estimate ≤ actual ≤ 4 × estimate.
SIMPLICES_PER_SIZE = {1: 1.0, 2: 2.0, 3: 4.0}

#: Coarse mesh for the measure: cell size = bounding-box diagonal / this.
_MEASURE_DIVISIONS = 20.0


def machine_memory() -> float:
    """Physical memory of this machine [bytes] (0 when the system does not say)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE")) * float(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 0.0


def cell_budget(memory: float | None = None) -> float | None:
    """Cells one machine can hold at :data:`BYTES_PER_CELL` (None: memory unknown).

    Args:
        memory: Memory [bytes]; default: this machine's (:func:`machine_memory`).
    """
    memory = machine_memory() if memory is None else memory
    return memory / BYTES_PER_CELL if memory > 0 else None


def _measures(dim: int) -> dict[int, float]:
    """Entity tag → measure [m^dim] of every entity of dimension ``dim`` of the current mesh."""
    import gmsh

    out: dict[int, float] = {}
    for _, tag in gmsh.model.getEntities(dim):
        total = 0.0
        for etype in gmsh.model.mesh.getElementTypes(dim, tag):
            points, weights = gmsh.model.mesh.getIntegrationPoints(etype, "Gauss2")
            _, det, _ = gmsh.model.mesh.getJacobians(etype, points, tag)
            total += float((np.abs(np.asarray(det).reshape(-1, len(weights))) @ weights).sum())
        out[tag] = total
    return out


def _coarse_measures(
    tdim: int, reload: Callable[[], None]
) -> tuple[float, dict[int, float]] | None:
    """(measure of the cells' entities, curve tag → length) from a throw-away coarse mesh.

    ``reload()`` restores the script's model afterwards (a mesh cleared with
    ``gmsh.model.mesh.clear`` does not always mesh again as the script meant: requests
    such as ``Homology`` are consumed by the first mesh).
    """
    import gmsh

    xmin, ymin, zmin, xmax, ymax, zmax = gmsh.model.getBoundingBox(-1, -1)
    diagonal = math.dist((xmin, ymin, zmin), (xmax, ymax, zmax))
    if not math.isfinite(diagonal) or diagonal <= 0:
        return None
    names = (
        "Mesh.MeshSizeMin",
        "Mesh.MeshSizeMax",
        "Mesh.MeshSizeFactor",
        "Mesh.MeshSizeFromPoints",
        "Mesh.MeshSizeFromCurvature",
        "Mesh.MeshSizeExtendFromBoundary",
        "General.Verbosity",
    )
    saved = {name: gmsh.option.getNumber(name) for name in names}
    # the script's own entities (meshing may add discrete ones: homology, compounds)
    own = {dim: {tag for _, tag in gmsh.model.getEntities(dim)} for dim in (1, tdim)}
    coarse = diagonal / _MEASURE_DIVISIONS
    try:
        for name, value in zip(names, (coarse, coarse, 1.0, 0, 0, 0, 0), strict=True):
            gmsh.option.setNumber(name, value)
        gmsh.model.mesh.generate(tdim)
        measure = sum(v for t, v in _measures(tdim).items() if t in own[tdim])
        lengths = {t: v for t, v in _measures(1).items() if t in own[1]} if tdim > 1 else {}
    except Exception:  # a coarse mesh gmsh cannot make: no estimate (the real mesh decides)
        return None
    finally:  # options outlive gmsh.clear(): the script's own, then the script again
        for name, value in saved.items():
            gmsh.option.setNumber(name, value)
        reload()
    return measure, lengths


def _point_size(point: int) -> float | None:
    """The mesh size gmsh uses at a geometry point [m], or None when it is not read here."""
    import gmsh

    upper = gmsh.option.getNumber("Mesh.MeshSizeMax")
    given = 0.0
    if gmsh.option.getNumber("Mesh.MeshSizeFromPoints"):
        given = float(gmsh.model.mesh.getSizes([(0, point)])[0])
    size = given if given > 0 else upper
    if not size < 1e21:  # neither a point size nor a bound: gmsh's coarse default
        return None
    size = min(max(size, gmsh.option.getNumber("Mesh.MeshSizeMin")), upper)
    return size * gmsh.option.getNumber("Mesh.MeshSizeFactor")


def _predicted_curve_elements(lengths: dict[int, float]) -> float | None:
    """Curve elements gmsh will make from the point sizes (None: sizes not read here)."""
    import gmsh

    if len(gmsh.model.mesh.field.list()) or gmsh.option.getNumber("Mesh.MeshSizeFromCurvature"):
        return None
    total = 0.0
    for curve, length in lengths.items():
        ends = [tag for _, tag in gmsh.model.getBoundary([(1, curve)], combined=False)]
        if not ends:  # a closed curve without points: only the global bound applies
            upper = gmsh.option.getNumber("Mesh.MeshSizeMax")
            factor = gmsh.option.getNumber("Mesh.MeshSizeFactor")
            sizes = [upper * factor if upper < 1e21 else None]
        else:
            sizes = [_point_size(p) for p in ends]
        if any(s is None or not s > 0 for s in sizes):
            return None
        a, b = min(sizes), max(sizes)
        total += length / a if b - a <= 1e-12 * b else length * math.log(b / a) / (b - a)
    return total


def check_script_size(
    tdim: int,
    max_cells: float,
    reload: Callable[[], None],
    *,
    refine: int = 0,
    source: str = "the script",
) -> None:
    """Refuse a script whose mesh sizes ask for more cells than ``max_cells``.

    Runs on the gmsh rank with the script's model loaded and its sizes set, before
    ``generate``; whatever it meshes is thrown away with ``reload()``.

    Args:
        tdim: Dimension of the cells.
        max_cells: Cells the machine can hold (:func:`cell_budget`).
        reload: Restores the script's model with its sizes (open the file again).
        refine: Uniform refinements after meshing (× 2^tdim cells each).
        source: The file, for the message.

    Raises:
        EmcdMeshError: the estimate exceeds ``max_cells``, naming it, the size and what to do.
    """
    import gmsh

    measured = _coarse_measures(tdim, reload)
    if measured is None:
        return
    measure, lengths = measured
    growth = 2.0 ** (tdim * refine)
    advice = (
        "check the script's mesh sizes (lc at its points, Mesh.MeshSizeMax, [geometry] size: "
        "a unit slip?); if the estimate is wrong for a strongly graded mesh and the script "
        "is trusted, pass --allow-unsafe-geo (Python: allow_unsafe_geo=True) to mesh it anyway"
    )
    total_length = sum(lengths.values())
    predicted = _predicted_curve_elements(lengths) if tdim > 1 else None
    if predicted is None:  # sizes not read here: mesh the curves and look
        try:
            gmsh.model.mesh.generate(1)
            predicted = float(sum(_count(1)))
        finally:
            reload()
    segments = max(predicted, 1.0)
    if tdim == 1:
        cells = segments
        size = measure / segments
    else:
        size = total_length / segments
        cells = SIMPLICES_PER_SIZE[tdim] * measure / size**tdim
    if cells * growth > max_cells:
        raise EmcdMeshError(
            f"{source}: its mesh sizes (about {size:.3g} m on its curves, over a domain of "
            f"{measure:.3g} m^{tdim}) ask for about {cells * growth:.3g} cells; this machine "
            f"holds about {max_cells:.3g} (≥ {BYTES_PER_CELL:g} bytes per cell): {advice}"
        )


def _count(dim: int) -> list[int]:
    """Number of elements of each entity of dimension ``dim`` in the current mesh."""
    import gmsh

    return [
        sum(len(t) for t in gmsh.model.mesh.getElements(dim, tag)[1])
        for _, tag in gmsh.model.getEntities(dim)
    ]


__all__ = [
    "BYTES_PER_CELL",
    "SIMPLICES_PER_SIZE",
    "cell_budget",
    "check_script_size",
    "machine_memory",
]
