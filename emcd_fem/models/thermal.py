"""Steady heat conduction in a composite: temperature conditions by name, contact resistances.

Usage::

    problem = HeatConductionProblem(
        domain,
        conductivity={"wall": 1.4, "insulation": 0.04},           # W/(m K)
        boundary_conditions={"left": Temperature(320.0), "right": Convective(10.0, 290.0)},
        contact_resistance={("wall", "insulation"): 1e-3},         # m^2 K/W
    )
    solution = problem.solve()
    solution.heat_flow["right"]      # outward, W (3D), W/m (2D), W/m^2 (1D)

Sign convention as for species: the boundary heat flow is ∫ q·n ds with n the outward
normal, > 0 when heat leaves the domain. Boundaries not named are insulated.
"""

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

from emcd_fem.errors import AdmissibilityError, EmcdInputError
from emcd_fem.materials.partition import adjacent_regions
from emcd_fem.mesh.domain import Domain
from emcd_fem.mesh.quadrature import pin_quadrature, tested_residual
from emcd_fem.physics.conditions import (
    BoundaryCondition,
    LinearExchange,
    PrescribedOutwardFlux,
    finite_number,
)
from emcd_fem.physics.heat import conduction_forms, sipg_forms
from emcd_fem.post.integrals import integrate, owned_range, partition_boundary_dofs, reaction_fluxes
from emcd_fem.solvers import linear as solver_mod

_ids = itertools.count()


def _temperature(owner: str, key: str, value: object) -> float:
    value = finite_number(owner, key, value)
    if value <= 0:
        raise AdmissibilityError(f"{owner}.{key} = {value:g} K: temperatures must be > 0 K")
    return value


# -- boundary conditions -------------------------------------------------------------------
@dataclass(frozen=True)
class Insulated(BoundaryCondition):
    """Adiabatic boundary, q·n = 0 (the default on every unnamed boundary)."""

    kind: ClassVar[str] = "insulated"
    prescribes_flux: ClassVar[bool] = True


@dataclass(frozen=True)
class Temperature(BoundaryCondition):
    """Fixed temperature.

    Attributes:
        value: T on the boundary [K], > 0: a number or a callable ``f(x)`` of the
            coordinates (shape (3, n), m) returning n values.
    """

    value: float | Callable
    kind: ClassVar[str] = "temperature"
    is_dirichlet: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not callable(self.value):
            _temperature("temperature", "value", self.value)

    def outward_flux(self, x, k):  # noqa: D102
        return None


@dataclass(frozen=True)
class HeatFlux(PrescribedOutwardFlux):
    """Prescribed outward heat flux q·n [W/m^2]; > 0: heat leaves the domain."""

    kind: ClassVar[str] = "heat_flux"


@dataclass(frozen=True)
class Convective(LinearExchange):
    """Newton cooling q·n = h (T − T_∞).

    Attributes:
        coefficient: Heat-transfer coefficient h [W/(m^2 K)], > 0.
        ambient: Ambient temperature T_∞ [K], > 0.
    """

    kind: ClassVar[str] = "convective"

    def __post_init__(self) -> None:
        if finite_number("convective", "coefficient", self.coefficient) <= 0:
            raise EmcdInputError(
                f"convective.coefficient must be > 0 W/(m^2 K), got {self.coefficient!r} "
                "(use insulated or heat_flux instead)"
            )
        _temperature("convective", "ambient", self.ambient)


THERMAL_CONDITIONS = (Temperature, HeatFlux, Convective, Insulated)


@dataclass(frozen=True)
class ThermalSolution:
    """Result of a heat-conduction solve.

    Attributes:
        temperature: T [K] (Lagrange, or DG with contact resistances).
        heat_flow: Boundary → outward heat flow ∫ q·n ds [W in 3D, W/m in 2D, W/m^2 in 1D].
        balance: |Σ heat_flow − ∫ Q dx| / (Σ |heat_flow| + |∫ Q dx|).
        solver: The linear solver report.
        t_min: Smallest nodal temperature [K]. t_max: Largest.
    """

    temperature: fem.Function
    heat_flow: dict[str, float]
    balance: float
    solver: Any
    t_min: float
    t_max: float


def _region_field(domain: Domain, values: Mapping[str, float], name: str) -> fem.Function:
    field = fem.Function(fem.functionspace(domain.mesh, ("DG", 0)), name=name)
    for region, value in values.items():
        cells = domain.cell_tags.find(domain.regions[region])
        field.x.array[field.function_space.dofmap.list[cells, 0]] = value
    field.x.scatter_forward()
    return field


def positive_region_field(
    domain: Domain,
    values: Mapping[str, float],
    name: str,
    quantity: str,
    unit: str,
    missing_hint: str,
) -> fem.Function:
    """DG0 field named ``name`` from region → value; every region, each finite and > 0.

    Args:
        domain: The domain (its regions must all be given).
        values: Region → value [``unit``].
        name: The field's name.
        quantity: What the values are, for messages (e.g. "thermal conductivity").
        unit: Their SI unit, for messages.
        missing_hint: What to do when regions are missing.

    Raises:
        EmcdInputError: an unknown region, a value that is not a finite number > 0, or a
            region without a value.
    """
    for region, value in values.items():
        domain.region_tag(region)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value <= 0
        ):
            raise EmcdInputError(
                f"{quantity} of region {region!r} must be a finite number > 0 {unit}, got {value!r}"
            )
    missing = sorted(set(domain.regions) - set(values))
    if missing:
        raise EmcdInputError(f"no {quantity} for region(s) {missing}: {missing_hint}")
    return _region_field(domain, values, name)


def conductivity_field(domain: Domain, conductivity: Mapping[str, float]) -> fem.Function:
    """DG0 field of k [W/(m K)] from region → k; every region needs a finite k > 0."""
    return positive_region_field(
        domain,
        conductivity,
        "thermal_conductivity",
        "thermal conductivity",
        "W/(m K)",
        "give k [W/(m K)] for every region",
    )


def _interior_facet_tags(
    domain: Domain, contact: Mapping[tuple[str, str], float]
) -> tuple[dmesh.MeshTags, int, dict[int, float]]:
    """Tags of interior facets: 1 (perfect contact) or one tag per resisted region pair."""
    msh = domain.mesh
    tdim = msh.topology.dim
    msh.topology.create_connectivity(tdim - 1, tdim)
    f2c = msh.topology.connectivity(tdim - 1, tdim)
    imap = msh.topology.index_map(tdim - 1)
    n_facets = imap.size_local + imap.num_ghosts
    offsets = f2c.offsets[: n_facets + 1]
    interior = np.flatnonzero(np.diff(offsets) == 2).astype(np.int32)
    cell_tag = domain.local_cell_tags()
    first = cell_tag[f2c.array[offsets[interior]]]
    second = cell_tag[f2c.array[offsets[interior] + 1]]
    values = np.ones(len(interior), dtype=np.int32)
    conductances = {}
    for i, ((a, b), resistance) in enumerate(contact.items()):
        tag = i + 2
        ta, tb = domain.regions[a], domain.regions[b]
        pair = ((first == ta) & (second == tb)) | ((first == tb) & (second == ta))
        values[pair] = tag
        conductances[tag] = 1.0 / resistance
    return dmesh.meshtags(msh, tdim - 1, interior, values), 1, conductances


class HeatConductionProblem:
    """Steady heat conduction −∇·(k ∇T) = Q in a composite.

    Args:
        domain: The domain.
        conductivity: Region → thermal conductivity k [W/(m K)], every region, > 0.
        boundary_conditions: Boundary → :class:`Temperature`, :class:`HeatFlux`,
            :class:`Convective` or :class:`Insulated` (default for unnamed boundaries).
        degree: Polynomial degree of T.
        source: Volumetric heat source Q [W/m^3] (number or UFL expression).
        contact_resistance: (region a, region b) → thermal contact resistance R_c
            [m^2 K/W] > 0 of their interface (T jumps by R_c q·n there); other interfaces
            conduct perfectly. With any, T is discontinuous Galerkin (SIPG), which needs
            the ghost layer of built-in or gmsh domains (not refined ones).
        petsc_options: Linear-solver options (defaults as for the species problem).

    Note:
        Collective on the mesh communicator.
    """

    def __init__(
        self,
        domain: Domain,
        conductivity: Mapping[str, float],
        boundary_conditions: Mapping[str, BoundaryCondition],
        *,
        degree: int = 1,
        source: float | ufl.core.expr.Expr = 0.0,
        contact_resistance: Mapping[tuple[str, str], float] | None = None,
        petsc_options: Mapping[str, Any] | None = None,
    ) -> None:
        if degree not in (1, 2, 3):
            raise EmcdInputError(f"degree must be 1, 2 or 3, got {degree!r}")
        self.domain = domain
        self.conductivity = conductivity_field(domain, conductivity)
        conditions: dict[str, BoundaryCondition] = {}
        for name, bc in boundary_conditions.items():
            domain.boundary_tag(name)
            if not isinstance(bc, THERMAL_CONDITIONS):
                raise EmcdInputError(
                    f"thermal boundary {name!r}: expected Temperature, HeatFlux, Convective or "
                    f"Insulated, got {type(bc).__name__}"
                )
            conditions[name] = bc
        for name in domain.boundaries:
            conditions.setdefault(name, Insulated())
        if not any(isinstance(bc, Temperature | Convective) for bc in conditions.values()):
            raise EmcdInputError(
                "the temperature is fixed only up to a constant: give at least one boundary a "
                "temperature or convective condition"
            )
        self.boundary_conditions = conditions
        # one order on every rank: the pairs number the interface tags of collective forms
        contact = dict(sorted((contact_resistance or {}).items()))
        touching = adjacent_regions(domain) if contact else []
        for (a, b), resistance in contact.items():
            domain.region_tag(a)
            domain.region_tag(b)
            if tuple(sorted((a, b))) not in touching:
                raise EmcdInputError(f"regions {a!r} and {b!r} do not share an interface")
            if (
                not isinstance(resistance, int | float)
                or not math.isfinite(resistance)
                or resistance <= 0
            ):
                raise EmcdInputError(
                    f"contact resistance of {a!r}|{b!r} must be a finite number > 0 m^2 K/W, "
                    f"got {resistance!r} (leave the pair out for perfect contact)"
                )
        self.discontinuous = bool(contact)
        msh = domain.mesh
        family = "DG" if self.discontinuous else "Lagrange"
        V = fem.functionspace(msh, (family, degree))
        self.temperature = fem.Function(V, name="temperature")
        if isinstance(source, int | float):
            source = fem.Constant(msh, float(source))
        self.source = source
        self._constants = {n: bc.bind(V) for n, bc in conditions.items()}
        dirichlet = [n for n, bc in conditions.items() if bc.is_dirichlet]
        for n in dirichlet:  # callables: check their values on the boundary
            value = self._constants[n]["value"]
            if isinstance(value, fem.Function):
                facets = domain.facet_tags.find(domain.boundaries[n])
                dofs = fem.locate_dofs_topological(V, msh.topology.dim - 1, facets)
                low = msh.comm.allreduce(
                    float(value.x.array[dofs].min()) if dofs.size else np.inf, op=MPI.MIN
                )
                if low <= 0:
                    raise AdmissibilityError(
                        f"thermal boundary {n!r}: the prescribed temperature reaches {low:g} K <= 0"
                    )
        T = self.temperature
        if self.discontinuous:
            tags, continuous, conductances = _interior_facet_tags(domain, contact)
            dS = ufl.Measure("dS", domain=msh, subdomain_data=tags)
            a, L = sipg_forms(
                domain,
                self.conductivity,
                T,
                conditions,
                self._constants,
                source,
                dS,
                continuous,
                {t: fem.Constant(msh, g) for t, g in conductances.items()},
            )
            a, L = pin_quadrature(a), pin_quadrature(L)  # post-processing: same rules
            bcs = []
            self._reaction = None
            # Dirichlet flows: a(T, 1) − L(1) on the boundary, i.e. the Nitsche flux
            # (physics.heat.nitsche_flux) with the solve's quadrature (below)
            self._flux_forms = {}
        else:
            a, L = conduction_forms(
                domain, self.conductivity, T, conditions, self._constants, source
            )
            a, L = pin_quadrature(a), pin_quadrature(L)  # post-processing: same rules
            bcs = []
            for n in dirichlet:
                value = self._constants[n]["value"]
                facets = domain.facet_tags.find(domain.boundaries[n])
                dofs = fem.locate_dofs_topological(V, msh.topology.dim - 1, facets)
                extra = (V,) if isinstance(value, fem.Constant) else ()
                bcs.append(fem.dirichletbc(value, dofs, *extra))
            self._reaction = (
                fem.form(ufl.action(a, T) - L),
                partition_boundary_dofs(V, domain, dirichlet),
            )
            self._flux_forms = {}
        # boundary heat flows and the source as the solve's residual tested with 1 (its
        # quadrature: the balance closes to round-off on curved cells too)
        one = fem.Function(V)
        one.x.array[:] = 1.0
        for n, bc in conditions.items():
            tag = domain.boundaries[n]
            if bc.is_dirichlet and not self.discontinuous:
                continue
            flow = tested_residual(a, L, "exterior_facet", tag, T, one)
            if flow is not None:
                self._flux_forms[n] = fem.form(flow)
            elif n not in self._flux_forms:  # insulated
                self._flux_forms[n] = fem.form(
                    bc.outward_flux(T, self._constants[n]) * domain.ds(tag)
                )
        produced = tested_residual(None, L, "cell", "everywhere", T, one)
        self._source_form = fem.form(-produced if produced is not None else source * domain.dx)
        self._forms = (a, L)
        options = solver_mod.merge_petsc_options(V.dofmap.index_map.size_global, petsc_options)
        self._problem = solver_mod.linear_problem(
            a, L, T, bcs, prefix=f"emcd_heat_{next(_ids)}_", petsc_options=options
        )

    @property
    def forms(self) -> tuple[ufl.Form, ufl.Form]:
        """The bilinear and linear forms (a(T, w), L(w)) of the heat problem."""
        return self._forms

    @property
    def bound_values(self) -> dict[str, dict[str, Any]]:
        """Boundary → the condition's values as form coefficients (Constants, Functions)."""
        return self._constants

    @property
    def bcs(self) -> list[fem.DirichletBC]:
        """Strong Dirichlet conditions (empty for the SIPG discretisation)."""
        return list(self._problem.bcs)

    def initial_guess(self) -> float:
        """A uniform temperature from the data [K]: the mean of the fixed and ambient ones."""
        values = []
        for name, bc in self.boundary_conditions.items():
            value = self._constants[name].get("ambient", self._constants[name].get("value"))
            if isinstance(bc, Temperature | Convective) and isinstance(value, fem.Constant):
                values.append(float(value.value))
            elif isinstance(bc, Temperature):
                values.append(owned_range(value)[1])
        return float(np.mean(values))

    def solve(self) -> ThermalSolution:
        """Solve for T and the boundary heat flows (collective)."""
        report = solver_mod.solve_linear(
            self._problem, what="temperature", flux_scale=self._heat_flow_scale
        )
        return self.post_process(report)

    def _flows(self) -> tuple[dict[str, float], float]:
        """Boundary heat flows (user's order) and the produced heat of the current T."""
        flows = {}
        if self._reaction is not None:
            flows |= reaction_fluxes(*self._reaction)
        flows |= {n: integrate(f) for n, f in self._flux_forms.items()}
        return {n: flows[n] for n in self.boundary_conditions}, integrate(self._source_form)

    def _heat_flow_scale(self) -> float:
        """Σ|Q_Γ| + |∫q dx| [W]: the scale the solver's residual is judged against."""
        flows, produced = self._flows()
        return sum(abs(v) for v in flows.values()) + abs(produced)

    def post_process(self, report: Any = None) -> ThermalSolution:
        """Heat flows, balance and range of the current T (collective)."""
        T = self.temperature
        T.x.scatter_forward()
        flows, produced = self._flows()
        total = sum(flows.values())
        scale = sum(abs(v) for v in flows.values()) + abs(produced)
        balance = abs(total - produced) / scale if scale > 0 else 0.0
        t_min, t_max = owned_range(T)
        if t_min <= 0:
            raise AdmissibilityError(
                f"the computed temperature reaches {t_min:.4g} K <= 0: the heat-flux or source "
                "data remove more heat than the fixed temperatures can supply; check signs "
                "(heat_flux is outward positive) and magnitudes"
            )
        return ThermalSolution(
            temperature=T,
            heat_flow=flows,
            balance=balance,
            solver=report,
            t_min=t_min,
            t_max=t_max,
        )


__all__ = [
    "Convective",
    "HeatConductionProblem",
    "HeatFlux",
    "Insulated",
    "Temperature",
    "ThermalSolution",
    "conductivity_field",
    "positive_region_field",
]
