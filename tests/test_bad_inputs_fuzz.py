"""Property-based fuzz of case files through the in-process check (hypothesis).

Mutated demo cases — a value replaced by anything TOML can hold (huge, tiny, infinite,
NaN, booleans, text, arrays, tables), a key removed or added, bytes of the file changed —
go through what ``emcd check`` runs: parse, validate, admissibility. The only acceptable
outcomes are success or an emcd_fem error (exit 2 or 3 with a message); any other
exception is a crash. Every accepted case holds finite numbers only.
"""

import copy
import math
import tomllib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from emcd_fem.case import case_json_schema, parse_case_text, validate_case
from emcd_fem.errors import EmcdError
from emcd_fem.pipeline.run import check_case

ROOT = Path(__file__).resolve().parents[1]
BASES = [
    "slab_1d",
    "slab_2d",
    "soret_slab_1d",
    "cylinder_shells_2d",
    "effective_square_array",
    "coated_membrane_partition",
    "porous_pellet_knudsen",
    "membrane_films",
    "stomatal_pore",
    "he_ar_mass_velocity",
]
TEXTS = {name: (ROOT / "demos" / f"{name}.toml").read_text() for name in BASES}
DATA = {name: tomllib.loads(text) for name, text in TEXTS.items()}

_SCHEMA = case_json_schema()
#: Every key name of the schema: additions use them as well as random names.
KNOWN_KEYS = sorted(
    {k for d in _SCHEMA["$defs"].values() for k in d.get("properties", {})}
    | set(_SCHEMA["properties"])
)

#: The examples each fuzz test runs (CI): at least 500 in all.
STRUCTURE_EXAMPLES = 400
TEXT_EXAMPLES = 200

_scalars = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 5e-324, 1.8e308, -1.8e308, 1e-320, 1e300, -1.0, 2.0, 1e6]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(["1/0", "10**400", "log(0)", "300 + 24*x", "cgg", "python", "binary:f"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node, prefix=()):
    """Every (path, value) of nested dicts and lists, containers included."""
    yield prefix, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _set(data, path, value):
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _delete(data, path):
    node = data
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]


def _floats(node):
    """Every float of a validated case."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _floats(getattr(node, name))
    elif isinstance(node, dict):
        for value in node.values():
            yield from _floats(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _floats(value)
    elif isinstance(node, float):
        yield node


def _check(data) -> None:
    """What `emcd check` runs; emcd_fem errors are verdicts, anything else a crash."""
    try:
        case = validate_case(data)
        check_case(case)
    except EmcdError:
        return
    assert all(math.isfinite(v) for v in _floats(case)), case


@settings(
    max_examples=STRUCTURE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
@given(base=st.sampled_from(BASES), data=st.data())
def test_fuzz_mutated_case_data(base, data):
    case = copy.deepcopy(DATA[base])
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="mutations")):
        paths = [p for p, _ in _paths(case) if p]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        action = data.draw(st.sampled_from(["replace", "delete", "add"]), label="action")
        if action == "replace":
            _set(case, path, data.draw(_values, label="value"))
        elif action == "delete":
            _delete(case, path)
        else:
            parent = case
            for part in path[:-1]:
                parent = parent[part]
            if isinstance(parent, dict):
                key = data.draw(
                    st.sampled_from(KNOWN_KEYS) | st.text(min_size=1, max_size=8), label="key"
                )
                parent[key] = data.draw(_values, label="value")
    _check(case)


@settings(
    max_examples=TEXT_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(base=st.sampled_from(BASES), data=st.data())
def test_fuzz_mutated_case_text(base, data):
    text = TEXTS[base]
    for _ in range(data.draw(st.integers(min_value=1, max_value=4), label="edits")):
        i = data.draw(st.integers(min_value=0, max_value=len(text)), label="at")
        j = data.draw(st.integers(min_value=i, max_value=min(len(text), i + 8)), label="to")
        piece = data.draw(
            st.sampled_from(["", "=", "[", "]", "{", '"', "\n", "1e400", "true", ".", "-", "#"])
            | st.text(max_size=4),
            label="insert",
        )
        text = text[:i] + piece + text[j:]
    try:
        raw = parse_case_text(text)
    except EmcdError:
        return
    _check(raw)


def test_fuzz_budget():
    assert STRUCTURE_EXAMPLES + TEXT_EXAMPLES >= 500
