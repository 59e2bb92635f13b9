"""Partition coefficients at material interfaces, through a continuous potential.

At equilibrium across an interface between regions a and b the molar concentrations of A
jump: c_A,b = K_ab c_A,a (K_ba = 1/K_ab); the normal flux is continuous. With a continuous
potential μ and x_A = H_m μ in region m (H_m piecewise constant), the jump is built into the
unknown: continuous Lagrange elements carry it exactly, the operator stays symmetric
positive definite (GAMG works unchanged), and N_A = −c D H ∇μ.

H is fixed up to a common factor: across each adjacent pair c_b H_b = K_ab c_a H_a, and
the smallest H of each connected set of regions is 1 (a choice that depends on the physics
only, never on region names or the order of the input, so even the internal potential is
name-independent). Pairs without a given K keep x_A continuous (K_ab = c_b/c_a, the plain
EMCD interface). Coefficients that contradict each other around a loop of regions (e.g.
K_ab and K_ba ≠ 1/K_ab) are an error.

Film resistances (a jump in μ) need one potential per block of regions: see
:mod:`emcd_fem.models.films`.
"""

import math
from collections.abc import Mapping, Sequence

import numpy as np

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import Material
from emcd_fem.mesh.domain import Domain


def adjacent_regions(domain: Domain) -> list[tuple[str, str]]:
    """Pairs of region names that share facets, over all ranks (collective).

    Returns:
        Each pair once, its names sorted, the list sorted: the same order on every rank
        (callers drive collective operations with it; a ``set`` would iterate in an order
        that depends on each process's hash seed).
    """
    msh = domain.mesh
    tdim = msh.topology.dim
    msh.topology.create_connectivity(tdim - 1, tdim)
    f2c = msh.topology.connectivity(tdim - 1, tdim)
    tag = domain.local_cell_tags()
    offsets = f2c.offsets
    interior = np.flatnonzero(np.diff(offsets) == 2)
    first, second = tag[f2c.array[offsets[interior]]], tag[f2c.array[offsets[interior] + 1]]
    differ = (first != second) & (first >= 0) & (second >= 0)
    local = {
        tuple(sorted(p)) for p in zip(first[differ].tolist(), second[differ].tolist(), strict=True)
    }
    name_of = {t: n for n, t in domain.regions.items()}
    pairs = set().union(*msh.comm.allgather(local))
    return sorted({tuple(sorted((name_of[a], name_of[b]))) for a, b in pairs})


def region_solubilities(
    domain: Domain,
    materials: Mapping[str, Material],
    partitions: Mapping[tuple[str, str], float],
) -> dict[str, float]:
    """H per region from interface partition coefficients (collective).

    Args:
        domain: The domain.
        materials: Region → material (for c).
        partitions: (region a, region b) → K_ab = c_A,b / c_A,a at equilibrium.

    Returns:
        Region name → H (x_A = H μ).

    Raises:
        EmcdInputError: unknown regions, K <= 0, regions that do not touch, inconsistent K.
    """
    if not partitions:  # x_A continuous everywhere: H = 1 in every region, no adjacency
        return {region: 1.0 for region in sorted(domain.regions)}
    for a, b in partitions:
        for region in (a, b):
            domain.region_tag(region)
    return pair_solubilities(
        sorted(domain.regions),
        adjacent_regions(domain),
        {r: m.concentration for r, m in materials.items()},
        partitions,
    )


def pair_solubilities(
    regions: Sequence[str],
    touching: Sequence[tuple[str, str]],
    concentration: Mapping[str, float],
    partitions: Mapping[tuple[str, str], float],
) -> dict[str, float]:
    """H per region from the pairs of regions that share facets (no mesh needed).

    Args:
        regions: Region names.
        touching: Pairs of regions that share facets (names sorted in each pair).
        concentration: Region → total molar concentration c [mol/m^3].
        partitions: (region a, region b) → K_ab = c_A,b / c_A,a at equilibrium.

    Returns:
        Region name → H (x_A = H μ).

    Raises:
        EmcdInputError: K <= 0, regions that do not touch, inconsistent K.
    """
    edges: dict[tuple[str, str], float] = {}
    for (a, b), k in partitions.items():
        if not (isinstance(k, int | float) and math.isfinite(k) and k > 0):
            raise EmcdInputError(f"partition coefficient K[{a}->{b}] must be > 0, got {k!r}")
        for key, value in (((a, b), k), ((b, a), 1.0 / k)):
            if key in edges and not math.isclose(edges[key], value, rel_tol=1e-12):
                raise EmcdInputError(
                    f"partition coefficients for {a!r}/{b!r} given twice inconsistently: "
                    f"K[{key[0]}->{key[1]}] = {edges[key]:g} and {value:g} (K_ba must be 1/K_ab)"
                )
            edges[key] = value
    for a, b in sorted(edges):
        if tuple(sorted((a, b))) not in touching:
            raise EmcdInputError(f"regions {a!r} and {b!r} do not share an interface")
    for a, b in touching:  # default: mole fraction continuous
        if (a, b) not in edges:
            ratio = concentration[b] / concentration[a]
            edges[(a, b)], edges[(b, a)] = ratio, 1.0 / ratio
    solubility: dict[str, float] = {}
    for start in sorted(regions):
        if start in solubility:
            continue
        solubility[start] = 1.0
        stack, group = [start], [start]
        while stack:
            a = stack.pop()
            for (p, b), k in sorted(edges.items()):
                if p != a:
                    continue
                h_b = k * concentration[a] * solubility[a] / concentration[b]
                if b not in solubility:
                    solubility[b] = h_b
                    stack.append(b)
                    group.append(b)
                elif not math.isclose(solubility[b], h_b, rel_tol=1e-10):
                    raise EmcdInputError(
                        f"partition coefficients around region {b!r} are inconsistent: going "
                        f"round a loop of interfaces gives H = {solubility[b]:g} and {h_b:g}; "
                        "the product of K around every loop must be 1"
                    )
        # the common factor of the connected set: its smallest H is 1 (name-independent)
        lowest = min(solubility[r] for r in group)
        solubility.update({r: solubility[r] / lowest for r in group})
    return solubility


def regions_on_boundary(domain: Domain, boundary: str) -> list[str]:
    """Names of the regions whose cells touch a boundary, over all ranks (collective)."""
    msh = domain.mesh
    tdim = msh.topology.dim
    msh.topology.create_connectivity(tdim - 1, tdim)
    f2c = msh.topology.connectivity(tdim - 1, tdim)
    facets = domain.facet_tags.find(domain.boundary_tag(boundary))
    # the first cell of each facet (a boundary facet has one), all facets at once; their
    # tags looked up in the sorted cell tags (not a tag array over every cell of the mesh)
    cells = f2c.array[f2c.offsets[facets]]
    indices, values = domain.cell_tags.indices, domain.cell_tags.values
    position = np.minimum(np.searchsorted(indices, cells), max(indices.size - 1, 0))
    tagged = indices[position] == cells if indices.size else np.zeros(cells.size, dtype=bool)
    local = set(np.unique(values[position[tagged]]).tolist())
    name_of = {t: n for n, t in domain.regions.items()}
    return sorted({name_of[t] for t in set().union(*msh.comm.allgather(local)) if t >= 0})


def boundary_solubility(domain: Domain, boundary: str, solubility: Mapping[str, float]) -> float:
    """The H of the regions along a boundary, which must all be equal (collective)."""
    regions = regions_on_boundary(domain, boundary)
    problem = mixed_boundary_problem(boundary, regions, solubility)
    if problem is not None:
        raise EmcdInputError(problem)
    return solubility[regions[0]] if regions else 1.0


def mixed_boundary_problem(
    boundary: str, regions: Sequence[str], solubility: Mapping[str, float]
) -> str | None:
    """Why a mole fraction cannot be imposed on a boundary along ``regions`` (None: it can)."""
    if len({solubility[r] for r in regions}) > 1:
        return (
            f"boundary {boundary!r} touches regions {sorted(regions)} with different partition "
            "coefficients, so a mole fraction there is ambiguous: split the boundary by region"
        )
    return None
