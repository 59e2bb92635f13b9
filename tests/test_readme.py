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
