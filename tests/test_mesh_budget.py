"""A mesh that cannot fit in memory is refused before meshing (tester h7 F1, F2).

``cells = 1000000000`` in a 1D slab was "valid and admissible" for ``emcd check`` and
then ``emcd run`` was killed by the kernel (exit 137, no message); ``cells = 1e20`` ended
in "internal error: Python int too large to convert to C long".
"""

import math

from mpi4py import MPI

import pytest

from emcd_fem import cli
from emcd_fem.case import load_case, mesh_budget
from emcd_fem.pipeline.setup import build_domain

SLAB = """
[geometry]
kind = "layered_slab"
dim = 1
[[geometry.layers]]
name = "gas"
thickness = 0.01
cells = {cells}
[materials.gas]
D = 1e-5
c = 40.0
[boundaries.left]
type = "mole_fraction"
value = 0.8
[boundaries.right]
type = "mole_fraction"
value = 0.2
"""


def _cells(domain) -> int:
    return domain.mesh.topology.index_map(domain.mesh.topology.dim).size_global


def test_a_slab_of_a_billion_cells_is_refused_before_meshing(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(mesh_budget, "machine_memory", lambda: 24.0 * 2**30)
    case = tmp_path / "case.toml"
    case.write_text(SLAB.format(cells=1_000_000_000))
    assert cli.main(["check", str(case)]) == 0  # the run's rank count is not known here
    assert "would have about 1e+09 cells" in capsys.readouterr().out
    out = tmp_path / "out"
    assert cli.main(["run", str(case), "--out", str(out)]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert "geometry: the mesh would have about 1e+09 cells" in err and "GiB" in err
    assert not out.exists()


def test_a_cell_count_beyond_any_index_is_a_case_error(tmp_path, capsys):
    case = tmp_path / "case.toml"
    case.write_text(SLAB.format(cells=10**20))
    for command in (["check", str(case)], ["run", str(case), "--out", str(tmp_path / "o")]):
        assert cli.main(command) == cli.EXIT_INVALID
        assert "geometry.layers[0].cells: must be <= 2147483647" in capsys.readouterr().err


@pytest.mark.parametrize(
    "geometry",
    [
        {"dim": 1},
        {"dim": 2, "cells_across": 3},
        {"dim": 3, "cells_across": 2},
        {"dim": 2, "cells_across": 3, "cell_type": "hypercube"},
        {"dim": 3, "cells_across": 2, "cell_type": "hypercube"},
    ],
)
def test_the_structured_slab_estimate_is_its_exact_cell_count(geometry):
    layers = [{"name": "a", "thickness": 0.3, "cells": 4}, {"name": "b", "thickness": 0.7}]
    data = {
        "geometry": {"kind": "layered_slab", "layers": layers, **geometry},
        "materials": {"a": {"D": 1.0, "c": 1.0}, "b": {"D": 1.0, "c": 1.0}},
        "boundaries": {"left": {"type": "mole_fraction", "value": 1.0}},
    }
    case = load_case(data)
    assert mesh_budget.estimated_cells(case.geometry) == _cells(build_domain(case, MPI.COMM_SELF))


@pytest.mark.parametrize(
    "geometry",
    [
        {"kind": "cylinder_shells", "dim": 2, "radii": [0.1, 0.2, 0.3], "size": 0.02},
        {"kind": "cylinder_shells", "dim": 3, "radii": [0.1, 0.3], "height": 0.2, "size": 0.05},
        {"kind": "sphere_shells", "radii": [0.1, 0.3], "size": 0.06},
        {
            "kind": "layered_slab",
            "dim": 2,
            "mesher": "gmsh",
            "size": 0.05,
            "layers": [{"name": "shell1", "thickness": 0.5}, {"name": "shell2", "thickness": 0.5}],
        },
        {
            "kind": "inclusions",
            "dim": 2,
            "extents": [1.0, 1.0],
            "radius": 0.2,
            "counts": [1, 1],
            "size": 0.05,
        },
    ],
)
def test_the_gmsh_estimate_is_a_lower_bound_within_a_factor_four(geometry):
    # the refusal uses the estimate as a lower bound (it must never refuse a mesh that
    # fits); within a factor 4 it still catches a unit mistake (a factor 10^3 in size
    # is 10^6 to 10^9 in cells)
    names = ["matrix", "inclusion"] if geometry["kind"] == "inclusions" else ["shell1", "shell2"]
    slab_like = geometry["kind"] in ("layered_slab", "inclusions")
    boundary = {"right" if slab_like else "outer": {"type": "mole_fraction", "value": 1.0}}
    materials = {n: {"D": 1.0, "c": 1.0} for n in names}
    case = load_case({"geometry": geometry, "materials": materials, "boundaries": boundary})
    estimate = mesh_budget.estimated_cells(case.geometry)
    actual = _cells(build_domain(case, MPI.COMM_SELF))
    assert estimate <= actual <= 4 * estimate, (estimate, actual)


def test_refinement_multiplies_the_estimate():
    g = {"kind": "sphere_shells", "radii": [0.1, 0.3], "size": 0.06}
    data = {
        "materials": {"shell1": {"D": 1.0, "c": 1.0}},
        "boundaries": {"outer": {"type": "mole_fraction", "value": 1.0}},
    }
    base = mesh_budget.estimated_cells(load_case({"geometry": g} | data).geometry)
    refined = mesh_budget.estimated_cells(
        load_case({"geometry": g | {"refine": 2}} | data).geometry
    )
    assert math.isclose(refined, 64 * base)


def test_mesh_files_are_not_estimated_and_never_refused():
    assert mesh_budget.memory_problem(object(), 1, 1.0) is None
