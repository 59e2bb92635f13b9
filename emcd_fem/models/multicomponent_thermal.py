"""Thermal-diffusion inputs of the n-species Maxwell–Stefan model: checks and DG0 fields.

The law is :mod:`emcd_fem.physics.thermal_maxwell_stefan`. T does not depend on the
composition in this code (heat conduction with k per region, no Dufour effect), so T is
solved first (or prescribed) and enters the n-species Newton as a known field: exact, not
an approximation (a staggered pass would return the same T).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.errors import EmcdInputError, unknown_name
from emcd_fem.mesh.domain import Domain
from emcd_fem.physics import thermal_maxwell_stefan as tms


@dataclass(frozen=True)
class PropertyLaw:
    """How a region's c and Đ_ij follow T.

    Attributes:
        reference_temperature: T_ref [K] at which the mixture's c and Đ_ij hold.
        diffusivity: ``"constant"`` or ``"power"`` (Đ_ij,ref (T/T_ref)^exponent, every pair).
        exponent: n of the power law [-].
        concentration: ``"constant"`` or ``"ideal_gas"`` (c = P/(R T)).
        pressure: P [Pa] of ``ideal_gas``.
    """

    reference_temperature: float
    diffusivity: Literal["constant", "power"] = "constant"
    exponent: float = 1.5
    concentration: Literal["constant", "ideal_gas"] = "constant"
    pressure: float | None = None

    def __post_init__(self) -> None:
        t = self.reference_temperature
        if not (isinstance(t, int | float) and math.isfinite(t) and t > 0):
            raise EmcdInputError(f"reference_temperature must be > 0 K, got {t!r}")
        if self.diffusivity not in ("constant", "power"):
            raise EmcdInputError(
                f"diffusivity law of an n-species gas must be 'constant' or 'power' "
                f"(Đ_ij (T/T_ref)^n), got {self.diffusivity!r}"
            )
        if self.concentration not in ("constant", "ideal_gas"):
            raise EmcdInputError(
                f"concentration law must be 'constant' or 'ideal_gas', got {self.concentration!r}"
            )
        if not math.isfinite(self.exponent):
            raise EmcdInputError(f"diffusivity exponent must be finite, got {self.exponent!r}")
        p = self.pressure
        if self.concentration == "ideal_gas" and not (
            isinstance(p, int | float) and math.isfinite(p) and p > 0
        ):
            raise EmcdInputError(f"c = P/(R T) needs pressure > 0 Pa, got {p!r}")


@dataclass(frozen=True)
class ThermalDiffusionInputs:
    """Temperature and thermal diffusion factors of an n-species run.

    Attributes:
        temperature: T [K] (> 0): a number, a UFL expression on the mesh or a Function
            (e.g. the solved heat-conduction field).
        factors: Region → (species i, species j) → α_ij [-] (α_ji = −α_ij: a pair may be
            given either way round, or both ways with opposite values; pairs not given: 0).
            α_ij > 0 drives i towards the cold side.
        laws: Region → :class:`PropertyLaw` (regions not listed: constant c and Đ_ij).
    """

    temperature: Any
    factors: Mapping[str, Mapping[tuple[str, str], float]] = field(default_factory=dict)
    laws: Mapping[str, PropertyLaw] = field(default_factory=dict)


def thermal_quadrature_degree(degree: int) -> int:
    """Quadrature degree of the thermal residual: 2 × degree + 2.

    UFL's estimate for the rational law (1/T, (T/T_ref)^n, [B]^{-1}, k_T ∝ x_i x_j) is 16
    for P1 and 28 for P2: a 3D P2 ternary case then took 96 s to compile and 3.2 GB (the
    isothermal one 4 s). The boundary fluxes of the 1D ternary slab against solve_bvp are
    the same to 3 digits for every degree from 2 (P1) or 4 (P2) up to the estimate, with
    rates 2.00 (P1) and 4.00 (P2) (tests/test_multicomponent_soret.py).
    """
    return 2 * int(degree) + 2


def pair_factors(
    region: str, species: Sequence[str], given: Mapping[tuple[str, str], float]
) -> dict[tuple[int, int], float]:
    """(i, j), i < j → α_ij [-] of one region from species-name pairs, checked.

    Raises:
        EmcdInputError: an unknown species, a species paired with itself, a non-finite
            value, or a pair given both ways without α_ji = −α_ij.
    """
    index = {s: k for k, s in enumerate(species)}
    out: dict[tuple[int, int], float] = {}
    for pair, value in given.items():
        where = f"region {region!r}: thermal diffusion factor {pair!r}"
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise EmcdInputError(f"{where}: keys are species pairs (i, j)")
        for s in pair:
            if s not in index:
                raise EmcdInputError(f"{where}: {unknown_name('species', s, species)}")
        i, j = index[pair[0]], index[pair[1]]
        if i == j:
            raise EmcdInputError(f"{where} pairs a species with itself")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise EmcdInputError(f"{where} must be a finite number, got {value!r}")
        key, alpha = ((i, j), float(value)) if i < j else ((j, i), -float(value))
        old = out.get(key)
        if old is not None and abs(old - alpha) > 1e-12 * max(abs(old), abs(alpha)):
            raise EmcdInputError(
                f"{where}: given both ways round with α_ji ≠ −α_ij; give the pair once"
            )
        out[key] = alpha
    return out


@dataclass(frozen=True)
class ThermalFields:
    """UFL c(T), Đ_ij(T), T and the DG0 α_ij fields of a domain."""

    temperature: Any
    concentration: Any
    diffusivity: dict[tuple[int, int], Any]
    factors: dict[tuple[int, int], fem.Function]


def _dg0(domain: Domain, values: Mapping[str, float], name: str, default: float) -> fem.Function:
    f = fem.Function(fem.functionspace(domain.mesh, ("DG", 0)), name=name)
    cells = domain.local_cell_tags()
    f.x.array[:] = default
    for region, value in values.items():
        f.x.array[cells == domain.regions[region]] = value
    return f


def thermal_fields(
    domain: Domain,
    species: Sequence[str],
    inputs: ThermalDiffusionInputs,
    concentration: fem.Function,
    diffusivity: Mapping[tuple[int, int], fem.Function],
) -> ThermalFields:
    """c(T), Đ_ij(T) (UFL) and α_ij (DG0) from the reference fields and the inputs.

    Args:
        domain: The domain (regions by name).
        species: Species names (the order of the indices).
        inputs: Temperature, factors and laws.
        concentration: DG0 c at the reference state [mol/m^3].
        diffusivity: (i, j), i < j → DG0 Đ_ij at the reference state [m^2/s].

    Raises:
        EmcdInputError: an unknown region or species, a bad factor (see
            :func:`pair_factors`), a temperature that is not > 0.
    """
    for mapping in (inputs.factors, inputs.laws):
        for region in mapping:
            domain.region_tag(region)
    temperature = inputs.temperature
    if isinstance(temperature, int | float):
        if not (math.isfinite(temperature) and temperature > 0):
            raise EmcdInputError(f"temperature must be > 0 K, got {temperature!r}")
        temperature = fem.Constant(domain.mesh, float(temperature))
    per_region = {r: pair_factors(r, species, f) for r, f in sorted(inputs.factors.items())}
    n = len(species)
    factors = {
        (i, j): _dg0(
            domain,
            {r: f.get((i, j), 0.0) for r, f in per_region.items()},
            f"alpha_{species[i]}_{species[j]}",
            0.0,
        )
        for i in range(n)
        for j in range(i + 1, n)
    }
    laws = inputs.laws
    t_ref = _dg0(domain, {r: law.reference_temperature for r, law in laws.items()}, "T_ref", 1.0)
    exponent = _dg0(
        domain,
        {r: (law.exponent if law.diffusivity == "power" else 0.0) for r, law in laws.items()},
        "D_exponent",
        0.0,
    )
    ideal_values = {r: 1.0 for r, law in laws.items() if law.concentration == "ideal_gas"}
    ideal = _dg0(domain, ideal_values, "ideal_gas", 0.0)
    pressure = _dg0(domain, {r: laws[r].pressure for r in ideal_values}, "pressure", 0.0)
    c = tms.concentration_law(concentration, ideal, pressure, temperature)
    d = {
        pair: tms.power_law_diffusivity(f, temperature, t_ref, exponent)
        for pair, f in diffusivity.items()
    }
    return ThermalFields(temperature, c, d, factors)


def check_temperature_positive(domain: Domain, temperature: Any) -> None:
    """Refuse a temperature Function with a nodal value ≤ 0 K (collective)."""
    if not isinstance(temperature, fem.Function):
        return
    size = temperature.function_space.dofmap.index_map.size_local
    bs = temperature.function_space.dofmap.index_map_bs
    local = temperature.x.array[: size * bs]
    low = domain.comm.allreduce(float(local.min()) if local.size else np.inf, op=MPI.MIN)
    if not low > 0:
        raise EmcdInputError(
            f"the temperature reaches {low:g} K ≤ 0: temperatures are absolute (K)"
        )


def unsupported_with_thermal(model: str, partitions: bool, reactions: bool) -> str | None:
    """Why an n-species model cannot take thermal diffusion, or None.

    A closed vessel is admitted: it has no steady solve (``MaxwellStefanModel.solve``
    refuses it) but marches in time (``TransientMaxwellStefan``, storage c(T) ∂x/∂t).
    """
    if model != "maxwell_stefan":
        return f"thermal diffusion needs model = 'maxwell_stefan', not {model!r}"
    if partitions:
        return "thermal diffusion with partition coefficients is not supported"
    if reactions:
        return "thermal diffusion with reactions is not supported (T-dependent rates)"
    return None


def flux_forms(
    domain: Domain, parts: tms.FluxParts, degree: int
) -> tuple[fem.Form, list[fem.Constant], fem.Constant]:
    """One compiled boundary functional of every (species, part, boundary) flux.

    Σ_b w_b Σ_i Σ_p s_ip ∫_b N_ip·n ds with Constants w (boundary) and s (species, part):
    one compilation, one assembly per entry (:func:`flux_split`); quadrature of
    :func:`thermal_quadrature_degree` of the Lagrange ``degree``.
    """
    msh = domain.mesh
    n = len(parts.total)
    select = fem.Constant(msh, np.zeros((n, 2)))
    names = sorted(domain.boundaries)
    weights = [fem.Constant(msh, 0.0) for _ in names]
    normal = ufl.FacetNormal(msh)
    terms = []
    for k in range(n):
        for p, flux in enumerate((parts.fickian[k], parts.thermal[k])):
            if ufl.domain.extract_domains(flux):  # a stagnant species: N ≡ 0, no mesh
                terms.append(select[k, p] * ufl.dot(flux, normal))
    body = sum(terms)
    ds = domain.ds(metadata={"quadrature_degree": thermal_quadrature_degree(degree)})
    form = sum(w * body * ds(domain.boundaries[b]) for w, b in zip(weights, names, strict=True))
    return fem.form(form), weights, select


def flux_split(
    domain: Domain, species: Sequence[str], compiled: tuple
) -> dict[str, dict[str, dict[str, float]]]:
    """Species → boundary → {"fickian", "thermal"}: ∫ of each part of N_i·n [mol/s in 3D].

    From the gradients (converges like the gradient, h^p); the summary's total fluxes are
    the conservative reaction fluxes. Collective.
    """
    form, weights, select = compiled
    names = sorted(domain.boundaries)
    out: dict[str, dict[str, dict[str, float]]] = {}
    for k, s in enumerate(species):
        out[s] = {}
        for b, w in zip(names, weights, strict=True):
            row = {}
            for p, part in enumerate(("fickian", "thermal")):
                select.value[:] = 0.0
                select.value[k, p] = 1.0
                for other in weights:
                    other.value = 0.0
                w.value = 1.0
                local = fem.assemble_scalar(form)
                row[part] = float(domain.comm.allreduce(local, op=MPI.SUM))
            out[s][b] = row
    return out


__all__ = [
    "PropertyLaw",
    "ThermalDiffusionInputs",
    "ThermalFields",
    "check_temperature_positive",
    "flux_forms",
    "flux_split",
    "pair_factors",
    "thermal_fields",
    "thermal_quadrature_degree",
    "unsupported_with_thermal",
]
