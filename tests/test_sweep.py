"""Sweeps: one mesh for every point when the swept keys leave the geometry alone."""

import json
import logging

import pytest

import emcd_fem as ef
from emcd_fem.case import load_case
from emcd_fem.pipeline import run as simulation
from emcd_fem.pipeline.run import mesh_inputs, run_case, run_sweep

LAYERS = [
    {"name": "a", "thickness": 0.3, "cells": 3},
    {"name": "b", "thickness": 0.4, "cells": 4},
]
ENDS = {
    "left": {"type": "mole_fraction", "value": 0.9},
    "right": {"type": "mole_fraction", "value": 0.1},
}
CASES = {
    "plain": {
        "geometry": {"kind": "layered_slab", "dim": 2, "layers": LAYERS, "width": 0.5},
        "materials": {"a": {"D": 2e-5, "c": 40.9}, "b": {"D": 2e-6, "c": 40.9}},
        "interfaces": [{"materials": ["a", "b"], "partition": 0.5}],
        "boundaries": ENDS,
    },
    "films": {
        "geometry": {"kind": "layered_slab", "dim": 2, "layers": LAYERS},
        "materials": {"a": {"D": 2e-5, "c": 40.9}, "b": {"D": 2e-6, "c": 40.9}},
        "interfaces": [{"materials": ["a", "b"], "film": 2e-4}],
        "boundaries": ENDS,
    },
    "thermal": {
        "geometry": {"kind": "layered_slab", "dim": 1, "layers": [LAYERS[0]]},
        "materials": {
            "a": {"D": 2e-5, "c": 40.9, "thermal_conductivity": 0.026, "soret_coefficient": 0.01}
        },
        "boundaries": ENDS,
        "thermal": {
            "boundaries": {
                "left": {"type": "temperature", "value": 300.0},
                "right": {"type": "temperature", "value": 330.0},
            }
        },
    },
}
SWEPT = {
    "plain": {"materials.b.D": ["1e-6", "4e-6"], "boundaries.right.value": ["0.1", "0.3"]},
    "films": {"materials.b.D": ["1e-6", "4e-6"], "interfaces.0.film": ["1e-4", "5e-4"]},
    "thermal": {"materials.a.soret_coefficient": ["0.005", "0.02"]},
}


@pytest.fixture
def count_meshes(monkeypatch):
    calls = []
    build = simulation.build_domain

    def counting(case, comm, **options):
        calls.append(case.geometry.kind)
        return build(case, comm, **options)

    monkeypatch.setattr(simulation, "build_domain", counting)
    return calls


@pytest.mark.parametrize("pipeline", ["plain", "films", "thermal"])
def test_material_sweep_reuses_the_mesh(pipeline, tmp_path, count_meshes, caplog):
    """One build_domain call for the whole sweep; every point's boundary fluxes equal
    those of a separate run (fresh mesh) to 1e-12 relative (measured: identical)."""
    sweeps = SWEPT[pipeline]
    with caplog.at_level(logging.INFO, logger="emcd_fem"):
        rows = run_sweep(CASES[pipeline], tmp_path / "sweep", sweeps)
    assert len(count_meshes) == 1
    assert "reusing the mesh of point 0" in caplog.text
    for i, row in enumerate(rows):
        summary = json.loads((tmp_path / "sweep" / f"point_{i:03d}" / "summary.json").read_text())
        assert summary["mesh_reused"] is (i > 0)
        if i > 0:
            assert summary["timings"]["mesh"] == 0.0
        setting = [f"{k}={row[k]}" for k in sweeps]
        alone = run_case(CASES[pipeline], None, setting).summary
        assert alone["mesh_reused"] is False
        scale = max(abs(q) for q in alone["boundary_flux"].values())
        for name, q in alone["boundary_flux"].items():
            assert abs(row[f"flux_{name}"] - q) <= 1e-12 * scale, (i, name)
    assert len(count_meshes) == 1 + len(rows)  # the separate runs meshed


def test_geometry_sweep_remeshes(tmp_path, count_meshes, caplog):
    """A swept layer thickness changes the mesh: every point is meshed, and says why."""
    with caplog.at_level(logging.INFO, logger="emcd_fem"):
        rows = run_sweep(
            CASES["plain"], tmp_path / "sweep", {"geometry.layers.1.thickness": ["0.4", "0.8"]}
        )
    assert len(count_meshes) == 2
    assert "re-meshing every point" in caplog.text and "geometry.layers" in caplog.text
    assert "reusing the mesh" not in caplog.text
    summaries = [
        json.loads((tmp_path / "sweep" / f"point_{i:03d}" / "summary.json").read_text())
        for i in range(2)
    ]
    assert [s["mesh_reused"] for s in summaries] == [False, False]
    for row, summary in zip(rows, summaries, strict=True):
        expected = summary["analytic"]["boundary_flux"]["right"]
        assert row["flux_right"] == pytest.approx(expected, rel=1e-10)
    assert rows[0]["flux_right"] > rows[1]["flux_right"]  # thicker layer b, smaller flux


def test_mesh_inputs():
    """The geometry decides, except a layer's material (a region → material mapping)."""
    base = CASES["plain"] | {
        "materials": CASES["plain"]["materials"] | {"c": {"D": 1e-6, "c": 40.9}}
    }
    reference = mesh_inputs(load_case(base))
    assert mesh_inputs(load_case(base, ["materials.b.D=1e-7"])) == reference
    assert mesh_inputs(load_case(base, ['geometry.layers.1.material="c"'])) == reference
    for changed in ("geometry.refine=1", "geometry.cells_across=3", "geometry.width=1.0"):
        assert mesh_inputs(load_case(base, [changed])) != reference, changed


def test_layer_material_sweep_reuses_the_mesh(tmp_path, count_meshes):
    base = CASES["plain"] | {
        "materials": CASES["plain"]["materials"] | {"c": {"D": 1e-6, "c": 40.9}},
        "interfaces": [],
    }
    rows = run_sweep(base, tmp_path / "sweep", {"geometry.layers.1.material": ['"b"', '"c"']})
    assert len(count_meshes) == 1
    for row, d_b in zip(rows, (2e-6, 1e-6), strict=True):
        ref = ef.analytic.composite_slab(
            [0.3, 0.4],
            [ef.Material(2e-5, 40.9), ef.Material(d_b, 40.9)],
            ef.MoleFraction(0.9),
            ef.MoleFraction(0.1),
        )
        assert row["flux_right"] == pytest.approx(ref.flux * 0.5, rel=1e-10)  # width 0.5


def test_run_case_rejects_another_cases_domain():
    other = ef.layered_slab([0.3, 0.4], region_names=["x", "y"], dim=2)
    with pytest.raises(ef.EmcdInputError, match="not this case's mesh"):
        run_case(CASES["plain"], None, domain=other)
