"""The analytic references of a case's run: the 1D slab/shell solution and the film network.

:func:`analytic_summary` (layered slab, concentric shells: the closed form of
``pipeline.setup.analytic_reference``) and :func:`film_network` / :func:`film_reference`
(films at every interface of a slab or shells) put the reference fluxes next to the FE
boundary fluxes; :func:`reference_tolerance` says how far they may be apart (the measured
discretisation error). Used by every route of ``pipeline.run``; collective where noted.
"""

import itertools
from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from ufl.algorithms.renumbering import renumber_indices

from emcd_fem import analytic
from emcd_fem.case import Case, CylinderShells, LayeredSlab, SphereShells
from emcd_fem.materials import MaterialFields
from emcd_fem.mesh.domain import Domain
from emcd_fem.physics.conditions import MoleFraction, ZeroFlux
from emcd_fem.physics.emcd import molar_flux
from emcd_fem.pipeline.setup import (
    analytic_reference,
    build_boundary_conditions,
    build_materials,
    series_solubilities,
)
from emcd_fem.post import result_checks
from emcd_fem.post.facet_flux import (
    cell_field_boundary_fluxes,
    cellwise_constant,
    is_cell_vector_field,
)
from emcd_fem.post.integrals import tagged_integrals


def analytic_summary(case: Case, domain: Domain, solution: Any) -> dict[str, Any] | None:
    """The case's 1D closed form next to the FE boundary fluxes (None when there is none)."""
    reference = analytic_reference(case)
    if reference is None:
        return None
    if isinstance(reference, analytic.SlabSolution):
        scale = domain.slab.area if domain.slab is not None else 1.0
        summary: dict[str, Any] = {"flux_per_area": reference.flux, "cross_section": scale}
    else:
        scale = 1.0
        summary = {
            "rate": reference.rate,
            "resistances": list(reference.resistances),
            "units": "mol/s (mol/(m s) per unit depth for the 2D annulus)",
        }
    expected = {name: q * scale for name, q in reference.boundary_flux.items()}
    errors = {
        name: abs(solution.boundary_flux[name] - value) / abs(value)
        for name, value in expected.items()
        if value != 0.0
    }
    summary |= {
        "boundary_flux": expected,
        "relative_error": errors,
        "max_relative_error": max(errors.values(), default=0.0),
    }
    return summary


def reference_tolerance(
    case: Case,
    domain: Domain,
    summary: dict[str, Any],
    potential: ufl.core.expr.Expr,
    fields: MaterialFields,
    *,
    flux_field: tuple[ufl.core.expr.Expr, fem.Function] | None = None,
) -> dict[str, Any]:
    """How far the FE fluxes may be from the case's 1D reference (collective).

    The reported fluxes against the gradient fluxes of the same potential (the measured
    discretisation error), plus the meshed-circle error for shells; see
    :func:`emcd_fem.post.result_checks.reference_tolerance`.

    ``flux_field``: (N_A expression, its interpolant) when the run built the flux field.
    If the expression is this potential's N_A, constant in each straight simplex cell,
    and the field vector DG0 (P1 mole fraction), the field holds N_A exactly and the
    gradient fluxes are summed over the boundary facets from it (no form to compile);
    otherwise they are integrated (one form for all names).
    """
    names = list(summary["analytic"]["boundary_flux"])
    tags = {name: domain.boundary_tag(name) for name in names}
    flux = molar_flux(potential, fields)
    msh = domain.mesh
    if (
        flux_field is not None
        and renumber_indices(flux_field[0]) == renumber_indices(flux)  # the same N_A
        and is_cell_vector_field(flux_field[1], msh)
        and cellwise_constant(flux, msh)
    ):
        gradient = cell_field_boundary_fluxes(domain, flux_field[1], tags)
    else:
        normal_flux = ufl.dot(flux, ufl.FacetNormal(msh))
        gradient = tagged_integrals(msh, normal_flux, domain.ds, tags)  # one form
    g = case.geometry
    geometric = 0.0
    if isinstance(g, CylinderShells | SphereShells):
        geometric = result_checks.shell_geometry_error(
            "sphere" if isinstance(g, SphereShells) else "cylinder",
            g.radii,
            summary["mesh"]["boundary_measures"],
            height=g.height if isinstance(g, CylinderShells) and g.dim == 3 else 1.0,
        )
    reaction = {name: summary["boundary_flux"][name] for name in names}
    return result_checks.reference_tolerance(reaction, gradient, geometric)


def film_network(case: Case) -> dict[str, Any] | None:
    """The film resistance network of a case, when one applies.

    For a layered slab or concentric shells with mole fractions at both ends, zero flux
    elsewhere and a film at every interface: the network flux (slab: per unit area,
    shells: the rate), the end names, the area scale and, for slabs, the exact profile
    x_A(points) with its jumps (:func:`analytic.film_slab`). None otherwise.
    """
    g = case.geometry
    if isinstance(g, LayeredSlab):
        ends, kind = ("left", "right"), "slab"
    elif isinstance(g, CylinderShells | SphereShells):
        ends, kind = ("inner", "outer"), "cylinder" if isinstance(g, CylinderShells) else "sphere"
    else:
        return None
    conditions = build_boundary_conditions(case)
    first, last = (conditions.get(e) for e in ends)
    if not (isinstance(first, MoleFraction) and isinstance(last, MoleFraction)):
        return None
    if any(not isinstance(bc, ZeroFlux) for n, bc in conditions.items() if n not in ends):
        return None
    regions = g.region_names()
    by_materials = {tuple(spec.materials): spec for spec in case.interfaces}
    h = np.ones(len(regions)) if (s := series_solubilities(case)) is None else np.asarray(s)
    films = []  # k of each film oriented inside out: written [right, left], k_lr = k_rl H_r/H_l
    for i, (a, b) in enumerate(itertools.pairwise(regions)):
        pair = (case.material_of(a), case.material_of(b))
        spec, swap = by_materials.get(pair), 1.0
        if spec is None and pair[::-1] in by_materials:
            spec, swap = by_materials[pair[::-1]], h[i + 1] / h[i]
        if spec is None or spec.film is None:
            return None
        films.append(spec.film * swap)
    materials = [build_materials(case)[r] for r in regions]
    if kind == "slab":
        thick = [layer.thickness for layer in g.layers]
        flux, jumps = analytic.film_slab(
            thick, materials, first.value, last.value, films, solubilities=list(h)
        )
        edges = np.concatenate([[0.0], np.cumsum(thick)])
        starts = np.array([first.value / h[0], *(right for _, right in jumps)])
        slopes = np.array([flux / (m.concentration * m.diffusivity) for m in materials]) / h

        def profile(points: np.ndarray) -> np.ndarray:
            z = np.asarray(points)[:, 0]
            i = np.clip(np.searchsorted(edges, z, side="right") - 1, 0, len(thick) - 1)
            return h[i] * (starts[i] - slopes[i] * (z - edges[i]))

        scale = (g.width if g.dim >= 2 else 1.0) * (g.depth if g.dim == 3 else 1.0)
        return {"flux": flux, "ends": ends, "scale": scale, "profile": profile}
    height = g.height if (kind == "cylinder" and g.dim == 3) else 1.0
    flux = analytic.film_shells(
        kind, g.radii, materials, first.value, last.value, films, height=height, solubilities=h
    )
    return {"flux": flux, "ends": ends, "scale": 1.0, "profile": None}


def film_reference(network: dict[str, Any] | None, solution: Any) -> dict[str, Any] | None:
    """Film resistance network flux next to the FE boundary fluxes (None without one)."""
    if network is None:
        return None
    flux, (first, last), scale = network["flux"], network["ends"], network["scale"]
    expected = {first: -flux * scale, last: flux * scale}
    errors = {n: abs(solution.boundary_flux[n] - v) / abs(v) for n, v in expected.items()}
    return {
        "network_flux": flux,
        "boundary_flux": expected,
        "relative_error": errors,
        "max_relative_error": max(errors.values()),
    }


__all__ = ["analytic_summary", "film_network", "film_reference", "reference_tolerance"]
