"""Case checks of magnitudes: temperatures and numbers in a sane range, profiles inside."""

from typing import Any

from pydantic import BaseModel

from emcd_fem.case.check_tools import inside as _inside
from emcd_fem.case.schema import Case
from emcd_fem.case.thermal import TemperatureBC

TEMPERATURE_RANGE: tuple[float, float] = (1.0, 1.0e5)
#: Magnitudes a nonzero number of a case may have: beyond, products of data overflow or
#: underflow in double precision (a typo such as 1e-320 or 1e300), whatever the unit.
MAGNITUDE_RANGE: tuple[float, float] = (1.0e-150, 1.0e150)


def _numbers(node: Any, path: str) -> list[tuple[str, float]]:
    """Every float of validated case data with its key path (solver options excluded)."""
    found: list[tuple[str, float]] = []
    stack: list[tuple[Any, str]] = [(node, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, BaseModel):
            for name in type(item).model_fields:
                if where == "solver" and name == "petsc_options":
                    continue
                stack.append((getattr(item, name), f"{where}.{name}" if where else name))
        elif isinstance(item, dict):
            stack += [(v, f"{where}.{k}") for k, v in item.items()]
        elif isinstance(item, list | tuple):
            stack += [(v, f"{where}[{i}]") for i, v in enumerate(item)]
        elif isinstance(item, float) and not isinstance(item, bool):
            found.append((where, item))
    return sorted(found)


def range_problems(case: Case) -> list[tuple[str, str]]:
    """Finite, representable magnitudes everywhere; temperatures in TEMPERATURE_RANGE."""
    problems = []
    low, high = MAGNITUDE_RANGE
    t_low, t_high = TEMPERATURE_RANGE
    temperatures = {f"materials.{n}.T" for n in case.materials} | {"thermal.temperature"}
    if case.thermal is not None:
        for name, bc in case.thermal.boundaries.items():
            key = "value" if isinstance(bc, TemperatureBC) else "ambient"
            temperatures.add(f"thermal.boundaries.{name}.{key}")
    for path, value in _numbers(case, ""):
        if path in temperatures:
            if not t_low <= value <= t_high:
                problems.append(
                    (path, f"temperature {value!r} K outside [{t_low:g}, {t_high:g}] K")
                )
        elif value != 0 and not low <= abs(value) <= high:
            problems.append(
                (path, f"{value!r} is outside the magnitudes {low:g} to {high:g} (a typo?)")
            )
    return problems


def profile_problems(case: Case) -> list[tuple[str, str]]:
    """Profile lines lie inside the domain (else profiles.csv would hold NaN)."""
    import numpy as np

    found = _inside(case.geometry)
    if found is None:
        return []
    inside, _ = found
    problems = []
    for i, profile in enumerate(case.output.profiles):
        start, end = np.array(profile.start), np.array(profile.end)
        if len(start) != case.geometry.dim or len(end) != case.geometry.dim:
            continue  # reported above
        t = np.linspace(0.0, 1.0, profile.points)[:, None]
        points = start + t * (end - start)
        outside = ~inside(points)
        if outside.any():
            first = points[int(np.argmax(outside))]
            where = "start" if outside[0] else "end" if outside[-1] else "line"
            problems.append(
                (
                    f"output.profiles[{i}].{where}",
                    f"leaves the domain at {[float(f'{v:.6g}') for v in first]} m "
                    f"({int(outside.sum())} of {profile.points} points outside)",
                )
            )
    return problems
