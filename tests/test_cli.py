"""`emcd run` / `emcd check`: example cases, invalid cases, atomic output, MPI."""

import itertools
import json
import math
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem import cli
from emcd_fem.analytic.multicomponent import film_solution
from emcd_fem.analytic.reactions import stefan_flux
from emcd_fem.case import load_case
from emcd_fem.geometry import brown_escombe_resistance
from emcd_fem.materials.stoichiometry import parse_equation
from emcd_fem.pipeline.run import build_boundary_conditions, build_materials, run_case

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "demos").glob("*.toml"))
# n-species cases (their own summary: per-species fluxes): test_multicomponent_demo_runs
# (steady); the transient ones (loschmidt, two_bulb) in test_multicomponent_case_transient;
# the dusty-gas cases in tests/test_dusty_gas_case.py; the two-layer interface demo
# (ternary_interface) in tests/test_multicomponent_interfaces_case.py; thermal diffusion
# (ternary_soret) in tests/test_ternary_soret_demo.py
N_SPECIES = [p for p in CASES if "multicomponent" in tomllib.loads(p.read_text())]
DUSTY_GAS = [
    p
    for p in N_SPECIES
    if tomllib.loads(p.read_text())["multicomponent"].get("model") == "dusty_gas"
]
MULTICOMPONENT = [
    p
    for p in N_SPECIES
    if "time" not in tomllib.loads(p.read_text())
    and "thermal" not in tomllib.loads(p.read_text())
    and p not in DUSTY_GAS
    and "interfaces" not in tomllib.loads(p.read_text())["multicomponent"]
]
BINARY = [p for p in CASES if p not in N_SPECIES]
INVALID = sorted((ROOT / "tests" / "invalid_cases").glob("*.toml"))
EMCD = str(Path(sys.executable).parent / "emcd")


def independent_reference(path):
    """The exact boundary fluxes of an example case, from emcd_fem.analytic.

    Returns (boundary name → expected q_Γ, relative tolerance, case).
    """
    case = load_case(path)
    bcs = build_boundary_conditions(case)
    g = case.geometry
    regions = g.region_names()
    materials = build_materials(case, regions) if regions else None
    if case.reactions:  # the reaction demos: closed forms (tests/test_reaction_cases.py)
        spec, layer = case.materials[case.material_of(regions[0])], g.layers[0]
        if case.physics.flux_model == "stefan":  # P1, 40 cells: O(h²) flux error 1.3e-5
            nu = parse_equation(case.reactions[0].equation)
            flux = stefan_flux(
                spec.c,
                spec.D,
                layer.thickness,
                bcs["left"].value,
                bcs["right"].value,
                nu.products.get("B", 0.0),
            )
            return {"left": -flux, "right": flux}, 5e-5, case
        r = case.reactions[0]
        if r.kind == "surface" and r.boundary in g.interface_names():  # two layers, exact
            return _interface_reaction_reference(case, bcs), 1e-10, case
        # A <=> B in a half-slab closed at x = l: cosh profile
        k, x_eq = r.k_f + r.k_b, r.k_b / (r.k_f + r.k_b)
        m = math.sqrt(k / spec.D)
        flux = spec.c * spec.D * (bcs["left"].value - x_eq) * m * math.tanh(m * layer.thickness)
        return {"left": -flux}, 1e-3, case  # P1, 40 cells, φ = 2.6: O(h²) error 1.6e-4
    if case.thermal is not None:  # thermal diffusion: the Riccati closed form for a linear T
        if g.kind != "layered_slab" or len(regions) != 1:
            return None, None, case
        t = case.thermal.boundaries
        ref = ef.analytic.soret_slab(
            g.layers[0].thickness,
            materials[regions[0]],
            case.materials[case.material_of(regions[0])].soret_coefficient,
            (t["left"].value, t["right"].value),
            (bcs["left"].value, bcs["right"].value),
        )
        return {"left": -ref.flux, "right": ref.flux}, 1e-10, case  # P2, 40 cells: 2e-12
    if g.kind == "layered_slab" and any(spec.film for spec in case.interfaces):
        films = [spec.film for spec in case.interfaces]  # listed in layer order in the demo
        flux, _ = ef.analytic.film_slab(
            [layer.thickness for layer in g.layers],
            [materials[n] for n in regions],
            bcs["left"].value,
            bcs["right"].value,
            films,
        )
        area = g.width if g.dim >= 2 else 1.0
        return {"left": -flux * area, "right": flux * area}, 1e-8, case
    if g.kind == "layered_slab":
        # partition coefficients: H_1 = 1, c_{i+1} H_{i+1} = K c_i H_i (x_A = H μ)
        solubilities = [1.0]
        partitions = {
            tuple(spec.materials): spec.partition for spec in case.interfaces if spec.partition
        }
        for a, b in itertools.pairwise(regions):
            pair = (case.material_of(a), case.material_of(b))
            c_a, c_b = materials[a].concentration, materials[b].concentration
            k = partitions.get(pair, c_b / c_a)
            solubilities.append(k * c_a * solubilities[-1] / c_b)
        ref = ef.analytic.composite_slab(
            [layer.thickness for layer in g.layers],
            [materials[n] for n in regions],
            bcs["left"],
            bcs["right"],
            inventory_mole_fraction=case.physics.inventory_mole_fraction,
            solubilities=solubilities,
        )
        area = (g.width if g.dim >= 2 else 1.0) * (g.depth if g.dim == 3 else 1.0)
        # interfaces on nodes: P1/P2 are exact, only rounding remains
        return {k: q * area for k, q in ref.boundary_flux.items()}, 1e-8, case
    if g.kind in ("cylinder_shells", "sphere_shells"):
        kind = "cylinder" if g.kind == "cylinder_shells" else "sphere"
        ref = ef.analytic.concentric_shells(
            kind,
            g.radii,
            [materials[n] for n in regions],
            bcs["inner"],
            bcs["outer"],
            height=g.height if kind == "cylinder" and g.dim == 3 else 1.0,
        )
        # curved boundaries: P2 on order-2 geometry, error ~h^3.5 (annulus 2e-7, sphere 4e-4)
        return ref.boundary_flux, (1e-6 if kind == "cylinder" else 1e-3), case
    if g.kind == "inclusions":
        return None, None, case  # no closed form: balance and symmetry checked below
    if g.kind == "stomatal_pore":
        spec = case.materials["air"]
        cD = spec.c * spec.D
        resistance = brown_escombe_resistance(g.pore_radius, g.epidermis_thickness, spec.c, spec.D)
        resistance += (g.cavity_depth + g.outside_height) / (np.pi * g.cell_radius**2 * cD)
        drop = bcs["outside_top"].value - bcs["cavity_bottom"].value
        # Brown–Escombe holds to ~12 % in a cell of radius 8a (tests/test_geometry_stomata.py)
        return {"cavity_bottom": drop / resistance}, 0.12, case
    # meshes/two_layer_plate.geo: layers 0.3 m (polymer) + 0.7 m (ceramic), 0.4 m high
    spec = case.materials
    two = ef.analytic.composite_slab(
        [0.3, 0.7],
        [
            ef.Material(spec["polymer"].D, spec["polymer"].c),
            ef.Material(spec["ceramic"].D, spec["ceramic"].c),
        ],
        bcs["left"],
        bcs["right"],
    )
    return {k: q * 0.4 for k, q in two.boundary_flux.items()}, 1e-8, case


def _interface_reaction_reference(case, bcs):
    """Fluxes of a two-layer slab with A <=> B on its interface (P1 exact: piecewise linear)."""
    from emcd_fem.analytic.reactions import interface_reaction_slab

    g, r = case.geometry, case.reactions[0]
    specs = [case.materials[case.material_of(layer.name)] for layer in g.layers]
    (entry,) = case.interfaces or [None]
    K = entry.partition if entry is not None and entry.partition is not None else None
    kappa = 1.0 if K is None else K * specs[0].c / specs[1].c  # x_b/x_a = K c_a/c_b
    ref = interface_reaction_slab(
        tuple(layer.thickness for layer in g.layers),
        tuple(s.D for s in specs),
        tuple(s.c for s in specs),
        bcs["left"].value,
        bcs["right"].value,
        k_s=r.k_f + r.k_b,
        x_eq=r.k_b / (r.k_f + r.k_b),
        kappa=kappa,
        film=entry.film if entry is not None else None,
        side="a" if r.side in (None, g.layers[0].name) else "b",
    )
    area = (g.width if g.dim >= 2 else 1.0) * (g.depth if g.dim == 3 else 1.0)
    fluxes = {"left": -ref.flux_1, "right": ref.flux_2, r.boundary: ref.consumption}
    return {k: q * area for k, q in fluxes.items()}


@pytest.mark.parametrize("path", BINARY, ids=[p.stem for p in BINARY])
def test_example_case_runs(path, tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(
        [EMCD, "run", str(path), "--out", str(out)], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    expected, rtol, case = independent_reference(path)
    for side, q in (expected or {}).items():
        assert summary["boundary_flux"][side] == pytest.approx(q, rel=rtol)
    if summary.get("effective") is not None:  # square array: Rayleigh/Perrins to 1e-4
        eff = summary["effective"]
        low, high = eff["hashin_shtrikman_bounds"]
        for value in eff["D_eff"].values():
            assert value == pytest.approx(eff["rayleigh"], rel=1e-4)
            assert low * (1 - 1e-4) <= value <= high
    if expected is None:
        fluxes = summary["boundary_flux"]
        assert fluxes["left"] == pytest.approx(-fluxes["right"], rel=1e-10)
        assert fluxes["right"] > 0
    if summary["analytic"] is not None:
        assert summary["analytic"]["max_relative_error"] < rtol
    for key in (
        "x_min",
        "x_max",
        "dofs",
        "cells",
        "ranks",
        "solver",
        "balance",
        "timings",
        "versions",
        "case",
        "mesh",
    ):
        assert key in summary
    assert summary["balance"]["relative"] < 1e-10
    assert set(summary["timings"]) >= {"mesh", "setup", "solve", "post"}
    assert summary["case"]["discretisation"]["degree"] in (1, 2)  # resolved defaults
    # every field file opens in pyvista; x_A's nodal values span the solution's range
    import pyvista

    field_files = [name for name in summary["files"] if name.endswith(".vtkhdf")]
    assert "fields.vtkhdf" in field_files
    if "film_flux" in summary:  # film cases also write one potential per block (submesh)
        assert len(field_files) == 1 + len(summary["blocks"])
    for name in field_files:
        grid = pyvista.read(out / name)
        assert grid.n_cells > 0 and grid.array_names
    grid = pyvista.read(out / "fields.vtkhdf")
    entry = summary["fields"]["mole_fraction_A"]
    if entry["association"] == "point":
        values = np.asarray(grid.point_data["mole_fraction_A"])
        assert values.min() == pytest.approx(summary["x_min"], abs=1e-12)
        assert values.max() == pytest.approx(summary["x_max"], abs=1e-12)
    else:  # DG x_A: cell-centre values inside the range
        values = np.asarray(grid.cell_data["mole_fraction_A"])
        assert summary["x_min"] - 1e-12 <= values.min() <= values.max() <= summary["x_max"] + 1e-12
    if case.output.profiles and rtol is not None:
        rows = (out / "profiles.csv").read_text().splitlines()
        assert len(rows) == 1 + sum(p.points for p in case.output.profiles)
        data = np.genfromtxt(out / "profiles.csv", delimiter=",", skip_header=1)
        assert np.allclose(data[:, 6], data[:, 7], atol=100 * rtol)
    assert not list(tmp_path.glob(".emcd-staging-*")), "staging directory left behind"


@pytest.mark.parametrize("path", MULTICOMPONENT, ids=[p.stem for p in MULTICOMPONENT])
def test_multicomponent_demo_runs(path, tmp_path):
    # the ternary film demo through `emcd run` against the exact Maxwell–Stefan film
    # (matrix exponential, analytic.multicomponent), data read from the file itself
    out = tmp_path / "out"
    result = subprocess.run(
        [EMCD, "run", str(path), "--out", str(out)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "equimolar: yes" in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    data = tomllib.loads(path.read_text())["multicomponent"]
    species = data["species"]
    (region,) = data["regions"].values()
    d = np.zeros((len(species), len(species)))
    for a, row in region["diffusivities"].items():
        for b, value in row.items():
            i, j = species.index(a), species.index(b)
            d[i, j] = d[j, i] = value
    c = region["P"] / (8.314462618 * region["T"])  # ideal gas
    ends = [
        [data["boundaries"][b]["mole_fractions"][s] for s in species] for b in ("left", "right")
    ]
    (layer,) = tomllib.loads(path.read_text())["geometry"]["layers"]
    film = film_solution(*ends, d, layer["thickness"], c, [1.0] * 3)
    scale = np.abs(film.fluxes).max()
    for s, n in zip(species, film.fluxes, strict=True):
        # P2 on 40 cells: the film's O(h^4) flux error measured 9e-10 of max |N_i|
        assert summary["boundary_flux"][s]["right"] == pytest.approx(n, abs=1e-8 * scale)
        assert summary["boundary_flux"][s]["left"] == pytest.approx(-n, abs=1e-8 * scale)
        assert summary["balance"][s]["relative"] < 1e-10
    for b, total in summary["total_flux"].items():  # Σ N_i = 0: the bootstrap, exactly
        assert abs(total) < 1e-12 * scale, b
    assert summary["equimolar"].startswith("yes")
    assert summary["status"] == "ok" and summary["analytic"]["max_relative_error"] < 1e-8
    # reverse diffusion: x_N2 dips inside the capillary below both ends, so near the
    # right end N2 flows left → right (N_N2 > 0) up its own gradient
    low = summary["x_range"]["N2"][0]
    assert summary["boundary_flux"]["N2"]["right"] > 0
    assert low < min(ends[0][1], ends[1][1]) - 0.01
    assert {f"x_{s}" for s in species} <= set(summary["fields"])
    assert {"mole_fractions.png", "molar_fluxes.png"} <= set(summary["files"])


def test_he_ar_mass_average_velocity():
    """v = (M_A − M_B) N_A / ρ(x) at the DG0 nodes (cell midpoints); points towards Ar."""
    path = ROOT / "demos" / "he_ar_mass_velocity.toml"
    result = run_case(path, None)
    case = load_case(path)
    bcs = build_boundary_conditions(case)
    reference = ef.analytic.slab(0.1, build_materials(case)["gas"], bcs["left"], bcs["right"])
    assert result.summary["field_degrees"]["mass_average_velocity"] == "DG 0"
    velocity = result.fields["mass_average_velocity"]
    midpoints = velocity.function_space.tabulate_dof_coordinates()[:, 0]
    m_a, m_b, c = 4.0026e-3, 39.948e-3, 40.9
    xa = reference.mole_fraction(midpoints)
    expected = (m_a - m_b) * reference.flux / (c * (xa * m_a + (1 - xa) * m_b))
    assert velocity.x.array == pytest.approx(expected, rel=1e-10)
    # He (light) flows to +x, Ar (heavy) to −x: the centre of mass drifts with argon.
    assert reference.flux > 0 and np.all(velocity.x.array < 0)


def _expectation(path):
    first = path.read_text().splitlines()[0]
    code, _, fragment = first.removeprefix("# expect: ").partition(" ")
    return int(code), fragment


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
@pytest.mark.parametrize("command", ["run", "check"])
def test_invalid_case(path, command, tmp_path, capsys):
    code, fragment = _expectation(path)
    out = tmp_path / "out"
    args = [command, str(path)] + (["--out", str(out)] if command == "run" else [])
    assert cli.main(args) == code
    captured = capsys.readouterr()
    assert fragment in captured.err, captured.err
    assert "Traceback" not in captured.err + captured.out
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_at_least_ten_invalid_cases():
    assert len(INVALID) >= 10


@pytest.mark.parametrize("name", ["toml_syntax_error", "unbalanced_flux_flux"])
def test_invalid_case_subprocess_exit_code(name, tmp_path):
    path = ROOT / "tests" / "invalid_cases" / f"{name}.toml"
    code, fragment = _expectation(path)
    result = subprocess.run(
        [EMCD, "run", str(path), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == code
    assert fragment in result.stderr and "Traceback" not in result.stderr
    debug = subprocess.run(
        [EMCD, "--debug", "run", str(path), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert debug.returncode == code and "Traceback" in debug.stderr


def test_set_overrides(tmp_path):
    path = ROOT / "demos" / "slab_1d.toml"
    base = run_case(path, None).summary["boundary_flux"]["right"]
    doubled = run_case(
        path,
        None,
        ["materials.coating.D=4.0e-5", "materials.membrane.D=4.0e-6", "materials.support.D=2.0e-5"],
    ).summary
    assert doubled["boundary_flux"]["right"] == pytest.approx(2 * base, rel=1e-12)
    assert (
        cli.main(
            ["run", str(path), "--out", str(tmp_path / "o"), "--set", "materials.coating.DD=1"]
        )
        == cli.EXIT_INVALID
    )


def test_failed_output_keeps_previous_results(tmp_path, monkeypatch):
    path = ROOT / "demos" / "slab_1d.toml"
    out = tmp_path / "out"
    run_case(path, out)
    good = (out / "summary.json").read_text()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("emcd_fem.pipeline.summary_file.write_json", broken)
    with pytest.raises(OSError, match="disk full"):
        run_case(path, out, ["boundaries.left.value=0.5"])
    assert (out / "summary.json").read_text() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_check_valid_case(capsys):
    assert cli.main(["check", str(ROOT / "demos" / "slab_3d.toml")]) == 0
    assert "valid and admissible" in capsys.readouterr().out


def test_mpiexec_run_matches_serial(tmp_path):
    mpiexec = Path(sys.executable).parent / "mpiexec"
    if not mpiexec.exists():
        pytest.skip("no mpiexec in the environment")
    path = ROOT / "demos" / "slab_2d.toml"
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    subprocess.run(
        [EMCD, "run", str(path), "--out", str(serial)], check=True, capture_output=True, timeout=120
    )
    result = subprocess.run(
        [str(mpiexec), "-n", "2", EMCD, "run", str(path), "--out", str(parallel)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    a = json.loads((serial / "summary.json").read_text())
    b = json.loads((parallel / "summary.json").read_text())
    assert b["ranks"] == 2
    scale = max(abs(v) for v in a["boundary_flux"].values())
    for name, value in a["boundary_flux"].items():
        assert abs(b["boundary_flux"][name] - value) <= 1e-10 * scale
    assert sorted(p.name for p in serial.iterdir()) == sorted(p.name for p in parallel.iterdir())
    assert result.stdout.count("emcd run:") == 1  # printed once, by rank 0
    profile_a = np.genfromtxt(serial / "profiles.csv", delimiter=",", skip_header=1)
    profile_b = np.genfromtxt(parallel / "profiles.csv", delimiter=",", skip_header=1)
    assert profile_a.shape == profile_b.shape and not np.isnan(profile_b[:, 6]).any()
    assert np.allclose(profile_a[:, 1:], profile_b[:, 1:], rtol=0, atol=1e-12)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parallel", "serial"]


def test_case_reference_in_readme_is_current():
    from emcd_fem.case.reference import END, START, markdown

    text = (ROOT / "README.md").read_text()
    block = text.split(START, 1)[1].split(END, 1)[0]
    assert block.strip() == markdown().strip(), (
        "README case reference is stale: run `python -m emcd_fem.case.reference README.md`"
    )


def test_case_files_are_valid_toml():
    for path in CASES:
        tomllib.loads(path.read_text())


def test_all_errors_reported_at_once():
    from emcd_fem.case import CaseError

    data = tomllib.loads((ROOT / "demos" / "slab_1d.toml").read_text())
    data["materials"]["coating"]["D"] = -1.0
    data["materials"]["membrane"]["cc"] = 1.0
    data["boundaries"]["left"]["value"] = 2.0
    with pytest.raises(CaseError) as info:
        load_case(data)
    paths = [path for path, _ in info.value.problems]
    assert paths == ["materials.coating.D", "materials.membrane.cc", "boundaries.left.value"]


def test_xdmf_output_interpolates_p2(tmp_path):
    out = tmp_path / "out"
    result = run_case(ROOT / "demos" / "slab_3d.toml", out, ['output.format="xdmf"'])
    assert result.summary["degree"] == 2
    text = (out / "fields.xdmf").read_text()
    assert 'Name="mole_fraction_A_Lagrange1"' in text and 'Name="molar_flux_A_DG0"' in text
    assert (out / "fields.h5").stat().st_size > 0
    assert sorted(result.summary["files"]) == sorted(
        p.name for p in out.iterdir() if p.name != ".emcd-output.json"
    )
