"""demos/ternary_soret.toml through ``emcd run``: against a 1D shooting solution.

Independent reference: the 1D relations x_i' = −k_T,i (ln T)' − (1/c) Σ_j (x_j N_i − x_i N_j)/Đ_ij
with c = P/(R T), Đ_ij (T/T_ref)^n and the series-conduction T (piecewise linear), integrated
from the cold face by scipy ``solve_ivp`` (DOP853, rtol 1e-13) through both layers, the two
independent fluxes found by ``fsolve`` so that the hot-face composition is met. All data are
read from the demo file itself.
"""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import fsolve

from emcd_fem.constants import GAS_CONSTANT

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demos" / "ternary_soret.toml"
EMCD = str(Path(sys.executable).parent / "emcd")


def _matrix(species, given):
    n = len(species)
    m = np.zeros((n, n))
    for a, row in given.items():
        for b, value in row.items():
            i, j = species.index(a), species.index(b)
            m[i, j], m[j, i] = value, value
    return m


def _alpha(species, given):
    n = len(species)
    m = np.zeros((n, n))
    for a, row in given.items():
        for b, value in row.items():
            i, j = species.index(a), species.index(b)
            m[i, j], m[j, i] = value, -value
    return m


def shooting_reference(case):
    """(fluxes N_i [mol/(m^2 s)] in +x, the interface T [K], max x_H2 of the profile)."""
    mc = case["multicomponent"]
    species = mc["species"]
    layers = case["geometry"]["layers"]
    t_left = case["thermal"]["boundaries"]["left"]["value"]
    t_right = case["thermal"]["boundaries"]["right"]["value"]
    regions = [mc["regions"][layer["name"]] for layer in layers]
    resistances = [lay["thickness"] / r["thermal_conductivity"] for lay, r in zip(layers, regions)]
    flow = (t_right - t_left) / sum(resistances)  # k dT/dx [W/m^2], the same in each layer
    x0 = np.array([mc["boundaries"]["left"]["mole_fractions"][s] for s in species])
    xl = np.array([mc["boundaries"]["right"]["mole_fractions"][s] for s in species])
    n = len(species)

    def march(fluxes3):
        x, t_start, path = x0.copy(), t_left, []
        for lay, r in zip(layers, regions):
            length, k = lay["thickness"], r["thermal_conductivity"]
            slope = flow / k  # dT/dx [K/m]
            d_ref, alpha = (
                _matrix(species, r["diffusivities"]),
                _alpha(species, r["thermal_diffusion_factors"]),
            )

            def rhs(z, y, t_start=t_start, slope=slope, d_ref=d_ref, alpha=alpha, r=r):
                temp = t_start + slope * z
                c = r["P"] / (GAS_CONSTANT * temp)
                d = d_ref * (temp / r["T"]) ** r["diffusivity_exponent"]
                dy = np.zeros(n)
                for i in range(n):
                    kt = sum(y[i] * y[j] * alpha[i, j] for j in range(n) if j != i)
                    ms = sum(
                        (y[j] * fluxes3[i] - y[i] * fluxes3[j]) / d[i, j]
                        for j in range(n)
                        if j != i
                    )
                    dy[i] = -kt * slope / temp - ms / c
                return dy

            sol = solve_ivp(
                rhs, (0.0, length), x, method="DOP853", rtol=1e-13, atol=1e-15, dense_output=True
            )
            assert sol.success, sol.message
            path.append(sol.y)
            x, t_start = sol.y[:, -1], t_start + slope * length
        return x, np.concatenate(path, axis=1)

    def fluxes(p):
        return np.array([p[0], p[1], -p[0] - p[1]])

    p, _info, ok, msg = fsolve(
        lambda p: march(fluxes(p))[0][:2] - xl[:2], [1e-3, -1e-3], xtol=1e-14, full_output=True
    )
    assert ok == 1, msg
    t_interface = t_left + flow * resistances[0]
    return fluxes(p), t_interface, march(fluxes(p))[1][0].max()


def test_ternary_soret_demo(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(
        [EMCD, "run", str(DEMO), "--out", str(out)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "equimolar: yes" in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    case = tomllib.loads(DEMO.read_text())
    species = case["multicomponent"]["species"]
    want, t_interface, peak = shooting_reference(case)
    scale = np.abs(want).max()
    for s, n in zip(species, want, strict=True):
        # P2, 40 + 40 cells: measured 8e-12 of max |N_i| (flux error O(h^4), solver 1e-12)
        assert summary["boundary_flux"][s]["right"] == pytest.approx(n, abs=1e-9 * scale)
        assert summary["boundary_flux"][s]["left"] == pytest.approx(-n, abs=1e-9 * scale)
    # the story the file tells: the same gas on both faces, yet H2 flows to the hot side
    # (+x), N2 and CO2 to the cold side; H2 gathers inside (its profile rises above 0.4)
    assert want[0] > 0 and want[1] < 0 and want[2] < 0
    assert summary["x_range"]["H2"][1] == pytest.approx(peak, abs=1e-9)  # measured 2e-13
    assert peak > 0.41
    for b, total in summary["total_flux"].items():
        assert abs(total) < 1e-12 * scale, b
    # heat: series conduction, k ΔT / Σ(L/k) enters at the hot face
    layers = case["geometry"]["layers"]
    regions = case["multicomponent"]["regions"]
    r_total = sum(lay["thickness"] / regions[lay["name"]]["thermal_conductivity"] for lay in layers)
    assert summary["thermal"]["heat_flow"]["right"] == pytest.approx(-100.0 / r_total, rel=1e-9)
    assert 370.0 < t_interface < 371.0  # 91 % of the 100 K drop across the gas gap
    split = summary["soret"]["flux_split"]
    for s in species:  # the parts (from gradients, h^p) add up to the conservative total:
        for b in ("left", "right"):  # measured 3.5e-5 of max |N_i| (cold face, H2)
            parts = split[s][b]["fickian"] + split[s][b]["thermal"]
            assert abs(parts - summary["boundary_flux"][s][b]) < 2e-4 * scale
    # at the cold face the thermal drive of H2 (towards +x, outward q < 0) beats the Fickian
    # back-diffusion; at the hot face (plate: little ΔT) H2 leaves by Fick
    assert split["H2"]["left"]["thermal"] < 0 < split["H2"]["left"]["fickian"]
    assert split["H2"]["right"]["fickian"] > 5 * split["H2"]["right"]["thermal"] > 0  # 9x
    assert {"mole_fractions.png", "molar_fluxes.png"} <= set(summary["files"])
