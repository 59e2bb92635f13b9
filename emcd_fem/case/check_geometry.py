"""Case checks of geometries: located boundaries, shells, inclusions, partitions at walls."""

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from emcd_fem.case.geometry import (
    CylinderShells,
    Inclusions,
    LayeredSlab,
    MeshFile,
    SphereShells,
)
from emcd_fem.errors import EmcdInputError

if TYPE_CHECKING:
    from emcd_fem.case.schema import Case


def located_boundary_problems(geometry: MeshFile) -> list[tuple[str, str]]:
    """Conditions of ``[geometry.boundaries]``: valid text, at most one "exterior"."""
    from emcd_fem.expressions import check_condition

    problems = []
    for name, condition in geometry.boundaries.items():
        if condition == "exterior":
            continue
        try:
            check_condition(condition, geometry.dim or 3)
        except EmcdInputError as exc:
            problems.append((f"geometry.boundaries.{name}", f'{exc} (or "exterior")'))
    exterior = [n for n, c in geometry.boundaries.items() if c == "exterior"]
    if len(exterior) > 1:
        problems.append(
            (
                f"geometry.boundaries.{exterior[1]}",
                f'only one boundary can be "exterior" (also {exterior[0]!r})',
            )
        )
    return problems


def mesh_option_problems(geometry: MeshFile) -> list[tuple[str, str]]:
    """``size`` and ``order`` mesh a ``.geo`` script; a ``.msh`` file is meshed already."""
    if Path(geometry.path).suffix.lower() != ".msh":
        return []
    problems = []
    if geometry.size is not None:
        problems.append(
            (
                "geometry.size",
                "applies to .geo scripts only: a .msh file is meshed already; remove it (or "
                "mesh the .geo at the new size)",
            )
        )
    if "order" in geometry.model_fields_set and geometry.order != 1:
        problems.append(
            (
                "geometry.order",
                "applies to .geo scripts only: a .msh file has its own geometric order "
                "(`emcd check` reports it); remove it (or save the mesh with "
                "`Mesh.ElementOrder = 2;`)",
            )
        )
    return problems


def shell_problems(g: CylinderShells | SphereShells) -> list[tuple[str, str]]:
    """Problems of a cylinder/sphere shell geometry (names, sizes)."""
    problems = []  # radii: _size_problems
    if g.names is not None and len(g.names) != len(g.radii) - 1:
        problems.append(
            (
                "geometry.names",
                f"{len(g.radii) - 1} shell(s) between {len(g.radii)} radii, got "
                f"{len(g.names)} name(s)",
            )
        )
    elif g.names is not None and len(set(g.names)) != len(g.names):
        problems.append(("geometry.names", "duplicate shell names"))
    return problems


def inclusion_problems(g: Inclusions) -> list[tuple[str, str]]:
    """Problems of an inclusions geometry (shape vs dimension, layout, sizes)."""
    problems = []
    if g.shape == "circle" and g.dim != 2:
        problems.append(("geometry.shape", "'circle' inclusions are 2D; use 'sphere' or 'fibre'"))
    if g.shape != "circle" and g.dim != 3:
        problems.append(("geometry.shape", f"{g.shape!r} inclusions are 3D; set dim = 3"))
    if len(g.extents) != g.dim:
        problems.append(("geometry.extents", f"needs {g.dim} values for dim = {g.dim}"))
    if g.arrangement == "periodic":
        wanted = 3 if g.shape == "sphere" else 2
        if g.counts is None or len(g.counts) != wanted or min(g.counts) < 1:
            problems.append(("geometry.counts", f"periodic arrays need {wanted} counts >= 1"))
    elif g.volume_fraction is None:
        problems.append(("geometry.volume_fraction", "required for a random arrangement"))
    for i, extent in enumerate(g.extents):
        if not extent > 0:
            problems.append((f"geometry.extents[{i}]", f"must be positive, got {extent}"))
    if problems:
        return problems
    if g.arrangement == "periodic":
        from emcd_fem.geometry.inclusions import layout_problems, periodic_array

        centers = periodic_array(g.extents, g.counts)
        problems += [
            ("geometry.radius", m) for m in layout_problems(g.shape, g.extents, centers, g.radius)
        ]
    elif 2 * g.radius >= min(g.extents[: 3 if g.shape == "sphere" else 2]):
        problems.append(
            ("geometry.radius", f"a diameter of {2 * g.radius:g} m does not fit in the cell")
        )
    return problems


def series_contacts(
    geometry: LayeredSlab | CylinderShells | SphereShells,
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Regions each boundary of a layered slab or shells touches, and the adjacent pairs.

    left/inner touch the first layer or shell, right/outer the last, every other boundary
    (top, bottom, front, back) all of them.
    """
    layers = geometry.region_names()
    first = {"left": layers[:1], "inner": layers[:1], "right": layers[-1:], "outer": layers[-1:]}
    touching = {name: first.get(name, layers) for name in geometry.boundary_names()}
    pairs = [tuple(sorted(pair)) for pair in itertools.pairwise(layers)]
    return touching, sorted(set(pairs))


def partition_boundary_problems(
    case: "Case",
    regions: Sequence[str],
    touching: Mapping[str, Sequence[str]],
    adjacent: Sequence[tuple[str, str]],
) -> list[tuple[str, str]]:
    """Mole-fraction boundaries along regions of different partition coefficient H.

    The run refuses them (:func:`~emcd_fem.materials.partition.boundary_solubility`);
    ``emcd check`` finds them from the regions each boundary touches.

    Args:
        case: The validated case.
        regions: Region names of the geometry.
        touching: Boundary → names of the regions whose cells it bounds.
        adjacent: Pairs of regions that share facets (each pair's names sorted).

    Returns:
        ``(key path, message)`` pairs.
    """
    from emcd_fem.case.boundaries import MoleFractionBC
    from emcd_fem.case.materials import resolve_spec
    from emcd_fem.materials.partition import mixed_boundary_problem, pair_solubilities

    if case.multicomponent is not None or not any(s.partition for s in case.interfaces):
        return []
    given = {tuple(s.materials): s.partition for s in case.interfaces if s.partition}
    partitions = {}
    for a, b in adjacent:  # oriented as the user wrote the pair (as interface_pairs)
        pair = (case.material_of(a), case.material_of(b))
        if pair in given:
            partitions[(a, b)] = given[pair]
        elif pair[::-1] in given:
            partitions[(b, a)] = given[pair[::-1]]
    materials = {r: case.material_of(r) for r in regions}
    if any(m not in case.materials for m in materials.values()):
        return []  # reported with its key path elsewhere
    concentration = {
        r: resolve_spec(m, case.materials[m]).material.concentration for r, m in materials.items()
    }
    try:
        solubility = pair_solubilities(regions, adjacent, concentration, partitions)
    except EmcdInputError as exc:
        return [("interfaces", str(exc))]
    problems = []
    for name, spec in sorted(case.boundaries.items()):
        if isinstance(spec, MoleFractionBC) and touching.get(name):
            problem = mixed_boundary_problem(name, touching[name], solubility)
            if problem is not None:
                problems.append((f"boundaries.{name}", problem))
    return problems
