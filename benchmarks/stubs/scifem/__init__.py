"""Local stand-in for the two ``scifem`` helpers FESTIM 2.1 imports (benchmarks only).

FESTIM 2.1 depends on scifem (a compiled package) for ``scifem.assemble_scalar`` (its
derived quantities) and ``scifem.mesh.transfer_meshtags_to_submesh`` (multi-material
problems with discontinuous concentrations, not used by the benchmarks). This stand-in
gives the first and refuses the second, so FESTIM can be installed with ``--no-deps``.
"""

from mpi4py import MPI

from dolfinx import fem


def assemble_scalar(form, entity_maps=None) -> float:
    """Assemble a scalar form and sum it over the ranks (what scifem's helper returns)."""
    compiled = form if isinstance(form, fem.Form) else fem.form(form, entity_maps=entity_maps)
    local = fem.assemble_scalar(compiled)
    return compiled.mesh.comm.allreduce(local, op=MPI.SUM)
