"""Stand-in for ``scifem.mesh`` (benchmarks only): not needed by single-field problems."""


def transfer_meshtags_to_submesh(*args, **kwargs):
    """Not available in the stand-in (FESTIM's discontinuous multi-material problems)."""
    raise NotImplementedError(
        "scifem.mesh.transfer_meshtags_to_submesh: the benchmark stand-in for scifem does not "
        "provide it; install scifem to run FESTIM's discontinuous problems"
    )
