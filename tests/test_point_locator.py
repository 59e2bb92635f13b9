"""Point evaluation with one search (post.sampling.PointLocator) and the transient
n-species probes that use it (issue 19): values equal the exact field (a P2 polynomial is
interpolated exactly), NaN outside, the locator reused for other functions, and the probes
of a transient run equal the final fields at those points with a search count that does not
grow with the number of steps."""

import copy
import tomllib
from pathlib import Path

from mpi4py import MPI

import dolfinx
import numpy as np
import pytest
from dolfinx import fem, mesh

from emcd_fem.pipeline.run import run_case
from emcd_fem.post.sampling import PointLocator, evaluate_at_points

ROOT = Path(__file__).resolve().parents[1]


def quadratic(x):
    return 1.0 + x[0] + 2.0 * x[1] ** 2 + x[0] * x[1]


def test_locator_evaluates_exactly_reuses_its_search_and_marks_outside_points():
    msh = mesh.create_unit_square(MPI.COMM_SELF, 7, 5)
    V = fem.functionspace(msh, ("Lagrange", 2))
    u, v = fem.Function(V), fem.Function(V)
    u.interpolate(quadratic)
    v.interpolate(lambda x: x[0] ** 2 - 3.0 * x[1])
    rng = np.random.default_rng(3)
    points = np.zeros((9, 3))
    points[:8, :2] = rng.uniform(0.0, 1.0, (8, 2))
    points[8, :2] = (1.5, 0.5)  # outside
    locator = PointLocator(msh, points)
    # P2 interpolates a quadratic exactly: the evaluation is exact up to rounding
    got_u, got_v = locator.evaluate(u)[:, 0], locator.evaluate(v)[:, 0]
    assert got_u[:8] == pytest.approx(quadratic(points[:8].T), abs=1e-13)
    assert got_v[:8] == pytest.approx(points[:8, 0] ** 2 - 3.0 * points[:8, 1], abs=1e-13)
    assert np.isnan(got_u[8]) and np.isnan(got_v[8])
    # the one-shot helper gives the same numbers (it is the locator used once)
    np.testing.assert_array_equal(evaluate_at_points(u, points), locator.evaluate(u))
    # no points (a run without probes): nothing to search, an empty result
    assert PointLocator(msh, np.zeros((0, 3))).evaluate(u).shape == (0, 1)


def _loschmidt_2d(t_end):
    data = tomllib.loads((ROOT / "demos" / "loschmidt.toml").read_text())
    data = copy.deepcopy(data)
    data["geometry"] = {
        "kind": "layered_slab",
        "dim": 2,
        "width": 0.05,
        "cells_across": 3,
        "layers": [
            {"name": "lower", "thickness": 0.1, "cells": 6},
            {"name": "upper", "thickness": 0.1, "cells": 6},
        ],
    }
    # inside cells, off the nodes, one in each region (layers along x, width along y)
    data["multicomponent"]["probes"] = {"a": [0.093, 0.013], "b": [0.104, 0.031]}
    data["time"] |= {"t_end": t_end, "output_times": [], "rtol": 1e-4, "dt_max": 0.25}
    data["output"] = {"pictures": False}
    return data


def test_transient_probes_equal_the_fields_and_search_once(tmp_path, monkeypatch):
    calls = []
    original = dolfinx.geometry.bb_tree

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(dolfinx.geometry, "bb_tree", counting)
    searches, steps = [], []
    for k, t_end in enumerate((0.25, 1.5)):
        before = len(calls)
        result = run_case(_loschmidt_2d(t_end), tmp_path / f"run{k}")
        searches.append(len(calls) - before)
        steps.append(result.summary["transient"]["steps"])
        probes = result.summary["probes"]
        points = np.array([[*probes[n]["point"], 0.0] for n in ("a", "b")])
        for s in ("He", "Ar"):
            field = evaluate_at_points(result.fields[f"x_{s}"], points)[:, 0]
            for i, n in enumerate(("a", "b")):
                # the same P2 field at the same point: rounding only
                assert probes[n]["final"][s] == pytest.approx(field[i], abs=1e-13), (s, n)
        # the probes saw the interdiffusion (the test can fail if they sample a stale field)
        for n in ("a", "b"):
            assert abs(probes[n]["final"]["He"] - probes[n]["initial"]["He"]) > 1e-2, n
    # more steps, not more searches: the tree is built once per run, not per step
    assert steps[1] > steps[0] + 3
    assert searches[1] == searches[0], (searches, steps)
