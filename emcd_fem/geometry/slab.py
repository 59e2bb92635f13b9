"""Layered slab through gmsh (2D rectangles / 3D boxes stacked along x).

Same names as the built-in :func:`emcd_fem.layered_slab`: regions named after the
layers; boundaries ``left``/``right`` (x), ``bottom``/``top`` (y), ``front``/``back`` (z).
Use it for unstructured cells, per-layer mesh sizes or a saved ``.msh``.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path

from mpi4py import MPI

import numpy as np

from emcd_fem.errors import EmcdInputError
from emcd_fem.geometry.gmsh_model import (
    add_box_face_groups,
    apply_mesh_sizes,
    box_faces,
    domain_from_gmsh,
    generate,
    region_entity_sizes,
)
from emcd_fem.mesh.domain import Domain, SlabLayout


def gmsh_layered_slab(
    thicknesses: Sequence[float],
    *,
    size: float,
    dim: int = 2,
    region_names: Sequence[str] | None = None,
    width: float = 1.0,
    depth: float = 1.0,
    region_sizes: Mapping[str, float] | None = None,
    order: int = 1,
    refine: int = 0,
    msh_file: str | Path | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> Domain:
    """Layers along x meshed by gmsh with unstructured triangles/tetrahedra.

    Args:
        thicknesses: Layer thicknesses [m] from x = 0.
        size: Target cell size [m].
        dim: 2 or 3.
        region_names: Layer names (default ``layer1``, ...).
        width: Extent along y [m].
        depth: Extent along z [m] (3D).
        region_sizes: Layer name → cell size [m].
        order: Geometric order (1 or 2).
        refine: Uniform refinements after distribution.
        msh_file: Also save the gmsh mesh there (rank 0).
        comm: MPI communicator.

    Note:
        Collective on ``comm``.
    """
    thick = np.asarray(thicknesses, dtype=np.float64)
    if thick.ndim != 1 or thick.size == 0 or np.any(thick <= 0):
        raise EmcdInputError(f"layer thicknesses must be positive, got {thicknesses!r}")
    if dim not in (2, 3):
        raise EmcdInputError(f"gmsh_layered_slab is 2D or 3D, got dim={dim!r}")
    names = list(region_names) if region_names else [f"layer{i + 1}" for i in range(thick.size)]
    if len(names) != thick.size or len(set(names)) != len(names):
        raise EmcdInputError(f"need {thick.size} distinct layer names, got {names!r}")
    x = np.concatenate([[0.0], np.cumsum(thick)])
    extents = [float(x[-1]), width, depth][:dim]

    def build() -> None:
        import gmsh

        occ = gmsh.model.occ
        tags = []
        for i in range(thick.size):
            if dim == 2:
                tags.append(occ.addRectangle(x[i], 0, 0, thick[i], width))
            else:
                tags.append(occ.addBox(x[i], 0, 0, thick[i], width, depth))
        if len(tags) > 1:
            occ.fragment([(dim, tags[0])], [(dim, t) for t in tags[1:]])
        occ.synchronize()
        layer_entities: dict[int, list[int]] = {}
        for _, tag in gmsh.model.getEntities(dim):
            cx = occ.getCenterOfMass(dim, tag)[0]
            layer_entities.setdefault(int(np.searchsorted(x[1:-1], cx)), []).append(tag)
        for i, name in enumerate(names):
            gmsh.model.addPhysicalGroup(dim, layer_entities[i], i + 1, name=name)
        add_box_face_groups(box_faces(extents, dim), dim)
        sizes = region_entity_sizes(names, layer_entities, region_sizes)
        apply_mesh_sizes(size, sizes, tdim=dim)
        generate(dim, order)

    layout = SlabLayout(
        thicknesses=tuple(float(t) for t in thick),
        region_names=tuple(names),
        cross_section=tuple(extents[1:]),
    )
    return domain_from_gmsh(
        build, gdim=dim, comm=comm, refine=refine, layout=layout, msh_file=msh_file
    )
