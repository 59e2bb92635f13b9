"""The case check of ``[multicomponent]`` cases: the section against the geometry.

A multicomponent case describes its gas in ``[multicomponent]`` alone (mixtures per
region, compositions per boundary, initial compositions per region): the binary sections
(``[materials]``, ``[boundaries]``, ``[species]``, ``[[interfaces]]``, ``[[reactions]]``,
``[physics]`` data) do not apply and are refused by name rather than
silently ignored. ``[thermal]`` adds thermal diffusion (a steady T) to a Maxwell–Stefan
run, steady or transient (:mod:`emcd_fem.case.check_multicomponent_thermal`). ``[time]``
makes the run transient (its step keys as for a binary run;
``initial`` and ``boundary_values`` of the binary species are refused: see
:func:`time_problems_multicomponent`).
"""

from emcd_fem.case.check_multicomponent_thermal import thermal_problems
from emcd_fem.case.check_time import time_problems
from emcd_fem.case.check_tools import suggest
from emcd_fem.case.dusty_gas import reaction_boundary_problems
from emcd_fem.case.geometry import LayeredSlab
from emcd_fem.case.multicomponent import ROOT, species_problems
from emcd_fem.case.multicomponent_reactions import wall_problems
from emcd_fem.case.schema import Case
from emcd_fem.case.settings import Physics
from emcd_fem.errors import EmcdInputError
from emcd_fem.expressions import check_expression

#: Sections of the binary model a multicomponent case may not give: key → why.
_NOT_WITH_MULTICOMPONENT = {
    "materials": "give the gas of each region in [multicomponent.regions.<region>]",
    "boundaries": "give compositions in [multicomponent.boundaries.<boundary>]",
    "species": "molar masses go in [multicomponent] molar_masses",
    "interfaces": "give them per species in [[multicomponent.interfaces]] (regions = [a, b], "
    "partition = {species = K}, film = {species = k})",
    "reactions": "give reactions in [[multicomponent.reactions]]",
    "regions": "the region names of [multicomponent.regions] are the geometry's regions",
}


def multicomponent_problems(case: Case) -> list[tuple[str, str]]:
    """(key path, message) of every problem of a case with ``[multicomponent]``."""
    spec = case.multicomponent
    if spec is None:
        return []
    problems = species_problems(spec, transient=case.time is not None)
    problems += time_problems_multicomponent(case)
    problems += thermal_problems(case)
    if spec.model == "dusty_gas":
        if case.time is not None:
            problems.append(
                (
                    "time",
                    "the dusty-gas model is steady only; remove [time] (or use model = "
                    "'maxwell_stefan' for a transient n-species run)",
                )
            )
        if not spec.boundaries:
            problems.append(
                (
                    "multicomponent.boundaries",
                    "the dusty-gas model needs an open boundary "
                    "with a pressure and a composition (closed vessels: model = 'maxwell_stefan' "
                    "with [time])",
                )
            )
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
    dim = getattr(case.geometry, "dim", None) or 3
    for name, region in sorted(spec.regions.items()):
        for s, value in sorted((region.initial or {}).items()):
            if isinstance(value, str):
                try:
                    check_expression(value, dim)
                except EmcdInputError as exc:
                    problems.append((f"{ROOT}.regions.{name}.initial.{s}", str(exc)))
    for name, point in sorted(spec.probes.items()):
        if len(point) > dim:
            problems.append((f"{ROOT}.probes.{name}", f"{len(point)} coordinates in {dim}D"))
    boundaries = case.geometry.boundary_names()
    if boundaries is not None:
        g = case.geometry
        interfaces = g.interface_names() if isinstance(g, LayeredSlab) else []
        problems += reaction_boundary_problems(spec, boundaries)
        problems += wall_problems(spec, boundaries, interfaces)
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


def time_problems_multicomponent(case: Case) -> list[tuple[str, str]]:
    """``[time]`` with ``[multicomponent]``: the binary run's step checks, minus its data.

    The step keys (span, dt, scheme, tolerances, output times) are checked as for a binary
    run (:func:`emcd_fem.case.check_time.time_problems`), checkpoints and ``resume``
    included; its checks of the binary ``[boundaries]`` do not apply (a closed vessel has
    no boundary composition). The binary ``initial`` and ``boundary_values`` are refused
    (initial compositions go per region).
    """
    spec = case.time
    if spec is None:
        return []
    problems = [
        p
        for p in time_problems(case)
        if p[0] != "boundaries" and not p[0].startswith("time.boundary_values")
    ]
    # by value, not by presence: a checkpoint stores the case with its defaults
    # (initial = 0, boundary_values = {}), and a default is harmless
    if spec.initial != 0.0:
        problems.append(
            (
                "time.initial",
                "not available with [multicomponent]: give initial mole fractions per region "
                "in [multicomponent.regions.<region>] initial",
            )
        )
    if spec.boundary_values:
        problems.append(
            (
                "time.boundary_values",
                "not available with [multicomponent]: boundary compositions are constant in time",
            )
        )
    if case.multicomponent.bootstrap != "zero_net_flux":
        problems.append(
            (
                "multicomponent.bootstrap",
                f"{case.multicomponent.bootstrap!r} is a steady closure: a transient run needs "
                "'zero_net_flux' (at uniform c the storage terms sum to c ∂(Σ ν_i x_i)/∂t, "
                "zero only for ν_i = 1); remove [time] for the steady solve",
            )
        )
    if spec.stop_at_steady_state and not case.multicomponent.boundaries:
        problems.append(
            (
                "time.stop_at_steady_state",
                "a closed vessel has no steady state to stop at, only an equilibrium it "
                "approaches asymptotically (uniform within each region; with partitions or "
                "films the regions keep their composition jumps; with [thermal] the "
                "thermal-diffusion profiles ∇x_i = −k_T,i ∇ln T); stop it with t_end",
            )
        )
    return problems


__all__ = ["multicomponent_problems", "time_problems_multicomponent"]
