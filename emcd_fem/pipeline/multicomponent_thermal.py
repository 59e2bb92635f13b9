"""``[thermal]`` in a ``[multicomponent]`` run: T first, then the n-species Newton.

T does not depend on the composition here (k per region, no Dufour effect), so the heat
conduction (or the prescribed T) is solved once and enters the Maxwell–Stefan Newton as a
known field (:class:`~emcd_fem.models.multicomponent_thermal.ThermalDiffusionInputs`):
in a steady run, and in a transient (``[time]``) run, where it also sets the storage
term's c(T); the summary's ``thermal`` and ``soret`` are then of the final state.
"""

from typing import Any, NamedTuple

from dolfinx import fem

from emcd_fem import expressions
from emcd_fem.case import Case
from emcd_fem.errors import EmcdInputError
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.multicomponent_thermal import (
    PropertyLaw,
    ThermalDiffusionInputs,
    check_temperature_positive,
    flux_forms,
    flux_split,
)
from emcd_fem.models.thermal import HeatConductionProblem
from emcd_fem.pipeline.thermal_alpha import KINETIC_PRESSURE
from emcd_fem.pipeline.thermal_case import thermal_conditions
from emcd_fem.post.integrals import owned_range

#: Composition of a pair at which a kinetic-theory α_ij is evaluated (x_i = x_j = 1/2).
PAIR_MOLE_FRACTION: float = 0.5

SIGN = (
    "alpha_ij > 0 drives species i towards the cold side (alpha_ji = -alpha_ij); kinetic "
    "theory: the heavier species of a gas pair goes to the cold side"
)


class ThermalSetup(NamedTuple):
    """The model's thermal inputs, T as a Function for output, and the report."""

    inputs: ThermalDiffusionInputs
    temperature: fem.Function
    report: dict[str, Any]


def kinetic_factors(
    name: str, species: list[str], temperature: float, pressure: float | None
) -> dict[tuple[str, str], float]:
    """α_ij of every pair from Cantera's binary α_T at x_i = x_j = 1/2, T and P (frozen).

    Raises:
        EmcdInputError: Cantera missing or a species unknown to it, naming the key path.
    """
    from emcd_fem.materials.gas_data import thermal_diffusion_factor

    p = pressure if pressure is not None else KINETIC_PRESSURE
    out = {}
    for k, a in enumerate(species):
        for b in species[k + 1 :]:
            try:
                out[(a, b)] = thermal_diffusion_factor(
                    a, b, temperature, p, mole_fraction_a=PAIR_MOLE_FRACTION
                )
            except EmcdInputError as exc:
                raise EmcdInputError(
                    f"multicomponent.regions.{name}.thermal_diffusion_factors: {exc}"
                ) from None
    return out


def thermal_setup(case: Case, domain: Domain) -> ThermalSetup:
    """Solve or prescribe T and gather α_ij and the T laws per region (collective)."""
    spec, thermal = case.multicomponent, case.thermal
    degree = case.discretisation.degree
    report: dict[str, Any] = {}
    if thermal.boundaries:
        heat = HeatConductionProblem(
            domain,
            {r: spec.regions[r].thermal_conductivity for r in domain.regions},
            thermal_conditions(case),
            degree=degree,
            source=thermal.source,
            petsc_options=case.solver.petsc_options,
        ).solve()
        temperature = shown = heat.temperature
        unit = ["W/m^2", "W/m", "W"][domain.mesh.topology.dim - 1]
        report = {
            "mode": "conduction",
            "heat_flow": heat.heat_flow,
            "heat_balance": heat.balance,
            "units": {"heat_flow": unit},
        }
    else:
        value = thermal.temperature
        shown = fem.Function(fem.functionspace(domain.mesh, ("Lagrange", degree)))
        if isinstance(value, str):
            temperature = expressions.to_ufl(value, domain.mesh)
            points = shown.function_space.element.interpolation_points
            shown.interpolate(fem.Expression(temperature, points))
        else:
            temperature = float(value)
            shown.x.array[:] = temperature
        report = {"mode": "prescribed"}
    shown.name = "temperature"
    check_temperature_positive(domain, shown)
    report["t_min"], report["t_max"] = owned_range(shown)
    factors, laws, used = {}, {}, {}
    for name, region in sorted(spec.regions.items()):
        given = region.thermal_diffusion_factors
        if given == "kinetic_theory":
            factors[name] = kinetic_factors(name, spec.species, region.T, region.P)
            source = (
                f"kinetic_theory: Cantera binary alpha_T of each pair at x_i = x_j = "
                f"{PAIR_MOLE_FRACTION}, T = {region.T} K (frozen)"
            )
        else:
            factors[name] = {(a, b): v for a, row in (given or {}).items() for b, v in row.items()}
            source = "given" if given else "none (alpha = 0)"
        used[name] = {
            "source": source,
            "pairs": {f"{a}-{b}": v for (a, b), v in factors[name].items()},
        }
        if region.diffusivity_law != "constant" or region.concentration_law != "constant":
            laws[name] = PropertyLaw(
                region.T,
                region.diffusivity_law,
                region.diffusivity_exponent,
                region.concentration_law,
                region.P,
            )
    report["thermal_diffusion_factors"] = used
    return ThermalSetup(ThermalDiffusionInputs(temperature, factors, laws), shown, report)


def soret_summary(model: Any, domain: Domain, setup: ThermalSetup) -> dict[str, Any]:
    """The ``thermal`` and ``soret`` summary entries of an n-species run (collective).

    ``soret.flux_split``: species → boundary → ∫ of the Fick and thermal parts of N_i·n
    (from the gradients, h^p; the totals of ``boundary_flux`` are the conservative ones).
    """
    report = dict(setup.report)
    factors = report.pop("thermal_diffusion_factors")
    split = flux_split(domain, model.species, flux_forms(domain, model.flux_parts, model.degree))
    return {
        "thermal": report,
        "soret": {
            "sign": SIGN,
            "law": "-c (grad x_i + k_T,i grad ln T) = sum_j (x_j N_i - x_i N_j)/D_ij, "
            "k_T,i = sum_j x_i x_j alpha_ij",
            "thermal_diffusion_factors": factors,
            "flux_split": split,
        },
    }


def optional_thermal_setup(case: Case, domain: Domain) -> ThermalSetup | None:
    """:func:`thermal_setup` of a case with ``[thermal]``, else None (collective)."""
    return thermal_setup(case, domain) if case.thermal is not None else None


def add_thermal_results(
    summary: dict[str, Any],
    fields: dict[str, Any],
    model: Any,
    domain: Domain,
    setup: ThermalSetup | None,
) -> None:
    """Add ``thermal``/``soret`` (:func:`soret_summary`) and the T field (collective).

    For a transient run: of its final state (T is steady). Nothing without ``setup``.
    """
    if setup is None:
        return
    summary |= soret_summary(model, domain, setup)
    fields["temperature"] = setup.temperature


__all__ = [
    "PAIR_MOLE_FRACTION",
    "ThermalSetup",
    "add_thermal_results",
    "kinetic_factors",
    "optional_thermal_setup",
    "soret_summary",
    "thermal_setup",
]
