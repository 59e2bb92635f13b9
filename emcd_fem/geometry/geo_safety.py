"""Refuse gmsh scripts that run programs, write files or read files from elsewhere.

A ``.geo`` file is a program: gmsh runs ``SystemCall "rm -rf ~"`` as readily as
``Point(1) = {0, 0, 0};``, ``Exit;`` ends the process (on one MPI rank: every other rank
hangs), and a ``.msh`` file whose text is a script, or an ``x.msh.opt``/``x.geo.opt``
companion file, is run as a script too. A case file from someone else is data, so its
mesh file is scanned before gmsh opens it: :func:`check_mesh_file` refuses

* commands that run programs or talk to other programs: ``SystemCall``, ``System``,
  ``NonBlockingSystemCall``, ``OnelabRun``, ``SendToServer``; ``Exit``;
* commands that write files: ``Save``, ``Print``, ``CreateDir``, ``Printf(...) > "file"``;
* options that name programs or files (``Solver.Executable0``, ``General.ErrorFileName``,
  ``General.TextEditor``, ...);
* ``Include``/``Merge``/``ShapeFromFile`` of a path that is not a literal string or that
  leaves the directory of the top-level file (included scripts are scanned in turn);
* a ``.msh`` file that does not start with ``$MeshFormat``,

unless the user passes ``--allow-unsafe-geo`` (Python: ``allow_unsafe_geo=True``).
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
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<newline>\n)|(?P<other>>>|\S)",
    re.DOTALL,
)
MAX_DEPTH = 8


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
    path = path.resolve()
    if path in seen:
        return []
    seen.add(path)
    if depth > MAX_DEPTH:
        return [f"{path.name}: files included more than {MAX_DEPTH} levels deep"]
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return [f"{path.name}: cannot be read ({exc.strerror})"]
    found = []
    tokens = _tokens(text)
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
    target = (path.parent / name).resolve()
    if not target.is_relative_to(root):
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

    Args:
        path: The mesh or script file.
        allow_unsafe_geo: Skip the check (the user trusts the file).

    Raises:
        EmcdMeshError: listing every unsafe construct with file and line.
    """
    if allow_unsafe_geo:
        return
    path = Path(path).resolve()
    found = check_file_problems(path, path.parent)
    if found:
        raise EmcdMeshError(
            f"mesh file {str(path)!r} is refused: a gmsh script is a program, and this one "
            "could run programs or touch files outside the case:\n    "
            + "\n    ".join(found)
            + "\n  If you trust this file, pass --allow-unsafe-geo (Python: allow_unsafe_geo=True)"
        )
