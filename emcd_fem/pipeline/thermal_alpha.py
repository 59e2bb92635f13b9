"""α_T of ``thermal_diffusion_factor = "kinetic_theory"``: its fit over the run's T and x_A.

The law a Soret run evaluates at the local temperature and composition (a
:class:`~emcd_fem.materials.thermal_diffusion.TemperatureCompositionLaw` fitted to Cantera
over the case's temperature range) and its report in summary.json
(``soret.thermal_diffusion_factor``). Used by :mod:`emcd_fem.pipeline.thermal_case`.
"""

import functools
from typing import Any

import numpy as np

from emcd_fem import expressions
from emcd_fem.case import Case, ConvectiveBC, TemperatureBC
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.thermal_diffusion import FIT_SAMPLES
from emcd_fem.mesh.domain import Domain

#: Composition at which the reported ``value`` of a kinetic-theory α_T is evaluated (the
#: run itself uses α_T at the local composition, :func:`kinetic_law`).
KINETIC_MOLE_FRACTION: float = 0.5
#: Pressure of that evaluation when the material gives none [Pa] (α_T of an ideal gas
#: does not depend on it).
KINETIC_PRESSURE: float = 101_325.0


#: Margins of the α_T(T, x_A) fit beyond the case's temperatures: T_min × 0.8 and
#: T_max × 1.25 (room for heat sources, fluxes and P2 overshoot; a solved T outside the
#: fitted range is refused after the solve, ``models.thermal_support.law_range_notes``).
KINETIC_T_MARGINS: tuple[float, float] = (0.8, 1.25)


def kinetic_temperatures(case: Case, domain: Domain | None = None) -> tuple[float, float]:
    """(T_min, T_max) [K] over which a kinetic-theory α_T(T, x_A) is fitted.

    The case's temperatures — every material's T, the prescribed T (a number, or an
    expression sampled at the mesh nodes when ``domain`` is given; collective then), the
    thermal boundary temperatures and ambients, the initial temperature — widened by
    :data:`KINETIC_T_MARGINS`.
    """
    values = [m.T for m in case.materials.values() if m.T is not None]
    thermal = case.thermal
    if thermal is not None:
        for spec in thermal.boundaries.values():
            if isinstance(spec, TemperatureBC):
                values.append(float(spec.value))
            elif isinstance(spec, ConvectiveBC):
                values.append(float(spec.ambient))
        for item in (thermal.temperature, thermal.initial_temperature):
            if isinstance(item, int | float) and not isinstance(item, bool):
                values.append(float(item))
        if isinstance(thermal.temperature, str) and domain is not None:
            from mpi4py import MPI

            dim = domain.mesh.geometry.dim
            sampled = expressions.evaluate(thermal.temperature, domain.mesh.geometry.x.T[:dim], dim)
            comm = domain.mesh.comm
            values += [
                comm.allreduce(float(np.min(sampled, initial=np.inf)), op=MPI.MIN),
                comm.allreduce(float(np.max(sampled, initial=-np.inf)), op=MPI.MAX),
            ]
    values = [v for v in values if np.isfinite(v) and v > 0]
    low, high = KINETIC_T_MARGINS
    return (min(values) * low, max(values) * high)


@functools.cache
def _fitted_law(gases: tuple[str, str], pressure: float, temperatures: tuple[float, float]) -> Any:
    from emcd_fem.materials.gas_data import thermal_diffusion_factor
    from emcd_fem.materials.thermal_diffusion import fit_temperature_law

    a, b = gases
    return fit_temperature_law(
        lambda t, x: thermal_diffusion_factor(a, b, t, pressure, mole_fraction_a=x), temperatures
    )


def kinetic_law(name: str, spec: Any, temperatures: tuple[float, float]) -> Any:
    """α_T(T, x_A) of a material with ``thermal_diffusion_factor = "kinetic_theory"``.

    Cantera's multicomponent-transport α_T of the material's ``gases`` = [A, B] at P [Pa]
    (default 1 atm), sampled over ``temperatures`` (:func:`kinetic_temperatures`) and
    0 < x_A < 1 and fitted by kinetic theory's composition form with coefficients
    polynomial in ln T
    (:func:`emcd_fem.materials.thermal_diffusion.fit_temperature_law`): the run evaluates
    α_T at the local T and x_A (cached: the same fit for the run and its report).

    Raises:
        EmcdInputError: Cantera missing, the gas unknown to it, or α_T not of that form,
            naming the key path.
    """
    pressure = spec.P if spec.P is not None else KINETIC_PRESSURE
    try:
        return _fitted_law(tuple(spec.gases), float(pressure), tuple(temperatures))
    except EmcdInputError as exc:
        raise EmcdInputError(f"materials.{name}.thermal_diffusion_factor: {exc}") from None


def thermal_diffusion_factors(
    case: Case, domain: Domain | None = None
) -> dict[str, dict[str, Any]]:
    """Material → the α_T [-] it uses, with its source (reported in summary.json).

    ``thermal_diffusion_factor = "kinetic_theory"``: α_T of the material's ``gases`` = [A, B]
    at the local temperature and composition (:func:`kinetic_law`); the report gives
    ``value`` = α_T at the material's T and x_A = 0.5 (Cantera's number itself), ``law`` =
    the composition law at that T, the fitted temperature range and polynomial degree,
    the law's largest misfit to Cantera and the range of α_T over 0 < x_A < 1 at T
    (emcd_fem's sign: α_T > 0 drives A to the cold side). A number is used as given
    (constant in x_A and T). ``domain``: as :func:`kinetic_temperatures` (collective).

    Raises:
        EmcdInputError: Cantera missing or the gas unknown to it, naming the key path.
    """
    out = {}
    for name, spec in sorted(case.materials.items()):
        value = spec.thermal_diffusion_factor
        if value is None:
            continue
        if value != "kinetic_theory":
            out[name] = {"value": float(value), "source": "given", "composition": "constant"}
            continue
        from emcd_fem.materials.gas_data import DEFAULT_MECHANISM, thermal_diffusion_factor

        temperatures = kinetic_temperatures(case, domain)
        law = kinetic_law(name, spec, temperatures)
        a, b = spec.gases
        pressure = spec.P if spec.P is not None else KINETIC_PRESSURE
        at_t = law.at(spec.T)
        sampled = [float(at_t(x)) for x in FIT_SAMPLES]
        out[name] = {
            "value": thermal_diffusion_factor(
                a, b, spec.T, pressure, mole_fraction_a=KINETIC_MOLE_FRACTION
            ),
            "source": f"kinetic_theory: Cantera multicomponent transport ({DEFAULT_MECHANISM} "
            "+ He), Chapman–Enskog",
            "gases": [a, b],
            "T": spec.T,
            "P": pressure,
            "mole_fraction_A": KINETIC_MOLE_FRACTION,
            "composition": "local: alpha_T(x_A) = (p0 + p1 x_A)/(1 + q1 x_A + q2 x_A^2) at "
            "each point ('value' is alpha_T at x_A = 0.5)",
            "temperature": "local: p0, p1, q1, q2 are polynomials in ln T fitted over "
            "'fit_temperatures' [K] ('law' is at T); summary soret.alpha_t_range has the "
            "alpha_T and T met at the solved points",
            "law": dict(zip(("p0", "p1", "q1", "q2"), at_t.coefficients, strict=True)),
            "fit_temperatures": list(law.temperatures),
            "degree_in_ln_T": law.degree,
            "fit_error": law.fit_error,
            "range": [min(sampled), max(sampled)],
        }
    return out


__all__ = [
    "KINETIC_MOLE_FRACTION",
    "KINETIC_PRESSURE",
    "KINETIC_T_MARGINS",
    "kinetic_law",
    "kinetic_temperatures",
    "thermal_diffusion_factors",
]
