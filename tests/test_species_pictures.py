"""Pictures of n-species runs in 2D and 3D (issue 19): every species' mole fraction (with
its flux arrows) and flux, and the total molar flux; the misleading binary `molar_flux.png`
(one species labelled N_A) is not written. The ternary H2/N2/CO2 film of the demo, on a
small 2D/3D slab, equimolar (Σ N_i = 0: the total is rounding) and with N2 stagnant (the
total is the net flux N_H2 + N_CO2 ≠ 0)."""

import copy
import tomllib
from pathlib import Path

import numpy as np
import pytest

from emcd_fem.pipeline.run import run_case
from emcd_fem.plotting.grids import read_grid
from emcd_fem.plotting.species import EQUIMOLAR_FLOOR

ROOT = Path(__file__).resolve().parents[1]
DEMO = tomllib.loads((ROOT / "demos" / "ternary_h2_n2_co2.toml").read_text())
SPECIES = ("H2", "N2", "CO2")


def not_blank(path: Path) -> bool:
    import pyvista

    image = np.asarray(pyvista.read(str(path)).point_data.active_scalars, dtype=float)
    return image.std() > 10.0  # a uniform picture has std 0


def _case(dim, bootstrap):
    data = copy.deepcopy(DEMO)
    geometry = {"kind": "layered_slab", "dim": dim, "width": 0.02, "cells_across": 3}
    geometry["layers"] = [{"name": "capillary", "thickness": 0.0859, "cells": 8}]
    if dim == 3:
        geometry["depth"] = 0.02
    data["geometry"] = geometry
    data["discretisation"] = {"degree": 1}
    if bootstrap == "stagnant":
        data["multicomponent"] |= {"bootstrap": "stagnant", "stagnant_species": "N2"}
    return data


@pytest.mark.parametrize(
    ("dim", "bootstrap"), [(2, "zero_net_flux"), (3, "zero_net_flux"), (2, "stagnant")]
)
def test_every_species_and_the_total_flux_get_a_picture(dim, bootstrap, tmp_path):
    out = tmp_path / "run"
    result = run_case(_case(dim, bootstrap), out)
    assert result.summary["status"] == "ok"
    moving = [s for s in SPECIES if not (bootstrap == "stagnant" and s == "N2")]
    names = [f"x_{s}.png" for s in SPECIES] + [f"molar_flux_{s}.png" for s in moving]
    names.append("total_molar_flux.png")
    if bootstrap == "stagnant":  # N_N2 = 0 exactly: no flux picture of a species at rest
        assert not (out / "molar_flux_N2.png").exists()
    for name in names:
        assert name in result.summary["files"], name
        assert not_blank(out / name), name
    assert "molar_flux.png" not in result.summary["files"]
    assert not (out / "molar_flux.png").exists()
    # the total picture shows Σ_i N_i: rounding for zero net flux, the net flux otherwise
    grid = read_grid(out)
    fluxes = [np.asarray(grid.cell_data[f"molar_flux_{s}"]) for s in SPECIES]
    peak = max(np.linalg.norm(f, axis=1).max() for f in fluxes)
    total = np.linalg.norm(sum(fluxes), axis=1).max()
    if bootstrap == "zero_net_flux":
        assert total <= EQUIMOLAR_FLOOR * peak
    else:  # N2 stagnant: N_H2 + N_CO2 ≠ 0, a few % of the species fluxes here
        assert total > 1e-3 * peak


@pytest.mark.parametrize("bootstrap", ["zero_net_flux", "stagnant"])
def test_captions_say_what_the_run_is(bootstrap, tmp_path, monkeypatch):
    # tester1 #5: every picture said "EMCD: ..." even for a stagnant-species run (not
    # equimolar), and x_<stagnant>.png promised "arrows: molar flux" of a zero flux
    import pyvista

    from emcd_fem.plotting import render_run

    out = tmp_path / "run"
    result = run_case(_case(2, bootstrap), out)
    assert result.summary["equimolar"].startswith("yes" if bootstrap != "stagnant" else "no")
    captions = []
    original = pyvista.Plotter.add_text
    monkeypatch.setattr(
        pyvista.Plotter,
        "add_text",
        lambda self, text, *a, **k: captions.append(text) or original(self, text, *a, **k),
    )
    render_run(out)
    species = [c for c in captions if "mole fraction of" in c or "molar flux N_" in c]
    assert len(species) == (6 if bootstrap == "zero_net_flux" else 5)  # no N_N2 streamlines
    prefix = "EMCD: " if bootstrap == "zero_net_flux" else "Maxwell-Stefan, not equimolar: "
    assert all(c.startswith(prefix) for c in species), species
    (x_n2,) = [c for c in species if "mole fraction of N2" in c]
    if bootstrap == "stagnant":
        assert x_n2.endswith("molar flux N_N2 = 0 to rounding (no arrows)")
    else:
        assert x_n2.endswith("arrows: molar flux N_N2")
