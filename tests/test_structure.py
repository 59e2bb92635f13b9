"""Package structure: no import cycles through the run pipeline, no private names across
modules (issue 17's structural test, for the modules split so far)."""

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
    # simulation (the pipeline) uses run_setup, run_output and soret_run; none of them may
    # import simulation, at module level or inside a function
    for name in ("run_setup.py", "run_output.py", "soret_run.py"):
        modules = {module for module, _ in imports_of(PACKAGE / name)}
        assert "emcd_fem.simulation" not in modules, name


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
