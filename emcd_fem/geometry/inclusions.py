"""Matrix with inclusions: circles (2D), spheres (3D) or aligned fibres (3D cylinders along z).

The unit cell [0, Lx] × [0, Ly] (× [0, Lz]) holds inclusions of one radius, on a periodic
array or as a random non-overlapping packing (random sequential addition, seeded). Inclusions
crossing the cell boundary are continued periodically (their images are added) and cut by
the cell with an OCC fragment, so the inclusion volume fraction in the cell is exactly
n v / V. Regions ``matrix`` and ``inclusion``; boundaries ``left``/``right`` (x),
``bottom``/``top`` (y), ``front``/``back`` (z) and the internal surface ``interface``.
"""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mpi4py import MPI

import numpy as np

from emcd_fem.errors import EmcdInputError
from emcd_fem.geometry.gmsh_model import (
    add_box_face_groups,
    apply_mesh_sizes,
    box_faces,
    domain_from_gmsh,
    generate,
    run_on_root,
)
from emcd_fem.mesh.domain import Domain

#: Random sequential addition jamming limits (disks 0.547, spheres 0.384): beyond a large
#: fraction of these, a packing is very unlikely to be reached.
RSA_LIMIT = {2: 0.547, 3: 0.384}


@dataclass(frozen=True)
class InclusionLayout:
    """Description of an inclusion composite.

    Attributes:
        kind: ``"circle"``, ``"sphere"`` or ``"fibre"``.
        extents: Cell size (Lx, Ly[, Lz]) [m].
        centers: Inclusion centres in the cell, shape (n, 2) for circles/fibres (x, y), (n, 3)
            for spheres [m].
        radius: Inclusion radius [m].
    """

    kind: str
    extents: tuple[float, ...]
    centers: tuple[tuple[float, ...], ...]
    radius: float

    @property
    def volume_fraction(self) -> float:
        """Exact inclusion volume fraction in the cell (periodic images included)."""
        n = len(self.centers)
        cell = math.prod(self.extents)
        if self.kind == "sphere":
            return n * 4.0 / 3.0 * math.pi * self.radius**3 / cell
        depth = self.extents[2] if self.kind == "fibre" else 1.0
        return n * math.pi * self.radius**2 * depth / cell


def _inclusion_volume(kind: str, radius: float, extents: Sequence[float]) -> float:
    if kind == "sphere":
        return 4.0 / 3.0 * math.pi * radius**3
    return math.pi * radius**2 * (extents[2] if kind == "fibre" else 1.0)


def _plane_dims(kind: str, extents: Sequence[float]) -> int:
    return 3 if kind == "sphere" else 2


def periodic_array(extents: Sequence[float], counts: Sequence[int]) -> np.ndarray:
    """Centres of a regular array: counts[i] inclusions along axis i, at cell-grid centres."""
    axes = [(np.arange(n) + 0.5) * length / n for n, length in zip(counts, extents, strict=False)]
    return np.array(list(itertools.product(*axes)), dtype=np.float64)


def random_packing(
    extents: Sequence[float],
    radius: float,
    volume_fraction: float,
    *,
    kind: str = "circle",
    seed: int = 0,
    gap: float = 0.05,
    max_attempts: int = 200_000,
) -> np.ndarray:
    """Random non-overlapping periodic packing by random sequential addition (seeded).

    Places n = ceil(φ V / v) inclusions (so the fraction reached is the first multiple of
    v/V at or above φ), keeping centre distances (minimum image) >= 2 r (1 + gap) and
    inclusion surfaces at least ``gap`` r away from the cell faces they do not cross (no
    slivers in the mesh).

    Raises:
        EmcdInputError: when the fraction cannot be reached within ``max_attempts``.
    """
    dims = _plane_dims(kind, extents)
    lengths = np.asarray(extents[:dims], dtype=np.float64)
    cell = math.prod(extents)
    v = _inclusion_volume(kind, radius, extents)
    if not 0 < volume_fraction < 1:
        raise EmcdInputError(f"volume_fraction must be in (0, 1), got {volume_fraction!r}")
    if 2 * radius * (1 + gap) > lengths.min():
        raise EmcdInputError(f"radius {radius:g} m is too large for the cell {tuple(lengths)}")
    target = math.ceil(volume_fraction * cell / v - 1e-9)
    rng = np.random.default_rng(seed)
    centers = np.empty((target, dims))
    placed = 0
    min_distance = 2 * radius * (1 + gap)
    for attempt in range(max_attempts):
        candidate = rng.uniform(0, lengths)
        to_face = np.minimum(candidate, lengths - candidate)
        if np.any(np.abs(to_face - radius) < gap * radius):
            continue
        delta = centers[:placed] - candidate
        delta -= lengths * np.round(delta / lengths)
        if placed and np.einsum("ij,ij->i", delta, delta).min() < min_distance**2:
            continue
        centers[placed] = candidate
        placed += 1
        if placed == target:
            return centers
    raise EmcdInputError(
        f"random packing reached only {placed * v / cell:.3f} of the requested volume "
        f"fraction {volume_fraction:.3f} after {attempt + 1} attempts (random sequential "
        f"addition jams near {RSA_LIMIT[dims]:.3f} for {'disks' if dims == 2 else 'spheres'}"
        "); lower the fraction, use smaller inclusions or a periodic array"
    )


def layout_problems(
    kind: str, extents: Sequence[float], centers: np.ndarray, radius: float
) -> list[str]:
    """Why a set of inclusions cannot exist in the periodic cell (empty when it can).

    Refused: a non-positive radius or extent; a centre outside the cell [0, L] (images are
    added automatically, so a centre is given once, inside); two inclusions — or one and
    its own periodic image — that overlap or touch (minimum-image centre distance
    <= 2 r (1 + 1e-9)): the volume fraction would exceed what the cell holds and the
    mesh would have zero-thickness slivers.

    Args:
        kind: ``"circle"``, ``"sphere"`` or ``"fibre"``.
        extents: Cell size [m].
        centers: Centres, shape (n, 2) or (n, 3) [m].
        radius: Inclusion radius [m].

    Returns:
        Messages (without a key path; the caller names the key).
    """
    plane = _plane_dims(kind, extents)
    lengths = np.asarray(extents[:plane], dtype=np.float64)
    if not radius > 0:
        return [f"the radius must be positive, got {radius!r}"]
    if len(extents) < plane or not all(e > 0 for e in extents):
        return [f"the cell extents must be positive, got {list(extents)!r}"]
    centers = np.atleast_2d(np.asarray(centers, dtype=np.float64)).reshape(-1, plane)
    problems = []
    outside = np.flatnonzero(np.any((centers < 0) | (centers > lengths), axis=1))
    if outside.size:
        problems.append(
            f"centre {centers[outside[0]].tolist()} (and {outside.size - 1} more) lies outside "
            f"the cell [0, L] = {lengths.tolist()}: give each inclusion once, inside the cell "
            "(periodic images are added automatically)"
        )
    contact = 2.0 * radius * (1.0 + 1e-9)
    if 2.0 * radius >= lengths.min() / (1.0 + 1e-9):
        problems.append(
            f"an inclusion of diameter {2 * radius:.6g} m touches or overlaps its own periodic "
            f"image in a cell of size {lengths.tolist()}: the radius must be below "
            f"{lengths.min() / 2:.6g} m"
        )
    for i in range(len(centers) - 1):
        delta = centers[i + 1 :] - centers[i]
        delta -= lengths * np.round(delta / lengths)
        distance = np.sqrt(np.einsum("ij,ij->i", delta, delta))
        if distance.size and distance.min() <= contact:
            j = i + 1 + int(distance.argmin())
            fraction = len(centers) * _inclusion_volume(kind, radius, extents) / math.prod(extents)
            problems.append(
                f"inclusions {i} and {j} (centres {centers[i].tolist()}, "
                f"{centers[j].tolist()}) overlap or touch: centre distance "
                f"{distance.min():.6g} m <= 2 r = {2 * radius:.6g} m (the nominal volume "
                f"fraction would be {fraction:.3g}); reduce the radius or the number of "
                "inclusions"
            )
            break
    return problems


def _images(centers: np.ndarray, radius: float, lengths: np.ndarray) -> list[np.ndarray]:
    images = []
    for center in centers:
        for shift in itertools.product(*[(-1, 0, 1)] * lengths.size):
            moved = center + np.asarray(shift) * lengths
            low, high = moved - radius, moved + radius
            if np.all(high > 0) and np.all(low < lengths):
                images.append(moved)
    return images


def meshing_advice(centers: np.ndarray, radius: float, lengths: np.ndarray, size: float) -> str:
    """What to try when gmsh cannot mesh inclusions at cell size ``size`` [m].

    Names the narrowest gap between two inclusions (minimum image) in cells of that size.
    """
    gap = math.inf
    for i in range(len(centers) - 1):
        delta = centers[i + 1 :] - centers[i]
        delta -= lengths * np.round(delta / lengths)
        gap = min(gap, float(np.sqrt(np.einsum("ij,ij->i", delta, delta)).min()) - 2 * radius)
    narrow = (
        f"the narrowest gap between two inclusions is {gap:.3g} m ({gap / size:.2g} cells); "
        if math.isfinite(gap)
        else ""
    )
    return (
        f"{narrow}try a smaller size (about {max(gap, 0.0) / 2:.3g} m puts two cells across "
        "that gap), another seed or a lower volume_fraction (random packings), or a larger "
        "gap between inclusions; for a fine mesh at less cost, mesh at twice the size you "
        "need and set refine = 1 (refinement in DOLFINx)"
        if math.isfinite(gap)
        else "try another size, or a coarser size with refine = 1 (refinement in DOLFINx)"
    )


def matrix_with_inclusions(
    extents: Sequence[float],
    centers: np.ndarray,
    radius: float,
    *,
    kind: str = "circle",
    size: float,
    inclusion_size: float | None = None,
    order: int = 1,
    refine: int = 0,
    msh_file: str | Path | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> Domain:
    """Mesh a cell with inclusions at the given centres.

    Args:
        extents: (Lx, Ly) for circles, (Lx, Ly, Lz) for spheres and fibres [m].
        centers: Centres, shape (n, 2) (circles, fibres: x, y) or (n, 3) (spheres) [m];
            e.g. from :func:`periodic_array` or :func:`random_packing`.
        radius: Inclusion radius [m].
        kind: ``"circle"`` (2D), ``"sphere"`` or ``"fibre"`` (3D, cylinders along z).
        size: Cell size in the matrix [m].
        inclusion_size: Cell size inside the inclusions [m] (default ``size``).
        order: Geometric order.
        refine: Uniform refinements after distribution.
        msh_file: Also save the gmsh mesh there.
        comm: MPI communicator.

    Note:
        Collective on ``comm``; the centres must be the same on every rank.
    """
    dim = 2 if kind == "circle" else 3
    if kind not in ("circle", "sphere", "fibre"):
        raise EmcdInputError(f"kind must be 'circle', 'sphere' or 'fibre', got {kind!r}")
    if len(extents) != dim or any(e <= 0 for e in extents):
        raise EmcdInputError(f"{kind} inclusions need {dim} positive extents, got {extents!r}")
    centers = np.atleast_2d(np.asarray(centers, dtype=np.float64))
    plane = _plane_dims(kind, extents)
    if centers.size and centers.shape[1] != plane:
        raise EmcdInputError(f"{kind} centres need {plane} coordinates, got {centers.shape[1]}")
    lengths = np.asarray(extents[:plane], dtype=np.float64)
    problems = layout_problems(kind, extents, centers, radius)
    if problems:
        raise EmcdInputError(f"{kind} inclusions: " + "; ".join(problems))
    layout = InclusionLayout(
        kind=kind,
        extents=tuple(float(e) for e in extents),
        centers=tuple(tuple(map(float, c)) for c in centers),
        radius=float(radius),
    )

    def build() -> None:
        import gmsh

        occ = gmsh.model.occ
        if dim == 2:
            box = occ.addRectangle(0, 0, 0, *extents)
        else:
            box = occ.addBox(0, 0, 0, *extents)
        tools = []
        for c in _images(centers, radius, lengths):
            if kind == "circle":
                tools.append(occ.addDisk(c[0], c[1], 0, radius, radius))
            elif kind == "sphere":
                tools.append(occ.addSphere(*c, radius))
            else:
                tools.append(occ.addCylinder(c[0], c[1], 0, 0, 0, extents[2], radius))
        _, pieces = occ.fragment([(dim, box)], [(dim, t) for t in tools])
        occ.synchronize()
        from_box = {tag for _, tag in pieces[0]}
        from_tools = {tag for piece in pieces[1:] for _, tag in piece}
        outside = [(dim, tag) for tag in from_tools - from_box]
        if outside:
            occ.remove(outside, recursive=True)
            occ.synchronize()
        inclusion = sorted(from_box & from_tools)
        matrix = sorted(from_box - from_tools)
        gmsh.model.addPhysicalGroup(dim, matrix, 1, name="matrix")
        if inclusion:
            gmsh.model.addPhysicalGroup(dim, inclusion, 2, name="inclusion")
        faces = box_faces(extents, dim)
        on_faces = {t for tags in faces.values() for t in tags}
        add_box_face_groups(faces, dim)
        if inclusion:
            skin = gmsh.model.getBoundary(
                [(dim, t) for t in inclusion], combined=False, oriented=False
            )
            interface = sorted({t for _, t in skin} - on_faces)
            if interface:
                gmsh.model.addPhysicalGroup(dim - 1, interface, 200, name="interface")
        sizes = {t: inclusion_size for t in inclusion} if inclusion_size else None
        apply_mesh_sizes(size, sizes, tdim=dim)
        generate(dim, order, size=size, advice=meshing_advice(centers, radius, lengths, size))

    return domain_from_gmsh(
        build, gdim=dim, comm=comm, refine=refine, layout=layout, msh_file=msh_file
    )


def random_inclusions(
    extents: Sequence[float],
    radius: float,
    volume_fraction: float,
    *,
    kind: str = "circle",
    seed: int = 0,
    size: float,
    max_attempts: int = 200_000,
    comm: MPI.Comm = MPI.COMM_WORLD,
    **options,
) -> Domain:
    """A random packing meshed by :func:`matrix_with_inclusions`.

    The packing is generated on rank 0 and broadcast; ``options`` are passed on to
    :func:`matrix_with_inclusions`. Collective on ``comm``.
    """
    centers = run_on_root(
        lambda: random_packing(
            extents, radius, volume_fraction, kind=kind, seed=seed, max_attempts=max_attempts
        ),
        comm,
        error_type=EmcdInputError,
    )
    return matrix_with_inclusions(
        extents, centers, radius, kind=kind, size=size, comm=comm, **options
    )
