"""Same answers on 1 rank and on all ranks of COMM_WORLD (run under mpiexec -n 2 / 3).

Each case is solved twice in the same process: on MPI.COMM_SELF (the serial answer) and
on MPI.COMM_WORLD (distributed). Direct LU or CG with rtol 1e-14, so that only rounding
separates them: boundary fluxes agree to 1e-10 relative.
"""

from mpi4py import MPI

import pytest
from conftest import build_two_material_square

import emcd_fem as ef

THICK = [0.3, 0.4, 0.3]
NAMES = ["a", "b", "c"]
MATERIALS = {
    "a": ef.Material(1.0, 2.0),
    "b": ef.Material(0.1, 1.0),
    "c": ef.Material(0.5, 1.5),
}


def fluxes(comm, dim, degree, bcs, **options):
    domain = ef.layered_slab(
        THICK, region_names=NAMES, dim=dim, cells_per_layer=[3, 4, 3], cells_across=3, comm=comm
    )
    solution = ef.solve_emcd(domain, MATERIALS, bcs, degree=degree, **options)
    return solution.boundary_flux, solution


def assert_same(serial, parallel):
    scale = max(abs(v) for v in serial.values())
    assert serial.keys() == parallel.keys()
    for name in serial:
        assert abs(serial[name] - parallel[name]) <= 1e-10 * scale, name


def test_world_has_several_ranks():
    assert MPI.COMM_WORLD.size >= 2, "run this suite with mpiexec -n 2"


@pytest.mark.parametrize("degree", [1, 2])
@pytest.mark.parametrize("dim", [1, 2, 3])
def test_three_layer_slab_parallel(dim, degree):
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
    serial, _ = fluxes(MPI.COMM_SELF, dim, degree, bcs)
    parallel, solution = fluxes(MPI.COMM_WORLD, dim, degree, bcs)
    assert_same(serial, parallel)
    ref = ef.analytic.composite_slab(THICK, list(MATERIALS.values()), bcs["left"], bcs["right"])
    # built-in slab cross-section is 1 x 1: per-area flux = flux
    assert parallel["right"] == pytest.approx(ref.flux, rel=1e-8)
    assert solution.x_min == pytest.approx(0.1, abs=1e-12)


@pytest.mark.parametrize(
    "left,right",
    [
        (ef.MoleFraction(0.9), ef.MolarFlux(0.1)),
        (ef.MoleFraction(0.9), ef.MassTransfer(2.0, 0.05)),
        (ef.MassTransfer(3.0, 0.8), ef.MassTransfer(0.5, 0.1)),
        (ef.MoleFraction(0.9), ef.MoleFraction(0.2)),
    ],
)
def test_boundary_pairs_parallel(left, right):
    bcs = {"left": left, "right": right, "top": ef.MoleFraction(0.5)}
    serial, _ = fluxes(MPI.COMM_SELF, 2, 2, bcs)
    parallel, _ = fluxes(MPI.COMM_WORLD, 2, 2, bcs)
    assert_same(serial, parallel)


def test_flux_flux_parallel():
    bcs = {"left": ef.MolarFlux(-0.1), "right": ef.MolarFlux(0.1)}
    options = {
        "inventory_mole_fraction": 0.4,
        "petsc_options": {"ksp_type": "cg", "pc_type": "gamg", "ksp_rtol": 1e-14},
    }
    serial, s1 = fluxes(MPI.COMM_SELF, 2, 1, bcs, **options)
    parallel, s2 = fluxes(MPI.COMM_WORLD, 2, 1, bcs, **options)
    assert_same(serial, parallel)
    assert (s1.x_min, s1.x_max) == pytest.approx((s2.x_min, s2.x_max), abs=1e-10)


def test_unstructured_gmsh_parallel():
    """Corner DOFs shared by two Dirichlet boundaries go to the same boundary on any
    partition: the reaction fluxes agree with the serial ones."""
    bcs = {
        "left": ef.MoleFraction(0.8),
        "bottom": ef.MoleFraction(0.1),
        "right": ef.MassTransfer(1.0, 0.3),
    }
    mats = {"west": ef.Material(1.0, 2.0), "east": ef.Material(0.25, 2.0)}
    results = []
    for comm in (MPI.COMM_SELF, MPI.COMM_WORLD):
        domain = build_two_material_square(0.1, comm=comm)
        results.append(ef.solve_emcd(domain, mats, bcs, degree=2).boundary_flux)
    assert_same(*results)


def test_errors_raise_on_every_rank():
    """An inadmissible result raises on all ranks together (no hang)."""
    bcs = {"left": ef.MoleFraction(0.3), "right": ef.MolarFlux(0.1)}
    with pytest.raises(ef.AdmissibilityError, match="'right'"):
        fluxes(MPI.COMM_WORLD, 2, 1, bcs)
    with pytest.raises(ef.EmcdInputError, match="Did you mean"):
        fluxes(MPI.COMM_WORLD, 2, 1, {"lef": ef.MoleFraction(0.3)})


def test_gmsh_failure_raises_on_every_rank():
    def broken():
        raise RuntimeError("no geometry")

    with pytest.raises(ef.EmcdInputError, match="no geometry"):
        ef.domain_from_gmsh(broken, gdim=2, comm=MPI.COMM_WORLD)


@pytest.mark.parametrize("dim", [2, 3])
def test_partition_parallel(dim):
    mats = {"a": ef.Material(1.0, 2.0), "b": ef.Material(0.2, 1.0)}
    bcs = {"left": ef.MoleFraction(0.6), "right": ef.MoleFraction(0.1)}
    results = []
    for comm in (MPI.COMM_SELF, MPI.COMM_WORLD):
        domain = ef.layered_slab(
            [0.4, 0.6], region_names=["a", "b"], dim=dim, cells_per_layer=[2, 3], comm=comm
        )
        solution = ef.solve_emcd(domain, mats, bcs, partitions={("a", "b"): 0.25})
        results.append(solution.boundary_flux)
    assert_same(*results)
    ref = ef.analytic.composite_slab(
        [0.4, 0.6], list(mats.values()), bcs["left"], bcs["right"], solubilities=[1.0, 0.5]
    )
    assert results[1]["right"] == pytest.approx(ref.flux, rel=1e-8)


def test_films_parallel():
    from emcd_fem.models.films import FilmEMCDProblem

    films = {("a", "b"): 2.0, ("b", "c"): 5.0}
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
    results = []
    for comm in (MPI.COMM_SELF, MPI.COMM_WORLD):
        domain = ef.layered_slab(
            THICK, region_names=NAMES, dim=2, cells_per_layer=[3, 4, 3], cells_across=3, comm=comm
        )
        results.append(FilmEMCDProblem(domain, MATERIALS, bcs, films=films).solve())
    assert_same(results[0].boundary_flux, results[1].boundary_flux)
    flux, _ = ef.analytic.film_slab(THICK, list(MATERIALS.values()), 0.9, 0.1, [2.0, 5.0])
    assert results[1].boundary_flux["right"] == pytest.approx(flux, rel=1e-8)
    for pair in films:
        assert results[1].film_flux[pair] == pytest.approx(flux, rel=1e-8)
    # the discontinuous x_A over the whole mesh: same values either side of the films
    import numpy as np

    from emcd_fem.post.sampling import evaluate_at_points

    s = np.array([0.1, 0.3 - 1e-9, 0.3 + 1e-9, 0.7 - 1e-9, 0.7 + 1e-9, 0.9])
    points = np.column_stack([s, np.full(s.size, 0.4), np.zeros(s.size)])
    values = [evaluate_at_points(r.mole_fraction, points) for r in results]
    same = MPI.COMM_WORLD.bcast(
        bool(np.allclose(values[0], values[1], rtol=0, atol=1e-12))
        if MPI.COMM_WORLD.rank == 0
        else None,
        root=0,
    )
    assert same
    assert (results[1].x_min, results[1].x_max) == pytest.approx((0.1, 0.9), abs=1e-12)


def test_soret_parallel():
    import ufl

    from emcd_fem.models.soret import SoretProblem

    results = []
    for comm in (MPI.COMM_SELF, MPI.COMM_WORLD):
        domain = ef.layered_slab(
            [0.5], region_names=["gas"], dim=2, cells_per_layer=8, cells_across=3, comm=comm
        )
        X = ufl.SpatialCoordinate(domain.mesh)
        problem = SoretProblem(
            domain,
            {"gas": ef.Material(2e-5, 40.9)},
            {"left": ef.MoleFraction(0.6), "right": ef.MoleFraction(0.4)},
            temperature=300.0 + 24.0 * X[0],
            soret={"gas": 0.012},
        )
        results.append(problem.solve().boundary_flux)
    assert_same(*results)


@pytest.mark.parametrize("case", ["soret_composite_2d.toml", "soret_3d.toml"])
def test_soret_case_parallel(case):
    """Heat conduction (Lagrange; SIPG with a contact resistance in 3D), T-dependent
    properties, Newton: the same boundary fluxes, split and heat flows on 1 and n ranks
    (1e-8, the issue's tolerance for the nonlinear problem; measured ~1e-13)."""
    from pathlib import Path

    from emcd_fem.pipeline.run import run_case

    path = Path(__file__).parents[2] / "demos" / case
    summaries = [
        run_case(path, overrides=["output.pictures=false"], comm=comm).summary
        for comm in (MPI.COMM_SELF, MPI.COMM_WORLD)
    ]
    serial, parallel = summaries
    for key in ("boundary_flux",):
        scale = max(abs(v) for v in serial[key].values())
        for name, value in serial[key].items():
            assert abs(parallel[key][name] - value) <= 1e-8 * scale, name
    for name, part in serial["flux_split"].items():
        for which in ("fickian", "thermal"):
            assert parallel["flux_split"][name][which] == pytest.approx(
                part[which], rel=1e-8, abs=1e-12 * scale
            )
    for name, value in serial["thermal"]["heat_flow"].items():
        assert parallel["thermal"]["heat_flow"][name] == pytest.approx(value, rel=1e-8, abs=1e-12)
    assert parallel["balance"]["relative"] < 1e-12


def test_sweep_reusing_the_mesh_parallel(tmp_path, monkeypatch):
    """A 2-point material sweep meshes once (gmsh annulus, distributed) and gives, at each
    point, the serial answer (1e-10) and the series-resistance rate (curved P2 cells)."""
    import json
    from pathlib import Path

    from emcd_fem.pipeline import run as simulation

    case = {
        "geometry": {
            "kind": "cylinder_shells",
            "radii": [0.5, 0.8, 1.0],
            "size": 0.15,
            "order": 2,
        },
        "materials": {"shell1": {"D": 1.0, "c": 1.0}, "shell2": {"D": 0.2, "c": 1.0}},
        "discretisation": {"degree": 2},
        "boundaries": {
            "inner": {"type": "mole_fraction", "value": 0.9},
            "outer": {"type": "mole_fraction", "value": 0.1},
        },
    }
    calls = []
    build = simulation.build_domain
    monkeypatch.setattr(
        simulation,
        "build_domain",
        lambda c, comm, **kw: calls.append(comm.size) or build(c, comm, **kw),
    )
    out = Path(MPI.COMM_WORLD.bcast(str(tmp_path), root=0)) / "sweep"
    rows = simulation.run_sweep(case, out, {"materials.shell2.D": ["0.2", "0.05"]})
    assert calls == [MPI.COMM_WORLD.size]
    for i, row in enumerate(rows):
        setting = [f"materials.shell2.D={row['materials.shell2.D']}"]
        serial = simulation.run_case(case, None, setting, comm=MPI.COMM_SELF).summary
        assert_same(serial["boundary_flux"], {n: row[f"flux_{n}"] for n in serial["boundary_flux"]})
        exact = ef.analytic.concentric_shells(
            "cylinder",
            [0.5, 0.8, 1.0],
            [ef.Material(1.0, 1.0), ef.Material(float(row["materials.shell2.D"]), 1.0)],
            ef.MoleFraction(0.9),
            ef.MoleFraction(0.1),
        )
        assert row["flux_outer"] == pytest.approx(exact.rate, rel=1e-4)
    flags = None
    if MPI.COMM_WORLD.rank == 0:  # files are written by rank 0; every rank checks
        flags = [
            json.loads((out / f"point_{i:03d}" / "summary.json").read_text())["mesh_reused"]
            for i in range(len(rows))
        ]
    assert MPI.COMM_WORLD.bcast(flags, root=0) == [False, True]
