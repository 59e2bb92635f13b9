"""``[multicomponent] model = "dusty_gas"``: the porous data, pressures and reactions.

The dusty-gas model (:mod:`emcd_fem.models.dusty_gas`) takes the gas of
``[multicomponent]`` (species, Đ_ij per region, molar masses) and adds, in
``[multicomponent.dusty_gas]``, the temperature, the viscosity, the pore structure of every
region and the reactions (any stoichiometry); every open boundary gives its total
``pressure`` next to its ``mole_fractions``. Example::

    [multicomponent]
    species = ["H2", "N2"]
    model = "dusty_gas"

    [multicomponent.regions.pellet]
    source = "kinetic_theory"
    T = 600.0
    P = 101325.0

    [multicomponent.boundaries.surface]
    mole_fractions = {H2 = 1.0, N2 = 0.0}
    pressure = 101325.0

    [multicomponent.dusty_gas]
    temperature = 600.0
    viscosity = 3.0e-5
    media.pellet = {porosity = 0.4, tortuosity = 3.0, pore_diameter = 1e-6}

    [[multicomponent.dusty_gas.reactions]]
    equation = "H2 -> N2"
    k_f = 50.0
"""

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

import numpy as np
from pydantic import Field

from emcd_fem.case.base import CaseError
from emcd_fem.case.base import Section as _Section
from emcd_fem.case.check_tools import suggest
from emcd_fem.case.reactions import ReactionSpec
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.porous import DustyGas, PorousMedium
from emcd_fem.materials.stoichiometry import Reaction, parse_equation
from emcd_fem.materials.viscosity import mixture_viscosity
from emcd_fem.models.dusty_gas_inputs import BoundaryState
from emcd_fem.physics.dusty_gas import MAX_SPECIES

ROOT = "multicomponent.dusty_gas"
#: Largest relative difference of c Đ_ij between regions (the model takes one gas).
GAS_TOLERANCE: float = 1e-9


class PorousSpec(_Section):
    """The pore structure of one region."""

    porosity: float = Field(gt=0, le=1, description="Porosity ε in (0, 1] [-].")
    tortuosity: float = Field(ge=1, description="Tortuosity τ ≥ 1 [-].")
    pore_diameter: float = Field(gt=0, description="Mean pore diameter d [m].")
    permeability: float | None = Field(
        default=None, gt=0, description="Darcy permeability B_0 [m^2] (default (ε/τ) d²/32)."
    )


class DustyGasSpec(_Section):
    """Dusty-gas data: isothermal T, viscosity, pores per region, reactions (any Δν)."""

    temperature: float = Field(gt=0, description="Temperature T [K] (isothermal).")
    viscosity: float | Literal["kinetic_theory"] = Field(
        description="Gas viscosity μ [Pa s], or `kinetic_theory` (Chapman–Enskog + Wilke at "
        "the mean composition of the open boundaries; built-in gases only)."
    )
    media: dict[str, PorousSpec] = Field(description="Region name → its pore structure.")
    reactions: list[ReactionSpec] = Field(
        default_factory=list,
        description="Reactions of the species (any stoichiometry; surface ones on walls).",
    )


def _species_names(path: str, names: Any, species: list[str]) -> list[tuple[str, str]]:
    return [
        (path, f"unknown species {n!r}; {suggest(n, species)}") for n in names if n not in species
    ]


def dusty_gas_problems(spec: Any) -> list[tuple[str, str]]:
    """(key path, message) of every dusty-gas problem of a ``[multicomponent]`` section.

    Args:
        spec: The validated :class:`~emcd_fem.case.multicomponent.MulticomponentSpec`.
    """
    data, species, problems = spec.dusty_gas, list(spec.species), []
    root = "multicomponent"
    if spec.model != "dusty_gas":
        if data is not None:
            problems.append((ROOT, "only with model = 'dusty_gas'; remove it or set the model"))
        for name, bc in sorted(spec.boundaries.items()):
            if bc.pressure is not None:
                problems.append(
                    (f"{root}.boundaries.{name}.pressure", "only with model = 'dusty_gas'")
                )
        return problems
    if data is None:
        return [(ROOT, "give temperature, viscosity and media for model = 'dusty_gas'")]
    if len(species) > MAX_SPECIES:
        problems.append((f"{root}.species", f"the dusty-gas model takes ≤ {MAX_SPECIES} species"))
    unused = "not used with the dusty-gas model: the pressure closes the fluxes; remove it"
    if spec.bootstrap != "zero_net_flux":
        problems.append((f"{root}.bootstrap", unused))
    for key in ("stagnant_species", "flux_ratios", "closing_species"):
        if getattr(spec, key) is not None:
            problems.append((f"{root}.{key}", unused))
    masses = spec.molar_masses or {}
    for s in species:
        if s not in masses and s not in kt.GASES:
            problems.append((f"{root}.molar_masses.{s}", "give M [kg/mol] (not a built-in gas)"))
    if data.viscosity != "kinetic_theory" and not data.viscosity > 0:
        problems.append((f"{ROOT}.viscosity", "must be > 0 [Pa s] (or 'kinetic_theory')"))
    unknown = [s for s in species if s not in kt.GASES]
    if data.viscosity == "kinetic_theory" and unknown:
        problems.append(
            (f"{ROOT}.viscosity", f"kinetic_theory needs built-in gases; {unknown} are not: "
             "give μ [Pa s]")
        )  # fmt: skip
    for name, region in sorted(spec.regions.items()):
        path = f"{root}.regions.{name}"
        if region.sources:
            problems.append((f"{path}.sources", f"give reactions in [[{ROOT}.reactions]] instead"))
        if region.T is not None and abs(region.T - data.temperature) > 1e-9 * data.temperature:
            problems.append(
                (f"{path}.T", f"differs from {ROOT}.temperature = {data.temperature:g} K: the "
                 "dusty-gas model is isothermal")
            )  # fmt: skip
        if name not in data.media:
            problems.append((f"{ROOT}.media", f"give the pore structure of region {name!r}"))
    for name in sorted(data.media):
        if name not in spec.regions:
            problems.append(
                (f"{ROOT}.media.{name}", f"not a region of [multicomponent.regions]; "
                 f"{suggest(name, list(spec.regions))}")
            )  # fmt: skip
    for name, bc in sorted(spec.boundaries.items()):
        if bc.pressure is None:
            problems.append((f"{root}.boundaries.{name}.pressure", "give the pressure [Pa]"))
    for k, reaction in enumerate(data.reactions):
        path = f"{ROOT}.reactions[{k}]"
        try:
            stoichiometry = parse_equation(reaction.equation)
        except EmcdInputError as error:
            problems.append((f"{path}.equation", str(error)))
            continue
        problems += _species_names(f"{path}.equation", stoichiometry.species, species)
        for region in reaction.regions:
            if region not in spec.regions:
                problems.append(
                    (f"{path}.regions", f"unknown region {region!r}; "
                     f"{suggest(region, list(spec.regions))}")
                )  # fmt: skip
        if reaction.kind == "surface" and reaction.boundary in spec.boundaries:
            problems.append(
                (f"{path}.boundary", f"boundary {reaction.boundary!r} has a prescribed pressure "
                 f"and composition ({root}.boundaries.{reaction.boundary}): a surface reaction "
                 "needs a wall (a boundary not in [multicomponent.boundaries]); put the reaction "
                 "on a wall, or make it homogeneous (kind = 'homogeneous')")
            )  # fmt: skip
    return problems


def reaction_boundary_problems(spec: Any, boundaries: list[str]) -> list[tuple[str, str]]:
    """(key path, message) of surface reactions on boundaries the geometry lacks."""
    if spec.dusty_gas is None:
        return []
    return [
        (f"{ROOT}.reactions[{k}].boundary", f"not a boundary of the geometry; "
         f"{suggest(str(r.boundary), boundaries)}")
        for k, r in enumerate(spec.dusty_gas.reactions)
        if r.kind == "surface" and r.boundary not in boundaries
    ]  # fmt: skip


class DustyGasInputs(NamedTuple):
    """Arguments of :class:`~emcd_fem.models.dusty_gas.DustyGasModel`."""

    media: dict[str, PorousMedium]
    gas: DustyGas
    states: dict[str, BoundaryState]
    temperature: float
    reactions: list[Reaction]


def build_dusty_gas(spec: Any, mixtures: Mapping[str, GasMixture]) -> DustyGasInputs:
    """The model's arguments from a validated section and its region mixtures.

    Raises:
        CaseError: regions whose gases differ (the model takes one gas), bad values found
            while building, each with its key path.
    """
    data, species = spec.dusty_gas, tuple(spec.species)
    problems = []
    names = sorted(mixtures)
    first = mixtures[names[0]]
    reference = first.concentration * np.where(np.isfinite(first.matrix), first.matrix, 0.0)
    for name in names[1:]:
        mix = mixtures[name]
        other = mix.concentration * np.where(np.isfinite(mix.matrix), mix.matrix, 0.0)
        if np.abs(other - reference).max() > GAS_TOLERANCE * np.abs(reference).max():
            problems.append(
                (f"multicomponent.regions.{name}", f"its gas (c Đ_ij) differs from region "
                 f"{names[0]!r}: the dusty-gas model takes one gas; the pore structure goes "
                 f"in {ROOT}.media")
            )  # fmt: skip
    masses = spec.molar_masses or {}
    molar_masses = {s: masses.get(s) or kt.GASES[s].molar_mass for s in species}
    media: dict[str, PorousMedium] = {}
    for name, medium in sorted(data.media.items()):
        try:
            media[name] = PorousMedium(**medium.model_dump(), name=name)
        except EmcdInputError as error:
            problems.append((f"{ROOT}.media.{name}", str(error)))
    reactions = []
    for k, r in enumerate(data.reactions):
        try:
            reactions.append(
                Reaction(
                    r.equation, kind=r.kind, k_f=r.k_f, k_b=r.k_b, regions=tuple(r.regions),
                    boundary=r.boundary,
                    arrhenius_A=None if r.arrhenius_A is None else tuple(r.arrhenius_A),
                    activation_energy=tuple(r.activation_energy), name=r.name,
                )
            )  # fmt: skip
        except EmcdInputError as error:
            problems.append((f"{ROOT}.reactions[{k}]", str(error)))
    viscosity = data.viscosity
    if viscosity == "kinetic_theory":  # Wilke at the mean composition of the open boundaries
        mean = {
            s: float(np.mean([bc.mole_fractions[s] for bc in spec.boundaries.values()]))
            for s in species
        }
        viscosity = mixture_viscosity(mean, data.temperature)
    try:
        gas = DustyGas(first, molar_masses, viscosity)
    except EmcdInputError as error:
        problems.append((ROOT, str(error)))
    if problems:
        raise CaseError(problems)
    states = {
        b: BoundaryState(bc.pressure, dict(bc.mole_fractions))
        for b, bc in sorted(spec.boundaries.items())
    }
    return DustyGasInputs(media, gas, states, float(data.temperature), reactions)


__all__ = [
    "GAS_TOLERANCE",
    "DustyGasInputs",
    "DustyGasSpec",
    "PorousSpec",
    "build_dusty_gas",
    "dusty_gas_problems",
    "reaction_boundary_problems",
]
