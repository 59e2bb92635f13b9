"""Shared pieces of the benchmark scripts: the 3-layer slab, phase timer, memory, report line.

Every benchmark script is a separate process (started by ``run.py``, under ``mpiexec`` for
more than one rank) that prints one line ``BENCH {json}`` on rank 0: phase times [s],
peak resident memory [MiB] (largest rank and sum of the ranks), DOFs, iterations, flux and
its error against the exact series-resistance flux of the slab.
"""

import json
import os
import resource
import sys
import time
from contextlib import contextmanager

#: Process start (as early as this module is imported: scripts import it first).
START = time.perf_counter()

#: The 3-layer slab (coating | membrane | support) at real units: total thickness 1 mm,
#: 1 mm × 1 mm cross-section, c = 40.9 mol/m³ (ideal gas, 1 atm, 298 K).
THICKNESS = (0.3e-3, 0.4e-3, 0.3e-3)  # m
FRACTIONS = (0.3, 0.4, 0.3)
WIDTH = 1.0e-3  # m (y and z)
C = 40.9  # mol/m³
D = (2.0e-5, 2.0e-6, 1.0e-5)  # m²/s
X_LEFT, X_RIGHT = 0.9, 0.1
NAMES = ("coating", "membrane", "support")

#: Cells along x (and along y and z): (n + 1)³ P1 DOFs.
SLAB_CELLS = {"quick": 20, "30k": 30, "230k": 60, "1M": 100}


def layer_cells(n: int) -> list[int]:
    """Cells per layer for ``n`` cells along x (n a multiple of 10)."""
    return [round(f * n) for f in FRACTIONS]


def exact_flux() -> float:
    """Outward flux through ``right`` [mol/s]: (x_L − x_R) / Σ L_i/(c D_i) × area (exact)."""
    resistance = sum(t / (C * d) for t, d in zip(THICKNESS, D, strict=True))
    return (X_LEFT - X_RIGHT) / resistance * WIDTH * WIDTH


class Phases:
    """Wall-clock time of named phases [s] (``with phases("solve"): ...``)."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        """Time the block as phase ``name``."""
        tic = time.perf_counter()
        try:
            yield
        finally:
            self.times[name] = self.times.get(name, 0.0) + time.perf_counter() - tic

    def add(self, name: str, seconds: float) -> None:
        """Add time measured elsewhere to phase ``name``."""
        self.times[name] = self.times.get(name, 0.0) + seconds


def peak_rss_mib() -> float:
    """Peak resident memory of this process [MiB] (Linux: ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def report(comm, record: dict) -> None:
    """Print ``BENCH {json}`` on rank 0 with the memory of all ranks (collective)."""
    from mpi4py import MPI

    rss = peak_rss_mib()
    record = dict(record)
    record["ranks"] = comm.size
    record["rss_max_mib"] = comm.allreduce(rss, op=MPI.MAX)
    record["rss_sum_mib"] = comm.allreduce(rss, op=MPI.SUM)
    record["in_process_total"] = time.perf_counter() - START
    if comm.rank == 0:
        print("BENCH " + json.dumps(record), flush=True)


def parse_args(argv: list[str] | None = None) -> dict:
    """``key=value`` arguments (values as JSON when they parse, else strings)."""
    args = {}
    for item in sys.argv[1:] if argv is None else argv:
        key, _, value = item.partition("=")
        try:
            args[key] = json.loads(value)
        except json.JSONDecodeError:
            args[key] = value
    return args


def early_import() -> None:
    """The PyPI DOLFINx wheel needs ``dolfinx_solver`` imported before dolfinx/petsc4py."""
    import importlib.util

    if importlib.util.find_spec("dolfinx_solver") is not None:
        import dolfinx_solver  # noqa: F401


os.environ.setdefault("OMP_NUM_THREADS", "1")


def slab_mesh(comm, n: int, ghosts: bool = True):
    """The mesh of ``emcd_fem.layered_slab`` built by hand: (mesh, cell tags, facet tags).

    ``create_box`` with n cells along x, y, z (ghost mode shared_facet, or none with
    ``ghosts=False``), the x-nodes mapped onto the layers; cell tags 1, 2, 3 (layers),
    facet tags 1 (left, x = 0), 2 (right).
    """
    import numpy as np
    from dolfinx import mesh

    counts = layer_cells(n)
    msh = mesh.create_box(
        comm,
        [[0.0, 0.0, 0.0], [float(n), WIDTH, WIDTH]],
        [n, n, n],
        cell_type=mesh.CellType.tetrahedron,
        ghost_mode=mesh.GhostMode.shared_facet if ghosts else mesh.GhostMode.none,
    )
    nodes = np.concatenate([[0], np.cumsum(counts)]).astype(float)
    positions = np.concatenate([[0.0], np.cumsum(THICKNESS)])
    msh.geometry.x[:, 0] = np.interp(msh.geometry.x[:, 0], nodes, positions)
    tdim = msh.topology.dim
    cell_map = msh.topology.index_map(tdim)
    cells = np.arange(cell_map.size_local + cell_map.num_ghosts, dtype=np.int32)
    layer = np.searchsorted(positions[1:-1], mesh.compute_midpoints(msh, tdim, cells)[:, 0])
    cell_tags = mesh.meshtags(msh, tdim, cells, (layer + 1).astype(np.int32))
    length = positions[-1]
    left = mesh.locate_entities_boundary(msh, tdim - 1, lambda p: np.isclose(p[0], 0.0))
    right = mesh.locate_entities_boundary(msh, tdim - 1, lambda p: np.isclose(p[0], length))
    facets = np.concatenate([left, right])
    order = np.argsort(facets)
    values = np.concatenate([np.full(left.size, 1, np.int32), np.full(right.size, 2, np.int32)])
    facet_tags = mesh.meshtags(msh, tdim - 1, facets[order], values[order])
    return msh, cell_tags, facet_tags
