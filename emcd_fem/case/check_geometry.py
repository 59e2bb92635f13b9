"""Case checks of geometries: located boundaries, shells, inclusions."""

from emcd_fem.case.geometry import CylinderShells, Inclusions, MeshFile, SphereShells
from emcd_fem.errors import EmcdInputError


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
