"""Admissibility and the run's own checks, the same in every pipeline (issue 15, item 2).

Inadmissible flux data are refused after the solve with a message naming the boundary
responsible, in the plain, partition, film and thermal pipelines (exit 3 via the CLI, the
AdmissibilityError in Python), including cases that no 1D pre-check can see (films, mesh
files, thermal diffusion). A run whose own analytic reference or species balance shows the
result is wrong exits 7 with status "failed" in summary.json.
"""

import dataclasses
import json
from pathlib import Path

import pytest

import emcd_fem as ef
from emcd_fem import cli
from emcd_fem.models.films import FilmEMCDProblem
from emcd_fem.pipeline.run import run_case

ROOT = Path(__file__).resolve().parents[1]
DEMOS = ROOT / "demos"

THICK = [0.3, 0.4, 0.3]
MATS = {"a": ef.Material(1.0, 2.0), "b": ef.Material(0.1, 1.0), "c": ef.Material(0.5, 1.5)}
FILMS = {("a", "b"): 0.5, ("b", "c"): 0.5}
#: Σ L/(c D) of the layers and Σ 1/k of the films [m^2 s/mol]
R_LAYERS = sum(t / m.conductance_density for t, m in zip(THICK, MATS.values(), strict=True))
R_FILMS = sum(1.0 / k for k in FILMS.values())


def slab(dim=1):
    """Square cells of 0.1 m: the range tolerance (h/d)^2 is 1e-2."""
    return ef.layered_slab(
        THICK, region_names=list(MATS), dim=dim, cells_per_layer=[3, 4, 3], cells_across=10
    )


# -- films --------------------------------------------------------------------------------
def test_film_flux_bound_by_hand():
    """The chosen flux is admissible without the films and inadmissible with them."""
    q = 0.9 / (R_LAYERS + 0.5 * R_FILMS)
    assert 0.9 - q * R_LAYERS > 0 > 0.9 - q * (R_LAYERS + R_FILMS)


@pytest.mark.parametrize("dim", [1, 2])
def test_film_inadmissible_flux_refused(dim):
    """x_A = 0.9 − q (Σ L/(cD) + Σ 1/k) < 0 at the right end: refused, naming 'right'."""
    q = 0.9 / (R_LAYERS + 0.5 * R_FILMS)
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MolarFlux(q)}
    problem = FilmEMCDProblem(slab(dim), MATS, bcs, films=FILMS)
    with pytest.raises(ef.AdmissibilityError) as info:
        problem.solve()
    text = str(info.value)
    expected_end = 0.9 - q * (R_LAYERS + R_FILMS)  # the exact x_A at the right end
    assert f"x_A = {expected_end:.6g} < 0" in text, text
    assert "'right' (flux(value=" in text and "film resistances" in text
    assert "'left'" not in text  # the mole fraction is not to blame


def test_film_admissible_flux_solves_exactly():
    """Just inside the bound: accepted, with the network's end value, no warning."""
    q = 0.95 * 0.9 / (R_LAYERS + R_FILMS)
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MolarFlux(q)}
    solution = FilmEMCDProblem(slab(2), MATS, bcs, films=FILMS).solve()
    assert solution.x_min == pytest.approx(0.9 - q * (R_LAYERS + R_FILMS), rel=1e-10)
    assert solution.boundary_flux["left"] == pytest.approx(-q * 1.0, rel=1e-10)
    assert solution.warnings == ()


def test_film_flux_only_refused():
    bcs = {"left": ef.MolarFlux(-0.1), "right": ef.MolarFlux(0.1)}
    with pytest.raises(ef.EmcdInputError, match="one boundary must be a mole_fraction"):
        FilmEMCDProblem(slab(), MATS, bcs, films=FILMS)


FILM_OVERRIDES = ['boundaries.right.type="flux"', "boundaries.right.value=1e-4"]


def test_film_case_inadmissible_flux_cli(tmp_path, capsys):
    """membrane_films.toml with 1e-4 mol/(m^2 s) out at the right: x_A would reach
    0.9 − 1e-4 (5990 + 7000) = −0.399 (0.30 without the films, so no 1D pre-check sees it);
    before, the run exited 0 with x_A = −0.399."""
    out = tmp_path / "out"
    args = ["run", str(DEMOS / "membrane_films.toml"), "--out", str(out)]
    for item in FILM_OVERRIDES:
        args += ["--set", item]
    assert cli.main(args) == cli.EXIT_INADMISSIBLE
    err = capsys.readouterr().err
    assert "x_A = -0.399022 < 0" in err and "'right' (flux(value=0.0001))" in err, err
    assert "Traceback" not in err and not out.exists()
    with pytest.raises(ef.AdmissibilityError, match="film resistances"):
        run_case(DEMOS / "membrane_films.toml", None, FILM_OVERRIDES)


# -- mesh files (2D, no 1D pre-check applies) ----------------------------------------------
PLATE_GEO = """SetFactory("OpenCASCADE");
Rectangle(1) = {0.0, 0.0, 0, 0.3, 0.4};
Rectangle(2) = {0.3, 0.0, 0, 0.7, 0.4};
BooleanFragments{ Surface{1}; Delete; }{ Surface{2}; Delete; }
Physical Surface("coating", 1) = {1};
Physical Surface("support", 2) = {2};
Physical Curve("left", 11) = Curve In BoundingBox{-1e-6, -1e-6, -1e-6, 1e-6, 0.4 + 1e-6, 1e-6};
Physical Curve("right", 12) = Curve In BoundingBox{0.999, -1e-6, -1e-6, 1.001, 0.401, 1e-6};
Mesh.MeshSizeMax = 0.1;
"""
C, D1, D2 = 40.9, 1.0e-5, 5.0e-6
R_PLATE = 0.3 / (C * D1) + 0.7 / (C * D2)  # 4156 m^2 s/mol


@pytest.fixture(scope="module")
def plate_msh(tmp_path_factory):
    """A two-layer plate written as MSH 4.1 by gmsh (regions coating/support)."""
    import gmsh

    directory = tmp_path_factory.mktemp("plate")
    geo, msh = directory / "plate.geo", directory / "plate.msh"
    geo.write_text(PLATE_GEO)
    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.open(str(geo))
        gmsh.model.mesh.generate(2)
        gmsh.write(str(msh))
    finally:
        gmsh.finalize()
    return msh


def plate_case(path, q, *, film=None, partition=None):
    interface = {"materials": ["polymer", "ceramic"]}
    if film is not None:
        interface["film"] = film
    if partition is not None:
        interface["partition"] = partition
    return (
        f'[geometry]\nkind = "mesh_file"\npath = "{path}"\n\n'
        '[regions]\ncoating = "polymer"\nsupport = "ceramic"\n\n'
        f"[materials.polymer]\nD = {D1}\nc = {C}\n\n[materials.ceramic]\nD = {D2}\nc = {C}\n\n"
        "[[interfaces]]\n"
        + "".join(f"{k} = {json.dumps(v)}\n" for k, v in interface.items())
        + '\n[boundaries.left]\ntype = "mole_fraction"\nvalue = 0.9\n\n'
        f'[boundaries.right]\ntype = "flux"\nvalue = {q}\n'
    )


def test_mesh_file_film_inadmissible_flux_cli(plate_msh, tmp_path, capsys):
    """2D film case from a .msh: 0.9 − q (R + 1/k) = −0.13 < 0 (0.07 > 0 without the film)."""
    k, q = 1.0e-3, 2.0e-4
    assert 0.9 - q * R_PLATE > 0 > 0.9 - q * (R_PLATE + 1 / k)
    case = tmp_path / "film.toml"
    case.write_text(plate_case(plate_msh, q, film=k))
    out = tmp_path / "out"
    assert cli.main(["run", str(case), "--out", str(out)]) == cli.EXIT_INADMISSIBLE
    err = capsys.readouterr().err
    assert "'right' (flux(value=0.0002))" in err and "film resistances" in err, err
    assert "< 0" in err and "Traceback" not in err and not out.exists()
    with pytest.raises(ef.AdmissibilityError, match=r"'right' \(flux"):
        run_case(case)


def test_mesh_file_film_admissible_flux_exact(plate_msh, tmp_path):
    """Half that flux: accepted, x_A at the right end as the 1D network says."""
    k, q = 1.0e-3, 1.0e-4
    case = tmp_path / "film.toml"
    case.write_text(plate_case(plate_msh, q, film=k))
    summary = run_case(case).summary
    assert summary["x_min"] == pytest.approx(0.9 - q * (R_PLATE + 1 / k), rel=1e-9)
    assert summary["boundary_flux"]["left"] == pytest.approx(-q * 0.4, rel=1e-9)
    assert summary["status"] == "ok"


def test_mesh_file_partition_inadmissible_flux_cli(plate_msh, tmp_path, capsys):
    """Partition K = 0.5 (x_support = x_coating / 2 at the interface): μ = x/H with
    H = (1, 0.5) falls by q R_μ with R_μ = 0.3/(cD1) + 0.7/(cD2 · 0.5): 0.9 − q R_μ < 0."""
    q = 1.5e-4
    r_mu = 0.3 / (C * D1) + 0.7 / (C * D2 * 0.5)
    assert 0.9 - q * r_mu < 0 < 0.9 - q * R_PLATE
    case = tmp_path / "partition.toml"
    case.write_text(plate_case(plate_msh, q, partition=0.5))
    assert cli.main(["run", str(case), "--out", str(tmp_path / "o")]) == cli.EXIT_INADMISSIBLE
    err = capsys.readouterr().err
    assert "'right' (flux(value=0.00015))" in err and "< 0" in err, err


# -- partition (plain pipeline with partition coefficients) --------------------------------
def test_partition_inadmissible_flux_refused():
    """x_b = H_b μ with μ = 0.9 − q Σ L/(c D H): refused, naming 'right'."""
    domain = ef.layered_slab(
        [0.4, 0.6], region_names=["a", "b"], dim=2, cells_per_layer=[4, 6], cells_across=10
    )
    mats = {"a": ef.Material(1.0, 2.0), "b": ef.Material(0.2, 1.0)}
    h_b = 0.25 * 2.0 / 1.0  # K c_a / c_b
    r_mu = 0.4 / 2.0 + 0.6 / (0.2 * h_b)
    q = 1.2 * 0.9 / r_mu
    problem = ef.EMCDProblem(
        domain,
        mats,
        {"left": ef.MoleFraction(0.9), "right": ef.MolarFlux(q)},
        partitions={("a", "b"): 0.25},
    )
    with pytest.raises(ef.AdmissibilityError, match=r"'right' \(flux\(value=") as info:
        problem.solve()
    assert f"x_A = {h_b * (0.9 - q * r_mu):.6g} < 0" in str(info.value)


# -- thermal diffusion ----------------------------------------------------------------------
THERMAL_OVERRIDES = ['boundaries.right.type="flux"', "boundaries.right.value=1.3e-3"]


def test_thermal_inadmissible_flux_refused(tmp_path, capsys):
    """soret_slab_1d with 1.3e-3 mol/(m^2 s) out at the right: cD/L = 1.64e-3, so x_A
    falls by about 0.8 from 0.6; refused (exit 3) naming 'right' and the thermal diffusion.
    Before, the message blamed only S_T."""
    with pytest.raises(ef.AdmissibilityError) as info:
        run_case(DEMOS / "soret_slab_1d.toml", None, THERMAL_OVERRIDES)
    text = str(info.value)
    assert "'right' (flux(value=0.0013))" in text and "thermal diffusion" in text, text
    assert "< 0" in text
    out = tmp_path / "out"
    args = ["run", str(DEMOS / "soret_slab_1d.toml"), "--out", str(out)]
    for item in THERMAL_OVERRIDES:
        args += ["--set", item]
    assert cli.main(args) == cli.EXIT_INADMISSIBLE
    assert "'right' (flux(value=0.0013))" in capsys.readouterr().err
    assert not out.exists()


def test_thermal_admissible_flux_is_not_judged_by_the_isothermal_start():
    """Fluxes the isothermal start cannot carry but thermal diffusion can are accepted.

    S_T > 0 drives A to the cold side; with the right wall hot and A leaving there, the
    isothermal x_A = 0.6 − q L/(c D) < 0 is only Newton's initial guess.
    """
    q = 1.2 * 0.6 * 40.9 * 2.0e-5 / 0.5  # isothermal: x_A(L) = 0.6 − 1.2·0.6 < 0
    overrides = [
        'boundaries.right.type="flux"',
        f"boundaries.right.value={q}",
        "materials.gas.soret_coefficient=-0.1",  # A drawn to the hot right wall
    ]
    summary = run_case(DEMOS / "soret_slab_1d.toml", None, overrides).summary
    assert 0.0 <= summary["x_min"] and summary["x_max"] <= 1.0
    assert summary["boundary_flux"]["right"] == pytest.approx(q, rel=1e-12)


# -- the run's own checks ---------------------------------------------------------------------
def test_broken_reference_fails_the_run(tmp_path, monkeypatch, capsys):
    """A reference 1 % off (far beyond the exact slab's 1e-6) fails with exit 7; the
    results are written with status "failed", and the reasons say what disagrees."""
    import emcd_fem.pipeline.references as references  # the run's reference (every route)

    original = references.analytic_reference

    def off_by_one_percent(case):
        reference = original(case)
        return dataclasses.replace(reference, flux=1.01 * reference.flux)

    monkeypatch.setattr(references, "analytic_reference", off_by_one_percent)
    out = tmp_path / "out"
    code = cli.main(["run", str(DEMOS / "slab_2d.toml"), "--out", str(out)])
    assert code == cli.EXIT_RESULT_CHECK == 7
    err = capsys.readouterr().err
    assert "result check failed" in err and "analytic reference disagrees" in err, err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "failed"
    assert summary["analytic"]["max_relative_error"] == pytest.approx(0.01 / 1.01, rel=1e-6)
    assert "analytic reference disagrees" in summary["failures"][0]
    with pytest.raises(ef.EmcdResultError) as info:
        run_case(DEMOS / "slab_2d.toml")
    assert info.value.result.summary["status"] == "failed"


def test_unbroken_runs_have_status_ok():
    summary = run_case(DEMOS / "slab_2d.toml").summary
    assert summary["status"] == "ok" and summary["failures"] == []
    assert summary["analytic"]["tolerance"] == pytest.approx(1e-6, rel=1e-3)


def test_balance_that_does_not_close_fails_the_run(tmp_path, capsys, monkeypatch):
    """A flux post-processing that loses 1 % of one boundary's flux (deliberately broken) on
    a mesh-file case without an analytic reference: the balance shows it (exit 7)."""
    from emcd_fem.models.transport import SpeciesTransportModel  # computes every run's fluxes

    original = SpeciesTransportModel._boundary_fluxes

    def lossy(self, residuals):
        fluxes = original(self, residuals)
        first = next(iter(fluxes))
        return {**fluxes, first: 0.99 * fluxes[first]}

    monkeypatch.setattr(SpeciesTransportModel, "_boundary_fluxes", lossy)
    out = tmp_path / "out"
    assert cli.main(["run", str(DEMOS / "mesh_file_geo.toml"), "--out", str(out)]) == 7
    err = capsys.readouterr().err
    assert "species balance does not close" in err, err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "failed" and summary["analytic"] is None
    assert summary["balance"]["relative"] == pytest.approx(0.01 / 1.99, rel=1e-6)


def test_round_off_fluxes_are_not_a_failed_balance():
    """Equal mole fractions at both ends: every flux is round-off zero (relative balance
    meaningless), which is not a failure."""
    overrides = ["boundaries.left.value=0.3", "boundaries.right.value=0.3"]
    summary = run_case(DEMOS / "slab_2d.toml", None, overrides).summary
    assert summary["status"] == "ok", summary["failures"]


UNDER_RESOLVED = [  # two layers of the same gas, so that no closed-form reference applies
    "geometry.layers=[{name='gas', thickness=0.25, cells=2}, {name='gas2', thickness=0.25, "
    "cells=2}]",
    "materials.gas2={D=2.0e-5, c=40.9, thermal_conductivity=0.026, soret_coefficient=10.0}",
    "discretisation.degree=1",
    "materials.gas.soret_coefficient=10.0",
    "boundaries.left.value=0.95",
    "boundaries.right.value=0.5",
]


def test_under_resolved_thermal_drift_fails_not_blamed_on_data(tmp_path, capsys):
    """S_T = 10 1/K, 24 K/m on 4 P1 cells (cell Péclet 15): the discrete x_A reaches 1.14
    although mole fractions at both ends keep the exact x_A in [0, 1] (x_A = 0 and 1 solve
    the equation). That is the mesh's fault, not the data's: exit 7 with advice to refine
    (before: exit 3 blaming S_T). The same problem on 400 cells stays in [0, 1]."""
    import ufl

    from emcd_fem.models.soret import SoretProblem

    with pytest.raises(ef.EmcdResultError, match=r"x_A = 1\.14\d* > 1 .*refine.*Péclet"):
        run_case(DEMOS / "soret_slab_1d.toml", None, UNDER_RESOLVED)
    args = ["run", str(DEMOS / "soret_slab_1d.toml"), "--out", str(tmp_path / "o")]
    for item in UNDER_RESOLVED:
        args += ["--set", item]
    assert cli.main(args) == cli.EXIT_RESULT_CHECK
    assert "refine" in capsys.readouterr().err
    domain = ef.layered_slab([0.5], region_names=["gas"], cells_per_layer=400)
    solution = SoretProblem(
        domain,
        {"gas": ef.Material(2.0e-5, 40.9)},
        {"left": ef.MoleFraction(0.95), "right": ef.MoleFraction(0.5)},
        temperature=300.0 + 24.0 * ufl.SpatialCoordinate(domain.mesh)[0],
        soret={"gas": 10.0},
    ).solve()
    assert 0.5 <= solution.x_min and solution.x_max <= 1.0


def test_check_says_when_admissibility_is_left_to_the_run(capsys):
    """`emcd check` cannot solve: for flux data without a 1D solution (films) it says the run
    judges them, instead of calling the film case of test_film_case_inadmissible_flux_cli
    admissible; Dirichlet-only data are proven admissible (maximum principle)."""
    args = ["check", str(DEMOS / "membrane_films.toml")]
    for item in FILM_OVERRIDES:
        args += ["--set", item]
    assert cli.main(args) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "judged after the solve (emcd run): right" in out and "admissible;" not in out, out
    assert cli.main(["check", str(DEMOS / "membrane_films.toml")]) == cli.EXIT_OK
    assert "is valid and admissible" in capsys.readouterr().out
    assert cli.main(["check", str(DEMOS / "bc_dirichlet_flux.toml")]) == cli.EXIT_OK
    assert "is valid and admissible" in capsys.readouterr().out  # 1D solution checked


@pytest.mark.parametrize(
    "demo,field,factor",
    [("slab_2d", "flux", 1.0 + 1e-4), ("cylinder_shells_2d", "rate", 1.0 + 1e-3)],
)
def test_reference_check_is_sharp_where_the_discretisation_is_accurate(
    demo, field, factor, monkeypatch
):
    """The tolerance follows the run's own accuracy: the exact slab (1e-6) and the order-2
    annulus (1.9e-5: measured d² and meshed-circle error) both catch a reference that is
    off by far less than the 1.7e-1 of the name-dependent film law."""
    import emcd_fem.pipeline.references as references  # the run's reference (every route)

    honest = run_case(DEMOS / f"{demo}.toml").summary["analytic"]
    assert honest["max_relative_error"] < honest["tolerance"] < (factor - 1.0) / 2
    original = references.analytic_reference
    monkeypatch.setattr(
        references,
        "analytic_reference",
        lambda case: dataclasses.replace(
            original(case), **{field: factor * getattr(original(case), field)}
        ),
    )
    with pytest.raises(ef.EmcdResultError, match="analytic reference disagrees"):
        run_case(DEMOS / f"{demo}.toml")


def test_shell_geometry_error_by_hand():
    """Inscribed 64-gons: perimeter 2 N r sin(π/N), relative error ≈ π²/(6 N²); the thinnest
    shell (0.8 → 1.0) amplifies it by (1.0 + 0.8)/(1.0 − 0.8) = 9."""
    import math

    from emcd_fem.post.result_checks import shell_geometry_error

    n = 64
    radii = {"inner": 0.5, "outer": 1.0}
    polygon = {name: 2 * n * r * math.sin(math.pi / n) for name, r in radii.items()}
    eps = 1 - n / math.pi * math.sin(math.pi / n)
    assert eps == pytest.approx(math.pi**2 / (6 * n**2), rel=1e-3)
    error = shell_geometry_error("cylinder", [0.5, 0.8, 1.0], polygon)
    assert error == pytest.approx(9 * eps, rel=1e-12)


def test_partition_coefficient_named_when_it_lifts_x_above_one_with_a_source():
    # x_b = K x_a (equal c): K = 1.5 behind x_a = 0.9 gives x_b ≈ 1.35 whatever the small
    # source does; the refusal must name the partition coefficients, not only the source
    from emcd_fem import Material, MoleFraction, layered_slab
    from emcd_fem.errors import AdmissibilityError
    from emcd_fem.models.problem import solve_emcd

    domain = layered_slab([0.5, 0.5], region_names=["a", "b"], dim=1, cells_per_layer=8)
    mats = {"a": Material(1.0), "b": Material(1.0)}
    with pytest.raises(AdmissibilityError, match="partition coefficients") as info:
        solve_emcd(
            domain, mats, {"left": MoleFraction(0.9)}, partitions={("a", "b"): 1.5}, source=1e-3
        )
    assert "the source" in str(info.value)
