"""The case check of ``[multicomponent]`` cases: the section against the geometry.

A multicomponent case describes its gas in ``[multicomponent]`` alone (mixtures per
region, compositions per boundary): the binary sections (``[materials]``, ``[boundaries]``,
``[species]``, ``[[interfaces]]``, ``[[reactions]]``, ``[thermal]``, ``[time]``, ``[physics]``
data) do not apply and are refused by name rather than silently ignored.
"""

from emcd_fem.case.check_tools import suggest
from emcd_fem.case.dusty_gas import reaction_boundary_problems
from emcd_fem.case.multicomponent import ROOT, species_problems
from emcd_fem.case.schema import Case
from emcd_fem.case.settings import Physics

#: Sections of the binary model a multicomponent case may not give: key → why.
_NOT_WITH_MULTICOMPONENT = {
    "materials": "give the gas of each region in [multicomponent.regions.<region>]",
    "boundaries": "give compositions in [multicomponent.boundaries.<boundary>]",
    "species": "molar masses go in [multicomponent] molar_masses",
    "interfaces": "interfaces between regions are not available for n species yet",
    "reactions": "give production rates in [multicomponent.regions.<region>] sources",
    "thermal": "multicomponent runs are isothermal (T per region)",
    "time": "multicomponent runs are steady",
    "regions": "the region names of [multicomponent.regions] are the geometry's regions",
}


def multicomponent_problems(case: Case) -> list[tuple[str, str]]:
    """(key path, message) of every problem of a case with ``[multicomponent]``."""
    spec = case.multicomponent
    if spec is None:
        return []
    problems = species_problems(spec)
    for key, why in _NOT_WITH_MULTICOMPONENT.items():
        if getattr(case, key):
            problems.append((key, f"not used with [multicomponent]: {why}; remove it"))
    if case.physics != Physics():
        problems.append(
            ("physics", "not used with [multicomponent] (sources per region); remove it")
        )
    if case.analysis.effective_diffusivity:
        problems.append(("analysis.effective_diffusivity", "not available with [multicomponent]"))
    if case.output.fields is not None:
        problems.append(
            ("output.fields", "multicomponent runs write every species' mole fraction; remove it")
        )
    if case.output.profiles:
        problems.append(("output.profiles", "not available with [multicomponent] yet"))
    regions = case.geometry.region_names()
    if regions is not None:
        for name in sorted(spec.regions):
            if name not in regions:
                problems.append(
                    (
                        f"{ROOT}.regions.{name}",
                        f"not a region of the geometry; {suggest(name, regions)}",
                    )
                )
        for name in regions:
            if name not in spec.regions:
                problems.append(
                    (f"{ROOT}.regions", f"give the gas of region {name!r} (every region needs one)")
                )
    boundaries = case.geometry.boundary_names()
    if boundaries is not None:
        problems += reaction_boundary_problems(spec, boundaries)
        for name in sorted(spec.boundaries):
            if name not in boundaries:
                problems.append(
                    (
                        f"{ROOT}.boundaries.{name}",
                        f"not a boundary of this {case.geometry.dim}D {case.geometry.kind}; "
                        f"{suggest(name, boundaries)}",
                    )
                )
    return problems


__all__ = ["multicomponent_problems"]
