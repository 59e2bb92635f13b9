"""Reactions bound to a domain: the terms the species model adds, and their diagnostics.

:class:`ReactionTerms` checks the reactions against the domain (regions, boundaries, the
binary species, the R_T check of ``emcd_fem.materials.stoichiometry``) and hands
``models.assembly.residuals`` the production R_A of each region and the reacting-wall flux
N_A·n = −Σ ν_A r_s of each surface boundary (``emcd_fem.physics.reaction``). After the solve
:meth:`ReactionTerms.report` gives the equimolar verdict, the consumption per region and
wall, and per region the Thiele modulus and effectiveness factor of a first-order reversible
reaction with the slab, cylinder and sphere formulas alongside
(``emcd_fem.analytic.reactions``).
"""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.analytic.reactions import effectiveness_factor
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import MaterialFields
from emcd_fem.materials.partition import regions_on_boundary
from emcd_fem.materials.stoichiometry import Reaction, binary_coefficients, equimolar_problem
from emcd_fem.mesh.domain import Domain
from emcd_fem.mesh.quadrature import pin_quadrature
from emcd_fem.models.reacting_interfaces import (
    ReactingInterface,
    check_wall,
    on_interfaces,
    reacting_interface,
)
from emcd_fem.physics.conditions import BoundaryCondition, MoleFraction, ZeroFlux
from emcd_fem.physics.reaction import is_linear, mass_action_rate, rate_constants
from emcd_fem.post.integrals import integrate

#: How a failed Newton solve of a nonlinear rate is named, and what to do about it.
NEWTON_NAMES = {
    "what": "the reaction (Newton) solve",
    "advice": "check the rate constants and their units ([1/s] homogeneous, [m/s] on a wall), "
    "refine the mesh where the reaction layer is thin (large Thiele modulus)",
}


class ReactionTerms:
    """The reactions of a binary model on a domain.

    Args:
        domain: The domain.
        reactions: The reactions (homogeneous in regions, surface on boundaries).
        species: Names of (A, B) in the equations (default ``("A", "B")``).
        temperature: T [K] as UFL (needed by Arrhenius constants), or None.
        conditions: The model's boundary conditions: a reacting wall takes none (or
            zero flux); uniform mole-fraction boundaries are the open surfaces of η.
        films: (a, b) → k_ab of the model's films (a film makes x_A jump).
        solubility: Region → H (x_A = H μ; default 1 everywhere).
        materials: Region → material (its c; needed by reacting interfaces).

    A surface reaction whose ``boundary`` is an internal interface is a reacting interface
    (``models.reacting_interfaces``): ``side`` names the region whose x_A and c drive the
    rate, required where they jump.

    Raises:
        EmcdInputError: an unknown species, region or boundary, an Arrhenius reaction
            without a temperature, or a reaction with R_T ≠ 0 (the message names it, shows
            Δν and says which model to use).
    """

    def __init__(
        self,
        domain: Domain,
        reactions: Sequence[Reaction],
        species: tuple[str, str] = ("A", "B"),
        temperature: Any = None,
        conditions: Mapping[str, BoundaryCondition] | None = None,
        *,
        films: Mapping[tuple[str, str], float] | None = None,
        solubility: Mapping[str, float] | None = None,
        materials: Mapping[str, Any] | None = None,
    ) -> None:
        self.domain, self.species = domain, tuple(species)
        self.reactions = on_interfaces(domain, reactions)  # 'b|a' names the interface 'a|b'
        self.interfaces: dict[str, ReactingInterface] = {}
        if solubility is None:
            solubility = dict.fromkeys(domain.regions, 1.0)
        msh, dim = domain.mesh, domain.mesh.topology.dim
        self.nu_a: list[float] = []
        self.constants: list[tuple[fem.Constant, fem.Constant]] = []
        for r in self.reactions:
            if not isinstance(r, Reaction):
                raise EmcdInputError(f"reactions must be Reaction records, got {r!r}")
            nu_a, _ = binary_coefficients(r, self.species)
            problem = equimolar_problem(r, dim)
            if problem is not None:
                raise EmcdInputError(problem)
            for region in r.regions:
                domain.region_tag(region)  # raises with the known names
            if r.kind == "surface" and r.boundary in domain.interfaces:
                self._interface(r, films or {}, solubility, materials or {})
            elif r.kind == "surface":
                check_wall(domain, r)
            if r.arrhenius_A is not None and temperature is None:
                raise EmcdInputError(
                    f"reaction {r.label!r}: Arrhenius constants need a temperature ([thermal])"
                )
            values = r.arrhenius_A if r.arrhenius_A is not None else (r.k_f, r.k_b)
            self.constants.append(tuple(fem.Constant(msh, float(v)) for v in values))
            self.nu_a.append(nu_a)
        conditions = dict(conditions or {})
        for wall in self.walls():
            if wall in conditions and not isinstance(conditions[wall], ZeroFlux):
                raise EmcdInputError(
                    f"boundary {wall!r} is a reacting wall: its flux is the reaction rate, so "
                    f"it takes no other condition (remove its {conditions[wall].describe()})"
                )
        self.surface_values = {
            n: float(bc.value)
            for n, bc in sorted(conditions.items())
            if isinstance(bc, MoleFraction) and isinstance(bc.value, int | float)
        }
        self.temperature = temperature
        self.linear = all(is_linear(r) for r in self.reactions)

    def _interface(
        self, r: Reaction, films: Mapping, solubility: Mapping, materials: Mapping
    ) -> None:
        """Orient the interface of a surface reaction (one side per interface)."""
        known = self.interfaces.get(r.boundary)
        if known is None:
            c = {n: m.concentration for n, m in materials.items()}
            self.interfaces[r.boundary] = reacting_interface(
                self.domain, r.boundary, r.side, solubility, films, c, r.label
            )
            return
        if (r.side is not None and r.side != known.plus) or (r.side is None and known.jump):
            raise EmcdInputError(
                f"reaction {r.label!r}: the reactions on interface {r.boundary!r} must name "
                f"the same side (another one uses side = {known.plus!r})"
            )

    def interface_flux(
        self, name: str, x: ufl.core.expr.Expr, fields: MaterialFields
    ) -> ufl.core.expr.Expr:
        """The consumption −Σ ν_A r_s [mol/(m^2 s)] on an interface, restricted to '+'.

        ``x`` is x_A of the '+' side's block (unrestricted); q is the A consumed there
        (the normal fluxes out of both sides into the interface).
        """
        return self.wall_flux(name, x, fields)("+")

    def _rate(self, j: int, x: ufl.core.expr.Expr, c: ufl.core.expr.Expr) -> ufl.core.expr.Expr:
        r = self.reactions[j]
        k_f, k_b = rate_constants(r, self.constants[j], self.temperature)
        a, b = self.species
        return mass_action_rate(r, {a: x, b: 1 - x}, c, k_f, k_b)

    def production(
        self, region: str, x: ufl.core.expr.Expr, fields: MaterialFields
    ) -> ufl.core.expr.Expr | None:
        """R_A = Σ ν_A r [mol/(m^3 s)] of the homogeneous reactions in a region (None: none)."""
        total = None
        for j, r in enumerate(self.reactions):
            if r.kind == "homogeneous" and (not r.regions or region in r.regions):
                term = self.nu_a[j] * self._rate(j, x, fields.concentration)
                total = term if total is None else total + term
        return total

    def walls(self) -> list[str]:
        """Exterior boundaries that carry a surface reaction, sorted."""
        return sorted(
            {
                r.boundary
                for r in self.reactions
                if r.kind == "surface" and r.boundary not in self.interfaces
            }
        )

    def wall_flux(
        self, boundary: str, x: ufl.core.expr.Expr, fields: MaterialFields
    ) -> ufl.core.expr.Expr:
        """N_A·n = −Σ ν_A r_s [mol/(m^2 s)] on a reacting wall (A consumed: outward > 0)."""
        total = ufl.as_ufl(0.0)
        for j, r in enumerate(self.reactions):
            if r.kind == "surface" and r.boundary == boundary:
                total = total - self.nu_a[j] * self._rate(j, x, fields.concentration)
        return total

    def wall_region(self, boundary: str) -> str:
        """The region a reacting wall bounds (collective); one region per wall."""
        regions = regions_on_boundary(self.domain, boundary)
        if len(regions) != 1:
            raise EmcdInputError(
                f"reacting wall {boundary!r} touches regions {regions}: split it by region"
            )
        return regions[0]

    def measured_forms(
        self,
        fields: MaterialFields,
        potentials: Sequence[fem.Function],
        block_of: Mapping[str, int],
        entity_maps: Any = None,
        dS: ufl.Measure | None = None,
        interface_ids: Mapping[str, int] | None = None,
    ) -> tuple[fem.Form, dict[str, fem.Form]]:
        """Compiled ∫R_A dx [mol/s] and reacting wall → ∫N_A·n ds [mol/s] of the potentials.

        The reacting terms of ``models.assembly.residuals`` on the block potentials μ
        (``block_of``: region → block), with the quadrature pinned as there, so a balance
        built on them counts the consumption exactly (per unit depth in 2D, per unit area
        in 1D); used per step by ``models.transient``. Reacting interfaces (on ``dS`` with
        the subdomain ids ``interface_ids``) are in the second dict too: their consumption
        ∫q dS counts as an outward flux.
        """
        d = self.domain
        total = fem.Constant(d.mesh, 0.0) * d.dx
        for region, tag in sorted(d.regions.items()):
            rate = self.production(region, fields.partition * potentials[block_of[region]], fields)
            if rate is not None:
                total += rate * d.dx(tag)
        walls = {}
        for name in self.walls():
            x = fields.partition * potentials[block_of[self.wall_region(name)]]
            flux = pin_quadrature(self.wall_flux(name, x, fields) * d.ds(d.boundaries[name]))
            walls[name] = fem.form(flux, entity_maps=entity_maps)
        for name, q in self._interface_integrands(
            fields, potentials, block_of, dS, interface_ids
        ).items():
            walls[name] = fem.form(pin_quadrature(q), entity_maps=entity_maps)
        return fem.form(pin_quadrature(total), entity_maps=entity_maps), walls

    def _interface_integrands(
        self,
        fields: MaterialFields,
        potentials: Sequence[Any],
        block_of: Mapping[str, int],
        dS: ufl.Measure | None,
        interface_ids: Mapping[str, int] | None,
    ) -> dict[str, ufl.Form]:
        """Reacting interface → q dS on the '+' side's potential (sorted by name)."""
        out = {}
        for name in sorted(self.interfaces):
            if dS is None or interface_ids is None or name not in interface_ids:
                raise EmcdInputError(f"interface {name!r}: no interior-facet measure given")
            x = fields.partition * potentials[block_of[self.interfaces[name].plus]]
            out[name] = self.interface_flux(name, x, fields) * dS(interface_ids[name])
        return out

    # -- after the solve ----------------------------------------------------------------
    def report(
        self,
        potential: fem.Function,
        fields: MaterialFields,
        materials: Mapping[str, Any],
        dS: ufl.Measure | None = None,
        interface_ids: Mapping[str, int] | None = None,
    ) -> dict[str, Any]:
        """Verdict, consumption and diagnostics (collective).

        Args:
            potential: The solved potential μ on the parent mesh (x_A = H μ).
            fields: The material fields.
            materials: Region → :class:`~emcd_fem.materials.Material` (c, D).
            dS: The model's interior-facet measure (needed with reacting interfaces).
            interface_ids: Reacting interface → its subdomain id in ``dS``.

        Returns:
            ``equimolar`` (the verdict), ``reactions`` (per reaction: equation, Δν, kind,
            where), ``production`` (region → ∫R_A dx [mol/s in 3D, per unit depth in 2D,
            per unit area in 1D]), ``wall_flux`` (boundary → ∫N_A·n ds, outward),
            ``interface_flux`` (reacting interface → ∫q dS, the A consumed there, [mol/s]
            in 3D), ``interfaces`` (their names and sides), ``thiele`` (region →
            k = k_f + k_b, D, L_c = V/S_open (S_open: the uniform mole-fraction boundaries),
            φ = L_c √(k/D), x_eq, η observed = |∫R_A| / (c k V |x_s − x_eq|), and η of a
            slab (φ), cylinder (2φ), sphere (3φ) at the same L_c); ``thiele_not_computed``
            (region → why φ and η are missing there: not first-order, Arrhenius, no
            mole-fraction face, ...; an ``eta_observed`` of None has its ``eta_note``).
        """
        d, x = self.domain, fields.partition * potential
        listed = [
            {
                "equation": r.equation,
                "kind": r.kind,
                "delta_nu": r.stoichiometry.delta_nu,
                "where": r.boundary if r.kind == "surface" else (list(r.regions) or "all"),
            }
            | ({"side": self.interfaces[r.boundary].plus} if r.boundary in self.interfaces else {})
            for r in self.reactions
        ]
        production, thiele, missing = {}, {}, {}
        for region, tag in sorted(d.regions.items()):
            rate = self.production(region, x, fields)
            if rate is None:
                continue
            production[region] = integrate(fem.form(rate * d.dx(tag)))
            info = self._thiele(region, tag, materials[region], self.surface_values)
            if isinstance(info, str):  # say why, rather than leave the number out silently
                missing[region] = info
                continue
            ideal = info.pop("ideal")
            info["eta_observed"] = abs(production[region]) / ideal if ideal else None
            if not ideal:
                info["eta_note"] = (
                    "eta_observed not computed: the region's mole-fraction faces hold "
                    "different values (no single surface state), or x_s = x_eq"
                )
            thiele[region] = info
        walls = {
            b: integrate(fem.form(self.wall_flux(b, x, fields) * d.ds(d.boundaries[b])))
            for b in self.walls()
        }
        one_block = dict.fromkeys(d.regions, 0)  # μ on the parent mesh: one field
        integrands = self._interface_integrands(fields, [potential], one_block, dS, interface_ids)
        return {
            "equimolar": "yes: Δν = 0 for every reaction (R_T = 0, N_A + N_B = 0)",
            "walls": self.walls(),
            "interfaces": {n: self.interfaces[n].plus for n in sorted(self.interfaces)},
            "interface_flux": {
                n: integrate(fem.form(pin_quadrature(q))) for n, q in integrands.items()
            },
            "reactions": listed,
            "production": production,
            "wall_flux": walls,
            "thiele": thiele,
            "thiele_not_computed": missing,
        }

    def _thiele(
        self, region: str, tag: int, material: Any, surface_values: dict[str, float]
    ) -> dict[str, Any] | str:
        """First-order reversible A ⇌ B (or B ⇌ A) in a region: R_A = −c k (x_A − x_eq).

        Returns the diagnostics, or why they are not computed (a sentence).
        """
        k, k_x_eq = 0.0, 0.0
        for j, r in enumerate(self.reactions):
            if r.kind != "homogeneous" or (r.regions and region not in r.regions):
                continue
            if not is_linear(r):
                return (
                    f"reaction {r.equation!r} is not first order (a nonlinear rate): the "
                    "Thiele modulus and effectiveness factor are computed for first-order "
                    "kinetics only (a generalised modulus is not implemented)"
                )
            if r.arrhenius_A is not None:
                return (
                    f"reaction {r.equation!r} has an Arrhenius rate: k varies with T over "
                    "the region, so no single Thiele modulus is defined"
                )
            k_b = r.k_b if r.stoichiometry.reversible else 0.0
            k += r.k_f + k_b
            k_x_eq += k_b if self.nu_a[j] < 0 else r.k_f  # k x_eq of this reaction
        if k <= 0:
            return "the region's rate constants sum to k = 0: no reaction to compare with"
        d = self.domain
        one = fem.Constant(d.mesh, 1.0)
        volume = integrate(fem.form(one * d.dx(tag)))
        area, values = 0.0, set()
        for name, value in sorted(surface_values.items()):
            if region in regions_on_boundary(d, name):
                area += integrate(fem.form(one * d.ds(d.boundaries[name])))
                values.add(value)
        if area <= 0:
            return (
                "the region has no mole_fraction boundary: L_c = V/S and η need the faces "
                "where the surface state x_s is held"
            )
        length = volume / area
        phi = float(length * np.sqrt(k / material.diffusivity))
        x_eq = k_x_eq / k
        ideal = None
        if len(values) == 1:  # one surface state: η is defined
            ideal = material.concentration * k * volume * abs(values.pop() - x_eq) or None
        return {
            "k": k,
            "D": material.diffusivity,
            "length": length,
            "phi": phi,
            "x_eq": x_eq,
            "eta_slab": effectiveness_factor("slab", phi),
            "eta_cylinder": effectiveness_factor("cylinder", 2 * phi),
            "eta_sphere": effectiveness_factor("sphere", 3 * phi),
            "ideal": ideal,
        }


def conversion(boundary_flux: Mapping[str, float], walls: Sequence[str]) -> float | None:
    """X = 1 − (A leaving through outlets)/(A entering) [-], None without inflow of A.

    Outlets and inlets are the boundaries (not the reacting walls) with outward flux
    q_Γ > 0 and q_Γ < 0; by the balance X is the fraction of the supplied A consumed by the
    reactions (homogeneous and on walls).
    """
    inflow = -sum(q for n, q in boundary_flux.items() if n not in walls and q < 0)
    outflow = sum(q for n, q in boundary_flux.items() if n not in walls and q > 0)
    return 1.0 - outflow / inflow if inflow > 0 else None


__all__ = ["NEWTON_NAMES", "ReactionTerms", "conversion"]
