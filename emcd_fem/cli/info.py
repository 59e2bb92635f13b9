"""What this installation has: versions, MPI, PETSc packages (for ``emcd info``)."""

import importlib.metadata
import platform
from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx

#: PETSc external packages worth knowing about for emcd_fem's solvers and meshes.
PETSC_PACKAGES = ("mumps", "superlu_dist", "hypre", "ml", "metis", "parmetis", "ptscotch", "hdf5")


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def installation_info() -> dict[str, Any]:
    """Versions, MPI library and ranks, PETSc packages and the default solvers."""
    import gmsh

    return {
        "versions": {
            "emcd_fem": _version("emcd_fem"),
            "python": platform.python_version(),
            "dolfinx": dolfinx.__version__,
            "basix": _version("fenics-basix"),
            "ufl": _version("fenics-ufl"),
            "ffcx": _version("fenics-ffcx"),
            "petsc": ".".join(str(v) for v in PETSc.Sys.getVersion()),
            "petsc4py": getattr(__import__("petsc4py"), "__version__", "unknown"),
            "mpi4py": _version("mpi4py"),
            "gmsh": gmsh.__version__,
            "pyvista": _version("pyvista"),
            "numpy": _version("numpy"),
            "pydantic": _version("pydantic"),
        },
        "mpi": {
            "library": MPI.Get_library_version().splitlines()[0].strip(),
            "ranks": MPI.COMM_WORLD.size,
        },
        "dolfinx": {"adios2 (VTX output)": dolfinx.has_adios2, "scalar": "real"},
        "petsc_packages": {p: bool(PETSc.Sys.hasExternalPackage(p)) for p in PETSC_PACKAGES},
        "default_solvers": {
            "up to 20k DOFs": "preonly + lu (mumps)",
            "larger": "cg + gamg, rtol 1e-10",
            "flux-only": "cg + gamg with the constant null space",
            "films": "preonly + lu (mumps)",
        },
    }
