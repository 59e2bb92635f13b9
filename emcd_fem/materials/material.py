"""Materials and their piecewise-constant (DG0) property fields.

A :class:`Material` holds the properties of one phase; :func:`assign_materials` turns a
region → material mapping into DG0 fields on the mesh, so that the UFL forms never
contain Python floats (a new value never recompiles a form).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from dolfinx import fem

from emcd_fem.errors import EmcdInputError
from emcd_fem.mesh.domain import Domain


@dataclass(frozen=True)
class Material:
    """Transport properties of one phase of the composite.

    Attributes:
        diffusivity: Binary diffusivity D_AB of A in B [m^2/s], > 0.
        concentration: Total molar concentration c [mol/m^3], > 0 (for an ideal gas,
            c = P/(R T): about 40.9 mol/m^3 at 1 atm and 298 K).
    """

    diffusivity: float
    concentration: float = 1.0

    def __post_init__(self) -> None:
        for key in ("diffusivity", "concentration"):
            value = getattr(self, key)
            if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
                raise EmcdInputError(f"material {key} must be a finite number > 0, got {value!r}")

    @property
    def conductance_density(self) -> float:
        """The product c D [mol/(m s)] that multiplies the mole-fraction gradient."""
        return self.concentration * self.diffusivity


@dataclass(frozen=True)
class MaterialFields:
    """Piecewise-constant property fields on a mesh.

    Attributes:
        concentration: DG0 field of c [mol/m^3].
        diffusivity: DG0 field of D_AB [m^2/s].
        partition: DG0 field of H, x_A = H μ (1 without partition coefficients).
    """

    concentration: fem.Function
    diffusivity: fem.Function
    partition: fem.Function

    def update(
        self,
        domain: Domain,
        materials: Mapping[str, Material],
        partition: Mapping[str, float] | None = None,
    ) -> None:
        """Refill the fields from new material values (no form is recompiled).

        Args:
            domain: The domain whose cell tags define the regions.
            materials: Region name → material, for every region of the domain.
            partition: Region name → H (x_A = H μ); default 1 everywhere.
        """
        check_regions(domain, materials)
        for region, material in materials.items():
            cells = domain.cell_tags.find(domain.regions[region])
            gathered: dict[int, np.ndarray] = {}  # one gather per region and space (DG0)
            for field, value in (
                (self.concentration, material.concentration),
                (self.diffusivity, material.diffusivity),
                (self.partition, (partition or {}).get(region, 1.0)),
            ):
                V = field.function_space
                if id(V) not in gathered:
                    gathered[id(V)] = V.dofmap.list[cells, 0]
                field.x.array[gathered[id(V)]] = value
        for field in (self.concentration, self.diffusivity, self.partition):
            field.x.scatter_forward()


def check_regions(domain: Domain, materials: Mapping[str, Material]) -> None:
    """Raise for unknown or missing region names and non-Material values."""
    for region in materials:
        domain.region_tag(region)  # raises with a suggestion for unknown names
    missing = sorted(set(domain.regions) - set(materials))
    if missing:
        raise EmcdInputError(
            f"no material given for region(s) {missing}; assign a Material to every region "
            f"of the domain ({sorted(domain.regions)})"
        )
    for region, material in materials.items():
        if not isinstance(material, Material):
            raise EmcdInputError(
                f"region {region!r}: expected an emcd_fem.Material, got {type(material).__name__}"
            )


def assign_materials(
    domain: Domain,
    materials: Mapping[str, Material],
    partition: Mapping[str, float] | None = None,
) -> MaterialFields:
    """Create DG0 fields of c and D from a region → material mapping.

    Args:
        domain: The domain; its cell tags mark the regions.
        materials: Region name → :class:`Material`, for every region.
        partition: Region name → H (x_A = H μ, see :mod:`emcd_fem.materials.partition`); default 1.

    Returns:
        The property fields.

    Raises:
        EmcdInputError: for unknown or missing region names, or untagged cells.

    Note:
        Collective on the mesh communicator.
    """
    check_regions(domain, materials)
    msh = domain.mesh
    dg0 = fem.functionspace(msh, ("DG", 0))
    concentration = fem.Function(dg0, name="concentration")
    diffusivity = fem.Function(dg0, name="diffusivity")
    n_owned = msh.topology.index_map(msh.topology.dim).size_local
    # the tagged owned cells: MeshTags indices are sorted and unique, owned cells first
    tagged = int(np.searchsorted(domain.cell_tags.indices, n_owned))
    untagged = msh.comm.allreduce(n_owned - tagged)
    if untagged:
        raise EmcdInputError(
            f"{untagged} cell(s) of the mesh belong to no region; every cell needs a region tag"
        )
    fields = MaterialFields(
        concentration=concentration,
        diffusivity=diffusivity,
        partition=fem.Function(dg0, name="partition"),
    )
    fields.update(domain, materials, partition)
    return fields
