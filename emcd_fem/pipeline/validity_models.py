"""The re-solves behind "is EMCD valid here?": one function per fuller model.

Each function solves the same geometry with the other model of the pair (EMCD and the
fuller model) and returns a :class:`Comparison`: both flows of A per boundary, the fuller
model's flow of B when it is not equimolar, and both flux expressions for the local
deviation field. Used by :mod:`emcd_fem.pipeline.validity_run`; collective.

* ``[thermal]`` → the run itself is the fuller (Soret) model; EMCD is the same case
  without ``[thermal]`` (same c, D at their reference values, same conditions).
* A free gas, or a porous one with equal molar masses, at uniform T → the binary
  Maxwell–Stefan model (``models.multicomponent``, n = 2, Σ N_i = 0), which is EMCD
  itself: the deviation is the solvers' tolerance.
* ``flux_model = "stefan"`` → the run is the fuller model; EMCD is the same film with
  ν = 1 (N_B = −N_A), the same open end and the same wall state or rate.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ufl
from dolfinx import fem

from emcd_fem.case import Case, MoleFractionBC, ZeroFluxBC
from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.porous import DustyGas, PorousMedium
from emcd_fem.materials.viscosity import mixture_viscosity
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.dusty_gas import BoundaryState, DustyGasModel
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.stefan import StefanFilm
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.post.integrals import partition_boundary_dofs, reaction_fluxes

#: Relative pressure variation of the dusty-gas re-solve written as an exact 0 (roundoff).
PRESSURE_ROUNDOFF: float = 1e-9


@dataclass(frozen=True)
class Comparison:
    """EMCD next to a fuller model on the same mesh.

    Attributes:
        model: The fuller model's name, e.g. ``"soret"``.
        description: One sentence: what was solved and why it is the fuller model.
        emcd_flux: Boundary → outward flow of A in EMCD [mol/s; per unit depth in 2D; per
            unit area in 1D].
        full_flux_a: Boundary → outward flow of A in the fuller model [same units].
        full_flux_b: Boundary → outward flow of B in the fuller model, or None when it
            keeps N_B = −N_A.
        emcd_vector: N_A of EMCD (UFL) [mol/(m^2 s)], or None (uniform 1D film).
        full_vector: N_A of the fuller model (UFL), or None.
        extra: Model-specific entries for the summary (e.g. the Soret/Fick split).
    """

    model: str
    description: str
    emcd_flux: dict[str, float]
    full_flux_a: dict[str, float]
    full_flux_b: dict[str, float] | None
    emcd_vector: ufl.core.expr.Expr | None
    full_vector: ufl.core.expr.Expr | None
    extra: dict[str, Any]


def soret_comparison(
    case: Case,
    domain: Domain,
    model: SpeciesTransportModel,
    solution: Any,
    build_model: Callable[[Case, Domain], SpeciesTransportModel],
) -> Comparison:
    """The Soret run (``model``, ``solution``) against the isothermal EMCD re-solve.

    The deviation of a Dirichlet boundary Γ_i is exactly the thermal part of the flux
    weighted by the boundary's discrete influence function φ_i (EMCD-harmonic, 1 on Γ_i,
    0 on the other mole-fraction boundaries): q_Soret − q_EMCD = ∫ ∇φ_i · N_thermal dx,
    because the Fickian parts of both solutions give the same weighted integral (their
    difference vanishes on the mole-fraction boundaries). In a 1D slab φ_i is linear and
    the deviation is the mean of the thermal flux over the slab; the boundary-local split
    (``flux_split``, the thermal part at the boundary itself) differs from it wherever
    x_A (1 − x_A) ∇T varies. Both are reported.
    """
    emcd_model = build_model(case.model_copy(update={"thermal": None}), domain)
    emcd = emcd_model.solve()
    fick_emcd, _ = emcd_model.fluxes(emcd.potential)
    fick, thermal = model.fluxes(solution.potential)
    return Comparison(
        model="soret",
        description=(
            "the run itself (thermal diffusion, N_A = −c D (∇x_A + S_T x_A x_B ∇T)) against "
            "isothermal EMCD re-solved with the same c, D and conditions without [thermal]"
        ),
        emcd_flux=dict(emcd.boundary_flux),
        full_flux_a=dict(solution.boundary_flux),
        full_flux_b=None,
        emcd_vector=fick_emcd,
        full_vector=fick if thermal is None else fick + thermal,
        extra={
            "soret_split_at_boundary": {
                n: dict(part) for n, part in sorted(solution.flux_split.items())
            },
            "note": (
                "relative_deviation compares whole flows; q_Soret − q_EMCD is the thermal "
                "flux weighted by the boundary's influence function (its mean over a 1D "
                "slab), not the thermal part at the boundary (soret_split_at_boundary)"
            ),
        },
    )


def maxwell_stefan_problem(case: Case, domain: Domain, model: SpeciesTransportModel) -> str | None:
    """None when the binary Maxwell–Stefan model can re-solve the case, else why not.

    It takes mole fractions on boundaries (impermeable elsewhere) and one c, Đ per region:
    no flux or mass-transfer data, no films or partition coefficients, no reactions (a
    constant source R_A is the mole-balanced pair R_A, R_B = −R_A there).
    """
    if any(not isinstance(b, MoleFractionBC | ZeroFluxBC) for b in case.boundaries.values()):
        return "it takes only mole-fraction and zero-flux boundaries"
    if not any(isinstance(b, MoleFractionBC) for b in case.boundaries.values()):
        return "it needs at least one mole-fraction boundary"
    if model.films or any(h != 1.0 for h in model.solubility.values()):
        return "it has no films or partition coefficients"
    if case.reactions:
        return "its sources are constant rates, not reactions"
    return None


def maxwell_stefan_comparison(
    case: Case,
    domain: Domain,
    model: SpeciesTransportModel,
    solution: Any,
    materials: Mapping[str, Any],
) -> Comparison:
    """The EMCD run against the binary Maxwell–Stefan model (n = 2, Σ N_i = 0).

    Binary Maxwell–Stefan with zero net molar flux is x_B N_A − x_A N_B = −c Đ ∇x_A with
    N_B = −N_A, i.e. N_A = −c Đ ∇x_A: EMCD's law. The two solves differ only by their
    solvers (Newton with LU here, the run's linear solver there).

    Args:
        case: The case (mole-fraction boundaries).
        domain: The run's domain.
        model: The run's model.
        solution: The run's solution.
        materials: Region → :class:`~emcd_fem.materials.Material` (c, effective D).
    """
    mixtures = {
        region: GasMixture(
            ("A", "B"),
            {("A", "B"): m.diffusivity},
            concentration=m.concentration,
            name=case.material_of(region),
        )
        for region, m in sorted(materials.items())
    }
    compositions = {
        name: {"A": b.value, "B": 1.0 - b.value}
        for name, b in sorted(case.boundaries.items())
        if isinstance(b, MoleFractionBC)
    }
    rate = case.physics.source  # R_A [mol/(m^3 s)] everywhere, R_B = −R_A: mole-balanced
    sources = {region: {"A": rate, "B": -rate} for region in sorted(materials)} if rate else None
    ms_model = MaxwellStefanModel(
        domain, mixtures, compositions, degree=case.discretisation.degree, sources=sources
    )
    # the same discrete boundary data as the run: where two mole-fraction boundaries share
    # a DOF (a corner) the run kept one of the two values, the Maxwell–Stefan model (its
    # boundaries in sorted order) might keep the other; copying the run's nodal x_A into
    # every boundary value makes the two discrete problems identical
    same = fem.Function(ms_model.space)
    x_run = model.potentials[0]  # one block, H = 1 (maxwell_stefan_problem): μ = x_A
    same.interpolate(
        fem.Expression(ufl.as_vector([x_run]), ms_model.space.element.interpolation_points)
    )
    for bc in ms_model.dirichlet_bcs:
        bc.g.x.array[:] = same.x.array
    ms = ms_model.solve()
    fick, _ = model.fluxes(solution.potential)
    # a DOF shared by two mole-fraction boundaries (a corner) carries one reaction, given to
    # the first boundary that claims it: the run's order (the case's), here too
    names = [n for n, b in case.boundaries.items() if isinstance(b, MoleFractionBC)]
    dofs = partition_boundary_dofs(ms_model.space, domain, names)
    flux_a = reaction_fluxes(fem.form(ms_model.residual_form), dofs)
    return Comparison(
        model="maxwell_stefan",
        description=(
            "the binary Maxwell–Stefan model (n = 2, bootstrap Σ N_i = 0) on the same mesh: "
            "the fuller model of a free gas (or of pores with equal molar masses) at uniform "
            "T and P"
        ),
        emcd_flux=dict(solution.boundary_flux),
        full_flux_a={n: flux_a.get(n, 0.0) for n in solution.boundary_flux},
        # the bootstrap Σ N_i = 0 (and R_B = −R_A) makes q_B = −q_A on every boundary
        full_flux_b={n: -flux_a.get(n, 0.0) for n in solution.boundary_flux},
        emcd_vector=fick,
        full_vector=ms_model.fluxes[ms_model.species.index("A")],
        extra={
            "newton_iterations": ms.iterations,
            "maxwell_stefan_imbalance": dict(ms.imbalance),
        },
    )


def stefan_comparison(
    film: StefanFilm, solution: Any, case: Case, domain: Domain, open_end: str, wall: str
) -> Comparison:
    """The Stefan-flow film (``film``, ``solution``) against the same film with ν = 1 (EMCD).

    The EMCD film keeps the open end, and the wall's mole fraction or its first-order rate
    k_s: with a rate the wall state of the two models differs, as it would in reality.
    """
    emcd = StefanFilm(
        domain,
        film.material,
        1.0,
        film.x_0,
        open_end=open_end,
        wall=wall,
        x_wall=film.x_wall,
        k_s=film.k_s,
        degree=case.discretisation.degree,
    ).solve()
    nu = film.nu
    full_b = -nu * solution.flux_A  # N_B along +z (from the open end to the wall)
    return Comparison(
        model="stefan",
        description=(
            f"the run itself (Stefan flow, A -> {nu:g} B at the wall: N_B = −ν N_A, "
            "N_A = −c D x_A'/(1 − (1 − ν) x_A)) against the same film with ν = 1 (EMCD)"
        ),
        emcd_flux={open_end: -emcd.flux_A, wall: emcd.flux_A},
        full_flux_a={open_end: -solution.flux_A, wall: solution.flux_A},
        full_flux_b={open_end: -full_b, wall: full_b},
        emcd_vector=None,
        full_vector=None,
        extra={"nu": nu, "emcd_x_wall": emcd.x_wall, "stefan_x_wall": solution.x_wall},
    )


def dusty_gas_problem(case: Case, regions: list[str]) -> str | None:
    """None when the dusty-gas model can re-solve the case, else what is missing (key paths).

    It needs every region porous with a pore diameter, one gas (the same T, P or c, and
    D_AB or gases in every region), mole-fraction boundaries at that pressure (closed
    elsewhere), no films, partitions or constant source.
    """
    free = [
        r
        for r in regions
        if (s := case.materials[case.material_of(r)]).porosity == 1
        and s.tortuosity == 1
        and s.pore_diameter is None
    ]
    if free:
        return f"it covers porous media only, and the regions {free} are free gas"
    missing = []
    for region in regions:
        name = case.material_of(region)
        spec = case.materials[name]
        if spec.pore_diameter is None:
            missing.append(f"materials.{name}.pore_diameter (the dusty-gas model's pores)")
        if spec.T is None:
            missing.append(f"materials.{name}.T (Knudsen diffusivities need T)")
        if spec.P is None and spec.c is None:
            missing.append(f"materials.{name}.P")
        if spec.D is None and spec.gases is None:
            missing.append(f"materials.{name}.D or gases")
        if spec.gases is None:
            missing.append(f"materials.{name}.gases (the mixture viscosity)")
    if missing:
        return "add " + ", ".join(missing)
    keys = {
        (
            spec.T,
            spec.P,
            spec.c,
            spec.D,
            tuple(spec.gases),
        )
        for spec in (case.materials[case.material_of(r)] for r in regions)
    }
    if len(keys) != 1:
        return "its regions must hold one gas (the same T, P, c, D and gases in every material)"
    if any(not isinstance(b, MoleFractionBC | ZeroFluxBC) for b in case.boundaries.values()):
        return "it takes only mole-fraction (open, at the gas pressure) and zero-flux boundaries"
    if case.interfaces or case.physics.source != 0:
        return "it has no films, partition coefficients or constant source"
    return None


def dusty_gas_comparison(
    case: Case,
    domain: Domain,
    model: SpeciesTransportModel,
    solution: Any,
    resolved: Mapping[str, Any],
    reactions: Any,
) -> tuple[Comparison, fem.Function]:
    """The EMCD run against the dusty-gas model (pressure unknown) on the same mesh.

    The gas: Đ_AB of the material (given, or Chapman–Enskog) at its c; M_A, M_B of its
    gases; μ by Chapman–Enskog and Wilke at the mean composition of the mole-fraction
    boundaries (``materials.viscosity``). Every mole-fraction boundary is open at the
    material's pressure P (or c R T) with x_A = value. Returns the comparison and the
    pressure rise p − P [Pa] as a field.

    Args:
        case: The case (:func:`dusty_gas_problem` is None).
        domain: The run's domain.
        model: The run's model.
        solution: The run's solution.
        resolved: Region → :class:`~emcd_fem.materials.properties.ResolvedMaterial`.
        reactions: The run's reactions (``case.check_reactions.build_reactions``).
    """
    regions = sorted(domain.regions)
    spec = case.materials[case.material_of(regions[0])]
    material = resolved[regions[0]]
    c = material.material.concentration
    d_ab = spec.D if spec.D is not None else material.diagnostics["D_AB_chapman_enskog"]
    gas_a, gas_b = spec.gases
    m_a, m_b = (kt.gas(g).molar_mass for g in (gas_a, gas_b))
    open_ends = {n: b.value for n, b in case.boundaries.items() if isinstance(b, MoleFractionBC)}
    x_mean = sum(open_ends.values()) / len(open_ends)
    mu = mixture_viscosity({gas_a: x_mean, gas_b: 1.0 - x_mean}, spec.T)
    pressure = c * GAS_CONSTANT * spec.T
    gas = DustyGas(
        GasMixture(("A", "B"), {("A", "B"): d_ab}, c, name=gas_a + "/" + gas_b),
        {"A": m_a, "B": m_b},
        mu,
    )
    media = {
        r: PorousMedium(
            case.materials[case.material_of(r)].porosity,
            case.materials[case.material_of(r)].tortuosity,
            case.materials[case.material_of(r)].pore_diameter,
            name=case.material_of(r),
        )
        for r in regions
    }
    states = {
        n: BoundaryState(pressure, {"A": x, "B": 1.0 - x}) for n, x in sorted(open_ends.items())
    }
    dgm = DustyGasModel(
        domain,
        media,
        gas,
        states,
        temperature=spec.T,
        reactions=list(reactions),
        degree=case.discretisation.degree,
    )
    result = dgm.solve()
    fick, _ = model.fluxes(solution.potential)
    # the pressure built up over the open boundaries' pressure (a 1e-4 rise on 1 atm would
    # not show on a colour bar of p itself)
    p = fem.Function(result.pressure.function_space, name="dusty_gas_pressure_rise")
    low, high = result.pressure_range  # over all ranks
    uniform = max(abs(high - pressure), abs(low - pressure)) <= PRESSURE_ROUNDOFF * pressure
    p.x.array[:] = 0.0 if uniform else result.pressure.x.array - pressure
    return Comparison(
        model="dusty_gas",
        description=(
            "the dusty-gas model (Knudsen + molecular diffusion + viscous flow, pressure "
            "unknown; models.dusty_gas) on the same mesh, every open boundary at the "
            f"material's pressure {pressure:.6g} Pa"
        ),
        emcd_flux=dict(solution.boundary_flux),
        full_flux_a={n: result.boundary_flux["A"].get(n, 0.0) for n in solution.boundary_flux},
        full_flux_b={n: result.boundary_flux["B"].get(n, 0.0) for n in solution.boundary_flux},
        emcd_vector=fick,
        full_vector=dgm.fluxes[dgm.species.index("A")],
        extra={
            "pressure_range": list(result.pressure_range),
            "pressure_uniform": uniform,
            "pressure_difference": {
                f"{a}|{b}": v for (a, b), v in sorted(result.pressure_difference.items())
            },
            "viscous_share": dict(result.viscous_share),
            "viscosity": mu,
            "viscosity_basis": "Chapman–Enskog + Wilke at the mean boundary composition",
            "newton_iterations": result.iterations,
        },
    ), p


__all__ = [
    "PRESSURE_ROUNDOFF",
    "Comparison",
    "dusty_gas_comparison",
    "dusty_gas_problem",
    "maxwell_stefan_comparison",
    "maxwell_stefan_problem",
    "soret_comparison",
    "stefan_comparison",
]
