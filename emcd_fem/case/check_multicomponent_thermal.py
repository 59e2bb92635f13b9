"""The case check of ``[thermal]`` in ``[multicomponent]`` cases (Maxwell–Stefan).

The region keys are :class:`emcd_fem.case.multicomponent_thermal.ThermalMixSpec`; what is not
supported with ``[thermal]`` (partitions or films, reactions, the mixture-averaged and
dusty-gas models, and with ``[time]`` a transient T: ``volumetric_heat_capacity``,
``initial_temperature``, ``boundary_values``) is refused by key. Steady and transient
(``[time]``) runs take a steady T: solved once by heat conduction, or prescribed.
"""

from emcd_fem.case.check_tools import suggest
from emcd_fem.case.multicomponent_thermal import ThermalMixSpec
from emcd_fem.case.schema import Case
from emcd_fem.case.thermal import ConvectiveBC, TemperatureBC

ROOT = "multicomponent"


def _uses_thermal(region: ThermalMixSpec) -> list[str]:
    keys = []
    if region.thermal_diffusion_factors is not None:
        keys.append("thermal_diffusion_factors")
    if region.thermal_conductivity is not None:
        keys.append("thermal_conductivity")
    if region.diffusivity_law != "constant":
        keys.append("diffusivity_law")
    if region.concentration_law != "constant":
        keys.append("concentration_law")
    return keys


def thermal_problems(case: Case) -> list[tuple[str, str]]:
    """(key path, message) of ``[thermal]`` with ``[multicomponent]`` and the region keys."""
    spec, thermal, problems = case.multicomponent, case.thermal, []
    if thermal is None:
        for name, region in sorted(spec.regions.items()):
            for key in _uses_thermal(region):
                problems.append(
                    (f"{ROOT}.regions.{name}.{key}", "needs a [thermal] section (T); remove it")
                )
        return problems
    unsupported = {
        f"{ROOT}.model": (spec.model != "maxwell_stefan", f"model = {spec.model!r} with [thermal]"),
        f"{ROOT}.interfaces": (bool(spec.interfaces), "partitions or films with [thermal]"),
        f"{ROOT}.reactions": (bool(spec.reactions), "reactions with [thermal]"),
    }
    for key, (bad, what) in unsupported.items():
        if bad:
            problems.append(
                (key, f"{what} are not supported (thermal diffusion: steady 'maxwell_stefan')")
            )
    solved = bool(thermal.boundaries)
    if (thermal.temperature is None) == (not solved):
        problems.append(
            ("thermal", "give either temperature (prescribed T) or boundaries (heat conduction)")
        )
    if isinstance(thermal.temperature, float) and thermal.temperature <= 0:
        problems.append(("thermal.temperature", "temperatures are absolute: must be > 0 K"))
    if thermal.coupling != "staggered":
        problems.append(
            (
                "thermal.coupling",
                "n-species runs solve T first (T does not depend on the composition): remove it",
            )
        )
    steady_t = (
        "transient heat conduction in n-species runs is not supported: T is steady (solved "
        "once by conduction, or prescribed) also with [time]; remove it"
    )
    for key in ("volumetric_heat_capacity", "initial_temperature"):
        if getattr(thermal, key) is not None:
            problems.append((f"thermal.{key}", steady_t))
    if thermal.boundary_values:
        problems.append(("thermal.boundary_values", steady_t))
    if solved:
        if not any(
            isinstance(b, TemperatureBC | ConvectiveBC) for b in thermal.boundaries.values()
        ):
            problems.append(
                ("thermal.boundaries", "give at least one temperature or convective boundary")
            )
        names = case.geometry.boundary_names()
        for name in sorted(thermal.boundaries):
            if names is not None and name not in names:
                problems.append(
                    (f"thermal.boundaries.{name}", f"not a boundary; {suggest(name, names)}")
                )
    for name, region in sorted(spec.regions.items()):
        problems += _region_problems(f"{ROOT}.regions.{name}", region, spec.species, solved)
    return problems


def _region_problems(
    path: str, region: ThermalMixSpec, species: list[str], solved: bool
) -> list[tuple[str, str]]:
    problems = []
    if solved and region.thermal_conductivity is None:
        problems.append(
            (f"{path}.thermal_conductivity", "missing: heat conduction needs k [W/(m K)]")
        )
    t_ref = getattr(region, "T", None)
    if (region.diffusivity_law != "constant" or region.concentration_law != "constant") and (
        t_ref is None
    ):
        problems.append((f"{path}.T", "the temperature laws need T (T_ref of c and Đ_ij) [K]"))
    if region.concentration_law == "ideal_gas":
        if getattr(region, "P", None) is None:
            problems.append((f"{path}.P", "concentration_law = 'ideal_gas' needs P [Pa]"))
        if getattr(region, "c", None) is not None:
            problems.append(
                (f"{path}.c", "concentration_law = 'ideal_gas' takes c = P/(R T): remove c")
            )
    factors = region.thermal_diffusion_factors
    if factors == "kinetic_theory":
        if t_ref is None:
            problems.append(
                (f"{path}.thermal_diffusion_factors", "'kinetic_theory' needs T [K] in this region")
            )
        return problems
    seen: dict[frozenset, tuple[str, float]] = {}
    for a, row in sorted((factors or {}).items()):
        if a not in species:
            problems.append(
                (f"{path}.thermal_diffusion_factors.{a}", f"unknown species; {suggest(a, species)}")
            )
            continue
        for b, value in sorted(row.items()):
            key = f"{path}.thermal_diffusion_factors.{a}.{b}"
            if b not in species:
                problems.append((key, f"unknown species; {suggest(b, species)}"))
            elif a == b:
                problems.append((key, "pairs a species with itself"))
            else:
                pair = frozenset((a, b))
                if pair in seen and seen[pair][1] != -value:
                    problems.append((key, f"given both ways: α_{b}{a} must be −α_{a}{b}"))
                seen[pair] = (a, value)
    return problems


__all__ = ["thermal_problems"]
