"""``emcd_validity(case)``: "is EMCD valid here?" from Python, without writing anything.

The same as running the case with ``[analysis] emcd_validity = true``
(:mod:`emcd_fem.pipeline.validity_run` does the work inside the run).
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mpi4py import MPI

from emcd_fem.case import Case
from emcd_fem.mesh.domain import Domain
from emcd_fem.pipeline.run import run_case


def emcd_validity(
    source: str | Path | Mapping[str, Any] | Case,
    overrides: Sequence[str] = (),
    *,
    comm: MPI.Comm = MPI.COMM_WORLD,
    domain: Domain | None = None,
) -> dict[str, Any]:
    """Solve a steady binary case and the fuller model that applies; the ``validity`` report.

    Args:
        source: TOML path, raw case data or a :class:`~emcd_fem.case.Case`.
        overrides: ``key.path=value`` strings (as ``--set``).
        comm: MPI communicator.
        domain: A domain to reuse (as for :func:`~emcd_fem.pipeline.run.run_case`).

    Returns:
        The report (README "Is EMCD valid here?"): ``verdict``, ``model``, per-boundary
        ``boundaries`` (fluxes [mol/s in 3D, mol/(m s) in 2D, mol/(m^2 s) in 1D] and
        relative deviations), ``regime`` numbers, ``missing_data``.

    Raises:
        CaseError: an invalid case, or one the report does not cover ([time],
            [multicomponent]). EmcdResultError: the run's own checks or the report failed
            (the exception carries the run's result).

    Note:
        Collective on ``comm``.
    """
    result = run_case(
        source, None, [*overrides, "analysis.emcd_validity=true"], comm=comm, domain=domain
    )
    return result.summary["validity"]


__all__ = ["emcd_validity"]
