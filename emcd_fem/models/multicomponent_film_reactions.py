"""Sources and mass-action reactions in the n-species film (block) model.

The film model (:mod:`emcd_fem.models.multicomponent_films`) carries one vector potential
μ_b per film-free block of regions, x = H μ_b there. Its production and reacting walls are
those of the one-field model (:mod:`emcd_fem.models.multicomponent_reactions`), written in
each block's own mole fractions:

* in every region r of block b, the given sources R_i (DG0) plus the homogeneous rates
  s_i r(x_b) enter −∫_r Σ_{k≠e} R_k w_k dx in block b's residual;
* a reacting wall (an exterior boundary without a composition) lies in one block b (a wall
  across a film would need the rate on both sides: refused, split it by region) and adds
  ∫ Σ_{k≠e} (N_k·n) w_k ds with N_i·n = −s_i r_s(x_b).

After the solve: ∫ R_i dx per species (the balance's production: the same UFL as the
residual) and ∫_wall N_i·n ds per species and wall (added to the boundary fluxes).
"""

from collections.abc import Mapping, Sequence

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.partition import regions_on_boundary
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import Domain
from emcd_fem.models import multicomponent_reactions as mr
from emcd_fem.physics.maxwell_stefan import Bootstrap


class FilmReactions:
    """Per-block production and reacting-wall terms of the film model (collective).

    Args:
        domain: The tagged domain.
        species: Species names.
        bootstrap: Σ ν_i N_i = 0 of the model.
        block_of: Region → index of its block.
        mole_fractions: Per block, x_i of every species in that block's unknown (UFL).
        concentration: c [mol/m^3] (DG0 on the parent mesh).
        rates: Region → given R_i [mol/(m^3 s)] of every species (checked sources).
        reactions: Checked reactions (:func:`~emcd_fem.models.multicomponent_reactions.
            check_reactions`).
        temperature: T [K] (DG0) for Arrhenius constants, or None.
        entity_maps: The blocks' entity maps (forms over block unknowns).

    Raises:
        EmcdInputError: a reacting wall that touches regions of two blocks.
    """

    def __init__(
        self,
        domain: Domain,
        species: tuple[str, ...],
        bootstrap: Bootstrap,
        block_of: Mapping[str, int],
        mole_fractions: Sequence[Sequence[ufl.core.expr.Expr]],
        concentration: fem.Function,
        rates: Mapping[str, np.ndarray],
        reactions: Sequence[Reaction],
        temperature: fem.Function | None,
        entity_maps: Sequence,
    ) -> None:
        self.domain, self.species, self.bootstrap = domain, species, bootstrap
        self.block_of = dict(block_of)
        self.produced = bool(rates or reactions)
        n = len(species)
        fixed: list = [None] * n  # the given sources as DG0 fields
        if rates:
            cells = domain.local_cell_tags()
            for k, s in enumerate(species):
                fixed[k] = fem.Function(concentration.function_space, name=f"R_{s}")
                for region, values in rates.items():
                    fixed[k].x.array[cells == domain.regions[region]] = values[k]
        self.production: list[list] = []  # block → R_i (UFL or None) per species
        self.walls: dict[str, tuple[int, list]] = {}  # wall → (block, N_i·n per species)
        for b, xs in enumerate(mole_fractions):
            made, walls = mr.reaction_terms(
                domain, species, reactions, xs, concentration, temperature
            )
            terms = [[t for t in pair if t is not None] for pair in zip(fixed, made, strict=True)]
            self.production.append([sum(t[1:], t[0]) if t else None for t in terms])
            for wall, flux in sorted(walls.items()):
                touched = sorted({self.block_of[r] for r in regions_on_boundary(domain, wall)})
                if len(touched) != 1:
                    raise EmcdInputError(
                        f"wall {wall!r}: a wall reaction on a boundary that touches regions "
                        "separated by films; split the boundary by region"
                    )
                if touched[0] == b:
                    self.walls[wall] = (b, flux)
        dx, maps = domain.dx, list(entity_maps)
        self._production_forms = []
        for k in range(n):
            rates_k = {r: self.production[self.block_of[r]][k] for r in sorted(domain.regions)}
            parts = [R * dx(domain.regions[r]) for r, R in rates_k.items() if R is not None]
            self._production_forms.append(
                fem.form(sum(parts[1:], parts[0]), entity_maps=maps) if parts else None
            )
        self._wall_forms = {
            (wall, species[k]): fem.form(q * domain.ds(domain.boundaries[wall]), entity_maps=maps)
            for wall, (_, flux) in sorted(self.walls.items())
            for k, q in enumerate(flux)
            if q is not None
        }

    def residual(self, block: int, w: ufl.Argument) -> ufl.Form | None:
        """Block's −∫ Σ_k R_k w_k dx over its regions + ∫ Σ_k (N_k·n) w_k ds on its walls."""
        domain, ind = self.domain, self.bootstrap.independent
        R = self.production[block]
        parts = [
            -R[k] * w[m] * domain.dx(domain.regions[r])
            for r in sorted(domain.regions)
            if self.block_of[r] == block
            for m, k in enumerate(ind)
            if R[k] is not None
        ]
        parts += [
            flux[k] * w[m] * domain.ds(domain.boundaries[wall])
            for wall, (b, flux) in sorted(self.walls.items())
            if b == block
            for m, k in enumerate(ind)
            if flux[k] is not None
        ]
        return sum(parts[1:], parts[0]) if parts else None

    def production_values(self) -> dict[str, float]:
        """Species → ∫ R_i dx over the domain [mol/s in 3D] (collective)."""
        comm = self.domain.comm
        return {
            s: 0.0 if f is None else float(comm.allreduce(fem.assemble_scalar(f), op=MPI.SUM))
            for s, f in zip(self.species, self._production_forms, strict=True)
        }

    def wall_values(self) -> dict[str, dict[str, float]]:
        """Species → reacting wall → ∫ N_i·n ds [mol/s in 3D] (collective)."""
        comm, out = self.domain.comm, {}
        for (wall, s), form in self._wall_forms.items():
            value = comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)
            out.setdefault(s, {})[wall] = float(value)
        return out


__all__ = ["FilmReactions"]
