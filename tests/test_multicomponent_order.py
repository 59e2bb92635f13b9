"""n-species results do not depend on the species order nor on the closing species (19, 15).

Property: listing the species of a case in any order (boundary and initial compositions,
Đ_ij pairs and flux ratios are keyed by name, so they permute with them) gives the same
fluxes per species, the same fields per species and the same summary keys. The discrete
solution is independent of the closing species e in exact arithmetic (the trial space
{Σ x_i = 1} and the tested balances are the same for every e), so permutations agree to the
solver tolerance: Newton stops at rtol 1e-12 with a direct solve, hence 1e-9 relative to the
largest flux and 1e-9 absolute in mole fractions (three orders above the Newton tolerance
for the different summation orders, far below any modelling difference: the closing
species' flux is Σ of the others, a wrong assignment would be off by O(1)).

Closing species: x_e = 1 − Σ x_k and N_e = −Σ N_k cancel when e is a trace species; the
automatic choice (the most abundant species, ties by name) keeps the trace's digits.
"""

import copy
import itertools
import tomllib

import numpy as np
import pytest

from emcd_fem.analytic.multicomponent import film_solution
from emcd_fem.case.base import CaseError
from emcd_fem.case.multicomponent import build_inputs, load_multicomponent
from emcd_fem.physics import maxwell_stefan as ms
from emcd_fem.pipeline.run import run_case

#: Đ_ij [m^2/s] of H2/N2/CO2 (Taylor & Krishna 1993, Example 2.2.1) and Ar (Marrero & Mason).
PAIRS = {
    ("H2", "N2"): 83.8e-6,
    ("H2", "CO2"): 68.0e-6,
    ("N2", "CO2"): 16.8e-6,
    ("Ar", "H2"): 77.0e-6,
    ("Ar", "N2"): 19.0e-6,
    ("Ar", "CO2"): 14.0e-6,
}
LEFT = {"H2": 0.1, "N2": 0.5, "CO2": 0.3, "Ar": 0.1}
RIGHT = {"H2": 0.5, "N2": 0.2, "CO2": 0.1, "Ar": 0.2}
#: Flux ratios ν_i (Σ ν_i N_i = 0) by species name.
RATIOS = {"H2": 1.0, "N2": 2.0, "CO2": 0.5, "Ar": 1.5}
#: Relative flux / absolute mole-fraction agreement between orders (see the module docstring).
TOL = 1e-9


def _case(order, *, dim=1, bootstrap="zero_net_flux"):
    """A layered-slab [multicomponent] case with the species listed in ``order``."""
    chosen = set(order)
    norm = sum(LEFT[s] for s in order), sum(RIGHT[s] for s in order)
    rows: dict[str, dict[str, float]] = {}
    for (a, b), d in PAIRS.items():  # written in a fixed, order-independent way
        if a in chosen and b in chosen:
            rows.setdefault(a, {})[b] = d
    geometry = {"kind": "layered_slab", "dim": dim, "layers": []}
    if dim == 1:
        geometry["layers"] = [{"name": "gas", "thickness": 0.02, "cells": 12}]
    else:
        geometry |= {"width": 0.01, "cells_across": 2}
        geometry["layers"] = [{"name": "gas", "thickness": 0.02, "cells": 6}]
    mc = {
        "species": list(order),
        "bootstrap": bootstrap,
        "regions": {"gas": {"diffusivities": rows, "c": 40.0}},
        "boundaries": {
            "left": {"mole_fractions": {s: LEFT[s] / norm[0] for s in order}},
            "right": {"mole_fractions": {s: RIGHT[s] / norm[1] for s in order}},
        },
    }
    if bootstrap == "flux_ratios":
        mc["flux_ratios"] = {s: RATIOS[s] for s in order}
    if bootstrap == "stagnant":
        mc["stagnant_species"] = "N2"
    return {
        "geometry": geometry,
        "multicomponent": mc,
        "discretisation": {"degree": 2},
        "output": {"pictures": False},
    }


def _keys(tree, prefix=""):
    """Every key path of a nested dict (lists of names compared as sets)."""
    out = set()
    for key, value in tree.items():
        out.add(prefix + key)
        if isinstance(value, dict):
            out |= _keys(value, prefix + key + ".")
    return out


def _fields(result):
    """Species → nodal values of x_i (the mesh and its numbering do not depend on species)."""
    return {
        name.removeprefix("x_"): f.x.array.copy()
        for name, f in result.fields.items()
        if name.startswith("x_")
    }


def _compare(reference, other):
    species = reference.summary["species"]
    assert sorted(other.summary["species"]) == sorted(species)
    assert _keys(other.summary) == _keys(reference.summary)
    flux = reference.summary["boundary_flux"]
    scale = max(abs(q) for s in species for q in flux[s].values())
    for s in species:
        for b, q in flux[s].items():
            assert other.summary["boundary_flux"][s][b] == pytest.approx(q, abs=TOL * scale)
    a, b = _fields(reference), _fields(other)
    assert sorted(a) == sorted(b) == sorted(species)
    for s in species:
        np.testing.assert_allclose(b[s], a[s], rtol=0, atol=TOL)
    # the closing species is chosen by abundance and name, not by position
    close = reference.summary["bootstrap"]["closing_species"]
    assert other.summary["bootstrap"]["closing_species"] == close
    assert other.summary["bootstrap"]["weights"] == reference.summary["bootstrap"]["weights"]


@pytest.mark.parametrize(
    ("bootstrap", "model"),
    [
        ("zero_net_flux", "maxwell_stefan"),
        ("stagnant", "maxwell_stefan"),
        ("flux_ratios", "maxwell_stefan"),
        ("graham", "maxwell_stefan"),
        ("zero_net_flux", "mixture_averaged"),
    ],
)
def test_ternary_1d_every_permutation(bootstrap, model):
    species = ("H2", "N2", "CO2")
    runs = []
    for order in itertools.permutations(species):
        data = _case(order, bootstrap=bootstrap)
        data["multicomponent"]["model"] = model
        runs.append(run_case(data))
    assert runs[0].summary["status"] == "ok"
    if model == "maxwell_stefan":  # the exact film is in the summary too
        assert runs[0].summary["analytic"]["max_relative_error"] < 1e-6
    for other in runs[1:]:
        _compare(runs[0], other)


def test_quaternary_2d_permutations():
    # all 24 orders would compile 24 sets of forms; cyclic shifts and reversals move every
    # species through every position, which is what a position-dependent bug needs
    species = ("H2", "N2", "CO2", "Ar")
    orders = [species[k:] + species[:k] for k in range(4)] + [species[::-1]]
    runs = [run_case(_case(p, dim=2)) for p in orders]
    assert runs[0].summary["bootstrap"]["closing_species"] == "N2"  # the most abundant
    for other in runs[1:]:
        _compare(runs[0], other)


def _transient_case(order):
    """A closed two-region ternary tube (Loschmidt): initial states by name, a few steps."""
    data = _case(order)
    data["geometry"]["layers"] = [
        {"name": "lower", "thickness": 0.01, "cells": 6},
        {"name": "upper", "thickness": 0.01, "cells": 6},
    ]
    mc = data["multicomponent"]
    gas = mc["regions"].pop("gas")
    mc["regions"] = {
        "lower": gas | {"initial": {"H2": 0.6, "N2": 0.4, "CO2": 0.0}},
        "upper": copy.deepcopy(gas) | {"initial": {"H2": 0.0, "N2": 0.5, "CO2": 0.5}},
    }
    mc["boundaries"] = {}
    mc["probes"] = {"bottom": [0.0], "top": [0.02]}
    data["time"] = {"t_end": 0.5, "dt": 0.05, "adaptive": False}
    return data


def test_transient_closed_tube_permutations():
    species = ("H2", "N2", "CO2")
    runs = [run_case(_transient_case(p)) for p in [species, species[::-1], ("N2", "H2", "CO2")]]
    for other in runs[1:]:
        a, b = _fields(runs[0]), _fields(other)
        assert sorted(a) == sorted(b) == sorted(species)
        for s in species:
            np.testing.assert_allclose(b[s], a[s], rtol=0, atol=TOL)
        assert _keys(other.summary) == _keys(runs[0].summary)


def test_the_exact_film_does_not_depend_on_the_closing_species():
    # the reference itself: every closing species gives the same fluxes and profiles
    # (the root solve converges to ~1e-14; 1e-11 relative leaves room for expm round-off)
    species = ("H2", "N2", "CO2", "Ar")
    d = np.ones((4, 4))
    for (a, b), v in PAIRS.items():
        i, j = species.index(a), species.index(b)
        d[i, j] = d[j, i] = v
    x0, x1 = [LEFT[s] for s in species], [RIGHT[s] for s in species]
    for weights in ([1.0] * 4, [RATIOS[s] for s in species]):
        films = [film_solution(x0, x1, d, 0.02, 40.0, weights, closing=e) for e in range(4)]
        scale = np.abs(films[0].fluxes).max()
        for film in films[1:]:
            np.testing.assert_allclose(film.fluxes, films[0].fluxes, rtol=0, atol=1e-11 * scale)
            for z in (0.005, 0.013):
                np.testing.assert_allclose(
                    film.mole_fractions(z), films[0].mole_fractions(z), rtol=0, atol=1e-12
                )


TRACE = 1e-9  # mole fraction of H2 at the left end: "a trace of hydrogen in nitrogen"


def _trace_case(closing=None):
    # H2 as a trace in N2/CO2, listed last so that the old rule (zero net flux: the last
    # species closes) made it the closing species
    data = _case(("N2", "CO2", "H2"))
    mc = data["multicomponent"]
    mc["boundaries"]["left"]["mole_fractions"] = {"N2": 0.7 - TRACE, "CO2": 0.3, "H2": TRACE}
    mc["boundaries"]["right"]["mole_fractions"] = {"N2": 0.2, "CO2": 0.8, "H2": 0.0}
    if closing is not None:
        mc["closing_species"] = closing
    return data


def _trace_error(closing):
    data = _trace_case(closing)
    result = run_case(data)
    species = ["N2", "CO2", "H2"]
    ends = [
        [data["multicomponent"]["boundaries"][b]["mole_fractions"][s] for s in species]
        for b in ("left", "right")
    ]
    d = np.ones((3, 3))
    for (a, b), v in PAIRS.items():
        if a in species and b in species:
            i, j = species.index(a), species.index(b)
            d[i, j] = d[j, i] = v
    exact = film_solution(*ends, d, 0.02, 40.0, [1.0, 1.0, 1.0], closing=0)
    q = result.summary["boundary_flux"]["H2"]["right"]
    return result, abs(q - exact.fluxes[2]) / abs(exact.fluxes[2])


def test_a_trace_species_keeps_its_digits():
    # the trace's flux is ~1e-9 of the others': as the closing species it is the N2 and
    # CO2 fluxes cancelled (round-off and the Newton tolerance × 1e9: measured 2.9e-6
    # relative off the exact film); chosen by abundance (CO2 closes) it comes from its own
    # balance (measured 1e-9: P2 on 12 cells, its discretisation error). 1e-7 lies between
    # the two with a factor ≥ 30 on either side; the old rule (zero net flux: the last
    # species, H2 here) fails it
    result, error = _trace_error(None)
    assert result.summary["bootstrap"]["closing_species"] == "CO2"  # 0.3 + 0.8: most abundant
    assert error < 1e-7
    _, forced = _trace_error("H2")  # the old choice, still available by name
    assert forced > 10 * error


def test_closing_species_errors_name_the_key():
    data = _trace_case()["multicomponent"]
    with pytest.raises(CaseError) as info:
        load_multicomponent(data | {"closing_species": "CO3"})
    assert "multicomponent.closing_species" in str(info.value)
    assert "did you mean 'CO2'" in str(info.value)
    stagnant = data | {"bootstrap": "stagnant", "stagnant_species": "CO2", "closing_species": "N2"}
    with pytest.raises(CaseError) as info:
        load_multicomponent(stagnant)
    assert "multicomponent.closing_species" in str(info.value) and "ν = 0" in str(info.value)


def test_closing_species_chosen_and_honoured():
    inputs = build_inputs(load_multicomponent(_trace_case()["multicomponent"]))
    assert inputs.bootstrap.eliminated == 1  # CO2: the most abundant of N2, CO2, H2
    inputs = build_inputs(load_multicomponent(_trace_case("N2")["multicomponent"]))
    assert inputs.bootstrap.eliminated == 0
    # stagnant: only the stagnant species has ν ≠ 0, it closes
    spec = _case(("H2", "N2", "CO2"), bootstrap="stagnant")["multicomponent"]
    assert build_inputs(load_multicomponent(spec)).bootstrap.eliminated == 1


def test_python_api_closing_index():
    boot = ms.zero_net_flux(3)
    assert ms.closing_index(boot, ["a", "b", "c"], [[0.2, 0.4, 0.4]]) == 1  # tie: by name
    assert ms.closing_index(boot, ["c", "b", "a"], [[0.4, 0.4, 0.2]]) == 1
    assert ms.closing_index(ms.stagnant(3, 0), ["a", "b", "c"], [[0.1, 0.5, 0.4]]) == 0
    with pytest.raises(Exception, match="ν ≠ 0"):
        ms.with_closing(ms.stagnant(3, 0), 2)


def test_closing_species_is_refused_by_the_dusty_gas_model():
    # the dusty-gas model solves for all n concentrations: nothing closes, the key is unused
    from pathlib import Path

    from emcd_fem.case import load_case

    text = (Path(__file__).resolve().parents[1] / "demos" / "dusty_gas_dead_end.toml").read_text()
    data = tomllib.loads(text)
    data["multicomponent"]["closing_species"] = data["multicomponent"]["species"][0]
    with pytest.raises(CaseError) as info:
        load_case(data)
    assert "multicomponent.closing_species: not used with the dusty-gas model" in str(info.value)
