"""profiles.csv: the run's mole fractions sampled along each ``[[output.profiles]]`` line.

Every pipeline writes one: the binary steady runs with their 1D analytic x_A beside the
solution; the other runs (transient: the final state; Stefan; n species) from their result
fields, with one column per species for an n-species gas. A profiles.csv holding only its
header (transient and n-species runs wrote one) is not written any more.
"""

from collections.abc import Callable, Mapping
from typing import Any

from mpi4py import MPI

import dolfinx
import numpy as np

from emcd_fem.agreement import checkpoint
from emcd_fem.case import Case
from emcd_fem.post.sampling import evaluate_at_points, line_points

#: The columns before the sampled values.
POSITION_COLUMNS = ["profile", "index", "x [m]", "y [m]", "z [m]", "distance [m]"]

#: The binary runs' value columns (NaN in the second without a 1D reference).
BINARY_COLUMNS = ["mole_fraction [1]", "mole_fraction_analytic [1]"]


def profile_rows(
    case: Case,
    mole_fraction: dolfinx.fem.Function,
    comm: MPI.Comm,
    exact: Callable[[np.ndarray], np.ndarray] | None,
) -> list[list[Any]]:
    """Rows of profiles.csv: x_A sampled along each profile line next to ``exact(points)``.

    Collective (point evaluation); the rows are returned on rank 0 only.
    """
    rows = []
    for profile in case.output.profiles:
        checkpoint(comm, "profile")  # rank 0's reference values may have failed
        points = line_points(profile.start, profile.end, profile.points)
        values = evaluate_at_points(mole_fraction, points)
        if comm.rank != 0:
            continue
        distance = np.linalg.norm(points - points[0], axis=1)
        reference = exact(points) if exact is not None else np.full(len(points), np.nan)
        for i, point in enumerate(points):
            rows.append([profile.name, i, *point, distance[i], values[i, 0], reference[i]])
    return rows


def species_rows(
    case: Case, fractions: Mapping[str, dolfinx.fem.Function], comm: MPI.Comm
) -> list[list[Any]]:
    """Rows with one column per field of ``fractions`` (in its order), rank 0 only.

    Collective: the same fields in the same order on every rank (a dict built in species
    order).
    """
    rows = []
    for profile in case.output.profiles:
        checkpoint(comm, "profile")
        points = line_points(profile.start, profile.end, profile.points)
        columns = [evaluate_at_points(f, points) for f in fractions.values()]
        if comm.rank != 0:
            continue
        distance = np.linalg.norm(points - points[0], axis=1)
        for i, point in enumerate(points):
            values = [float(c[i, 0]) for c in columns]
            rows.append([profile.name, i, *point, distance[i], *values])
    return rows


def profile_table(
    case: Case,
    fields: Mapping[str, Any],
    rows: list[list[Any]] | None,
    comm: MPI.Comm,
) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) of profiles.csv (collective when ``rows`` is None).

    Args:
        case: The case (its ``[[output.profiles]]``).
        fields: The run's result fields: ``mole_fraction`` (binary) or ``x_<species>``.
        rows: Rows the pipeline sampled with its 1D reference (binary columns), or None.
        comm: The run's communicator.
    """
    if rows is not None:
        return POSITION_COLUMNS + BINARY_COLUMNS, rows
    if "mole_fraction" in fields:
        return POSITION_COLUMNS + BINARY_COLUMNS, profile_rows(
            case, fields["mole_fraction"], comm, None
        )
    fractions = {name: f for name, f in fields.items() if name.startswith("x_")}
    header = POSITION_COLUMNS + [f"{name} [1]" for name in fractions]
    return header, species_rows(case, fractions, comm)


__all__ = ["BINARY_COLUMNS", "POSITION_COLUMNS", "profile_rows", "profile_table", "species_rows"]
