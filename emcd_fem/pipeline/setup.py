"""Case → objects: the first stage of the run pipeline.

The domain, materials, interface pairs, boundary conditions and the 1D analytic
reference of a validated :class:`~emcd_fem.case.Case`; used by :mod:`emcd_fem.pipeline.run`
and :mod:`emcd_fem.pipeline.thermal_case`.
"""

import itertools
import logging
from collections.abc import Sequence
from typing import Any

from mpi4py import MPI

from emcd_fem import analytic, geometry
from emcd_fem.case import (
    Case,
    CylinderShells,
    FluxBC,
    Inclusions,
    InterfaceSpec,
    LayeredSlab,
    MassTransferBC,
    MeshFile,
    MoleFractionBC,
    SphereShells,
    StomatalPore,
    mesh_budget,
)
from emcd_fem.case.check_tools import missing_material
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import Material, partition, properties
from emcd_fem.materials.stoichiometry import interface_name
from emcd_fem.mesh.domain import Domain, layered_slab
from emcd_fem.physics.conditions import (
    BoundaryCondition,
    MassTransfer,
    MolarFlux,
    MoleFraction,
    ZeroFlux,
)

logger = logging.getLogger("emcd_fem")


# -- case → objects -------------------------------------------------------------------------
def build_domain(
    case: Case, comm: MPI.Comm = MPI.COMM_WORLD, *, allow_unsafe_geo: bool = False
) -> Domain:
    """Mesh and tags of the case geometry (collective).

    ``allow_unsafe_geo``: run a ``mesh_file`` script even if it calls programs or touches
    other files (:mod:`emcd_fem.geometry.geo_safety`).
    """
    g = case.geometry
    memory = comm.bcast(mesh_budget.machine_memory(), root=0)  # one verdict on every rank
    if (problem := mesh_budget.memory_problem(g, comm.size, memory)) is not None:
        raise EmcdInputError(f"geometry: {problem}")
    if isinstance(g, LayeredSlab) and g.mesher == "builtin":
        return layered_slab(
            [layer.thickness for layer in g.layers],
            region_names=g.region_names(),
            dim=g.dim,
            cells_per_layer=[layer.cells for layer in g.layers],
            width=g.width,
            depth=g.depth,
            cells_across=g.cells_across,
            cell_type=g.cell_type,
            comm=comm,
            interfaces=any(interface_name(r.boundary, g.interface_names()) for r in case.reactions),
        )
    if isinstance(g, LayeredSlab):
        return geometry.gmsh_layered_slab(
            [layer.thickness for layer in g.layers],
            size=g.size,
            dim=g.dim,
            region_names=g.region_names(),
            width=g.width,
            depth=g.depth,
            order=g.order,
            refine=g.refine,
            comm=comm,
        )
    if isinstance(g, MeshFile):
        from emcd_fem.case.mesh_check import check_domain_groups

        domain = geometry.from_file(
            g.path,
            gdim=g.dim,
            size=g.size,
            order=g.order,
            refine=g.refine,
            boundaries=g.boundaries,
            allow_unsafe_geo=allow_unsafe_geo,
            comm=comm,
        )
        check_domain_groups(case, domain)
        return domain
    if isinstance(g, Inclusions):
        common = dict(
            kind=g.shape,
            size=g.size,
            inclusion_size=g.inclusion_size,
            order=g.order,
            refine=g.refine,
            comm=comm,
        )
        if g.arrangement == "random":
            return geometry.random_inclusions(
                g.extents, g.radius, g.volume_fraction, seed=g.seed, **common
            )
        plane = g.extents[: 3 if g.shape == "sphere" else 2]
        centers = geometry.periodic_array(plane, g.counts)
        return geometry.matrix_with_inclusions(g.extents, centers, g.radius, **common)
    if isinstance(g, StomatalPore):
        return geometry.stomatal_pore(
            pore_radius=g.pore_radius,
            epidermis_thickness=g.epidermis_thickness,
            cell_radius=g.cell_radius,
            cavity_depth=g.cavity_depth,
            outside_height=g.outside_height,
            dim=g.dim,
            size=g.size,
            pore_size=g.pore_size,
            order=g.order,
            refine=g.refine,
            comm=comm,
        )
    options = dict(
        size=g.size,
        region_names=g.region_names(),
        region_sizes=g.region_sizes,
        order=g.order,
        refine=g.refine,
        comm=comm,
    )
    if isinstance(g, SphereShells):
        return geometry.sphere_shells(g.radii, **options)
    if g.dim == 2:
        return geometry.annulus(g.radii, **options)
    return geometry.cylinder_shells(g.radii, g.height, **options)


def mesh_inputs(case: Case) -> dict[str, Any]:
    """The parts of a case that determine its mesh: what :func:`build_domain` reads.

    That is the ``[geometry]`` section (shapes, sizes, cell counts, ``order``, ``refine``,
    region names, mesh file path) without what only maps regions to materials (a layer's
    ``material``). Two cases with equal mesh inputs get the same domain, so a sweep can
    mesh once (:func:`run_sweep`).
    """
    data = case.geometry.model_dump(mode="json")
    if isinstance(case.geometry, LayeredSlab):
        for layer in data["layers"]:
            layer.pop("material", None)
    return data


def build_materials(case: Case, regions: Sequence[str] | None = None) -> dict[str, Material]:
    """Region name → Material, for the case's regions (or the given ones, e.g. a mesh's)."""
    regions = regions if regions is not None else case.geometry.region_names()
    materials = {}
    for region in regions:
        name = case.material_of(region)
        if name not in case.materials:
            raise EmcdInputError(
                f"regions.{region}: {missing_material(region, name, list(case.materials))}"
            )
        materials[region] = resolve_material(case, name).material
    return materials


def resolve_material(case: Case, name: str) -> properties.ResolvedMaterial:
    """Transport properties and regime diagnostics of a case material."""
    from emcd_fem.case.materials import resolve_spec

    return resolve_spec(name, case.materials[name])


def interface_pairs(case: Case, domain: Domain) -> list[tuple[tuple[str, str], InterfaceSpec]]:
    """Adjacent region pairs with an ``[[interfaces]]`` entry, oriented as the user wrote it.

    For ``materials = [m1, m2]`` the region pair is (region of m1, region of m2), so the
    coefficients keep their documented orientation (K_ab, k_ab with a the first material);
    regions of the same material are ordered by name (the case validation makes such a pair
    symmetric). Sorted by region pair: the same order on every rank (collective).
    """
    if not case.interfaces:
        return []
    by_materials = {tuple(spec.materials): spec for spec in case.interfaces}
    pairs = []
    for a, b in partition.adjacent_regions(domain):  # sorted: one order on every rank
        pair = (case.material_of(a), case.material_of(b))
        if pair in by_materials:
            pairs.append(((a, b), by_materials[pair]))
        elif pair[::-1] in by_materials:
            pairs.append(((b, a), by_materials[pair[::-1]]))
    return pairs


def series_solubilities(case: Case) -> list[float] | None:
    """H per layer/shell (inside out) of a series geometry from the case's interfaces."""
    if not case.interfaces or not isinstance(
        case.geometry, LayeredSlab | CylinderShells | SphereShells
    ):
        return None
    k = {
        tuple(spec.materials): spec.partition
        for spec in case.interfaces
        if spec.partition is not None
    }
    layers = case.geometry.region_names()
    h = [1.0]
    for left, right in itertools.pairwise(layers):
        m1, m2 = case.material_of(left), case.material_of(right)
        c1 = resolve_material(case, m1).material.concentration
        c2 = resolve_material(case, m2).material.concentration
        ratio = k.get((m1, m2)) or (1.0 / k[(m2, m1)] if (m2, m1) in k else c2 / c1)
        h.append(ratio * c1 * h[-1] / c2)
    return h


def build_boundary_conditions(case: Case) -> dict[str, BoundaryCondition]:
    """Boundary name → condition, for the boundaries listed in the case."""
    conditions: dict[str, BoundaryCondition] = {}
    for name, spec in case.boundaries.items():
        if isinstance(spec, MoleFractionBC):
            conditions[name] = MoleFraction(spec.value)
        elif isinstance(spec, FluxBC):
            conditions[name] = MolarFlux(spec.value)
        elif isinstance(spec, MassTransferBC):
            conditions[name] = MassTransfer(spec.coefficient, spec.ambient)
        else:
            conditions[name] = ZeroFlux()
    return conditions


def analytic_reference(case: Case) -> analytic.SlabSolution | analytic.ShellSolution | None:
    """The exact 1D solution when the case has one, else None.

    That is a layered slab (only ``left``/``right``) or concentric shells (only
    ``inner``/``outer``) where no other boundary carries a non-zero-flux condition and
    there is no source and no reaction (the references know neither: ``emcd check`` would
    show a non-reacting flux). Raises AdmissibilityError if the 1D data are inadmissible.
    """
    g = case.geometry
    if isinstance(g, LayeredSlab):
        ends = ("left", "right")
    elif isinstance(g, CylinderShells | SphereShells):
        ends = ("inner", "outer")
    else:
        return None
    conditions = build_boundary_conditions(case)
    others = [
        bc
        for name, bc in conditions.items()
        if name not in ends
        and not isinstance(bc, ZeroFlux)
        and not (isinstance(bc, MolarFlux) and bc.value == 0.0)
    ]
    if others or case.physics.source != 0.0 or case.reactions:
        return None
    materials = build_materials(case)
    first, last = (conditions.get(end, ZeroFlux()) for end in ends)
    if isinstance(g, LayeredSlab):
        return analytic.composite_slab(
            [layer.thickness for layer in g.layers],
            [materials[layer.name] for layer in g.layers],
            first,
            last,
            inventory_mole_fraction=case.physics.inventory_mole_fraction,
            solubilities=series_solubilities(case),
        )
    if isinstance(first, MolarFlux | ZeroFlux) and isinstance(last, MolarFlux | ZeroFlux):
        return None
    kind = "sphere" if isinstance(g, SphereShells) else "cylinder"
    height = g.height if (kind == "cylinder" and g.dim == 3) else 1.0
    return analytic.concentric_shells(
        kind,
        g.radii,
        [materials[n] for n in g.region_names()],
        first,
        last,
        height=height,
        solubilities=series_solubilities(case),
    )


def check_given_domain(case: Case, domain: Domain, comm: MPI.Comm) -> None:
    """A domain passed to ``run_case`` must live on ``comm`` and carry the case's regions.

    Raises:
        EmcdInputError: another communicator, or other regions than the case's geometry.

    Both tests give the same answer on every rank (communicator comparison is local and
    the region names are global), so every rank raises together.
    """
    if MPI.Comm.Compare(domain.comm, comm) not in (MPI.IDENT, MPI.CONGRUENT):
        raise EmcdInputError(
            "run_case(domain=...): the domain lives on another MPI communicator than comm"
        )
    expected = case.geometry.region_names()
    if expected is not None and set(expected) != set(domain.regions):
        raise EmcdInputError(
            f"run_case(domain=...): the domain has regions {sorted(domain.regions)} but the "
            f"case's geometry has {sorted(expected)}; it is not this case's mesh"
        )
