"""Runtime set-up that must happen before DOLFINx, PETSc or MPI are imported.

The PyPI wheel ``dolfinx-solver-real`` ships MPI, PETSc and DOLFINx as separate shared
libraries; ``import dolfinx_solver`` loads them in the right order and must run before
``dolfinx``, ``petsc4py`` or ``mpi4py`` in every process. Installations that provide
DOLFINx otherwise (conda-forge ``fenics-dolfinx``, the official Docker images) have no
such module and need nothing: this is then a no-op.

This is the only place in the package that performs this import.
"""

import importlib.util

HAS_DOLFINX_SOLVER_WHEEL: bool = importlib.util.find_spec("dolfinx_solver") is not None

if HAS_DOLFINX_SOLVER_WHEEL:
    import dolfinx_solver  # noqa: F401
