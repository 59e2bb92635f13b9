"""Input checks of the n-species Maxwell–Stefan model (every message names the culprit).

Region mixtures (every region, the same species, tagged cells), boundary compositions
(every species, in [0, 1], Σ = 1), a stagnant species that cannot reach 0, and the
mixture-averaged model's coupling warning. Collective where noted.
"""

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from mpi4py import MPI

import numpy as np
from dolfinx import fem

from emcd_fem.errors import EmcdInputError, EmcdSolverError, unknown_name
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import Domain
from emcd_fem.physics.maxwell_stefan import Bootstrap
from emcd_fem.physics.mixture_averaged import STRONG_COUPLING, coupling_strength
from emcd_fem.post.integrals import flux_scale

#: Largest |Σ_i x_i − 1| accepted for a boundary composition.
SUM_TOLERANCE: float = 1e-9
#: The flux laws: Maxwell–Stefan, or mixture-averaged (Wilke) Fick.
MODELS: tuple[str, ...] = ("maxwell_stefan", "mixture_averaged")


def check_mixtures(domain: Domain, mixtures: Mapping[str, GasMixture]) -> tuple[str, ...]:
    """Check the region → mixture mapping and return the species (collective).

    Raises:
        EmcdInputError: an unknown or missing region, a value that is not a GasMixture,
            untagged cells, or regions with different species lists.
    """
    for region in mixtures:
        domain.region_tag(region)
    missing = sorted(set(domain.regions) - set(mixtures))
    if missing:
        raise EmcdInputError(f"regions {missing} have no mixture; give one for every region")
    for region, mix in mixtures.items():
        if not isinstance(mix, GasMixture):
            raise EmcdInputError(
                f"region {region!r}: expected an emcd_fem GasMixture, got {type(mix).__name__}"
            )
    tdim = domain.mesh.topology.dim
    n_owned = domain.mesh.topology.index_map(tdim).size_local
    local = int(np.count_nonzero(domain.local_cell_tags()[:n_owned] < 0))
    untagged = domain.comm.allreduce(local, op=MPI.SUM)
    if untagged:
        raise EmcdInputError(
            f"{untagged} cell(s) of the mesh belong to no region; every cell needs a region tag"
        )
    species = {m.species for m in mixtures.values()}
    if len(species) != 1:
        raise EmcdInputError(
            f"every region's mixture must list the same species in the same order, got "
            f"{sorted(species)}"
        )
    return species.pop()


def check_compositions(
    domain: Domain,
    species: tuple[str, ...],
    compositions: Mapping[str, Mapping[str, float]],
    *,
    closed: bool = False,
) -> dict[str, np.ndarray]:
    """Boundary name → mole fractions of every species (in species order), checked.

    ``closed``: no boundary composition is expected (a closed vessel, transient only).

    Raises:
        EmcdInputError: an unknown boundary or species, a missing species, a value outside
            [0, 1], a sum differing from 1 by more than :data:`SUM_TOLERANCE`, no boundary.
    """
    out = {}
    for name in sorted(compositions):
        domain.boundary_tag(name)  # unknown boundary → error with suggestion
        given = compositions[name]
        for s in given:
            if s not in species:
                raise EmcdInputError(f"boundary {name!r}: {unknown_name('species', s, species)}")
        missing = [s for s in species if s not in given]
        if missing:
            raise EmcdInputError(
                f"boundary {name!r}: mole fractions of species {missing} missing; give every "
                f"species of {list(species)}"
            )
        x = np.array([float(given[s]) for s in species])
        bad = [s for s, v in zip(species, x, strict=True) if not (np.isfinite(v) and 0 <= v <= 1)]
        if bad:
            raise EmcdInputError(f"boundary {name!r}: mole fractions of {bad} must be in [0, 1]")
        if abs(x.sum() - 1.0) > SUM_TOLERANCE:
            raise EmcdInputError(
                f"boundary {name!r}: mole fractions sum to {x.sum():.12g}, not 1; correct them "
                f"(|Σ x_i − 1| ≤ {SUM_TOLERANCE:g})"
            )
        out[name] = x
    if not out and not closed:
        raise EmcdInputError("Maxwell–Stefan model: prescribe the mole fractions on a boundary")
    return out


def check_stagnant(
    species: tuple[str, ...], bootstrap: Bootstrap, compositions: Mapping[str, np.ndarray]
) -> None:
    """A stagnant species (ν = δ_ik) has an exponential profile: it cannot reach 0.

    Raises:
        EmcdInputError: the stagnant species is 0 on one boundary and not on another.
    """
    nonzero = [k for k, v in enumerate(bootstrap.weights) if v != 0]
    if len(nonzero) != 1:
        return
    k = nonzero[0]
    values = {b: x[k] for b, x in compositions.items()}
    if any(v > 0 for v in values.values()):
        zero = sorted(b for b, v in values.items() if v == 0)
        if zero:
            raise EmcdInputError(
                f"boundary {zero[0]!r}: the stagnant species {species[k]!r} has "
                "x = 0 there but not on every boundary: no steady state (its profile is "
                "exponential, it never reaches 0); give it x > 0 on every boundary"
            )


def check_sources(
    domain: Domain,
    species: tuple[str, ...],
    bootstrap: Bootstrap,
    sources: Mapping[str, Mapping[str, float]],
) -> dict[str, np.ndarray]:
    """Region → production rates R_i [mol/(m^3 s)] of every species (0 where not given).

    Raises:
        EmcdInputError: an unknown region or species, a non-finite rate, or rates that
            violate the bootstrap: ∇·N_i = R_i and Σ ν_i N_i = 0 need Σ ν_i R_i = 0 (e.g. an
            exchange A + B → C + D keeps Σ R_i = 0 for zero net flux).
    """
    out = {}
    nu = np.asarray(bootstrap.weights)
    for region in sorted(sources):
        domain.region_tag(region)
        given = sources[region]
        for s in given:
            if s not in species:
                raise EmcdInputError(
                    f"sources of region {region!r}: {unknown_name('species', s, species)}"
                )
        rates = np.array([float(given.get(s, 0.0)) for s in species])
        if not np.all(np.isfinite(rates)):
            raise EmcdInputError(f"sources of region {region!r} must be finite numbers")
        if abs(nu @ rates) > 1e-12 * np.abs(nu * rates).sum():
            raise EmcdInputError(
                f"sources of region {region!r} violate the bootstrap ({bootstrap.kind}): "
                f"Σ ν_i R_i = {nu @ rates:.6g} ≠ 0; with ∇·N_i = R_i the relation Σ ν_i N_i = 0 "
                "cannot hold: balance the reaction (for zero net flux, Σ R_i = 0)"
            )
        out[region] = rates
    return out


def mixture_fields(
    domain: Domain, mixtures: Mapping[str, GasMixture]
) -> tuple[fem.Function, dict[tuple[int, int], fem.Function]]:
    """DG0 fields of c [mol/m^3] and Đ_ij [m^2/s] (i < j) from the region mixtures.

    Material values live in Functions, never in the forms: a new value compiles nothing.
    """
    Q = fem.functionspace(domain.mesh, ("DG", 0))
    n = len(next(iter(mixtures.values())).species)
    cells = domain.local_cell_tags()
    concentration = fem.Function(Q, name="concentration")
    diffusivity = {
        (i, j): fem.Function(Q, name=f"D_{i}{j}") for i in range(n) for j in range(i + 1, n)
    }
    for region, mix in mixtures.items():
        sel = cells == domain.regions[region]
        concentration.x.array[sel] = mix.concentration
        for (i, j), f in diffusivity.items():
            f.x.array[sel] = mix.matrix[i, j]
    return concentration, diffusivity


def coupling_warnings(mixtures: Mapping[str, GasMixture]) -> list[str]:
    """One warning per region whose mixture is too strongly coupled for the Fick model."""
    warnings = []
    for region in sorted(mixtures):
        spread = coupling_strength(mixtures[region].matrix)
        if spread > STRONG_COUPLING:
            warnings.append(
                f"region {region!r}: the mixture-averaged (Fick) model is used for a "
                f"strongly coupled mixture (max Đ_ij / min Đ_ij = {spread:.3g} > "
                f"{STRONG_COUPLING:g}): fluxes may be wrong, even in sign; use "
                "model = 'maxwell_stefan'"
            )
    return warnings


#: A Newton stop on the step size (CONVERGED_SNORM_RELATIVE) is accepted only when the last
#: residual is below this fraction of the first (a healthy Newton is far below: quadratic
#: convergence puts the residual after a tiny step at the square of its relative size) or
#: below :data:`STEP_STOP_FLOOR` q_ref; else the fluxes do not balance (tester h8 F2: 1.7e-7
#: after a linear convergence, balance 2e-6 open).
STEP_STOP_RTOL: float = 1e-8
#: ... or below this fraction of the natural flux scale q_ref (a start that is almost exact).
STEP_STOP_FLOOR: float = 1e-10
#: A Đ spread (max Đ_ij / min Đ_ij in one region) above this is named as a likely cause.
SPREAD_SUSPICIOUS: float = 1e3


def check_step_stop(
    what: str,
    reason: str,
    history: Sequence[float],
    scale: float,
    mixtures: Mapping[str, GasMixture],
) -> None:
    """Refuse a Newton that stopped on its step size with the residual not small.

    Args:
        what: The solve, e.g. "the Maxwell–Stefan Newton solve".
        reason: The SNES converged reason's name.
        history: The residual norm per iteration.
        scale: The natural flux scale q_ref of the residual [mol/s in 3D].
        mixtures: Region → mixture (a large Đ spread is named as the likely cause).

    Raises:
        EmcdSolverError: CONVERGED_SNORM_RELATIVE with the last residual above
            :data:`STEP_STOP_RTOL` × the first and :data:`STEP_STOP_FLOOR` × q_ref.
    """
    if reason != "CONVERGED_SNORM_RELATIVE" or len(history) < 2:
        return
    first, last = history[0], history[-1]
    if last <= STEP_STOP_RTOL * first or last <= STEP_STOP_FLOOR * scale:
        return
    text = (
        f"{what} did not converge: "
        f"Newton stopped on its step size (CONVERGED_SNORM_RELATIVE) with the residual at "
        f"{last:.3e}, {last / first:.3g} of its start: not converged, the fluxes would not "
        "balance"
    )
    spreads = []
    for region in sorted(mixtures):
        mix, m = mixtures[region], mixtures[region].matrix
        pairs = [(i, j) for i in range(len(m)) for j in range(i + 1, len(m))]
        lo, hi = min(pairs, key=lambda p: m[p]), max(pairs, key=lambda p: m[p])
        if m[hi] / m[lo] > SPREAD_SUSPICIOUS:
            s = mix.species
            spreads.append(
                f"region {region!r}: Đ{s[hi[0]], s[hi[1]]} = {m[hi]:g} m^2/s is "
                f"{m[hi] / m[lo]:.3g} × Đ{s[lo[0]], s[lo[1]]} = {m[lo]:g} m^2/s"
            )
    if spreads:
        text += (
            "; likely cause: diffusivities spanning more than "
            f"{SPREAD_SUSPICIOUS:g} ({'; '.join(spreads)}) — a value in cm^2/s? (Đ_ij are "
            "in m^2/s)"
        )
    raise EmcdSolverError(
        text + "; or tighten snes_stol / raise snes_max_it in [solver] petsc_options"
    )


def check_reaction_places(
    domain: Domain,
    reaction: Reaction,
    species: Sequence[str],
    prescribed: Collection[str],
    prescribed_problem: str,
) -> None:
    """A reaction's species, regions and wall against the gas and the domain.

    Args:
        domain: The domain (regions and boundaries by name).
        reaction: The reaction.
        species: The gas's species names.
        prescribed: Boundaries whose state is prescribed (no wall reaction there).
        prescribed_problem: What the message says after "boundary 'b' has".

    Raises:
        EmcdInputError: an unknown species, region or boundary, or a wall reaction on a
            prescribed boundary.
    """
    label = reaction.label
    for s in reaction.stoichiometry.species:
        if s not in species:
            raise EmcdInputError(f"reaction {label!r}: {unknown_name('species', s, species)}")
    if reaction.kind == "homogeneous":
        for region in reaction.regions:
            domain.region_tag(region)
        return
    boundary = str(reaction.boundary)
    domain.boundary_tag(boundary)
    if boundary in prescribed:
        raise EmcdInputError(f"reaction {label!r}: boundary {boundary!r} has {prescribed_problem}")


def newton_options(
    domain: Domain,
    mixtures: Mapping[str, GasMixture],
    petsc_options: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], float]:
    """The Maxwell–Stefan Newton's SNES/KSP options over the defaults, and q_ref.

    Newton with backtracking, rtol 1e-12 and an absolute stop relative to the natural flux
    scale q_ref = (c Đ)_max V/diam² [mol/s in 3D] (a fixed atol would stop Newton at once on
    a micro-scale domain), MUMPS LU inside; ``petsc_options`` override them.
    """
    conductance = max(
        m.concentration * np.nanmax(m.matrix[np.isfinite(m.matrix)]) for m in mixtures.values()
    )
    scale = flux_scale(domain, conductance)
    options = {
        "snes_type": "newtonls",
        "snes_linesearch_type": "bt",
        "snes_rtol": 1e-12,
        "snes_atol": 1e-14 * scale,
        "snes_max_it": 50,
        "ksp_type": "preonly",
        "pc_type": "lu",
        "pc_factor_mat_solver_type": "mumps",
    }
    return options | dict(petsc_options or {}), scale


__all__ = [
    "MODELS",
    "SPREAD_SUSPICIOUS",
    "STEP_STOP_FLOOR",
    "STEP_STOP_RTOL",
    "SUM_TOLERANCE",
    "check_compositions",
    "check_mixtures",
    "check_reaction_places",
    "check_sources",
    "check_stagnant",
    "check_step_stop",
    "coupling_warnings",
    "mixture_fields",
    "newton_options",
]
