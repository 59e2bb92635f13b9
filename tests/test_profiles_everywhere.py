"""profiles.csv holds the sampled values in every kind of run (tester h7 F4).

A transient run wrote profiles.csv with its header only (no rows, no warning) and listed it
in summary.json; n-species runs refused ``[[output.profiles]]``. Now: the final state of a
transient run, one column per species for an n-species gas.
"""

import csv
import json
import tomllib
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

from emcd_fem import cli

DEMOS = Path(__file__).resolve().parents[1] / "demos"
R = 8.314462618  # J/(mol K)

SLAB = """
[geometry]
kind = "layered_slab"
dim = 1
layers = [{ name = "a", thickness = 0.01, cells = 20 }]
[materials.a]
D = 1e-5
c = 40.0
[boundaries.left]
type = "mole_fraction"
value = 1.0
[boundaries.right]
type = "mole_fraction"
value = 0.0
[time]
t_end = 100.0
dt = 5.0
scheme = "bdf1"
[[output.profiles]]
name = "p"
start = [0.0]
end = [0.01]
points = 11
"""

PROFILE = """
[[output.profiles]]
name = "axis"
start = [0.0]
end = [0.0859]
points = 9
"""


def _rows(out: Path) -> tuple[list[str], list[list[str]]]:
    with (out / "profiles.csv").open() as f:
        table = list(csv.reader(f))
    return table[0], table[1:]


def test_a_transient_run_samples_its_final_state(tmp_path):
    # BDF1 with dt = 5 s multiplies the slowest mode (lambda = D pi^2 / L^2 = 0.987 1/s)
    # by 1 / (1 + lambda dt) = 0.169 a step: after 20 steps 0.64 x 0.169^20 ~ 2e-16 of it
    # is left (at t_end = 50 s it was 1.2e-8: seen); the final state is the steady line
    # 1 - x/L, which P1 holds exactly
    case = tmp_path / "case.toml"
    case.write_text(SLAB)
    out = tmp_path / "out"
    assert cli.main(["run", str(case), "--out", str(out), "-q"]) == 0
    header, rows = _rows(out)
    assert header[-2:] == ["mole_fraction [1]", "mole_fraction_analytic [1]"]
    assert len(rows) == 11
    x = np.array([float(r[2]) for r in rows])
    values = np.array([float(r[6]) for r in rows])
    assert np.max(np.abs(values - (1 - x / 0.01))) < 1e-9
    assert "profiles.csv" in json.loads((out / "summary.json").read_text())["files"]


def test_an_n_species_run_samples_every_species(tmp_path):
    # the sampled profile against an independent integration of the Maxwell–Stefan
    # equations c dx_i/dz = sum_j (x_i N_j - x_j N_i) / D_ij from the left composition
    # with the run's own fluxes (which other tests check against the exact film to 1e-6):
    # P2 on 40 cells, 1e-6 absolute in x
    text = (DEMOS / "ternary_h2_n2_co2.toml").read_text().replace("pictures = true", "")
    case = tmp_path / "case.toml"
    case.write_text(text + PROFILE)
    out = tmp_path / "out"
    assert cli.main(["run", str(case), "--out", str(out), "-q"]) == 0
    header, rows = _rows(out)
    species = ["H2", "N2", "CO2"]
    assert header[6:] == [f"x_{s} [1]" for s in species]
    z = np.array([float(r[2]) for r in rows])
    sampled = np.array([[float(v) for v in r[6:]] for r in rows])
    assert np.allclose(sampled.sum(axis=1), 1.0, atol=1e-12)

    data = tomllib.loads(text)
    region = data["multicomponent"]["regions"]["capillary"]
    c = region["P"] / (R * region["T"])
    pairs = region["diffusivities"]
    D = np.ones((3, 3))
    for a, partners in pairs.items():
        for b, value in partners.items():
            i, j = species.index(a), species.index(b)
            D[i, j] = D[j, i] = value
    flux = json.loads((out / "summary.json").read_text())["boundary_flux"]
    N = np.array([flux[s]["left"] for s in species]) * -1.0  # outward at x = 0 → along +z

    def rhs(_z, x):
        return [
            sum((x[i] * N[j] - x[j] * N[i]) / D[i, j] for j in range(3) if j != i) / c
            for i in range(3)
        ]

    left = data["multicomponent"]["boundaries"]["left"]["mole_fractions"]
    ode = solve_ivp(rhs, (0.0, z[-1]), [left[s] for s in species], t_eval=z, rtol=1e-12, atol=1e-14)
    assert np.max(np.abs(sampled - ode.y.T)) < 1e-6


def test_the_n_species_profiles_picture_is_drawn(tmp_path):
    # profiles.png read the binary columns only: with pictures on, an n-species run with
    # profiles lost every picture ("pictures not written: KeyError: 'mole_fraction'")
    case = tmp_path / "case.toml"
    case.write_text((DEMOS / "ternary_h2_n2_co2.toml").read_text() + PROFILE)
    out = tmp_path / "out"
    assert cli.main(["run", str(case), "--out", str(out), "-q"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert not [w for w in summary["warnings"] if "pictures" in w]
    assert (out / "profiles.png").stat().st_size > 10_000
    assert "profiles.png" in summary["files"]
