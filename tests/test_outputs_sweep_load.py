"""load_result on a sweep's root directory: refused with the points and how to load one."""

import re
from pathlib import Path

import pytest

from emcd_fem.errors import EmcdInputError
from emcd_fem.io.results import load_result
from emcd_fem.pipeline.run import run_sweep

DEMOS = Path(__file__).resolve().parents[1] / "demos"


def test_load_result_on_a_sweep_root_names_its_points(tmp_path):
    out = tmp_path / "sweep"
    run_sweep(DEMOS / "slab_1d.toml", out, {"materials.coating.D": ["1e-5", "2e-5"]})
    with pytest.raises(EmcdInputError) as caught:
        load_result(out)
    message = str(caught.value)
    assert "root of a sweep" in message and "point_000, point_001" in message
    assert f"load_result({str(out / 'point_000')!r})" in message
    # what the message says works: one point loads
    example = re.search(r"load_result\('([^']+)'\)", message).group(1)
    loaded = load_result(example)
    assert loaded.summary["sweep"]["point"] == 0 and "mole_fraction_A" in loaded.fields


def test_load_result_elsewhere_keeps_its_message(tmp_path):
    with pytest.raises(EmcdInputError, match="is not a finished emcd run"):
        load_result(tmp_path)
