"""A user's own gmsh files: ``.msh`` meshes and ``.geo`` scripts.

Physical groups become names: groups of the top dimension are regions, groups one
dimension lower are boundaries (unnamed groups are called ``region<tag>``/``boundary<tag>``).
Groups are validated on the gmsh rank (:mod:`emcd_fem.geometry.gmsh_arrays`); a script is
scanned for commands that run programs or touch other files before gmsh runs it
(:mod:`emcd_fem.geometry.geo_safety`). Boundaries that the file does not name can be
located by a condition on the coordinates (:mod:`emcd_fem.geometry.locate`).
"""

from collections.abc import Mapping
from pathlib import Path

from mpi4py import MPI

from emcd_fem.errors import EmcdMeshError
from emcd_fem.geometry.geo_safety import check_mesh_file
from emcd_fem.geometry.gmsh_model import (
    apply_mesh_sizes,
    domain_from_gmsh,
    generate,
    run_on_root,
)
from emcd_fem.mesh.domain import Domain


def from_file(
    path: str | Path,
    *,
    gdim: int | None = None,
    size: float | None = None,
    order: int = 1,
    refine: int = 0,
    boundaries: Mapping[str, str] | None = None,
    allow_unsafe_geo: bool = False,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> Domain:
    """Load a gmsh ``.msh`` mesh, or mesh a ``.geo`` script, into a distributed domain.

    Args:
        path: ``.msh`` (MSH 2.2 or 4.1, ASCII or binary) or ``.geo`` file.
        gdim: Geometric dimension (default: the model's dimension).
        size: For ``.geo`` only: override the mesh size [m] (else the script's own).
        order: For ``.geo`` only: geometric order 1 or 2.
        refine: Uniform refinements after distribution.
        boundaries: Extra boundaries by name: a condition on x, y, z that holds at every
            node of their exterior facets (``"x < 1e-9"``), or ``"exterior"`` for every
            exterior facet no other boundary holds (:func:`~emcd_fem.geometry.locate.
            add_located_boundaries`).
        allow_unsafe_geo: Run scripts that call programs or touch other files (trusted
            files only; see :mod:`~emcd_fem.geometry.geo_safety`).
        comm: MPI communicator.

    Raises:
        EmcdMeshError: missing file, unknown suffix, unsafe script, gmsh errors, invalid
            physical groups (overlapping, nested, untagged cells, mixed cell types).

    Note:
        Collective on ``comm``. Only rank 0 reads the file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".msh", ".geo"):
        raise EmcdMeshError(f"{str(path)!r}: expected a .msh or .geo file")

    def safe() -> None:
        if not path.is_file():
            raise EmcdMeshError(f"mesh file {str(path)!r} not found")
        if path.stat().st_size == 0:
            raise EmcdMeshError(f"mesh file {str(path)!r} is empty")
        check_mesh_file(path, allow_unsafe_geo=allow_unsafe_geo)

    run_on_root(safe, comm)

    def build() -> None:
        import gmsh

        gmsh.open(str(path))
        dim = gmsh.model.getDimension()
        if suffix == ".geo":
            if size is not None:
                apply_mesh_sizes(size, tdim=dim)
            generate(dim, order)

    domain = domain_from_gmsh(build, gdim=gdim, comm=comm, refine=refine)
    if boundaries:
        from emcd_fem.geometry.locate import add_located_boundaries

        domain = add_located_boundaries(domain, boundaries)
    return domain
