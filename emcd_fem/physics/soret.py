"""Species transport with thermal diffusion (Soret effect) as UFL expressions.

Constitutive law (binary, EMCD frame):

    N_A = −c D (∇x_A + S_T x_A (1 − x_A) ∇T)      [mol/(m^2 s)]

Sign convention: S_T > 0 drives A towards the cold side (down the temperature gradient).
For typical gas pairs kinetic theory sends the heavier species to the cold side, so S_T < 0
when A is the lighter gas (He in He–Ar: α_T ≈ −0.39); ``emcd_fem.case.soret_sign`` warns when a
case's data contradict that.
S_T [1/K] is given per region, either directly or through the thermal diffusion factor
α_T = S_T T (S_T = α_T / T, the form in which kinetic theory gives it for gases). α_T may
depend on the local composition and temperature: a
:class:`~emcd_fem.materials.thermal_diffusion.CompositionLaw` α_T(x_A) =
(p0 + p1 x_A)/(1 + q1 x_A + q2 x_A²) (kinetic theory's form), or a
:class:`~emcd_fem.materials.thermal_diffusion.TemperatureCompositionLaw` whose p0, p1, q1, q2
are polynomials in τ = (ln T − centre)/half_width, enters the flux as a UFL expression of
x_A and T at the quadrature points (the flux is nonlinear in x_A anyway through
x_A (1 − x_A): Newton).

Temperature-dependent properties, per region:

* D(T) = D_ref (T/T_ref)^n (``power``; n = 1.5 is the hard-sphere law), or the
  Chapman–Enskog law at fixed pressure D(T) = D_ref (T/T_ref)^1.5 Ω_D(T_ref*)/Ω_D(T*)
  with the Neufeld collision integral and T* = T k_B/ε_AB (``chapman_enskog``);
* c(T) = P/(R T) (``ideal_gas``) at the region's pressure P.

All parameters live in DG0 fields, so the forms never contain Python floats.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import Material, kinetic_theory
from emcd_fem.materials.thermal_diffusion import CompositionLaw, TemperatureCompositionLaw
from emcd_fem.mesh.domain import Domain


@dataclass(frozen=True)
class TemperatureDependence:
    """How a region's c and D follow the temperature.

    Attributes:
        diffusivity: ``"constant"``, ``"power"`` (D_ref (T/T_ref)^exponent) or
            ``"chapman_enskog"`` (needs ``gases``).
        reference_temperature: T_ref [K] at which the material's D (and c) hold.
        exponent: n of the power law [-].
        gases: (A, B) names of built-in gases for the Chapman–Enskog law.
        concentration: ``"constant"`` or ``"ideal_gas"`` (c = P/(R T), needs ``pressure``).
        pressure: P [Pa].
    """

    diffusivity: Literal["constant", "power", "chapman_enskog"] = "constant"
    reference_temperature: float | None = None
    exponent: float = 1.5
    gases: tuple[str, str] | None = None
    concentration: Literal["constant", "ideal_gas"] = "constant"
    pressure: float | None = None

    def __post_init__(self) -> None:
        if self.diffusivity not in ("constant", "power", "chapman_enskog"):
            raise EmcdInputError(
                f"diffusivity law must be constant, power or chapman_enskog, got "
                f"{self.diffusivity!r}"
            )
        if self.concentration not in ("constant", "ideal_gas"):
            raise EmcdInputError(
                f"concentration law must be constant or ideal_gas, got {self.concentration!r}"
            )
        if self.diffusivity != "constant":
            t = self.reference_temperature
            if not (isinstance(t, int | float) and math.isfinite(t) and t > 0):
                raise EmcdInputError(
                    f"the {self.diffusivity} law needs reference_temperature > 0 K, got {t!r}"
                )
        if self.diffusivity == "chapman_enskog":
            if self.gases is None:
                raise EmcdInputError("the chapman_enskog law needs gases = (A, B)")
            for name in self.gases:
                kinetic_theory.gas(name)
        if not math.isfinite(self.exponent):
            raise EmcdInputError(f"exponent must be finite, got {self.exponent!r}")
        if self.concentration == "ideal_gas":
            p = self.pressure
            if not (isinstance(p, int | float) and math.isfinite(p) and p > 0):
                raise EmcdInputError(f"c = P/(R T) needs pressure > 0 Pa, got {p!r}")

    @property
    def is_constant(self) -> bool:
        """True when neither c nor D depends on T."""
        return self.diffusivity == "constant" and self.concentration == "constant"


def _dg0(domain: Domain, values: Mapping[str, float], name: str, default: float) -> fem.Function:
    field = fem.Function(fem.functionspace(domain.mesh, ("DG", 0)), name=name)
    field.x.array[:] = default
    for region, value in values.items():
        cells = domain.cell_tags.find(domain.regions[region])
        field.x.array[field.function_space.dofmap.list[cells, 0]] = value
    field.x.scatter_forward()
    return field


def _omega(t_star: ufl.core.expr.Expr) -> ufl.core.expr.Expr:
    """Neufeld collision integral Ω_D(T*) in UFL (same fit as kinetic_theory)."""
    a, b, c, d, e, f, g, h = kinetic_theory._NEUFELD
    return (
        a / t_star**b
        + c * ufl.exp(-d * t_star)
        + e * ufl.exp(-f * t_star)
        + g * ufl.exp(-h * t_star)
    )


@dataclass(frozen=True)
class TransportFields:
    """DG0 parameter fields of c(T) D(T), S_T(T) per region.

    ``law_regions``: the regions whose α_T is a computed law of x_A (and T) (kinetic theory),
    not a user's number. ``alpha_law`` holds, per cell, (centre, half_width, P0, P1, Q1, Q2)
    of that law (each polynomial with ``law_degree`` + 1 coefficients; zero elsewhere).
    """

    concentration: fem.Function
    diffusivity: fem.Function
    exponent: fem.Function
    reference_temperature: fem.Function
    well_depth: fem.Function
    omega_reference: fem.Function
    chapman_enskog: fem.Function
    ideal_gas: fem.Function
    pressure: fem.Function
    soret: fem.Function
    alpha: fem.Function
    alpha_law: fem.Function | None = None
    law_regions: frozenset[str] = frozenset()
    law_degree: int = 0

    def concentration_of(self, temperature: ufl.core.expr.Expr) -> ufl.core.expr.Expr:
        """c(T) [mol/m^3]."""
        ideal = self.ideal_gas
        return (1 - ideal) * self.concentration + ideal * self.pressure / (
            GAS_CONSTANT * temperature
        )

    def diffusivity_of(self, temperature: ufl.core.expr.Expr) -> ufl.core.expr.Expr:
        """D(T) [m^2/s]."""
        power = (temperature / self.reference_temperature) ** self.exponent
        ce = self.chapman_enskog
        ratio = self.omega_reference / _omega(temperature / self.well_depth)
        return self.diffusivity * power * (1 - ce + ce * ratio)

    def soret_of(
        self, temperature: ufl.core.expr.Expr, mole_fraction: ufl.core.expr.Expr | None = None
    ) -> ufl.core.expr.Expr:
        """S_T(T, x_A) = S_T + (α + α_T(T, x_A)) / T [1/K].

        α_T(T, x_A) = (P0 + P1 x)/(1 + Q1 x + Q2 x²), polynomials in τ = (ln T − centre) /
        half_width from ``alpha_law`` (0 in regions with a constant α_T, where α holds it);
        a law needs ``mole_fraction``.
        """
        if self.alpha_law is None:
            return self.soret + self.alpha / temperature
        if mole_fraction is None:
            raise ValueError("α_T depends on the composition: pass the mole fraction")
        return self.soret + (self.alpha + self.law_of(temperature, mole_fraction)) / temperature

    def law_of(
        self, temperature: ufl.core.expr.Expr, x: ufl.core.expr.Expr, *, frozen: bool = False
    ) -> ufl.core.expr.Expr:
        """α_T(T, x_A) of the kinetic-theory law [-] (0 outside its regions; needs alpha_law).

        ``frozen``: the law at the centre of its temperature range (τ = 0), a law of x_A only.
        """
        law, n = self.alpha_law, self.law_degree + 1
        tau = 0.0 if frozen else (ufl.ln(temperature) - law[0]) / law[1]

        def poly(k: int) -> ufl.core.expr.Expr:  # Horner in τ, power basis
            start = 2 + k * n
            value = law[start + n - 1]
            for j in range(n - 2, -1, -1):
                value = value * tau + law[start + j]
            return value

        p0, p1, q1, q2 = (poly(k) for k in range(4))
        return (p0 + p1 * x) / (1 + q1 * x + q2 * x * x)

    def law_quadrature(self, x: ufl.core.expr.Expr, temperature: ufl.core.expr.Expr) -> dict:
        """Measure metadata of the thermal flux's integrals: a fixed degree when α_T follows T.

        {} when ``law_degree`` is 0 (FFCx's own estimate, as before).

        UFL's estimate multiplies degrees through the polynomial in ln T (degree n × (p + 2)
        for T of degree p: 62 for the residual of a degree-6 law with P2, 118 for its
        Jacobian). The law is smooth in T, so its T dependence is counted like one
        mathematical function, +2 on UFL's estimate for the same flux with the law frozen at
        its centre temperature (the composition law of before): 26 in 3D P2 with
        Chapman–Enskog D(T). The Fick integral beside it keeps its own degree
        (``mesh.quadrature.pin_quadrature`` leaves fixed degrees out of its neighbours'
        estimate; it once took the 72 in, a 50653-point rule in 3D that FFCx could not
        build: ``tests/test_soret_alpha_quadrature.py``).
        """
        if self.alpha_law is None or self.law_degree == 0:
            return {}
        from ufl.algorithms import estimate_total_polynomial_degree

        T = temperature
        frozen = (self.soret + (self.alpha + self.law_of(T, x, frozen=True)) / T) * x * (1 - x)
        integrand = ufl.dot(
            self.concentration_of(T) * self.diffusivity_of(T) * frozen * ufl.grad(T), ufl.grad(x)
        )
        return {"quadrature_degree": estimate_total_polynomial_degree(integrand) + 2}


def transport_fields(
    domain: Domain,
    materials: Mapping[str, Material],
    soret: Mapping[str, float],
    thermal_diffusion_factor: Mapping[str, float | CompositionLaw],
    dependence: Mapping[str, TemperatureDependence],
) -> TransportFields:
    """Build the parameter fields (regions not listed: constant properties, S_T = 0).

    ``thermal_diffusion_factor``: region → α_T [-], a number or a
    :class:`~emcd_fem.materials.thermal_diffusion.CompositionLaw` of x_A.
    """
    for mapping in (soret, thermal_diffusion_factor, dependence):
        for region in mapping:
            domain.region_tag(region)
    kinds = (CompositionLaw, TemperatureCompositionLaw)
    laws = {r: v for r, v in thermal_diffusion_factor.items() if isinstance(v, kinds)}
    thermal_diffusion_factor = {
        r: (0.0 if isinstance(v, kinds) else v) for r, v in thermal_diffusion_factor.items()
    }
    for label, mapping in (
        ("soret", soret),
        ("thermal_diffusion_factor", thermal_diffusion_factor),
    ):
        for region, value in mapping.items():
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                raise EmcdInputError(f"{label}[{region!r}] must be a finite number, got {value!r}")
    both = sorted(set(soret) & set(thermal_diffusion_factor))
    if both:
        raise EmcdInputError(
            f"region(s) {both}: give either S_T (soret) or alpha_T (thermal_diffusion_factor), "
            "not both"
        )
    laws = {
        r: v if isinstance(v, TemperatureCompositionLaw) else _constant_in_t(v)
        for r, v in laws.items()
    }
    degree = max((law.degree for law in laws.values()), default=0)
    exponent, t_ref, eps, omega_ref, ce, ideal, pressure = {}, {}, {}, {}, {}, {}, {}
    for region, dep in dependence.items():
        if dep.diffusivity != "constant":
            t_ref[region] = dep.reference_temperature
            exponent[region] = dep.exponent if dep.diffusivity == "power" else 1.5
        if dep.diffusivity == "chapman_enskog":
            a, b = (kinetic_theory.gas(g) for g in dep.gases)
            eps[region] = math.sqrt(a.epsilon_over_k * b.epsilon_over_k)
            omega_ref[region] = kinetic_theory.collision_integral(
                dep.reference_temperature / eps[region]
            )
            ce[region] = 1.0
        if dep.concentration == "ideal_gas":
            ideal[region], pressure[region] = 1.0, dep.pressure
    return TransportFields(
        concentration=_dg0(
            domain, {r: m.concentration for r, m in materials.items()}, "concentration", 1.0
        ),
        diffusivity=_dg0(domain, {r: m.diffusivity for r, m in materials.items()}, "D", 1.0),
        exponent=_dg0(domain, exponent, "exponent", 0.0),
        reference_temperature=_dg0(domain, t_ref, "T_ref", 1.0),
        well_depth=_dg0(domain, eps, "eps_over_k", 100.0),
        omega_reference=_dg0(domain, omega_ref, "omega_ref", 1.0),
        chapman_enskog=_dg0(domain, ce, "chapman_enskog", 0.0),
        ideal_gas=_dg0(domain, ideal, "ideal_gas", 0.0),
        pressure=_dg0(domain, pressure, "pressure", 0.0),
        soret=_dg0(domain, soret, "soret_coefficient", 0.0),
        alpha=_dg0(domain, thermal_diffusion_factor, "thermal_diffusion_factor", 0.0),
        alpha_law=_law_field(domain, laws, degree) if laws else None,
        law_regions=frozenset(laws),
        law_degree=degree,
    )


def _constant_in_t(law: CompositionLaw) -> TemperatureCompositionLaw:
    """A composition law as a law of T and x_A of degree 0 in τ (half_width ∞: τ = 0)."""
    coefficients = ((law.coefficients[0],), *((c,) for c in law.coefficients[1:]))
    return TemperatureCompositionLaw(coefficients, 0.0, math.inf, law.fit_error, (0.0, math.inf))


def _law_field(
    domain: Domain, laws: Mapping[str, TemperatureCompositionLaw], degree: int
) -> fem.Function:
    """(centre, half_width, P0, P1, Q1, Q2) of each region's α_T(T, x_A) law, DG0 vector.

    Each polynomial is padded to ``degree`` + 1 coefficients; half_width is 1 outside the
    law's regions (every coefficient 0 there, so the law is 0).
    """
    n = degree + 1
    field = fem.Function(fem.functionspace(domain.mesh, ("DG", 0, (2 + 4 * n,))), name="alpha_law")
    values = field.x.array.reshape(-1, 2 + 4 * n)
    values[:] = 0.0
    values[:, 1] = 1.0
    for region, law in laws.items():
        row = np.zeros(2 + 4 * n)
        row[:2] = law.centre, law.half_width
        for k, c in enumerate(law.coefficients):
            row[2 + k * n : 2 + k * n + len(c)] = c
        cells = domain.cell_tags.find(domain.regions[region])
        values[field.function_space.dofmap.list[cells, 0]] = row
    field.x.scatter_forward()
    return field


def soret_fluxes(
    mole_fraction: ufl.core.expr.Expr,
    temperature: ufl.core.expr.Expr,
    fields: TransportFields,
) -> tuple[ufl.core.expr.Expr, ufl.core.expr.Expr]:
    """(Fickian, thermal-diffusion) parts of N_A [mol/(m^2 s)].

    N_Fick = −c(T) D(T) ∇x_A, N_thermal = −c(T) D(T) S_T(T) x_A (1 − x_A) ∇T. This is the
    one place the coupled constitutive law is written.
    """
    x, T = mole_fraction, temperature
    cd = fields.concentration_of(T) * fields.diffusivity_of(T)
    return -cd * ufl.grad(x), -cd * fields.soret_of(T, x) * x * (1 - x) * ufl.grad(T)


__all__ = ["TemperatureDependence", "TransportFields", "soret_fluxes", "transport_fields"]
