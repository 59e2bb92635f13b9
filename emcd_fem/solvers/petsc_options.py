"""Checks of the PETSc options a case passes to the solvers (``[solver.petsc_options]``).

A case file is data, not code: a case from someone else must not make PETSc write files,
open windows, load Python code or read other option files. The options emcd_fem passes on
are prefixed per problem (``-emcd_<problem>_<name>``), so only the option families of its
solver objects take effect: ``ksp_*`` (Krylov method), ``pc_*`` (preconditioner),
``snes_*`` (Newton, thermal cases) and ``mat_*`` (matrix and factorisation packages).

:func:`option_problems` returns every problem with its key path:

* names outside those families, and option names that are not plain identifiers;
* *unsafe* options, refused unless the user allows them explicitly
  (``emcd --allow-unsafe-petsc-options``, ``allow_unsafe_petsc_options=True``):
  anything that loads Python code (``*python*``, ``ksp_type = "python"``), reads option
  files (``*options*``), draws (``*draw*``, ``*_lg_*``), serves (``*saws*``), and a viewer
  value that writes to a file or to anything but the terminal
  (``ksp_view = "binary:A.dat"``, ``ksp_monitor = "ascii:/tmp/log"``);
* values of the wrong kind: a method name not in PETSc's own list (``PETSc.KSP.Type``,
  ``PETSc.PC.Type``, ``PETSc.SNES.Type``, ``PETSc.Mat.SolverType``, ...) or an external
  package this PETSc lacks, a tolerance that is not a finite number, an iteration count
  that is not an integer, a boolean where a number is expected;
* anything PETSc itself rejects when the options are applied to a throw-away solver on
  one process (``KSPSetFromOptions``/``SNESSetFromOptions``), with the option named.
"""

import itertools
import math
import re
from collections.abc import Mapping
from typing import Any

from emcd_fem.errors import EmcdInputError

#: Option families (name prefixes) of the PETSc objects emcd_fem configures (``mg_`` and
#: ``fieldsplit_``: the multigrid levels and the x_A/T blocks of the Newton default).
FAMILIES: tuple[str, ...] = ("ksp_", "pc_", "snes_", "mat_", "mg_", "fieldsplit_")

#: Name fragments of options that load code, read files, draw or serve: always unsafe.
UNSAFE_FRAGMENTS: dict[str, str] = {
    "python": "loads and runs Python code",
    "options": "reads or changes PETSc options from elsewhere (files, strings)",
    "draw": "opens a graphics window",
    "_lg_": "opens a graphics window",
    "saws": "starts a web server",
    "dump": "writes files",
    "viewer": "writes files",
    "filename": "writes files",
}
#: Method values that load Python code.
UNSAFE_TYPES: frozenset[str] = frozenset({"python"})

#: Name fragments of options whose value is a PETSc viewer (where output goes).
VIEWER_FRAGMENTS: tuple[str, ...] = ("view", "monitor", "converged_reason", "log")

#: Suffixes of options whose value is a real number.
REAL_SUFFIXES: tuple[str, ...] = (
    "_rtol",
    "_atol",
    "_dtol",
    "_divtol",
    "_stol",
    "_threshold",
    "_shift_amount",
    "_damping",
    "_fill",
    "_tol",
)
#: Suffixes of options whose value is an integer.
INT_SUFFIXES: tuple[str, ...] = (
    "_max_it",
    "_max_funcs",
    "_restart",
    "_levels",
    "_lag_jacobian",
    "_lag_preconditioner",
    "_max_fail",
    "_max_linear_solve_fail",
    "_agg_nsmooths",
    "_coarse_eq_limit",
)
_MUMPS_INT = re.compile(r"mat_mumps_icntl_\d+$")
_MUMPS_REAL = re.compile(r"mat_mumps_cntl_\d+$")
_NAME = re.compile(r"[a-z][a-z0-9_]*$")
_TRUE_WORDS = ("", "true", "false", "yes", "no", "1", "0", "on", "off")


def _values(container: Any) -> list[str]:
    return sorted(
        {v for k, v in vars(container).items() if not k.startswith("_") and isinstance(v, str)}
    )


def _method_lists() -> dict[str, list[str]]:
    """Option name suffix → the values PETSc knows (from petsc4py's own lists)."""
    from petsc4py import PETSc

    norms = [k.lower() for k in vars(PETSc.KSP.NormType) if k.isupper() and "_" not in k]
    return {
        "ksp_type": _values(PETSc.KSP.Type),
        "pc_type": _values(PETSc.PC.Type),
        "snes_type": _values(PETSc.SNES.Type),
        "linesearch_type": _values(PETSc.SNESLineSearch.Type),
        "mat_solver_type": _values(PETSc.Mat.SolverType),
        "mat_type": _values(PETSc.Mat.Type),
        "gamg_type": _values(PETSc.PC.GAMGType),
        "ordering_type": _values(PETSc.Mat.OrderingType),
        "composite_type": [k.lower() for k in vars(PETSc.PC.CompositeType) if k.isupper()],
        "norm_type": sorted(set(norms)),
        "pc_side": ["left", "right", "symmetric"],
    }


def _suggest(value: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, known, n=1)
    return f"did you mean {close[0]!r}?" if close else f"PETSc knows {', '.join(known)}"


def _viewer_writes(value: Any) -> bool:
    """True when a viewer option's value sends output anywhere but the terminal.

    Safe: ``true``/``false``/empty (the terminal), ``ascii`` or ``::format`` without a
    file name. A value such as ``binary`` (default file ``binaryoutput``), ``draw`` or
    ``ascii:file.txt`` writes or opens something.
    """
    if isinstance(value, bool):
        return False
    text = str(value).strip()
    if text.lower() in _TRUE_WORDS:
        return False
    kind, _, rest = text.partition(":")
    filename = rest.split(":")[0] if rest else ""
    return kind.strip().lower() not in ("", "ascii") or bool(filename.strip())


def _is_number(value: Any, *, integer: bool) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value) and (not integer or value.is_integer())
    try:
        number = float(str(value).strip())
    except ValueError:
        return False
    return math.isfinite(number) and (not integer or number.is_integer())


def _name_problem(name: str) -> str | None:
    if not _NAME.match(name):
        return "not a PETSc option name (lower-case letters, digits and _, without the leading -)"
    if not name.startswith(FAMILIES):
        return (
            f"not an option of the solvers emcd_fem configures; the option names start with "
            f"{', '.join(FAMILIES)} (global PETSc options cannot be set from a case)"
        )
    return None


def _unsafe_reason(name: str, value: Any) -> str | None:
    for fragment, reason in UNSAFE_FRAGMENTS.items():
        if fragment in name:
            return reason
    if name.endswith("_type") and str(value).strip().lower() in UNSAFE_TYPES:
        return "loads and runs Python code"
    if any(f in name for f in VIEWER_FRAGMENTS) and _viewer_writes(value):
        return (
            f"viewer {str(value)!r} writes to a file or a window (only true, 'ascii' or "
            "'::format' — the terminal — are safe)"
        )
    return None


def _value_problem(name: str, value: Any, lists: Mapping[str, list[str]]) -> str | None:
    from petsc4py import PETSc

    if isinstance(value, float) and not math.isfinite(value):
        return f"must be finite, got {value!r}"
    if isinstance(value, bool) and any(f in name for f in VIEWER_FRAGMENTS):
        return (
            f"a viewer option takes a viewer, not {value!r}: '' or 'ascii' (the terminal), "
            "or leave it out"
        )
    for suffix, known in lists.items():
        if name == suffix or name.endswith("_" + suffix):
            if not isinstance(value, str):
                return f"expected a name from PETSc's list, got {value!r}; {_suggest('', known)}"
            if value not in known:
                return f"unknown value {value!r}; {_suggest(value, known)}"
            if (
                suffix == "mat_solver_type"
                and value != "petsc"
                and not PETSc.Sys.hasExternalPackage(value)
            ):
                return (
                    f"{value!r} is not part of this PETSc build (see `emcd info` for the "
                    "external packages)"
                )
            return None
    if name.endswith(INT_SUFFIXES) or _MUMPS_INT.match(name):
        if not _is_number(value, integer=True):
            return f"must be an integer, got {value!r}"
        return None
    if name.endswith(REAL_SUFFIXES) or _MUMPS_REAL.match(name):
        if not _is_number(value, integer=False):
            return f"must be a finite number, got {value!r}"
        return None
    return None


_ids = itertools.count()


def _petsc_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _trial_error(options: Mapping[str, Any]) -> bool:
    """True when PETSc rejects the options on a throw-away SNES/KSP/PC/Mat (one process)."""
    from mpi4py import MPI
    from petsc4py import PETSc

    prefix = f"emcd_check_{next(_ids)}_"
    opts = PETSc.Options()
    for name, value in options.items():
        opts[prefix + name] = _petsc_text(value)
    objects: list[Any] = []
    PETSc.Sys.pushErrorHandler("python")
    try:
        A = PETSc.Mat().createAIJ([2, 2], nnz=2, comm=MPI.COMM_SELF)
        objects.append(A)
        A.setOptionsPrefix(prefix)
        A.setFromOptions()
        A.setUp()
        A.setValues([0, 1], [0, 1], [[2.0, -1.0], [-1.0, 2.0]])
        A.assemble()
        snes = PETSc.SNES().create(comm=MPI.COMM_SELF)
        objects.append(snes)
        snes.setOptionsPrefix(prefix)
        snes.getKSP().setOperators(A)
        snes.setFromOptions()
        return False
    except PETSc.Error:
        return True
    finally:
        PETSc.Sys.popErrorHandler()
        for obj in objects:
            obj.destroy()
        for name in options:
            opts.delValue(prefix + name)


def option_problems(
    options: Mapping[str, Any],
    *,
    allow_unsafe: bool = False,
    key: str = "solver.petsc_options",
) -> list[tuple[str, str]]:
    """Every problem of a case's PETSc options, as ``(key path, message)`` pairs.

    Args:
        options: Option name (without the leading ``-``) → value.
        allow_unsafe: Accept options that write files, load code or read other files (the
            user's explicit decision: ``--allow-unsafe-petsc-options``).
        key: Key path of the options in the case, for messages.

    Returns:
        The problems; empty when the options are valid.

    Note:
        Local (no MPI communication): the trial objects live on ``MPI.COMM_SELF``.
    """
    lists = _method_lists()
    problems: list[tuple[str, str]] = []
    for raw in options:
        name = raw.lstrip("-")
        value = options[raw]
        path = f"{key}.{raw}"
        problem = _name_problem(name)
        if problem is None and not allow_unsafe:
            reason = _unsafe_reason(name, value)
            if reason is not None:
                problem = (
                    f"unsafe PETSc option: it {reason}. A case file is data, not code: "
                    "if you trust this case, pass --allow-unsafe-petsc-options "
                    "(Python: allow_unsafe_petsc_options=True)"
                )
        if problem is None:
            problem = _value_problem(name, value, lists)
        if problem is not None:
            problems.append((path, problem))
    if problems:
        return problems
    plain = {raw.lstrip("-"): value for raw, value in options.items()}
    if not _trial_error(plain):
        return []
    # name the culprits: each option alone, next to the method options it depends on
    methods = {k: v for k, v in plain.items() if k.endswith("_type")}
    culprits = [
        k for k in plain if _trial_error({**methods, k: plain[k]}) and not _trial_error(methods)
    ]
    culprits += [k for k in methods if _trial_error({k: methods[k]})]
    for name in culprits or list(plain):
        problems.append(
            (f"{key}.{name}", f"PETSc rejects the value {plain[name]!r} for this option")
        )
    return problems


def check_petsc_options(options: Mapping[str, Any], *, allow_unsafe: bool = False) -> None:
    """Raise :class:`~emcd_fem.errors.EmcdInputError` listing the problems of ``options``."""
    problems = option_problems(options, allow_unsafe=allow_unsafe)
    if problems:
        raise EmcdInputError("; ".join(f"{path}: {message}" for path, message in problems))


__all__ = ["FAMILIES", "check_petsc_options", "option_problems"]
