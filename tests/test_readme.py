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


def test_readme_multicomponent_example(tmp_path):
    # the "Multicomponent gases" case file runs; its fluxes match the exact film
    # (analytic.multicomponent, P2 on 20 cells: O(h^4) error ~1e-8 of max |N_i|) and Σ N_i = 0
    import tomllib

    import numpy as np

    from emcd_fem.analytic.multicomponent import film_solution
    from emcd_fem.pipeline.run import run_case

    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Multicomponent gases (Maxwell–Stefan)") :]
    block = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    data = tomllib.loads(block)
    summary = run_case(data).summary
    species = ["H2", "N2", "CO2"]
    d = np.array([[0, 83.8e-6, 68.0e-6], [83.8e-6, 0, 16.8e-6], [68.0e-6, 16.8e-6, 0]])
    film = film_solution([0, 0.5, 0.5], [0.5, 0.5, 0], d, 0.05, 40.0, [1, 1, 1])
    scale = np.abs(film.fluxes).max()
    for s, n in zip(species, film.fluxes, strict=True):
        assert abs(summary["boundary_flux"][s]["right"] - n) < 1e-7 * scale, s
    assert abs(film.fluxes[1]) > 0.05 * scale  # N2 moves without an end-to-end difference
    assert summary["equimolar"].startswith("yes") and summary["status"] == "ok"
