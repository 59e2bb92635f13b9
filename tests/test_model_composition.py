"""The composed species-transport model on the new combinations, against 1D references.

Two layers a | b (tests/composition_reference.py): partition + prescribed T with Soret;
film + partition + solved T with a contact resistance + Soret + source (the richest
combination, in 1D, 2D and from a case file); film + source (isothermal, closed form).

Tolerances: the isothermal film + source problem is nodally exact for P1 in 1D (the
Green's function of −(c D x')' lies in the space), so the reaction fluxes agree to
rounding (1e-10). With Soret the problem is nonlinear and the fluxes converge like h^2
(P1) and h^4 (P2, observed 1.0e-7 → 6.3e-9 from 10 to 20 cells); the tests assert the
rate (error ratio on halving h) and the P2 error on 20 cells below 2e-8 (3x the observed
value); the references are solved at tol 1e-10, far below.
"""

from dataclasses import replace
from pathlib import Path

import pytest
import ufl
from composition_reference import Layer, film_source_closed_form, reference_fluxes

import emcd_fem as ef
from emcd_fem.case import CaseError
from emcd_fem.models.thermal import HeatConductionProblem, Temperature
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.pipeline.run import run_case

A = Layer(0.4, c=2.0, D=1.0, soret=0.01, k=1.0)
B = Layer(0.6, c=1.0, D=0.5, soret=-0.006, k=0.5)
MATS = {"a": ef.Material(1.0, 2.0), "b": ef.Material(0.5, 1.0)}
BCS = {"left": ef.MoleFraction(0.8), "right": ef.MoleFraction(0.2)}
SORET = {"a": 0.01, "b": -0.006}
K, FILM, RC, R = 0.5, 3.0, 0.2, 0.1


def _slab(n, dim=1):
    return ef.layered_slab(
        [0.4, 0.6], region_names=["a", "b"], dim=dim, cells_per_layer=[4 * n // 10, 6 * n // 10]
    )


def _error(solution, ref):
    return max(abs(solution.boundary_flux[s] - ref[s]) / abs(ref[s]) for s in ("left", "right"))


def _partition_prescribed(n, degree):
    domain = _slab(n)
    x = ufl.SpatialCoordinate(domain.mesh)
    return SpeciesTransportModel(
        domain,
        MATS,
        BCS,
        partitions={("a", "b"): K},
        temperature=300 + 100 * x[0],
        soret=SORET,
        degree=degree,
    ).solve()


def _richest(n, degree, dim=1):
    domain = _slab(n, dim)
    heat = HeatConductionProblem(
        domain,
        {"a": A.k, "b": B.k},
        {"left": Temperature(300.0), "right": Temperature(400.0)},
        contact_resistance={("a", "b"): RC},
        degree=degree,
    )
    return SpeciesTransportModel(
        domain,
        MATS,
        BCS,
        films={("a", "b"): FILM},
        partitions={("a", "b"): K},
        source=R,
        temperature=heat,
        soret=SORET,
        degree=degree,
    ).solve()


RICH_REF = reference_fluxes(
    (A, B), 0.8, 0.2, partition=K, film=FILM, source=R, temperature=(300.0, 400.0, RC)
)


def test_partition_with_prescribed_temperature_soret():
    ref = reference_fluxes(
        (replace(A, k=1.0), replace(B, k=1.0)), 0.8, 0.2, partition=K, temperature=(300, 400, 0)
    )
    for degree, ratio in ((1, 3.5), (2, 12.0)):
        coarse, fine = (_partition_prescribed(n, degree) for n in (10, 20))
        assert _error(fine, ref) < _error(coarse, ref) / ratio, degree
        assert fine.balance < 1e-12
    assert _error(fine, ref) < 2e-8
    # the thermal part is a sizeable share of the flux: the Soret term is exercised
    split = fine.flux_split["right"]
    assert abs(split["thermal"]) > 0.02 * abs(split["fickian"])


def test_film_solved_temperature_contact_resistance_soret_source():
    for degree, ratio in ((1, 3.5), (2, 12.0)):
        coarse, fine = (_richest(n, degree) for n in (10, 20))
        assert _error(fine, RICH_REF) < _error(coarse, RICH_REF) / ratio, degree
        assert fine.balance < 1e-12
    assert _error(fine, RICH_REF) < 2e-8
    assert fine.film_flux[("a", "b")] == pytest.approx(RICH_REF["film"], rel=2e-8)
    assert fine.production == pytest.approx(R * 1.0, rel=1e-12)
    # the series heat flow through the contact resistance (T exact for P1/P2 here)
    q = 100.0 / (A.length / A.k + RC + B.length / B.k)
    assert fine.heat.heat_flow["right"] == pytest.approx(-q, rel=1e-10)  # heat enters there


def test_richest_combination_in_2d_matches_1d_reference():
    solution = _richest(20, 2, dim=2)  # width 1: the 2D flux per unit depth is the 1D one
    assert _error(solution, RICH_REF) < 2e-8
    assert solution.balance < 1e-12


def test_film_with_source_closed_form():
    ref = film_source_closed_form((A, B), 0.8, 0.2, FILM, 0.7, partition=K)
    bvp = reference_fluxes((A, B), 0.8, 0.2, partition=K, film=FILM, source=0.7)
    assert bvp["right"] == pytest.approx(ref["right"], rel=1e-9)  # the two references agree
    for dim in (1, 2):
        domain = ef.layered_slab(
            [0.4, 0.6], region_names=["a", "b"], dim=dim, cells_per_layer=[2, 3]
        )
        solution = SpeciesTransportModel(
            domain, MATS, BCS, films={("a", "b"): FILM}, partitions={("a", "b"): K}, source=0.7
        ).solve()
        assert _error(solution, ref) < 1e-10, dim
        assert solution.balance < 1e-12


RICH_CASE = """
[geometry]
kind = "layered_slab"
dim = 1
layers = [
  {{ name = "a", thickness = 0.4, cells = 8 }},
  {{ name = "b", thickness = 0.6, cells = 12 }},
]
[discretisation]
degree = 2
[materials.a]
D = 1.0
c = 2.0
thermal_conductivity = 1.0
soret_coefficient = 0.01
[materials.b]
D = 0.5
c = 1.0
thermal_conductivity = 0.5
soret_coefficient = -0.006
[[interfaces]]
materials = ["a", "b"]
{interface}
partition = 0.5
contact_resistance = 0.2
[physics]
source = {source}
[boundaries.left]
type = "mole_fraction"
value = 0.8
[boundaries.right]
type = "mole_fraction"
value = 0.2
[thermal.boundaries.left]
type = "temperature"
value = 300.0
[thermal.boundaries.right]
type = "temperature"
value = 400.0
"""


def test_richest_combination_from_a_case_file(tmp_path):
    path = Path(tmp_path) / "rich.toml"
    path.write_text(RICH_CASE.format(interface="film = 3.0", source=R))
    result = run_case(path, tmp_path / "out")
    summary = result.summary
    assert summary["status"] == "ok", summary.get("failures")
    for side in ("left", "right"):
        assert summary["boundary_flux"][side] == pytest.approx(RICH_REF[side], rel=2e-8)
    assert summary["film_flux"]["a|b"] == pytest.approx(RICH_REF["film"], rel=2e-8)
    assert summary["balance"]["relative"] < 1e-12
    assert summary["thermal"]["mode"] == "conduction"
    assert (tmp_path / "out" / "summary.json").is_file()


def test_flux_only_with_thermal_is_refused_with_the_reason(tmp_path):
    path = Path(tmp_path) / "fluxonly.toml"
    text = RICH_CASE.format(interface="", source=0.0)
    text = text.replace('type = "mole_fraction"\nvalue = 0.8', 'type = "flux"\nvalue = 0.1')
    text = text.replace('type = "mole_fraction"\nvalue = 0.2', 'type = "flux"\nvalue = -0.1')
    text = text.replace("[physics]\n", "[physics]\ninventory_mole_fraction = 0.5\n")
    path.write_text(text)
    with pytest.raises(CaseError, match="flux-only problems are not available with \\[thermal\\]"):
        run_case(path, None)


def test_film_with_source_from_a_case_file(tmp_path):
    """Isothermal films with a source run from a case file (the linear block path)."""
    path = Path(tmp_path) / "film_source.toml"
    text = RICH_CASE.format(interface="film = 3.0", source=0.7)
    text = text[: text.index("[thermal.boundaries.left]")]
    for line in ("soret_coefficient = 0.01", "soret_coefficient = -0.006", "contact_resistance"):
        text = "\n".join(t for t in text.split("\n") if not t.startswith(line))
    path.write_text(text)
    summary = run_case(path, None).summary
    ref = film_source_closed_form((A, B), 0.8, 0.2, FILM, 0.7, partition=K)
    assert summary["status"] == "ok", summary.get("failures")
    for side in ("left", "right"):  # P2 contains the exact quadratic profiles: rounding only
        assert summary["boundary_flux"][side] == pytest.approx(ref[side], rel=1e-10)
    assert summary["balance"]["relative"] < 1e-12
    assert summary["solver"]["reason"].startswith("CONVERGED")


def test_partition_with_solved_temperature_staggered_equals_monolithic():
    """Partition + solved T (contact resistance) + Soret, no film: the two coupling schemes
    agree to solver tolerance (Newton rtol 1e-12: 1e-9 relative leaves room for the
    conditioning), the staggered one in two passes (T does not depend on x_A), and both
    match the 1D reference."""
    ref = reference_fluxes((A, B), 0.8, 0.2, partition=K, temperature=(300.0, 400.0, RC))
    results = {}
    for coupling in ("staggered", "monolithic"):
        domain = _slab(20)
        heat = HeatConductionProblem(
            domain,
            {"a": A.k, "b": B.k},
            {"left": Temperature(300.0), "right": Temperature(400.0)},
            contact_resistance={("a", "b"): RC},
            degree=2,
        )
        results[coupling] = SpeciesTransportModel(
            domain,
            MATS,
            BCS,
            partitions={("a", "b"): K},
            temperature=heat,
            soret=SORET,
            coupling=coupling,
            degree=2,
        ).solve()
        assert results[coupling].coupling == coupling
        assert _error(results[coupling], ref) < 2e-8
    staggered, monolithic = results["staggered"], results["monolithic"]
    assert staggered.coupling_iterations == 2 and staggered.coupling_history[-1] < 1e-10
    for side in ("left", "right"):
        assert monolithic.boundary_flux[side] == pytest.approx(
            staggered.boundary_flux[side], rel=1e-9
        )


def test_monolithic_coupling_with_films_is_refused_with_the_reason():
    domain = _slab(10)
    heat = HeatConductionProblem(
        domain, {"a": A.k, "b": B.k}, {"left": Temperature(300.0), "right": Temperature(400.0)}
    )
    with pytest.raises(ef.EmcdInputError, match=r"film-free problems only.*staggered"):
        SpeciesTransportModel(
            domain,
            MATS,
            BCS,
            films={("a", "b"): FILM},
            temperature=heat,
            soret=SORET,
            coupling="monolithic",
        )


def test_richest_combination_is_invariant_to_names_and_orientation():
    """Renamed regions (reversed alphabetical order: other block order) and the film and
    partition given as (b, a) with k_ba = k_ab/κ_ab, K_ba = 1/K_ab: the same fluxes to
    rounding (1e-10 relative: direct solves, Newton rtol 1e-12)."""
    kappa = K * 2.0 / 1.0  # κ_ab = K_ab c_a / c_b
    results = []
    for names, films, partitions in (
        (("a", "b"), {("a", "b"): FILM}, {("a", "b"): K}),
        (("zeta", "alpha"), {("alpha", "zeta"): FILM / kappa}, {("alpha", "zeta"): 1 / K}),
    ):
        first, second = names
        domain = ef.layered_slab(
            [0.4, 0.6], region_names=list(names), dim=1, cells_per_layer=[8, 12]
        )
        heat = HeatConductionProblem(
            domain,
            {first: A.k, second: B.k},
            {"left": Temperature(300.0), "right": Temperature(400.0)},
            contact_resistance={(second, first): RC},
            degree=2,
        )
        results.append(
            SpeciesTransportModel(
                domain,
                {first: MATS["a"], second: MATS["b"]},
                BCS,
                films=films,
                partitions=partitions,
                source=R,
                temperature=heat,
                soret={first: SORET["a"], second: SORET["b"]},
                degree=2,
            ).solve()
        )
    reference, renamed = results
    for side in ("left", "right"):
        assert renamed.boundary_flux[side] == pytest.approx(
            reference.boundary_flux[side], rel=1e-10
        )
    assert renamed.x_max == pytest.approx(reference.x_max, rel=1e-10)
