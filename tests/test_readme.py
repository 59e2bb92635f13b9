"""The README's Python example runs and reproduces the analytic flux."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_quick_start(tmp_path):
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    script = tmp_path / "quick_start.py"
    script.write_text(
        block + "\nassert abs(solution.boundary_flux['right'] - exact.flux) < 1e-8 * exact.flux\n"
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_readme_combined_physics_example(tmp_path):
    # the "Combining the physics" example runs; its fluxes close the species balance
    # (every boundary flux + film term through the reaction form: Σ q_Γ = ∫R dx = R L,
    # 1D slab of length 1 m, to the solver tolerance) and A leaves through both ends
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### Combining the physics") :]
    block = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    script = tmp_path / "combined.py"
    script.write_text(
        block
        + "\nq = solution.boundary_flux\n"
        + "assert abs(q['left'] + q['right'] - 1e-4 * 1.0) < 1e-10 * 1e-4, q\n"
        + "assert q['left'] > 0 and q['right'] > 0, q\n"
        + "assert solution.balance < 1e-10, solution.balance\n"
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_readme_documents_every_command_and_section():
    text = (ROOT / "README.md").read_text()
    for command in (
        "emcd run",
        "emcd check",
        "emcd info",
        "emcd demo",
        "emcd plot",
        "emcd verify",
        "make setup",
        "make test",
        "mpiexec",
    ):
        assert command in text, command
    for heading in (
        "## Geometry library",
        "## Composite-media physics",
        "## Case files",
        "### Case-file reference",
        "## Running on a cluster",
        "## Docker",
        "**Exit codes:**",
    ):
        assert heading in text, heading
