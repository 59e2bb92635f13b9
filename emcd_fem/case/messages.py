"""Pydantic validation errors → ``(key path, message)`` pairs users can act on."""

import difflib
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from emcd_fem.case.schema import Case


# -- validation and error reporting ---------------------------------------------------------
def _message(error: Mapping[str, Any]) -> str:
    ctx = error.get("ctx", {})
    kind = error["type"]
    if kind == "greater_than":
        return f"must be > {ctx['gt']}"
    if kind == "greater_than_equal":
        return f"must be >= {ctx['ge']}"
    if kind == "less_than_equal":
        return f"must be <= {ctx['le']}"
    if kind == "missing":
        return "missing (required)"
    if kind in ("float_type", "int_type") and isinstance(error.get("input"), bool):
        wanted = "an integer" if kind == "int_type" else "a number"
        return f"must be {wanted}, got a boolean ({str(error['input']).lower()})"
    if kind == "finite_number":
        return f"must be a finite number, got {error.get('input')!r}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {error.get('input')!r}"
    if kind == "union_tag_invalid":
        return f"unknown type {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return f"missing key {ctx.get('discriminator')}"
    return f"{error['msg'][0].lower()}{error['msg'][1:]}, got {error.get('input')!r}"


def _tag_of(model: Any) -> str | None:
    """The discriminator value of a union member (its ``type`` or ``kind`` literal).

    None for a member without one (``float`` in ``float | Literal[...]``, a plain model).
    """
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    field = model.model_fields.get("type") or model.model_fields.get("kind")
    return get_args(field.annotation)[0] if field is not None else None


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional around a type."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, type(int | None)):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return annotation


def _walk(loc: Sequence[Any]) -> tuple[str, list[str] | None]:
    """Format a pydantic location as a key path; return the allowed keys at its end.

    Discriminated-union tags that pydantic inserts into locations are dropped.
    """
    parts: list[str] = []
    node: Any = Case
    allowed: list[str] | None = None
    for item in loc:
        node = _unwrap(node)
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
            node = get_args(node)[0] if get_args(node) else None
            continue
        origin = get_origin(node)
        if origin is Union:
            members = {_tag_of(m): m for m in get_args(node)}
            if item in members:
                node = members[item]
                continue
        if isinstance(node, type) and issubclass(node, BaseModel):
            allowed = list(node.model_fields)
            field = node.model_fields.get(item)
            node = field.annotation if field is not None else None
        elif origin is dict:
            allowed = None
            node = get_args(node)[1]
        else:
            allowed, node = None, None
        parts.append(str(item))
    return ".".join(parts), allowed


def schema_problems(error: ValidationError) -> list[tuple[str, str]]:
    """``(key path, message)`` pairs of a pydantic validation error."""
    problems = []
    for item in error.errors():
        path, allowed = _walk(item["loc"])
        if item["type"] == "extra_forbidden":
            key = str(item["loc"][-1])
            close = difflib.get_close_matches(key, allowed or [], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {allowed}"
            problems.append((path, f"unknown key{hint}"))
        else:
            problems.append((path, _message(item)))
    return _merge_union_members(problems)


_MEMBER = ("float", "str", "int", "bool")


def _merge_union_members(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One problem per key for a plain union (``float | str``).

    pydantic reports each member under ``key.float``, ``key.str``: their messages are
    joined with "or".
    """
    merged: dict[str, list[str]] = {}
    order: list[str] = []
    for path, message in problems:
        head, _, last = path.rpartition(".")
        plain = last in _MEMBER or last.startswith(("list[", "dict[", "literal["))
        key = head if head and plain else path
        if key not in merged:
            merged[key] = []
            order.append(key)
        if message not in merged[key]:
            merged[key].append(message)
    return [(key, " or ".join(merged[key])) for key in order]
