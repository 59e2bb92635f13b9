"""Refuse gmsh scripts that run programs, write files or read files from elsewhere.

A ``.geo`` file is a program: gmsh runs ``SystemCall "rm -rf ~"`` as readily as
``Point(1) = {0, 0, 0};``, ``Exit;`` ends the process (on one MPI rank: every other rank
hangs), and a ``.msh`` file whose text is a script, or an ``x.msh.opt``/``x.geo.opt``
companion file, is run as a script too. A case file from someone else is data, so its
mesh file is scanned before gmsh opens it: :func:`check_mesh_file` refuses

* commands that run programs or talk to other programs: ``SystemCall``, ``System``,
  ``NonBlockingSystemCall``, ``OnelabRun``, ``SendToServer``; ``Exit``; ``Sleep``;
* ``For`` loops whose literal ranges (nested loops: their product) exceed
  :data:`MAX_LOOP_ITERATIONS` iterations;
* commands that write files: ``Save``, ``Print``, ``CreateDir``, ``Printf(...) > "file"``;
* options that name programs or files (``Solver.Executable0``, ``General.ErrorFileName``,
  ``General.TextEditor``, ...);
* ``Include``/``Merge``/``ShapeFromFile`` of a path that is not a literal string or that
  leaves the directory of the top-level file (included scripts are scanned in turn);
* a ``.msh`` file that does not start with ``$MeshFormat``,

unless the user passes ``--allow-unsafe-geo`` (Python: ``allow_unsafe_geo=True``).

A script that passes the scan can still loop for ever (a computed loop range): gmsh
then interprets it once in a separate process (:func:`interpret_with_time_limit`) that
is ended after :data:`GEO_TIME_LIMIT` seconds, so a bad script fails with a message
instead of hanging every MPI rank. ``--allow-unsafe-geo`` skips that limit as well.
"""

import re
from pathlib import Path

from emcd_fem.errors import EmcdMeshError

#: Commands that run or contact other programs, end the process, or write files.
UNSAFE_COMMANDS = {
    "SystemCall": "runs a shell command",
    "System": "runs a shell command",
    "NonBlockingSystemCall": "runs a shell command",
    "OnelabRun": "runs another program",
    "SendToServer": "talks to another program",
    "Exit": "ends the process (on one MPI rank: the others hang)",
    "Sleep": "pauses the process (every MPI rank waits)",
    "Save": "writes a file",
    "Print": "writes a file",
    "CreateDir": "creates a directory",
}
#: Commands that read another file, named by the next string.
FILE_COMMANDS = ("Include", "Merge", "MergeWithBoundingBox", "ShapeFromFile")
#: Option names that point to programs or files.
_UNSAFE_OPTION = re.compile(r"Executable|FileName|Editor|Browser|RemoteLogin|SocketName|AutoSave")
#: File types gmsh reads as data (never as a script).
_DATA_SUFFIXES = {".step", ".stp", ".iges", ".igs", ".brep", ".xao", ".stl"}
_TOKEN = re.compile(
    r'(?P<comment>//[^\n]*|/\*.*?\*/)|(?P<string>"(?:\\.|[^"\\])*")|'
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<newline>\n)|"
    r"(?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)|(?P<other>>>|\S)",
    re.DOTALL,
)
MAX_DEPTH = 8
#: Largest number of iterations of a ``For`` loop with literal bounds (nested: product).
MAX_LOOP_ITERATIONS = 1_000_000
#: Wall-clock limit [s] of the trial interpretation of a script by gmsh.
GEO_TIME_LIMIT = 120.0


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, line) of the script's tokens, comments dropped."""
    out, line = [], 1
    for match in _TOKEN.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind == "newline":
            line += 1
            continue
        if kind != "comment":
            out.append((kind, value, line))
        line += value.count("\n")
    return out


def _problems(path: Path, root: Path, depth: int, seen: set[Path]) -> list[str]:
    """Unsafe constructs of one script and the scripts it reads."""
    # gmsh reads an Include relative to the path it was given (links not followed): keep
    # ``path`` as given for that, and the real file for the cycle check
    real = path.resolve()
    if real in seen:
        return []
    seen.add(real)
    if depth > MAX_DEPTH:
        return [f"{path.name}: files included more than {MAX_DEPTH} levels deep"]
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return [f"{path.name}: cannot be read ({exc.strerror})"]
    tokens = _tokens(text)
    found = _loop_problems(tokens, path.name)
    for i, (kind, value, line) in enumerate(tokens):
        where = f"{path.name} line {line}"
        if kind != "name":
            continue
        before = tokens[i - 1][1] if i else ""
        after = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if before == "." and _UNSAFE_OPTION.search(value):
            found.append(f"{where}: option '{value}' names a program or file")
            continue
        if before == "." or after == ".":
            continue  # an option or option category (Print.Width, Mesh.SaveAll)
        if value in UNSAFE_COMMANDS:
            found.append(f"{where}: '{value}' {UNSAFE_COMMANDS[value]}")
        elif value == "Printf" and _redirected(tokens, i):
            found.append(f"{where}: 'Printf(...) >' writes a file")
        elif value in FILE_COMMANDS:
            found += _read_problems(tokens, i, path, root, depth, seen)
    companion = path.with_name(path.name + ".opt")
    if companion.is_file():
        found += _problems(companion, root, depth + 1, seen)
    return found


def _literal_count(tokens: list[tuple[str, str, int]], j: int) -> float | None:
    """Iterations of a loop range ``{a:b}``/``{a:b:s}``/``(a:b)`` at token ``j`` if literal."""
    if j >= len(tokens) or tokens[j][1] not in ("{", "("):
        return None
    closing = "}" if tokens[j][1] == "{" else ")"
    values, sign = [], 1.0
    for kind, value, _ in tokens[j + 1 :]:
        if value == closing:
            break
        if kind == "number":
            values.append(sign * float(value))
            sign = 1.0
        elif value == "-":
            sign = -sign
        elif value not in (":", "+"):
            return None  # a computed bound: the time limit guards it
    if len(values) not in (2, 3):
        return None
    step = values[2] if len(values) == 3 else 1.0
    if step == 0:
        return float("inf")
    return max(0.0, (values[1] - values[0]) / step + 1)


def _loop_problems(tokens: list[tuple[str, str, int]], name: str) -> list[str]:
    """``For`` loops whose literal ranges (product over nesting) are too long."""
    found, stack = [], []
    for i, (kind, value, line) in enumerate(tokens):
        if kind != "name" or (i and tokens[i - 1][1] == "."):
            continue
        if value == "For":
            j = i + 1
            if j < len(tokens) and tokens[j][0] == "name" and tokens[j][1] != "In":
                j += 1  # For i In {a:b}
            if j < len(tokens) and tokens[j][1] == "In":
                j += 1
            count = _literal_count(tokens, j)
            total = (stack[-1] if stack else 1.0) * (count or 1.0)
            stack.append(total)
            if count is not None and total > MAX_LOOP_ITERATIONS:
                found.append(
                    f"{name} line {line}: 'For' loop of {total:.3g} iterations (with the "
                    f"loops around it; at most {MAX_LOOP_ITERATIONS:g} are allowed)"
                )
        elif value == "EndFor" and stack:
            stack.pop()
    return found


def _redirected(tokens: list[tuple[str, str, int]], i: int) -> bool:
    """True if the ``Printf(...)`` at token ``i`` is followed by ``>`` or ``>>``."""
    level = 0
    for kind, value, _ in tokens[i + 1 :]:
        if kind == "other" and value == "(":
            level += 1
        elif kind == "other" and value == ")":
            level -= 1
            if level == 0:
                continue
        elif level == 0:
            return value in (">", ">>")
    return False


def _read_problems(
    tokens: list[tuple[str, str, int]], i: int, path: Path, root: Path, depth: int, seen: set
) -> list[str]:
    """An Include/Merge/ShapeFromFile: a literal path inside ``root``, itself safe."""
    command, line = tokens[i][1], tokens[i][2]
    where = f"{path.name} line {line}"
    j = i + 1
    if j < len(tokens) and tokens[j][1] == "(":
        j += 1
    if j >= len(tokens) or tokens[j][0] != "string":
        return [f"{where}: '{command}' of a computed file name (only literal paths are checked)"]
    name = tokens[j][1][1:-1]
    target = path.parent / name  # as gmsh composes it ('..' resolved by the system)
    if not target.resolve().is_relative_to(root):
        return [f"{where}: '{command} \"{name}\"' reads a file outside {root}"]
    return check_file_problems(target, root, depth + 1, seen)


def check_file_problems(
    path: Path, root: Path, depth: int = 0, seen: set | None = None
) -> list[str]:
    """Unsafe constructs of a mesh or script file and of everything it reads."""
    seen = set() if seen is None else seen
    suffix = path.suffix.lower()
    if suffix in _DATA_SUFFIXES:
        companion = path.with_name(path.name + ".opt")
        return _problems(companion, root, depth + 1, seen) if companion.is_file() else []
    if suffix == ".msh" and _is_msh(path):
        companion = path.with_name(path.name + ".opt")
        return _problems(companion, root, depth + 1, seen) if companion.is_file() else []
    found = _problems(path, root, depth, seen)
    if suffix == ".msh":
        found.insert(
            0, f"{path.name}: does not start with $MeshFormat: gmsh would run it as a script"
        )
    return found


def _is_msh(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            head = stream.read(64).lstrip()
    except OSError:
        return False
    return head.startswith(b"$MeshFormat")


def check_mesh_file(path: str | Path, *, allow_unsafe_geo: bool = False) -> None:
    """Refuse a ``.geo``/``.msh`` file (and what it includes) that could harm the user.

    A script that passes the scan is then interpreted once under a wall-clock limit
    (:func:`interpret_with_time_limit`).

    Args:
        path: The mesh or script file.
        allow_unsafe_geo: Skip the check (the user trusts the file).

    Raises:
        EmcdMeshError: listing every unsafe construct with file and line, or a script
            that does not finish within :data:`GEO_TIME_LIMIT` seconds.
    """
    if allow_unsafe_geo:
        return
    path = Path(path).absolute()
    found = check_file_problems(path, path.parent.resolve())
    if found:
        raise EmcdMeshError(
            f"mesh file {str(path)!r} is refused: a gmsh script is a program, and this one "
            "could run programs, touch files outside the case or not finish:\n    "
            + "\n    ".join(found)
            + "\n  If you trust this file, pass --allow-unsafe-geo (Python: allow_unsafe_geo=True)"
        )
    interpret_with_time_limit(path)


def _is_script(path: Path) -> bool:
    """True if gmsh runs ``path`` (or a companion ``.opt`` file) as a script."""
    if path.with_name(path.name + ".opt").is_file():
        return True
    suffix = path.suffix.lower()
    return suffix not in _DATA_SUFFIXES and not (suffix == ".msh" and _is_msh(path))


def interpret_with_time_limit(
    path: str | Path, *, limit: float | None = None, allow_unsafe_geo: bool = False
) -> None:
    """Let gmsh interpret a script once in a child process, ended after ``limit`` seconds.

    A script with a computed loop range or a long computation would otherwise hang the
    run (and, under MPI, every rank). A ``.msh`` file without a companion ``.opt`` is
    data and is not run.

    Args:
        path: The mesh or script file (scanned by :func:`check_mesh_file` already).
        limit: Wall-clock limit [s] (default :data:`GEO_TIME_LIMIT`).
        allow_unsafe_geo: Trusted file: no limit.

    Raises:
        EmcdMeshError: the script did not finish within the limit.
    """
    import subprocess
    import sys

    path = Path(path)
    if allow_unsafe_geo or not _is_script(path):
        return
    limit = GEO_TIME_LIMIT if limit is None else limit
    code = (
        "import sys, gmsh\n"
        "gmsh.initialize(readConfigFiles=False)\n"
        "gmsh.option.setNumber('General.Terminal', 0)\n"
        "try:\n    gmsh.open(sys.argv[1])\nexcept Exception:\n    pass\n"
        "gmsh.finalize()\n"
    )
    try:
        subprocess.run(
            [sys.executable, "-c", code, str(path.absolute())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise EmcdMeshError(
            f"mesh file {str(path)!r}: gmsh did not finish interpreting the script within "
            f"{limit:g} s (a loop that does not end, or a very long computation); check its "
            "loops and mesh sizes, or, if the script is trusted and just slow, pass "
            "--allow-unsafe-geo (Python: allow_unsafe_geo=True)"
        ) from None
