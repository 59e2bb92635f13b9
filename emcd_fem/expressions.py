"""Arithmetic expressions of the coordinates, from case-file text, without ``eval``.

A prescribed field such as ``T = "300 + 24*x"`` is parsed by Python's :mod:`ast` into a
syntax tree, checked against a whitelist (numbers, the coordinates ``x``, ``y``, ``z`` in
m, the constants ``pi`` and ``e``, ``+ - * / **``, unary minus and the functions in
:data:`FUNCTIONS`) and then built either as a UFL expression on a mesh or evaluated with
NumPy at points. Anything else — names, attributes, calls of other functions, subscripts,
comparisons, lambdas — is refused with a message naming it, so case-file text can never run
code.
"""

import ast
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import ufl

from emcd_fem.errors import EmcdInputError

#: Functions an expression may call, by name.
FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "atan", "abs")
#: Named constants.
CONSTANTS = {"pi": math.pi, "e": math.e}
#: Coordinates [m].
COORDINATES = ("x", "y", "z")
MAX_LENGTH = 1000
#: Deepest nesting of operations an expression may have (each chained or nested operation
#: is one level: a sum of 120 terms is 120 deep); deeper text is refused before anything
#: recurses over it. FFCx compiles a form recursively: measured, a sum of 200 terms
#: compiles and one of 250 exceeds Python's recursion limit; 120 leaves room for the
#: terms a model wraps around a prescribed field.
MAX_DEPTH = 120

_UFL = {
    "sin": ufl.sin,
    "cos": ufl.cos,
    "tan": ufl.tan,
    "exp": ufl.exp,
    "log": ufl.ln,
    "sqrt": ufl.sqrt,
    "tanh": ufl.tanh,
    "atan": ufl.atan,
    "abs": abs,
}
_NUMPY = {name: getattr(np, {"abs": "abs", "atan": "arctan"}.get(name, name)) for name in FUNCTIONS}
_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


def _parse(text: str, kind: str) -> ast.expr:
    """Parse case-file text (``kind``: "expression" or "condition"); errors name the text."""
    if not isinstance(text, str) or not text.strip():
        raise EmcdInputError(
            f"expected an {kind} of x, y, z as text, got {text!r}"
            if kind == "expression"
            else f"expected a {kind} on x, y, z as text, got {text!r}"
        )
    if len(text) > MAX_LENGTH:
        raise EmcdInputError(f"{kind} longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        what = "valid arithmetic" if kind == "expression" else "valid"
        raise EmcdInputError(f"{kind} {text!r} is not {what}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise EmcdInputError(_too_deep(kind, text)) from None
    if _depth(tree) > MAX_DEPTH:
        raise EmcdInputError(_too_deep(kind, text))
    return tree


def _too_deep(kind: str, text: str) -> str:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return (
        f"{kind} {shown!r} is nested more than {MAX_DEPTH} operations deep; "
        "write it with fewer nested operations"
    )


def _depth(tree: ast.AST) -> int:
    """Nesting depth of a syntax tree, computed without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _tree(text: str, dim: int, names: tuple[str, ...] = ()) -> ast.expr:
    """Parse and check an expression; raise :class:`EmcdInputError` naming the culprit."""
    tree = _parse(text, "expression")
    allowed_names = set(COORDINATES[:dim]) | set(CONSTANTS) | set(names)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise EmcdInputError(f"expression {text!r}: only numbers, got {node.value!r}")
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS and id(node) in called:
                continue  # checked at the call
            if node.id not in allowed_names:
                hint = (
                    f"the coordinates of a {dim}D mesh are {', '.join(COORDINATES[:dim])}"
                    if node.id in COORDINATES and dim > 0
                    else f"known names: {', '.join(sorted(allowed_names))}, functions "
                    f"{', '.join(FUNCTIONS)}"
                )
                raise EmcdInputError(f"expression {text!r}: unknown name {node.id!r} ({hint})")
        elif isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
                raise EmcdInputError(
                    f"expression {text!r}: only the functions {', '.join(FUNCTIONS)} may be called"
                )
            if len(node.args) != 1 or node.keywords:
                raise EmcdInputError(
                    f"expression {text!r}: {node.func.id}() takes exactly one argument"
                )
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise EmcdInputError(
                    f"expression {text!r}: operator {type(node.op).__name__} is not allowed "
                    "(use + - * / **)"
                )
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise EmcdInputError(f"expression {text!r}: only unary + and - are allowed")
        elif not isinstance(node, ast.operator | ast.unaryop | ast.expr_context):
            raise EmcdInputError(
                f"expression {text!r}: {type(node).__name__} is not allowed in an expression"
            )
    return tree


def _build(node: ast.expr, names: dict[str, Any], functions: dict[str, Callable]) -> Any:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.BinOp):
        left = _build(node.left, names, functions)
        right = _build(node.right, names, functions)
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        value = _build(node.operand, names, functions)
        return -value if isinstance(node.op, ast.USub) else value
    assert isinstance(node, ast.Call)  # guaranteed by _tree
    return functions[node.func.id](_build(node.args[0], names, functions))


_COMPARE = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
}


def _condition(node: ast.expr, text: str, dim: int) -> None:
    """Check a condition: comparisons of expressions joined by and/or/not."""
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _condition(value, text, dim)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _condition(node.operand, text, dim)
    elif isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise EmcdInputError(
                    f"condition {text!r}: only < <= > >= compare (coordinates are never exactly "
                    "equal: write abs(x - 1) < 1e-9 instead of x == 1)"
                )
        for operand in [node.left, *node.comparators]:
            _tree(ast.unparse(operand), dim)
    else:
        raise EmcdInputError(
            f"condition {text!r}: expected comparisons such as 'x < 1e-9', joined by and, or, not"
        )


def _condition_tree(text: str, dim: int) -> ast.expr:
    tree = _parse(text, "condition")
    _condition(tree, text, dim)
    return tree


def check_condition(text: str, dim: int = 3) -> None:
    """Raise :class:`EmcdInputError` unless ``text`` is a condition such as ``"x < 1e-9"``.

    A condition compares expressions (see :func:`check_expression`) with ``< <= > >=``
    (chains like ``0.2 < y < 0.4`` allowed) and joins comparisons with ``and``, ``or``,
    ``not``. It is also evaluated once at the origin, so arithmetic that fails whatever
    the coordinates (``9**9**9``, ``1/0``) is refused here, on every rank alike.
    """
    evaluate_condition(text, np.zeros((dim, 1)), dim)


def _holds(node: ast.expr, names: dict[str, Any]) -> np.ndarray:
    if isinstance(node, ast.BoolOp):
        parts = [_holds(v, names) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        result = parts[0]
        for part in parts[1:]:
            result = combine(result, part)
        return result
    if isinstance(node, ast.UnaryOp):
        return np.logical_not(_holds(node.operand, names))
    assert isinstance(node, ast.Compare)  # guaranteed by _condition
    values = [_build(o, names, _NUMPY) for o in [node.left, *node.comparators]]
    result = np.asarray(True)
    for op, a, b in zip(node.ops, values, values[1:], strict=False):
        result = np.logical_and(result, _COMPARE[type(op)](a, b))
    return result


def evaluate_condition(text: str, coordinates: np.ndarray, dim: int | None = None) -> np.ndarray:
    """Where a condition holds, at points (shape (d, n) as for :func:`evaluate`).

    Returns:
        Boolean array of n values (False where a value is NaN).
    """
    coords = np.asarray(coordinates, dtype=np.float64)
    if coords.ndim != 2 or not 1 <= coords.shape[0] <= 3:
        raise EmcdInputError(f"coordinates must have shape (d, n), d <= 3; got {coords.shape}")
    dim = coords.shape[0] if dim is None else dim
    tree = _condition_tree(text, dim)
    names: dict[str, Any] = dict(CONSTANTS)
    for i, name in enumerate(COORDINATES[:dim]):
        names[name] = coords[i]
    try:
        with np.errstate(all="ignore"):
            held = _holds(tree, names)
    except (ArithmeticError, ValueError) as exc:  # 9**9**9, 1/0 between constants
        raise EmcdInputError(f"condition {text!r} cannot be evaluated: {exc}") from None
    return np.broadcast_to(np.asarray(held, dtype=bool), (coords.shape[1],)).copy()


def check_expression(text: str, dim: int = 3, *, time: bool = False) -> None:
    """Raise :class:`EmcdInputError` if ``text`` is not an allowed expression in ``dim`` D.

    With ``time`` it may also use the time ``t`` [s].
    """
    _tree(text, dim, ("t",) if time else ())


def evaluate(
    text: str, coordinates: np.ndarray, dim: int | None = None, *, t: float | None = None
) -> np.ndarray:
    """Values of the expression at points.

    Args:
        text: The expression, e.g. ``"300 + 24*x"``.
        coordinates: Point coordinates [m], shape (d, n) with d <= 3 (as DOLFINx passes
            them to ``Function.interpolate``: d = 3).
        dim: Number of coordinates the expression may use (default: d).
        t: The time [s]; when given, the expression may use ``t``.

    Returns:
        Array of n values.
    """
    coords = np.asarray(coordinates, dtype=np.float64)
    if coords.ndim != 2 or not 1 <= coords.shape[0] <= 3:
        raise EmcdInputError(f"coordinates must have shape (d, n), d <= 3; got {coords.shape}")
    dim = coords.shape[0] if dim is None else dim
    tree = _tree(text, dim, ("t",) if t is not None else ())
    names: dict[str, Any] = dict(CONSTANTS)
    for i, name in enumerate(COORDINATES[:dim]):
        names[name] = coords[i]
    if t is not None:
        names["t"] = float(t)
    with np.errstate(all="ignore"):
        try:
            values = _build(tree, names, _NUMPY)
        except ArithmeticError as exc:  # 1/0, 10**400 between constants
            raise EmcdInputError(f"expression {text!r} cannot be evaluated: {exc}") from None
    return np.broadcast_to(np.asarray(values, dtype=np.float64), (coords.shape[1],)).copy()


def to_ufl(text: str, mesh: Any) -> ufl.core.expr.Expr:
    """The expression as UFL on a mesh (``x``, ``y``, ``z`` its spatial coordinates, in m)."""
    gdim = mesh.geometry.dim
    tree = _tree(text, gdim)
    coordinate = ufl.SpatialCoordinate(mesh)
    names: dict[str, Any] = dict(CONSTANTS)
    for i, name in enumerate(COORDINATES[:gdim]):
        names[name] = coordinate[i]
    try:
        return ufl.as_ufl(_build(tree, names, _UFL))
    except ArithmeticError as exc:  # 1/0, 10**400 between constants
        raise EmcdInputError(f"expression {text!r} cannot be evaluated: {exc}") from None


def check_time_expression(text: str) -> None:
    """Raise :class:`EmcdInputError` if ``text`` is not an allowed expression of ``t``."""
    _tree(text, 0, ("t",))


def evaluate_in_time(text: str, t: float) -> float:
    """Value of an expression of the time ``t`` [s] (no coordinates), e.g. ``"0.5*(1-exp(-t))"``.

    Raises:
        EmcdInputError: a name other than ``t``, or a value that is not finite.
    """
    tree = _tree(text, 0, ("t",))
    with np.errstate(all="ignore"):
        try:
            value = float(_build(tree, dict(CONSTANTS) | {"t": float(t)}, _NUMPY))
        except (ArithmeticError, ValueError) as exc:
            raise EmcdInputError(f"expression {text!r} cannot be evaluated: {exc}") from None
    if not math.isfinite(value):
        raise EmcdInputError(f"expression {text!r} is not finite at t = {t:g} s")
    return value


__all__ = [
    "COORDINATES",
    "FUNCTIONS",
    "check_condition",
    "check_expression",
    "check_time_expression",
    "evaluate",
    "evaluate_condition",
    "evaluate_in_time",
    "to_ufl",
]
