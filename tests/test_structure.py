"""Package structure (issue 17): no import cycles anywhere in emcd_fem, layers imported top
to bottom only, modules kept small, no private names imported across modules."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "emcd_fem"


def imports_of(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every ``from emcd_fem... import ...`` in a file (any depth)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("emcd_fem"):
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def test_run_pipeline_modules_do_not_import_the_pipeline_back():
    # pipeline.run (run_case) uses the other pipeline modules; none of them may import it
    # back, at module level or inside a function
    for name in (
        "setup.py",
        "output.py",
        "thermal_case.py",
        "model_run.py",
        "references.py",
        "stefan_run.py",
        "validity_run.py",
        "validity_models.py",
    ):
        modules = {module for module, _ in imports_of(PACKAGE / "pipeline" / name)}
        assert "emcd_fem.pipeline.run" not in modules, name


def test_no_private_names_imported_across_modules():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for module, names in imports_of(path):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if module == "emcd_fem":  # private *modules* (_runtime) are fine to import
                private = [n for n in private if not (PACKAGE / f"{n}.py").exists()]
            if private:
                offenders.append(f"{path.relative_to(PACKAGE)}: from {module} import {private}")
    assert not offenders, "\n".join(offenders)


# ---- the module import graph: no cycles, and layers read top to bottom (issue 17) ----

# Lowest layer first. A module may import its own layer or any lower one, never a higher
# one. Keys are module-path prefixes (the longest matching prefix wins). The flat modules
# of the model rewrite in progress are placed in the layer they will end up in.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "base",
        (
            "emcd_fem._runtime",
            "emcd_fem.errors",
            "emcd_fem.constants",
            "emcd_fem.expressions",
            "emcd_fem.agreement",
            "emcd_fem.interrupts",
            "emcd_fem.callback_guard",
            "emcd_fem.compile_guard",
            "emcd_fem.progress",
        ),
    ),
    ("mesh", ("emcd_fem.mesh",)),
    ("geometry", ("emcd_fem.geometry",)),
    ("materials", ("emcd_fem.materials",)),
    ("physics", ("emcd_fem.physics",)),
    ("analytic", ("emcd_fem.analytic",)),
    ("solvers", ("emcd_fem.solvers",)),
    ("post", ("emcd_fem.post",)),
    ("models", ("emcd_fem.models",)),
    ("studies", ("emcd_fem.studies",)),
    ("io", ("emcd_fem.io",)),
    ("plotting", ("emcd_fem.plotting",)),
    ("case", ("emcd_fem.case",)),
    ("pipeline", ("emcd_fem.pipeline",)),
    ("api", ("emcd_fem",)),  # emcd_fem/__init__.py: the public names
    ("cli", ("emcd_fem.cli",)),
]

# (importer, imported) → why this upward import is right. Keep this list short.
LAYER_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("emcd_fem.materials.properties", "emcd_fem.analytic"): (
        "the porous-material report compares the EMCD rate with the isobaric dusty-gas closed "
        "form (analytic.dusty_gas_rate), imported inside that one function"
    ),
    ("emcd_fem.pipeline.output", "emcd_fem"): (
        "reads emcd_fem.__version__ at call time for the summary; the model rewrite of the "
        "pipeline takes the version from importlib.metadata instead"
    ),
}

# Import edges that close a cycle but are known and explained (none allowed today except
# the one above, which is a cycle through emcd_fem/__init__.py).
CYCLE_EXCEPTIONS = {("emcd_fem.pipeline.output", "emcd_fem")}


def module_name(path: Path) -> str:
    """Dotted module name of a file of the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def import_graph() -> dict[str, set[str]]:
    """Module → the emcd_fem modules it imports, at any depth (module level, inside
    functions, under TYPE_CHECKING). ``from pkg import name`` points at ``pkg.name`` when that
    is a module, else at ``pkg``. Parent packages run implicitly are not edges."""
    modules = all_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name.split(".")[0] == "emcd_fem"}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] != "emcd_fem":
                    continue
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    edges.add(target if target in modules else node.module)
            elif isinstance(node, ast.ImportFrom) and node.level:
                raise AssertionError(f"{name}: relative import; use absolute emcd_fem.* imports")
        unknown = edges - set(modules)
        assert not unknown, f"{name} imports modules that do not exist: {sorted(unknown)}"
        graph[name] = edges - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a list of modules, first repeated last), or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if (node, nxt) in CYCLE_EXCEPTIONS:
                continue
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def layer_of(module: str) -> int:
    """Index in LAYERS of a module (longest matching prefix)."""
    best, best_len = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": {"b"}}) == ["b", "c", "b"]


def test_no_import_cycles_in_the_package():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_every_module_is_in_a_layer():
    # a new top-level module must be placed deliberately (LAYERS), not fall into "api"
    for module in all_modules():
        index = layer_of(module)
        if LAYERS[index][0] == "api":
            assert module == "emcd_fem", f"{module}: add it to a layer in LAYERS"


def test_lower_layers_never_import_higher_ones():
    offenders = []
    for module, targets in sorted(import_graph().items()):
        for target in sorted(targets):
            if layer_of(target) > layer_of(module):
                reason = LAYER_EXCEPTIONS.get((module, target))
                if not reason:
                    offenders.append(
                        f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} "
                        f"({LAYERS[layer_of(target)][0]})"
                    )
    assert not offenders, "\n".join(offenders)


def test_layer_exceptions_are_still_needed():
    # an exception that no longer matches an import is stale: delete it
    graph = import_graph()
    for module, target in LAYER_EXCEPTIONS:
        assert target in graph.get(module, set()), f"stale exception {module} → {target}"
        assert layer_of(target) > layer_of(module), f"not upward: {module} → {target}"


def test_modules_stay_small():
    # aim: ≤ 400 lines per module. The two modules still above it (heat conduction, the
    # linear solve with its fallback) are to be split; every other module is held to it.
    in_rewrite = {
        "emcd_fem.models.thermal",
        "emcd_fem.solvers.linear",
    }
    long = [
        f"{name}: {len(path.read_text(encoding='utf-8').splitlines())} lines"
        for name, path in all_modules().items()
        if name not in in_rewrite
        and not name.startswith("emcd_fem.physics.")
        and len(path.read_text(encoding="utf-8").splitlines()) > 400
    ]
    assert not long, "\n".join(long)
