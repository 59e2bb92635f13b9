"""Case checks of materials and of the ``[thermal]`` section (temperature expressions)."""

from typing import Any

from emcd_fem.case.check_ranges import TEMPERATURE_RANGE
from emcd_fem.case.check_tools import inside as _inside
from emcd_fem.case.check_tools import suggest as _suggest
from emcd_fem.case.geometry import Inclusions, LayeredSlab
from emcd_fem.case.materials import MaterialSpec
from emcd_fem.case.schema import Case
from emcd_fem.case.thermal import ConvectiveBC, HeatFluxBC, TemperatureBC
from emcd_fem.errors import EmcdInputError


def temperature_expression_problems(case: Case) -> list[tuple[str, str]]:
    """A prescribed temperature expression outside TEMPERATURE_RANGE over the domain's box.

    An admissibility question (finite values that are not physical), asked by
    :func:`emcd_fem.pipeline.run.check_case`; non-finite values are refused by validation.
    """
    thermal = case.thermal
    if thermal is None or not isinstance(thermal.temperature, str):
        return []
    return _temperature_expression_problems(thermal.temperature, case.geometry, finite_only=False)


def _temperature_expression_problems(
    text: str, geometry: Any, *, finite_only: bool = True
) -> list[tuple[str, str]]:
    """Evaluate a temperature expression over the domain's box: finite (and in range)."""
    import numpy as np

    from emcd_fem.expressions import evaluate

    dim = geometry.dim or 3
    found = _inside(geometry)
    if isinstance(geometry, LayeredSlab):
        upper = [sum(layer.thickness for layer in geometry.layers), geometry.width, geometry.depth]
        lower = [0.0, 0.0, 0.0]
    elif isinstance(geometry, Inclusions):
        upper, lower = [*geometry.extents, 0.0, 0.0], [0.0, 0.0, 0.0]
    elif found is not None:
        r = found[1]
        upper, lower = [r, r, getattr(geometry, "height", r)], [-r, -r, 0.0]
    else:
        upper = lower = [0.0, 0.0, 0.0]
    axes = [np.linspace(lower[k], upper[k], 9) for k in range(dim)]
    grid = np.array([g.ravel() for g in np.meshgrid(*axes, indexing="ij")])
    try:
        values = evaluate(text, grid, dim)
    except EmcdInputError as exc:
        return [("thermal.temperature", str(exc))]
    t_low, t_high = TEMPERATURE_RANGE
    bad = ~np.isfinite(values)
    if not finite_only:
        bad = ~(np.isfinite(values) & (values >= t_low) & (values <= t_high))
    if not bad.any():
        return []
    k = int(np.argmax(bad))
    point = [float(f"{v:.6g}") for v in grid[:, k]]
    return [
        (
            "thermal.temperature",
            f"expression {text!r} reaches {float(values[k])!r} K at {point} m: temperatures "
            f"must be finite and within [{t_low:g}, {t_high:g}] K over the domain",
        )
    ]


def material_problems(case: Case) -> list[tuple[str, str]]:
    """Problems of the ``[materials]`` entries (gas names, kinetic-theory inputs)."""
    from emcd_fem.materials.kinetic_theory import GASES

    problems = []
    for name, m in case.materials.items():
        key = f"materials.{name}"
        for i, gas in enumerate(m.gases or []):
            if gas not in GASES:
                problems.append(
                    (f"{key}.gases[{i}]", f"unknown gas {gas!r}; {_suggest(gas, list(GASES))}")
                )
        if m.D is None and (m.gases is None or m.T is None or m.P is None):
            problems.append((f"{key}.D", "missing: give D, or gases = [A, B] with T and P"))
        if m.c is None and (m.T is None or m.P is None):
            problems.append((f"{key}.c", "missing: give c, or T and P (c = P/(R T))"))
        if m.knudsen == "bosanquet" and (m.pore_diameter is None or m.gases is None or m.T is None):
            problems.append(
                (f"{key}.knudsen", "the Bosanquet model needs pore_diameter, gases and T")
            )
    return problems


def _kinetic_alpha_problems(key: str, m: MaterialSpec) -> list[tuple[str, str]]:
    """``thermal_diffusion_factor = "kinetic_theory"``: gases, T, and Cantera installed."""
    import importlib.util

    problems = []
    if m.gases is None or m.T is None:
        problems.append((key, "'kinetic_theory' needs gases = [A, B] and T [K] in this material"))
    if importlib.util.find_spec("cantera") is None:
        problems.append(
            (
                key,
                "'kinetic_theory' takes α_T from Cantera, which is not installed: "
                "pip install cantera (or the extra: pip install 'emcd_fem[gas]'), or give α_T "
                "as a number",
            )
        )
    return problems


def thermal_problems(case: Case) -> list[tuple[str, str]]:
    """Consistency of [thermal], the Soret keys of materials and the thermal interfaces."""
    from emcd_fem.expressions import check_expression

    problems = []
    thermal, geometry = case.thermal, case.geometry
    soret_keys = ("soret_coefficient", "thermal_diffusion_factor")
    for name, m in case.materials.items():
        key = f"materials.{name}"
        given = [k for k in soret_keys if getattr(m, k) is not None]
        laws = m.diffusivity_law != "constant" or m.concentration_law != "constant"
        if thermal is None and (given or laws):
            culprit = (
                given[0]
                if given
                else ("diffusivity_law" if m.diffusivity_law != "constant" else "concentration_law")
            )
            problems.append(
                (
                    f"{key}.{culprit}",
                    "needs a temperature field: add a [thermal] section (temperature = ... or "
                    "thermal boundaries)",
                )
            )
        if len(given) == 2:
            problems.append((key, "give soret_coefficient or thermal_diffusion_factor, not both"))
        if m.thermal_diffusion_factor == "kinetic_theory":
            problems += _kinetic_alpha_problems(f"{key}.thermal_diffusion_factor", m)
        if m.diffusivity_law != "constant" and m.T is None:
            problems.append(
                (f"{key}.T", f"diffusivity_law = {m.diffusivity_law!r} needs T_ref = T")
            )
        if m.diffusivity_law == "chapman_enskog" and m.gases is None:
            problems.append((f"{key}.gases", "diffusivity_law = 'chapman_enskog' needs gases"))
        if m.concentration_law == "ideal_gas" and (m.P is None or m.T is None):
            problems.append((f"{key}.P", "concentration_law = 'ideal_gas' needs P and T"))
        if m.diffusivity_law != "constant" and m.knudsen != "off":
            problems.append(
                (f"{key}.knudsen", "temperature-dependent D with Knudsen diffusion: not available")
            )
    for i, interface in enumerate(case.interfaces):
        if interface.contact_resistance is not None and (thermal is None or not thermal.boundaries):
            problems.append(
                (
                    f"interfaces[{i}].contact_resistance",
                    "needs heat conduction: add [thermal.boundaries]",
                )
            )
    monolithic = thermal is not None and thermal.boundaries and thermal.coupling == "monolithic"
    if case.solver.petsc_options.get("pc_type") == "fieldsplit" and not monolithic:
        problems.append(
            (
                "solver.petsc_options.pc_type",
                "'fieldsplit' splits the one Newton on x_A and T of [thermal] coupling = "
                "'monolithic' with heat conduction ([thermal.boundaries]); this case has no "
                "such solve (its solves have one field each): remove it",
            )
        )
    if thermal is None:
        return problems
    solved = bool(thermal.boundaries)
    if (thermal.temperature is None) == (not solved):
        problems.append(
            (
                "thermal",
                "give either temperature (prescribed T) or boundaries (heat conduction), "
                "exactly one of them",
            )
        )
    if isinstance(thermal.temperature, str):
        try:
            check_expression(thermal.temperature, geometry.dim or 3)
        except EmcdInputError as exc:
            problems.append(("thermal.temperature", str(exc)))
        else:
            problems += _temperature_expression_problems(thermal.temperature, geometry)
    elif isinstance(thermal.temperature, float) and thermal.temperature <= 0:
        problems.append(("thermal.temperature", "temperatures are absolute: must be > 0 K"))
    if solved:
        if not any(
            isinstance(bc, TemperatureBC | ConvectiveBC) for bc in thermal.boundaries.values()
        ):
            problems.append(
                (
                    "thermal.boundaries",
                    "T is fixed only up to a constant: give at least one temperature or "
                    "convective boundary",
                )
            )
        boundary_names = geometry.boundary_names()
        for name in thermal.boundaries:
            if boundary_names is not None and name not in boundary_names:
                problems.append(
                    (
                        f"thermal.boundaries.{name}",
                        f"not a boundary; {_suggest(name, boundary_names)}",
                    )
                )
        regions = geometry.region_names()
        used = {case.material_of(r) for r in regions} if regions else set(case.materials)
        for name in sorted(used & set(case.materials)):
            if case.materials[name].thermal_conductivity is None:
                problems.append(
                    (
                        f"materials.{name}.thermal_conductivity",
                        "missing: heat conduction needs k [W/(m K)] for every material",
                    )
                )
    problems += transient_thermal_problems(case)
    if case.physics.inventory_mole_fraction is not None:
        problems.append(
            (
                "physics.inventory_mole_fraction",
                "flux-only problems are not available with [thermal]: with thermal diffusion "
                "x_A enters the flux nonlinearly (S_T x_A (1 - x_A) grad T), so the inventory "
                "does not fix x_A by a constant shift as in the isothermal case; give a "
                "mole_fraction or mass_transfer boundary",
            )
        )
    return problems


def transient_thermal_problems(case: Case) -> list[tuple[str, str]]:
    """The transient-temperature keys of ``[thermal]`` (heat capacity, initial T, values)."""
    import math

    from emcd_fem.expressions import check_expression

    thermal, problems = case.thermal, []
    key = "thermal.volumetric_heat_capacity"
    capacity = thermal.volumetric_heat_capacity
    if not capacity:
        for name in ("initial_temperature", "boundary_values"):
            if getattr(thermal, name) not in ({}, None):
                problems.append(
                    (f"thermal.{name}", f"needs {key} (a transient temperature); remove it")
                )
        return problems
    if case.time is None:
        problems.append(
            (
                key,
                "a heat capacity needs a [time] section (a steady run has no storage term): "
                "add [time] for a transient temperature, or remove the key",
            )
        )
    if not thermal.boundaries:
        problems.append((key, "needs heat conduction ([thermal.boundaries]), not a prescribed T"))
    for region, value in capacity.items():
        if not math.isfinite(value) or value <= 0:
            problems.append(
                (f"{key}.{region}", f"must be a finite number > 0 J/(m^3 K), got {value!r}")
            )
    regions = case.geometry.region_names()
    if regions:
        for region in sorted(set(capacity) - set(regions)):
            problems.append((f"{key}.{region}", f"not a region; {_suggest(region, regions)}"))
        missing = [r for r in regions if r not in capacity]
        if missing:
            problems.append((key, f"missing for region(s) {missing}: give every region a value"))
    for name, m in case.materials.items():
        if m.concentration_law == "ideal_gas":
            problems.append(
                (
                    f"materials.{name}.concentration_law",
                    "'ideal_gas' with a transient temperature: c = P/(R T) changes in time, the "
                    "net molar flux is then not zero and EMCD does not hold; use a constant c",
                )
            )
    initial = thermal.initial_temperature
    dim = case.geometry.dim or 3
    if isinstance(initial, str) and initial != "steady":
        try:
            check_expression(initial, dim)
        except EmcdInputError as exc:
            problems.append(("thermal.initial_temperature", str(exc)))
        else:
            found = _temperature_expression_problems(initial, case.geometry, finite_only=False)
            problems += [("thermal.initial_temperature", m) for _, m in found]
    elif isinstance(initial, float) and not (math.isfinite(initial) and initial > 0):
        problems.append(("thermal.initial_temperature", "temperatures are absolute: must be > 0 K"))
    if thermal.boundary_values and case.time is not None and case.time.stop_at_steady_state:
        problems.append(
            (
                "thermal.boundary_values",
                "boundary data that change in time have no steady state: drop "
                "time.stop_at_steady_state or the time-dependent values",
            )
        )
    for name, text in thermal.boundary_values.items():
        spec = thermal.boundaries.get(name)
        if not isinstance(spec, TemperatureBC | HeatFluxBC | ConvectiveBC):
            problems.append(
                (
                    f"thermal.boundary_values.{name}",
                    "needs a temperature, heat_flux or convective condition of that name in "
                    "[thermal.boundaries]",
                )
            )
        try:
            check_expression(text, dim, time=True)
        except EmcdInputError as exc:
            problems.append((f"thermal.boundary_values.{name}", str(exc)))
    return problems
