"""Concentric shells: 2D annulus, 3D finite cylinder, 3D spheres (gmsh OCC).

Regions are named from the inside out (``shell1``, ``shell2``, ... unless given);
boundaries ``inner`` and ``outer`` (and ``bottom``/``top`` for the finite cylinder, the
planes z = 0 and z = H).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mpi4py import MPI

import numpy as np

from emcd_fem.errors import EmcdInputError
from emcd_fem.geometry.gmsh_model import (
    apply_mesh_sizes,
    domain_from_gmsh,
    generate,
    point_on,
    region_entity_sizes,
)
from emcd_fem.mesh.domain import Domain


@dataclass(frozen=True)
class ShellLayout:
    """Concentric shells, for the analytic reference.

    Attributes:
        kind: ``"cylinder"`` (annulus or finite cylinder) or ``"sphere"``.
        radii: r_0 < ... < r_n [m].
        region_names: Name of each shell, inside out.
        height: Cylinder height [m]; 1 for the 2D annulus (fluxes per unit depth) and spheres.
    """

    kind: str
    radii: tuple[float, ...]
    region_names: tuple[str, ...]
    height: float = 1.0


def _check(radii: Sequence[float], names: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    r = np.asarray(radii, dtype=np.float64)
    if r.ndim != 1 or r.size < 2 or r[0] <= 0 or np.any(np.diff(r) <= 0):
        raise EmcdInputError(f"radii must increase from r_0 > 0 (at least two), got {radii!r}")
    names = list(names) if names is not None else [f"shell{i + 1}" for i in range(r.size - 1)]
    if len(names) != r.size - 1 or len(set(names)) != len(names):
        raise EmcdInputError(f"need {r.size - 1} distinct shell names, got {names!r}")
    return r, names


def _shell_index(radius: float, radii: np.ndarray) -> int:
    return int(np.argmin(np.abs(radii[1:] - radius)))


def _is_plane_z(tag: int, height: float, tol: float) -> bool:
    """True for the end discs z = 0 and z = height (centre of mass in the plane)."""
    import gmsh

    z = gmsh.model.occ.getCenterOfMass(2, tag)[2]
    return abs(z) < tol or abs(z - height) < tol


def _build(
    kind: str,
    radii: np.ndarray,
    names: list[str],
    height: float,
    dim: int,
    size: float,
    region_sizes: Mapping[str, float] | None,
    order: int,
) -> None:
    import gmsh

    occ = gmsh.model.occ
    tol = 1e-6 * radii[-1]

    def solid(r: float) -> int:
        if dim == 2:
            return occ.addDisk(0, 0, 0, r, r)
        if kind == "cylinder":
            return occ.addCylinder(0, 0, 0, 0, 0, height, r)
        return occ.addSphere(0, 0, 0, r)

    rings = []
    for i in range(radii.size - 1):
        ring, _ = occ.cut([(dim, solid(radii[i + 1]))], [(dim, solid(radii[i]))])
        rings += ring
    if len(rings) > 1:
        occ.fragment(rings[:1], rings[1:])
    occ.synchronize()
    by_shell: dict[int, list[int]] = {}
    for _, tag in gmsh.model.getEntities(dim):
        xmax = gmsh.model.getBoundingBox(dim, tag)[3]
        by_shell.setdefault(_shell_index(xmax, radii), []).append(tag)
    if sorted(by_shell) != list(range(len(names))):
        raise RuntimeError("could not identify every shell after the OCC fragment")
    for i, name in enumerate(names):
        gmsh.model.addPhysicalGroup(dim, by_shell[i], i + 1, name=name)
    sides: dict[str, list[int]] = {"inner": [], "outer": [], "bottom": [], "top": []}
    for _, tag in gmsh.model.getEntities(dim - 1):
        point = point_on(dim - 1, tag)
        radius = np.hypot(point[0], point[1]) if kind == "cylinder" else np.linalg.norm(point)
        if dim == 3 and kind == "cylinder" and _is_plane_z(tag, height, tol):
            sides["bottom" if abs(point[2]) < tol else "top"].append(tag)
        elif abs(radius - radii[0]) < tol:
            sides["inner"].append(tag)
        elif abs(radius - radii[-1]) < tol:
            sides["outer"].append(tag)
    for j, (name, tags) in enumerate(sides.items()):
        if tags:
            gmsh.model.addPhysicalGroup(dim - 1, tags, 100 + j, name=name)
    sizes = region_entity_sizes(names, by_shell, region_sizes)
    apply_mesh_sizes(size, sizes, tdim=dim)
    generate(dim, order)


def _shells(
    kind: str,
    dim: int,
    radii,
    height,
    region_names,
    size,
    region_sizes,
    order,
    comm,
    refine,
    msh_file=None,
) -> Domain:
    r, names = _check(radii, region_names)
    if not height > 0:
        raise EmcdInputError(f"height must be > 0, got {height!r}")
    layout = ShellLayout(
        kind=kind,
        radii=tuple(float(v) for v in r),
        region_names=tuple(names),
        height=float(height) if (kind == "cylinder" and dim == 3) else 1.0,
    )
    return domain_from_gmsh(
        lambda: _build(kind, r, names, height, dim, size, region_sizes, order),
        gdim=dim,
        comm=comm,
        refine=refine,
        layout=layout,
        msh_file=msh_file,
    )


def annulus(
    radii: Sequence[float],
    *,
    size: float,
    region_names: Sequence[str] | None = None,
    region_sizes: Mapping[str, float] | None = None,
    order: int = 1,
    refine: int = 0,
    msh_file: str | Path | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> Domain:
    """2D cross-section of concentric cylindrical shells (fluxes per unit depth).

    Args:
        radii: r_0 < r_1 < ... < r_n [m].
        size: Target cell size [m].
        region_names: Shell names, inside out.
        region_sizes: Shell name → cell size [m] inside it.
        order: Geometric order (2: curved cells following the circles).
        refine: Uniform refinements after distribution (order 1 only).
        msh_file: Also save the gmsh mesh there (rank 0).
        comm: MPI communicator.

    Note:
        Collective on ``comm``.
    """
    return _shells(
        "cylinder", 2, radii, 1.0, region_names, size, region_sizes, order, comm, refine, msh_file
    )


def cylinder_shells(
    radii: Sequence[float],
    height: float,
    *,
    size: float,
    region_names: Sequence[str] | None = None,
    region_sizes: Mapping[str, float] | None = None,
    order: int = 1,
    refine: int = 0,
    msh_file: str | Path | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> Domain:
    """3D finite cylinder of concentric shells along z, 0 <= z <= height [m].

    Boundaries ``inner``, ``outer``, ``bottom`` (z = 0) and ``top`` (z = H). Arguments as
    :func:`annulus`. Collective on ``comm``.
    """
    return _shells(
        "cylinder",
        3,
        radii,
        height,
        region_names,
        size,
        region_sizes,
        order,
        comm,
        refine,
        msh_file,
    )


def sphere_shells(
    radii: Sequence[float],
    *,
    size: float,
    region_names: Sequence[str] | None = None,
    region_sizes: Mapping[str, float] | None = None,
    order: int = 1,
    refine: int = 0,
    msh_file: str | Path | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> Domain:
    """3D concentric spherical shells; boundaries ``inner`` and ``outer``.

    Arguments as :func:`annulus`. Collective on ``comm``.
    """
    return _shells(
        "sphere", 3, radii, 1.0, region_names, size, region_sizes, order, comm, refine, msh_file
    )
