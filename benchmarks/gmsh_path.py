"""The gmsh import path of the sphere-array composite, phase by phase (issue 21 item 4).

A 1 mm cube with 3 × 3 × 3 spheres (radius 0.12 mm) through
``emcd_fem.geometry.matrix_with_inclusions``: gmsh's CAD + mesh (rank 0), the checks of
the arrays (``extract``), the distribution (``create_mesh`` and the tags), the
refinement in DOLFINx (``refine=``). Usage:
``python gmsh_path.py size=18e-6 refine=1`` (under ``mpiexec -n 2`` for two ranks).
"""

import time

import common  # first: the process start time (time is a built-in module: no cost)

phases = common.Phases()
cpu = common.Phases()  # CPU time of this rank per phase (the machine may be shared)
with phases("import"):
    common.early_import()
    from mpi4py import MPI

    from dolfinx import mesh as dmesh

    from emcd_fem.geometry import gmsh_arrays, gmsh_model, inclusions

args = common.parse_args()
comm = MPI.COMM_WORLD


def timed(owner, name: str, phase: str) -> None:
    """Add the time spent in ``owner.name`` to ``phase``."""
    original = getattr(owner, name)

    def wrapper(*a, **k):
        tic = time.process_time()
        try:
            with phases(phase):
                return original(*a, **k)
        finally:
            cpu.add(phase, time.process_time() - tic)

    setattr(owner, name, wrapper)


timed(inclusions, "generate", "gmsh_mesh")
timed(gmsh_arrays, "extract", "extract")
timed(gmsh_model, "distribute", "distribute")
timed(dmesh, "create_mesh", "create_mesh")
timed(gmsh_model, "refine_with_tags", "refine")

with phases("total"):
    domain = inclusions.matrix_with_inclusions(
        (1e-3, 1e-3, 1e-3),
        inclusions.periodic_array((1e-3, 1e-3, 1e-3), (3, 3, 3)),
        0.12e-3,
        kind="sphere",
        size=float(args.get("size", 60e-6)),
        refine=int(args.get("refine", 0)),
        comm=comm,
    )
times = phases.times
KEYS = ("import", "gmsh_mesh", "extract", "distribute", "create_mesh", "refine", "total")
# the slowest rank; the same keys, in the same order, on every rank (collective)
times = {k: comm.allreduce(times.get(k, 0.0), op=MPI.MAX) for k in KEYS}
times["gmsh_cad"] = (
    times.get("total", 0.0)
    - times.get("gmsh_mesh", 0.0)
    - times.get("extract", 0.0)
    - times.get("distribute", 0.0)
    - times.get("refine", 0.0)
)
times["tags"] = times.get("distribute", 0.0) - times.get("create_mesh", 0.0)
cpu_times = {k: comm.allreduce(cpu.times.get(k, 0.0), op=MPI.MAX) for k in KEYS}
cpu_times["tags"] = cpu_times["distribute"] - cpu_times["create_mesh"]
common.report(
    comm,
    {
        "variant": "gmsh_path",
        "phases": times,
        "cpu_phases": cpu_times,  # the busiest rank's CPU time per phase [s]
        "dofs": domain.mesh.topology.index_map(0).size_global,
        "cells": domain.mesh.topology.index_map(3).size_global,
    },
)
