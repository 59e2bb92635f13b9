"""Exceptions raised by emcd_fem.

Every message names the culprit (a material, a boundary, a key) and says what to do.
"""

import difflib
from collections.abc import Iterable


class EmcdError(Exception):
    """Base class of all emcd_fem errors."""


class EmcdInputError(EmcdError, ValueError):
    """Invalid input: an unknown name, a missing value, a non-positive property."""


class AdmissibilityError(EmcdInputError):
    """Physically inadmissible data: no steady state with 0 <= x_A <= 1 exists."""


class EmcdMeshError(EmcdInputError):
    """A geometry or mesh could not be built or read (gmsh errors, missing groups)."""


class EmcdMeshingError(EmcdMeshError):
    """gmsh could not mesh a valid geometry at the requested cell size.

    The geometry itself passed its checks; another cell size (or refinement in DOLFINx of a
    coarser gmsh mesh) usually works. The message names the size and what to try.
    """


class EmcdSolverError(EmcdError, RuntimeError):
    """A linear or nonlinear solver failed to converge."""


class EmcdResultError(EmcdError, RuntimeError):
    """A finished result fails a check the program makes itself.

    Its own analytic reference disagrees by more than the discretisation can explain, the
    species balance does not close, or x_A leaves [0, 1] although the data keep it there.

    Attributes:
        result: What was computed (e.g. the :class:`~emcd_fem.pipeline.run.RunResult`, whose
            summary.json records the failure), or None.
    """

    def __init__(self, message: str, result: object = None) -> None:
        super().__init__(message)
        self.result = result


class UnknownNameError(EmcdInputError):
    """A name given on the command line that does not exist (e.g. a demo): not a case error."""


def unknown_name(kind: str, name: str, known: Iterable[str]) -> EmcdInputError:
    """Build an error for an unknown name with a "did you mean" suggestion.

    Args:
        kind: What the name refers to, e.g. ``"boundary"`` or ``"region"``.
        name: The name the user gave.
        known: The names that exist.

    Returns:
        The error to raise.
    """
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return EmcdInputError(f"unknown {kind} {name!r}; known {kind} names: {known}.{hint}")
