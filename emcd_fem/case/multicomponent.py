"""The ``[multicomponent]`` section: n-species Maxwell–Stefan transport (issue 19).

``Case.multicomponent`` (``case.check_multicomponent`` checks it against the geometry);
:func:`load_multicomponent` also reads the section on its own and :func:`build_inputs`
turns it into the arguments of :class:`~emcd_fem.models.multicomponent.MaxwellStefanModel`.
Every problem is reported with its key path, all at once (:class:`CaseError`). Example::

    [multicomponent]
    species = ["H2", "N2", "CO2"]
    bootstrap = "zero_net_flux"          # or "stagnant", "graham", "flux_ratios"

    [multicomponent.regions.gas]
    diffusivities = {H2 = {N2 = 8.33e-5, CO2 = 6.80e-5}, N2 = {CO2 = 1.68e-5}}
    c = 39.6

    [multicomponent.boundaries.left]
    mole_fractions = {H2 = 0.5, N2 = 0.5, CO2 = 0.0}

Reactions in regions and on walls: ``[[multicomponent.reactions]]``
(:mod:`emcd_fem.case.multicomponent_reactions`).
"""

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from pydantic import Field, ValidationError

from emcd_fem.case.base import CaseError
from emcd_fem.case.base import Section as _Section
from emcd_fem.case.check_tools import suggest
from emcd_fem.case.dusty_gas import DustyGasSpec, dusty_gas_problems
from emcd_fem.case.multicomponent_closing import (
    bootstrap_of,
    closing_problems,
    source_problems,
    unused_bootstrap_data,
)
from emcd_fem.case.multicomponent_data import region_data_problems
from emcd_fem.case.multicomponent_interfaces import InterfaceMixSpec, interface_problems
from emcd_fem.case.multicomponent_reactions import (
    balance_problems,
    build_reactions,
    reaction_problems,
)
from emcd_fem.case.multicomponent_thermal import ThermalMixSpec
from emcd_fem.case.reactions import ReactionSpec
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.materials.mixture import MISSING_PAIR_ADVICE, GasMixture
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.physics import maxwell_stefan as ms

ROOT = "multicomponent"
SUM_TOLERANCE: float = 1e-9


class MixtureSpec(ThermalMixSpec):
    """The gas mixture of one region: Đ_ij given, from kinetic theory or from Cantera.

    Thermal-diffusion keys (with ``[thermal]``): :class:`ThermalMixSpec`.
    """

    source: Literal["given", "kinetic_theory", "cantera"] = Field(
        default="given",
        description="Đ_ij: `given` (diffusivities), `kinetic_theory` (Chapman–Enskog, built-in "
        "gases), `cantera` (binary_diff_coeffs of `mechanism`; needs the `gas` extra).",
    )
    diffusivities: dict[str, dict[str, float]] | None = Field(
        default=None,
        description="Đ_ij [m^2/s] per pair, nested: {H2 = {N2 = 8.33e-5}}; every pair once; "
        "only with source = `given` (else refused: they would be ignored). Above 1e-3 m^2/s: "
        "a note (cm^2/s meant?).",
    )
    c: float | None = Field(
        default=None,
        gt=0,
        description="Total concentration c [mol/m^3] (else P/(R T)); with T and P it must be "
        "P/(R T) to 1e-3 (else refused).",
    )
    T: float | None = Field(
        default=None, gt=0, description="Temperature [K] (below 60 K: a note, °C meant?)."
    )
    P: float | None = Field(default=None, gt=0, description="Pressure [Pa].")
    mechanism: str = Field(default="gri30.yaml", description="Cantera mechanism file.")
    sources: dict[str, float] | None = Field(
        default=None,
        description="Production rate R_i [mol/(m^3 s)] per species; Σ ν_i R_i = 0.",
    )
    initial: dict[str, float | str] | None = Field(
        default=None,
        description="Initial mole fractions [-] of every species in this region (with "
        "[time]): numbers summing to 1, or expressions of x, y, z [m].",
    )


class CompositionSpec(_Section):
    """Mole fractions of every species on a boundary (Σ = 1)."""

    mole_fractions: dict[str, float] = Field(description="Species → x_i [-], summing to 1.")
    pressure: float | None = Field(
        default=None, gt=0, description="Total pressure p [Pa] (model = `dusty_gas` only)."
    )


class MulticomponentSpec(_Section):
    """n-species Maxwell–Stefan (or mixture-averaged) transport of an ideal gas."""

    species: list[str] = Field(min_length=2, description="Species names, e.g. [H2, N2, CO2].")
    model: Literal["maxwell_stefan", "mixture_averaged", "dusty_gas"] = Field(
        default="maxwell_stefan",
        description="Flux law (`mixture_averaged`: Wilke/Fick; `dusty_gas`: porous media, "
        "pressure unknown, data in [multicomponent.dusty_gas]).",
    )
    bootstrap: Literal["zero_net_flux", "stagnant", "graham", "flux_ratios"] = Field(
        default="zero_net_flux", description="Σ ν_i N_i = 0: ν = 1, δ_ik, √M_i or given."
    )
    stagnant_species: str | None = Field(default=None, description="N_k = 0 (`stagnant`).")
    flux_ratios: dict[str, float] | None = Field(
        default=None, description="ν_i per species (`flux_ratios`)."
    )
    molar_masses: dict[str, float] | None = Field(
        default=None, description="M_i [kg/mol] (`graham`; default: built-in gases)."
    )
    closing_species: str | None = Field(
        default=None,
        description="The species whose x = 1 − Σ x_k and flux follow from the others (ν ≠ 0). "
        "Default: the one interfaces leave out, else the most abundant at the boundaries "
        "(ties: by name), so results do not depend on the species order and a trace "
        "species keeps its digits.",
    )
    regions: dict[str, MixtureSpec] = Field(description="Region name → its mixture.")
    boundaries: dict[str, CompositionSpec] = Field(
        default_factory=dict,
        description="Boundary name → mole fractions; other boundaries impermeable (none: a "
        "closed vessel, with [time]).",
    )
    probes: dict[str, list[float]] = Field(
        default_factory=dict,
        description="Probe name → point [m]: every species' mole fraction at every time "
        "step in time_series.csv (with [time]).",
    )
    reactions: list[ReactionSpec] = Field(
        default_factory=list,
        description="Mass-action reactions in regions or on walls (kind = `surface`, a "
        "boundary without a composition; Arrhenius with T of every region); each keeps "
        "Σ ν_i s_i = 0 (zero net flux: A <=> B, A + B <=> C + D), else use `dusty_gas`.",
    )
    interfaces: list[InterfaceMixSpec] = Field(
        default_factory=list,
        description="Partition coefficients and films between regions, per species "
        "([[multicomponent.interfaces]]: regions, partition, film).",
    )
    dusty_gas: DustyGasSpec | None = Field(
        default=None, description="Porous media, T, μ, reactions of model = `dusty_gas`."
    )


def load_multicomponent(data: Mapping[str, Any]) -> MulticomponentSpec:
    """Validate the ``[multicomponent]`` table of a steady run (CaseError: every key path)."""
    try:
        spec = MulticomponentSpec.model_validate(dict(data))
    except ValidationError as error:
        problems = [
            (".".join([ROOT, *(str(p) for p in item["loc"])]), item["msg"])
            for item in error.errors()
        ]
        raise CaseError(problems) from None
    problems = species_problems(spec)
    if problems:
        raise CaseError(problems)
    return spec


def _names(path: str, names: Any, species: list[str]) -> list[tuple[str, str]]:
    return [
        (f"{path}.{n}", f"unknown species {n!r}; {suggest(n, species)}")
        for n in names
        if n not in species
    ]


def species_problems(spec: MulticomponentSpec, *, transient: bool = False) -> list[tuple[str, str]]:
    """(key path, message) of every species, bootstrap, region and composition problem.

    ``transient``: the case has ``[time]`` (initial compositions needed, no boundary
    composition allowed: a closed vessel).
    """
    species, problems = spec.species, []
    if len(set(species)) != len(species):
        problems.append((f"{ROOT}.species", "species names must be distinct"))
    problems += unused_bootstrap_data(spec)
    if spec.bootstrap == "stagnant" and spec.stagnant_species not in species:
        problems.append(
            (
                f"{ROOT}.stagnant_species",
                f"name the stagnant species, one of {species}"
                if spec.stagnant_species is None
                else f"unknown species {spec.stagnant_species!r}; "
                f"{suggest(spec.stagnant_species, species)}",
            )
        )
    if spec.bootstrap == "flux_ratios":
        given = spec.flux_ratios or {}
        problems += _names(f"{ROOT}.flux_ratios", given, species)
        if set(given) != set(species) or not any(given.values()):
            problems.append((f"{ROOT}.flux_ratios", f"give ν_i (not all 0) for {species}"))
    if spec.bootstrap == "graham":
        masses = spec.molar_masses or {}
        problems += _names(f"{ROOT}.molar_masses", masses, species)
        for s in species:
            if s not in masses and s not in kt.GASES:
                problems.append((f"{ROOT}.molar_masses.{s}", "give M [kg/mol] (not built in)"))
            elif masses.get(s, 1.0) <= 0:
                problems.append((f"{ROOT}.molar_masses.{s}", "must be > 0"))
    for name, region in sorted(spec.regions.items()):
        path = f"{ROOT}.regions.{name}"
        if region.source == "given":
            if region.diffusivities is None:
                problems.append((f"{path}.diffusivities", "give Đ_ij (source = 'given')"))
            if region.c is None and (region.T is None or region.P is None):
                problems.append((f"{path}.c", "give c, or T and P (c = P/(R T))"))
        elif region.T is None or region.P is None:
            problems.append((f"{path}.T", f"source = {region.source!r} needs T and P"))
        problems += _names(f"{path}.sources", region.sources or {}, species)
        for a, row in sorted((region.diffusivities or {}).items()):
            problems += _names(f"{path}.diffusivities", [a], species)
            problems += _names(f"{path}.diffusivities.{a}", row, species)
    problems += region_data_problems(spec)  # c against T, P; Đ_ij given and computed
    for name, bc in sorted(spec.boundaries.items()):
        path = f"{ROOT}.boundaries.{name}.mole_fractions"
        given = bc.mole_fractions
        problems += _names(path, given, species)
        missing = [s for s in species if s not in given]
        if missing:
            problems.append((path, f"mole fractions of {missing} missing; give every species"))
        elif abs(sum(given.values()) - 1.0) > SUM_TOLERANCE:
            problems.append((path, f"sum to {sum(given.values()):.12g}, not 1"))
        problems += [
            (f"{path}.{s}", "must be in [0, 1]") for s, v in given.items() if not 0 <= v <= 1
        ]
    if not spec.boundaries and not transient:
        problems.append(
            (
                f"{ROOT}.boundaries",
                "prescribe the mole fractions on a boundary (a closed vessel, with no "
                "boundary composition, needs [time] and initial compositions)",
            )
        )
    problems += closing_problems(spec)
    problems += _balance_problems(spec, problems)
    problems += reaction_problems(spec)
    problems += interface_problems(spec)
    return problems + _initial_problems(spec, transient) + dusty_gas_problems(spec)


def _balance_problems(
    spec: MulticomponentSpec, found: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Reactions against the bootstrap, when its data (``found`` so far) are valid."""
    keys = ("species", "stagnant_species", "flux_ratios", "molar_masses")
    if any(path.startswith(tuple(f"{ROOT}.{k}" for k in keys)) for path, _ in found):
        return []
    try:
        bootstrap = bootstrap_of(spec)
    except (EmcdInputError, KeyError, ValueError):
        return []
    return source_problems(spec, bootstrap) + balance_problems(spec, bootstrap)


def _initial_problems(spec: MulticomponentSpec, transient: bool) -> list[tuple[str, str]]:
    """Initial compositions: every species, numbers in [0, 1] summing to 1.

    Expressions are checked by the case check (the geometry's dimension) and at the nodes.
    """
    species, problems = spec.species, []
    for name, region in sorted(spec.regions.items()):
        path = f"{ROOT}.regions.{name}.initial"
        if region.initial is None:
            if transient:
                problems.append((path, "give the initial mole fraction of every species"))
            continue
        if not transient:
            problems.append((path, "only used with [time] (a steady run has no initial state)"))
            continue
        problems += _names(path, region.initial, species)
        missing = [s for s in species if s not in region.initial]
        if missing:
            problems.append((path, f"initial mole fractions of {missing} missing"))
            continue
        numbers = {s: v for s, v in region.initial.items() if not isinstance(v, str)}
        problems += [
            (f"{path}.{s}", f"{v:g} is not a mole fraction in [0, 1]")
            for s, v in numbers.items()
            if not 0 <= v <= 1
        ]
        if len(numbers) == len(region.initial) and abs(sum(numbers.values()) - 1) > SUM_TOLERANCE:
            problems.append((path, f"sum to {sum(numbers.values()):.12g}, not 1"))
    if spec.probes and not transient:
        problems.append((f"{ROOT}.probes", "only used with [time] (mole fractions vs time)"))
    for name, point in sorted(spec.probes.items()):
        if not 1 <= len(point) <= 3:
            problems.append((f"{ROOT}.probes.{name}", "give a point of 1 to 3 coordinates [m]"))
    return problems


def _mixture(name: str, region: MixtureSpec, species: tuple[str, ...]) -> GasMixture:
    if region.source == "cantera":
        from emcd_fem.materials.gas_data import cantera_mixture  # optional dependency

        mix = cantera_mixture(species, region.T, region.P, mechanism=region.mechanism, name=name)
    elif region.source == "kinetic_theory":
        from emcd_fem.materials.mixture import mixture_from_kinetic_theory

        mix = mixture_from_kinetic_theory(species, region.T, region.P, name=name)
    else:
        pairs = {(a, b): d for a, row in region.diffusivities.items() for b, d in row.items()}
        c = region.c if region.c is not None else kt.ideal_gas_concentration(region.T, region.P)
        try:
            return GasMixture(species, pairs, c, name)
        except EmcdInputError as exc:  # the case-file way, not the Python function
            raise EmcdInputError(
                str(exc).replace(
                    MISSING_PAIR_ADVICE,
                    '(or set source = "kinetic_theory" in this region: Chapman–Enskog Đ_ij of '
                    'built-in gases at its T and P; or source = "cantera")',
                )
            ) from None
    if region.c is not None:
        mix = GasMixture(species, dict(_pairs(mix)), region.c, name)
    return mix


def _pairs(mix: GasMixture) -> Any:
    s = mix.species
    return (
        ((s[i], s[j]), mix.pair(s[i], s[j])) for i in range(len(s)) for j in range(i + 1, len(s))
    )


class ModelInputs(NamedTuple):
    """Arguments of :class:`~emcd_fem.models.multicomponent.MaxwellStefanModel`.

    Attributes:
        mixtures: Region → mixture.
        compositions: Boundary → species → x_i.
        bootstrap: The bootstrap relation.
        model: ``"maxwell_stefan"`` or ``"mixture_averaged"``.
        sources: Region → species → R_i [mol/(m^3 s)].
        reactions: Mass-action reactions, in regions or on walls (Σ ν_i s_i = 0 checked).
    """

    mixtures: dict[str, GasMixture]
    compositions: dict[str, dict[str, float]]
    bootstrap: ms.Bootstrap
    model: str
    sources: dict[str, dict[str, float]]
    reactions: tuple[Reaction, ...] = ()


def build_inputs(spec: MulticomponentSpec) -> ModelInputs:
    """The model's arguments from a validated section.

    Raises:
        CaseError: data errors found while building (a missing pair, Đ ≤ 0, unknown gas),
            each with its key path.
    """
    species = tuple(spec.species)
    mixtures, problems = {}, []
    for name, region in sorted(spec.regions.items()):
        try:
            mixtures[name] = _mixture(name, region, species)
        except EmcdInputError as error:
            problems.append((f"{ROOT}.regions.{name}", str(error)))
    if problems:
        raise CaseError(problems)
    bootstrap = bootstrap_of(spec)
    compositions = {b: dict(c.mole_fractions) for b, c in sorted(spec.boundaries.items())}
    sources = {r: dict(m.sources) for r, m in sorted(spec.regions.items()) if m.sources}
    reactions, problems = build_reactions(spec, bootstrap)
    if problems:
        raise CaseError(problems)
    return ModelInputs(mixtures, compositions, bootstrap, spec.model, sources, tuple(reactions))


__all__ = [
    "CompositionSpec",
    "MixtureSpec",
    "ModelInputs",
    "MulticomponentSpec",
    "bootstrap_of",
    "build_inputs",
    "load_multicomponent",
    "species_problems",
]
