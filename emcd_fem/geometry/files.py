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
from emcd_fem.geometry.script_size import cell_budget, check_script_size
from emcd_fem.mesh.domain import Domain


def mesh_gmsh_file(
    path: Path,
    *,
    size: float | None = None,
    order: int = 1,
    refine: int = 0,
    allow_unsafe_geo: bool = False,
    max_cells: float | None = None,
) -> None:
    """Open a ``.msh`` file, or open and mesh a ``.geo`` script, in the current gmsh session.

    Runs on the gmsh rank only, after the file passed the safety scan. A script's sizes are
    estimated before meshing (:func:`~emcd_fem.geometry.script_size.check_script_size`,
    unless ``allow_unsafe_geo``). Arguments as :func:`from_file`.
    """
    import gmsh

    script = path.suffix.lower() == ".geo"

    def load() -> int:
        gmsh.clear()
        gmsh.open(str(path))
        dim = gmsh.model.getDimension()
        if script and size is not None:
            apply_mesh_sizes(size, tdim=dim)
        return dim

    dim = load()
    if not script:
        return
    budget = cell_budget() if max_cells is None else max_cells
    if budget is not None and not allow_unsafe_geo:
        check_script_size(dim, budget, load, refine=refine, source=f"mesh file {str(path)!r}")
    generate(dim, order)


def from_file(
    path: str | Path,
    *,
    gdim: int | None = None,
    size: float | None = None,
    order: int = 1,
    refine: int = 0,
    boundaries: Mapping[str, str] | None = None,
    allow_unsafe_geo: bool = False,
    max_cells: float | None = None,
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
            files only; see :mod:`~emcd_fem.geometry.geo_safety`), and mesh them without
            the cell estimate below.
        max_cells: For ``.geo`` only: refuse a script whose mesh sizes ask for more cells
            (estimated before meshing, :func:`~emcd_fem.geometry.script_size.
            check_script_size`); default: what rank 0's machine holds (gmsh meshes there).
        comm: MPI communicator.

    Raises:
        EmcdMeshError: missing file, unknown suffix, unsafe script, a script whose sizes
            ask for more cells than ``max_cells``, gmsh errors, invalid physical groups
            (overlapping, nested, untagged cells, mixed cell types).

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
        mesh_gmsh_file(
            path,
            size=size,
            order=order,
            refine=refine,
            allow_unsafe_geo=allow_unsafe_geo,
            max_cells=max_cells,
        )

    domain = domain_from_gmsh(build, gdim=gdim, comm=comm, refine=refine)
    if boundaries:
        from emcd_fem.geometry.locate import add_located_boundaries

        domain = add_located_boundaries(domain, boundaries)
    return domain
