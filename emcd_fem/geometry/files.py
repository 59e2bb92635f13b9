"""A user's own gmsh files: ``.msh`` meshes and ``.geo`` scripts.

Physical groups become names: groups of the top dimension are regions, groups one
dimension lower are boundaries (unnamed groups are called ``region<tag>``/``boundary<tag>``).
"""

from pathlib import Path

from mpi4py import MPI

from emcd_fem.domain import Domain
from emcd_fem.errors import EmcdMeshError
from emcd_fem.geometry.gmsh_model import apply_mesh_sizes, domain_from_gmsh, generate


def _name_unnamed_groups() -> None:
    import gmsh

    top = gmsh.model.getDimension()
    for dim, tag in gmsh.model.getPhysicalGroups():
        if not gmsh.model.getPhysicalName(dim, tag) and dim in (top, top - 1):
            label = "region" if dim == top else "boundary"
            gmsh.model.setPhysicalName(dim, tag, f"{label}{tag}")


def from_file(
    path: str | Path,
    *,
    gdim: int | None = None,
    size: float | None = None,
    order: int = 1,
    refine: int = 0,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> Domain:
    """Load a gmsh ``.msh`` mesh, or mesh a ``.geo`` script, into a distributed domain.

    Args:
        path: ``.msh`` (any gmsh format version) or ``.geo`` file.
        gdim: Geometric dimension (default: the model's dimension).
        size: For ``.geo`` only: override the mesh size [m] (else the script's own).
        order: For ``.geo`` only: geometric order 1 or 2.
        refine: Uniform refinements after distribution.
        comm: MPI communicator.

    Raises:
        EmcdMeshError: missing file, unknown suffix, gmsh errors, no physical groups.

    Note:
        Collective on ``comm``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".msh", ".geo"):
        raise EmcdMeshError(f"{str(path)!r}: expected a .msh or .geo file")
    # only rank 0 reads the file (gmsh runs there): its view decides, on every rank alike
    if not comm.bcast(path.is_file() if comm.rank == 0 else None, root=0):
        raise EmcdMeshError(f"mesh file {str(path)!r} not found")

    def build() -> int:
        import gmsh

        gmsh.open(str(path))
        dim = gmsh.model.getDimension()
        if suffix == ".geo":
            if size is not None:
                apply_mesh_sizes(size, tdim=dim)
            generate(dim, order)
        _name_unnamed_groups()
        return dim

    if gdim is None:
        gdim = _model_dimension(path, comm)
    return domain_from_gmsh(build, gdim=gdim, comm=comm, refine=refine)


def _model_dimension(path: Path, comm: MPI.Comm) -> int:
    from emcd_fem.geometry.gmsh_model import run_on_root

    def probe() -> int:
        import gmsh

        if not gmsh.isInitialized():
            gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.clear()
        gmsh.open(str(path))
        dim = gmsh.model.getDimension()
        gmsh.clear()
        return dim

    return int(run_on_root(probe, comm))
