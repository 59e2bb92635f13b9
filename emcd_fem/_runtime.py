"""Runtime set-up that must happen before DOLFINx or PETSc are imported.

The PyPI wheel ``dolfinx-solver-real`` ships MPI, PETSc and DOLFINx as separate shared
libraries; ``import dolfinx_solver`` loads ``mpi4py.MPI`` ahead of them (and refuses a
foreign petsc4py) and must run before ``dolfinx`` or ``petsc4py`` in every process.
Installations that provide DOLFINx otherwise (conda-forge ``fenics-dolfinx``, the official
Docker images) have no such module and need nothing: this is then a no-op.

The import is deferred to the moment it is needed: importing this module installs a
finder that runs ``import dolfinx_solver`` just before the first import of a compiled
binding (:data:`BINDINGS`), whoever imports it, so ``import emcd_fem`` and ``emcd --help``
load no MPI at all (``dolfinx_solver`` costs ~0.25 s: it initialises MPI). If a binding is
already loaded, the import happens at once, as before.

This is the only place in the package that performs this import.
"""

import importlib.util
import sys
from typing import Any

HAS_DOLFINX_SOLVER_WHEEL: bool = importlib.util.find_spec("dolfinx_solver") is not None

#: Top-level packages that link MPI/PETSc: ``dolfinx_solver`` is imported before them.
BINDINGS: frozenset[str] = frozenset({"dolfinx", "petsc4py", "slepc4py", "basix"})

_done = not HAS_DOLFINX_SOLVER_WHEEL


def ensure_load_order() -> None:
    """Import ``dolfinx_solver`` now if the wheel is installed (idempotent)."""
    global _done
    if not _done:
        _done = True
        import dolfinx_solver  # noqa: F401


class _LoadOrder:
    """Finds nothing; runs :func:`ensure_load_order` before a binding is imported.

    A meta path finder by protocol (``find_spec``), not by ``importlib.abc``: that module
    imports ``importlib.resources``, ``tempfile`` and ``inspect`` (~40 ms of `emcd --help`).
    """

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if not _done and fullname.partition(".")[0] in BINDINGS:
            ensure_load_order()  # imports mpi4py.MPI, none of BINDINGS


if not _done:
    if BINDINGS & set(sys.modules):  # too late to defer: keep the order we can
        ensure_load_order()
    elif not any(isinstance(finder, _LoadOrder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _LoadOrder())
