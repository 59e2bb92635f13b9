"""Reading a case: TOML text or file, ``--set`` overrides, validation (schema, then checks)."""

import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from emcd_fem.case.base import CaseError, SolverOptionsError
from emcd_fem.case.check import semantic_problems as _semantic_problems
from emcd_fem.case.messages import schema_problems as _schema_problems
from emcd_fem.case.schema import Case


def parse_value(text: str) -> Any:
    """A ``--set`` value: TOML syntax (numbers, booleans, strings, arrays), else a string."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return text


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Apply ``key.path=value`` overrides to raw case data (a deep copy is returned).

    List elements are addressed as ``geometry.layers.0.thickness``.
    """
    import copy

    data = copy.deepcopy(data)
    problems = []
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            problems.append(("--set", f"expected key.path=value, got {item!r}"))
            continue
        parts = key.strip().split(".")
        node: Any = data
        for part in parts[:-1]:
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict):
                node = node.setdefault(part, {})
            else:
                problems.append((key, "cannot set: the path does not lead to a table"))
                break
        else:
            last = parts[-1]
            if isinstance(node, list) and last.isdigit() and int(last) < len(node):
                node[int(last)] = parse_value(text)
            elif isinstance(node, dict):
                node[last] = parse_value(text)
            else:
                problems.append((key, "cannot set: the path does not lead to a table"))
    if problems:
        raise CaseError(problems, "--set option")
    return data


def validate_case(
    data: Mapping[str, Any], source: str = "case", *, allow_unsafe_petsc_options: bool = False
) -> Case:
    """Validate raw case data; raise :class:`CaseError` listing every problem.

    Args:
        data: Raw case data (from TOML).
        source: Label for messages (the file name).
        allow_unsafe_petsc_options: Accept PETSc options that write files, load code or
            read other files (see :mod:`emcd_fem.solvers.petsc_options`); refused by default.
    """
    from emcd_fem.solvers.petsc_options import option_problems

    deep = _too_deep(data)
    if deep is not None:
        raise CaseError([(deep, f"nested deeper than {MAX_NESTING} levels")], source)
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        problems = _schema_problems(exc)
        if isinstance(data, Mapping) and "multicomponent" not in data:
            problems += [  # required unless [multicomponent] (then the semantic check says so)
                (key, "missing (required)")
                for key in ("materials", "boundaries")
                if key not in data
            ]
        raise CaseError(problems, source) from None
    except RecursionError:
        raise CaseError([("", "case data nested too deeply")], source) from None
    problems = _semantic_problems(case)
    solver = option_problems(case.solver.petsc_options, allow_unsafe=allow_unsafe_petsc_options)
    if solver and not problems:
        raise SolverOptionsError(solver, source)
    if problems or solver:
        raise CaseError(problems + solver, source)
    return case


#: Deepest nesting of tables and arrays a case may have (the schema needs 5).
MAX_NESTING: int = 16
#: Largest case file read [bytes].
MAX_CASE_BYTES: int = 4_000_000


def _too_deep(data: Any, limit: int = MAX_NESTING) -> str | None:
    """Key path of the first value nested deeper than ``limit`` (iterative), or None."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > limit:
            return path
        if isinstance(node, dict):
            stack += [(v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(node)]
    return None


def parse_case_text(text: str, source: str = "case") -> dict[str, Any]:
    """Parse TOML case text; syntax errors and absurd nesting become :class:`CaseError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseError([("", f"TOML syntax error: {exc}")], source) from None
    except RecursionError:
        raise CaseError(
            [("", f"TOML nested too deeply (a case needs at most {MAX_NESTING} levels)")], source
        ) from None
    deep = _too_deep(data)
    if deep is not None:
        raise CaseError(
            [(deep.split(".")[0].split("[")[0], f"nested deeper than {MAX_NESTING} levels")],
            source,
        )
    return data


def read_case_data(path: str | Path) -> dict[str, Any]:
    """Read a TOML case file into raw data.

    Raises:
        CaseError: missing or unreadable file, not UTF-8 (TOML's encoding; the line and
            column of the first bad byte are named), TOML syntax, absurd nesting.
    """
    path = Path(path)
    name = str(path)
    try:
        if path.is_file() and path.stat().st_size > MAX_CASE_BYTES:
            raise CaseError([("", f"case file larger than {MAX_CASE_BYTES} bytes")], name)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CaseError([("", f"case file {name!r} not found")], name) from None
    except IsADirectoryError:
        raise CaseError([("", f"{name!r} is a directory, not a case file")], name) from None
    except OSError as exc:
        raise CaseError([("", f"cannot read case file {name!r}: {exc.strerror}")], name) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise CaseError(
            [
                (
                    "",
                    f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {line}, column "
                    f"{column} (TOML files are UTF-8; re-save the file as UTF-8, e.g. "
                    "`iconv -f latin1 -t utf-8`)",
                )
            ],
            name,
        ) from None
    return parse_case_text(text, name)


def load_case(
    source: str | Path | Mapping[str, Any] | Case,
    overrides: Sequence[str] = (),
    *,
    allow_unsafe_petsc_options: bool = False,
) -> Case:
    """Load and validate a case from a TOML path, raw data or a :class:`Case`.

    Args:
        source: Path of a TOML file, a mapping of raw data, or a Case.
        overrides: ``key.path=value`` strings applied before validation.
        allow_unsafe_petsc_options: Accept PETSc options that write files, load code or
            read other files (refused by default: a case file is data, not code).

    Returns:
        The validated case.

    Raises:
        CaseError: with every problem and its key path.
    """
    if isinstance(source, Case):
        if not overrides:
            from emcd_fem.solvers.petsc_options import option_problems

            problems = option_problems(
                source.solver.petsc_options, allow_unsafe=allow_unsafe_petsc_options
            )
            if problems:
                raise SolverOptionsError(problems)
            return source
        source = source.model_dump(exclude_none=True)
    if isinstance(source, str | Path):
        label = str(source)
        data = read_case_data(source)
        geometry = data.get("geometry")
        if isinstance(geometry, dict) and isinstance(geometry.get("path"), str):
            # absolute, symlinks kept: a link's name carries the suffix (content-addressed
            # stores link mesh.msh -> objhash_...), and messages show the path as written
            geometry["path"] = os.path.abspath(Path(source).parent / geometry["path"])
    else:
        label = "case"
        data = dict(source)
    return validate_case(
        apply_overrides(data, overrides),
        label,
        allow_unsafe_petsc_options=allow_unsafe_petsc_options,
    )
