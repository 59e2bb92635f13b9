"""Helpers shared by the case checks: name suggestions, the geometry's box, sizes."""

import difflib
from collections.abc import Sequence
from typing import Any

from emcd_fem.case.geometry import CylinderShells, Inclusions, LayeredSlab, SphereShells


def suggest(name: str, known: Sequence[str]) -> str:
    """A 'did you mean' for an unknown name, else the known names."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else f"known: {sorted(known)}"


def missing_material(region: str, material: str, materials: Sequence[str]) -> str:
    """Why mesh region ``region`` has no material: the name ``material`` is not defined."""
    close = difflib.get_close_matches(material, sorted(materials), n=1)
    hint = f"did you mean {close[0]!r}? Or " if close else ""
    return (
        f"no material {material!r} for mesh region {region!r}; {hint}add "
        f"[materials.{material}] or map it in [regions] (materials: {sorted(materials)})"
    )


def inside(geometry: Any) -> tuple[Any, float] | None:
    """A test ``inside(points (n, dim)) -> bool array`` for the geometry and its size [m].

    None when the domain is not known before meshing (mesh files, stomatal pores).
    """
    import numpy as np

    if isinstance(geometry, LayeredSlab):
        upper = [sum(layer.thickness for layer in geometry.layers), geometry.width, geometry.depth]
        upper = np.array(upper[: geometry.dim])
        return (lambda p: np.all((p >= -1e-9 * upper) & (p <= upper * (1 + 1e-9)), axis=1)), max(
            upper
        )
    if isinstance(geometry, Inclusions) and len(geometry.extents) == geometry.dim:
        upper = np.array(geometry.extents)
        return (lambda p: np.all((p >= -1e-9 * upper) & (p <= upper * (1 + 1e-9)), axis=1)), max(
            upper
        )
    if isinstance(geometry, CylinderShells | SphereShells):
        r0, rn = min(geometry.radii), max(geometry.radii)
        planar = 2 if isinstance(geometry, CylinderShells) else 3

        def inside(p: Any) -> Any:
            r = np.linalg.norm(p[:, :planar], axis=1)
            ok = (r >= r0 * (1 - 1e-9)) & (r <= rn * (1 + 1e-9))
            if isinstance(geometry, CylinderShells) and geometry.dim == 3:
                h = geometry.height
                ok &= (p[:, 2] >= -1e-9 * h) & (p[:, 2] <= h * (1 + 1e-9))
            return ok

        return inside, rn
    return None


def size_problems(geometry: Any) -> list[tuple[str, str]]:
    """Zero-size layers and shells: thinner than 1e-9 of the whole (nodes would coincide)."""
    problems = []
    if isinstance(geometry, LayeredSlab):
        total = sum(layer.thickness for layer in geometry.layers)
        for i, layer in enumerate(geometry.layers):
            if layer.thickness <= 1e-9 * total:
                problems.append(
                    (
                        f"geometry.layers[{i}].thickness",
                        f"{layer.thickness:g} m is a zero-size layer (below 1e-9 of the slab "
                        f"length {total:g} m): remove it or give its real thickness",
                    )
                )
    if isinstance(geometry, CylinderShells | SphereShells):
        radii = geometry.radii
        if radii[0] <= 0:
            problems.append(("geometry.radii[0]", f"the inner radius must be > 0, got {radii[0]}"))
        for i in range(1, len(radii)):
            if radii[i] - radii[i - 1] <= 1e-9 * abs(radii[-1]):
                problems.append(
                    (
                        f"geometry.radii[{i}]",
                        f"radii must increase: r_{i} = {radii[i]:g} m after r_{i - 1} = "
                        f"{radii[i - 1]:g} m (a shell of zero or negative thickness)",
                    )
                )
    return problems
