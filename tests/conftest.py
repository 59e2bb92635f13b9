"""Shared test fixtures. The DOLFINx wheel's MPI loading must happen first."""

# isort: off
import importlib.util

if importlib.util.find_spec("dolfinx_solver") is not None:
    import dolfinx_solver  # noqa: F401
# isort: on

import gc
import shutil
import subprocess
import tempfile
from pathlib import Path

from mpi4py import MPI

import pytest

import emcd_fem as ef

# Every child process (mpiexec above all) in its own session: MPICH's hydra signals the
# process group of a job it tears down (a SIGTERM to mpiexec, a rank that fails), and the
# pytest worker shared that group. PETSc's signal handler then ended the worker with exit
# 15 (or an abort inside whatever C++ call it was in) several tests later, and xdist hung.
_popen_init = subprocess.Popen.__init__


def _popen_in_own_session(self, *args, **kwargs):
    kwargs.setdefault("start_new_session", True)
    _popen_init(self, *args, **kwargs)


subprocess.Popen.__init__ = _popen_in_own_session


def build_two_material_square(h: float, comm: MPI.Comm = MPI.COMM_WORLD) -> ef.Domain:
    """Unit square split at x = 0.5 into regions ``west``/``east``; unstructured triangles.

    Boundaries: left (x=0), right (x=1), bottom (y=0), top (y=1).
    """
    import gmsh

    def build():
        occ = gmsh.model.occ
        west = occ.addRectangle(0.0, 0.0, 0.0, 0.5, 1.0)
        east = occ.addRectangle(0.5, 0.0, 0.0, 0.5, 1.0)
        occ.fragment([(2, west)], [(2, east)])
        occ.synchronize()
        surfaces = {}
        for _, tag in gmsh.model.getEntities(2):
            cx = gmsh.model.occ.getCenterOfMass(2, tag)[0]
            surfaces["west" if cx < 0.5 else "east"] = tag
        for name, tag in surfaces.items():
            gmsh.model.addPhysicalGroup(2, [tag], name=name)
        sides = {"left": [], "right": [], "bottom": [], "top": []}
        for _, tag in gmsh.model.getEntities(1):
            x, y, _ = gmsh.model.occ.getCenterOfMass(1, tag)
            if abs(x) < 1e-12:
                sides["left"].append(tag)
            elif abs(x - 1) < 1e-12:
                sides["right"].append(tag)
            elif abs(y) < 1e-12:
                sides["bottom"].append(tag)
            elif abs(y - 1) < 1e-12:
                sides["top"].append(tag)
        for name, tags in sides.items():
            gmsh.model.addPhysicalGroup(1, tags, name=name)
        gmsh.option.setNumber("Mesh.CharacteristicLengthMax", h)
        gmsh.option.setNumber("Mesh.CharacteristicLengthMin", h)
        gmsh.option.setNumber("Mesh.Algorithm", 6)
        gmsh.model.mesh.generate(2)

    return ef.domain_from_gmsh(build, gdim=2, comm=comm)


@pytest.fixture
def two_material_square():
    return build_two_material_square


@pytest.fixture(autouse=True)
def _collect_garbage():
    # PETSc objects must be destroyed collectively: collect at the same point on all ranks.
    yield
    gc.collect()
    MPI.COMM_WORLD.Barrier()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Under mpiexec every rank must run the same tests in the same order (they are
    collective): compare the collected ids across COMM_WORLD and stop every rank if not."""
    comm = MPI.COMM_WORLD
    if comm.size == 1:
        return
    ids = comm.allgather([item.nodeid for item in session.items])
    if any(other != ids[0] for other in ids[1:]):
        differ = [r for r, other in enumerate(ids) if other != ids[0]]
        raise pytest.UsageError(
            f"ranks {differ} collected different tests than rank 0 (e.g. parametrised from an "
            "unordered set): the collective tests would deadlock"
        )


@pytest.fixture
def shared_dir():
    """A temporary directory made by rank 0, the same path on every rank, removed after."""
    comm = MPI.COMM_WORLD
    path = tempfile.mkdtemp(prefix="emcd-shared-") if comm.rank == 0 else None
    path = Path(comm.bcast(path, root=0))
    yield path
    comm.Barrier()
    if comm.rank == 0:
        shutil.rmtree(path, ignore_errors=True)
