"""Film resistances between layers: the resistance network, exactly, in 1D/2D/3D."""

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem.models.films import FilmEMCDProblem

THICK = [0.3, 0.4, 0.3]
NAMES = ["a", "b", "c"]
MATS = {"a": ef.Material(1.0, 2.0), "b": ef.Material(0.1, 1.0), "c": ef.Material(0.5, 1.5)}
BCS = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
FILMS = {("a", "b"): 2.0, ("b", "c"): 5.0}


def test_network_by_hand():
    flux, jumps = ef.analytic.film_slab(THICK, list(MATS.values()), 0.9, 0.1, [2.0, 5.0])
    resistance = 0.3 / 2.0 + 0.4 / 0.1 + 0.3 / 0.75 + 1 / 2.0 + 1 / 5.0
    assert flux == pytest.approx(0.8 / resistance, rel=1e-14)
    assert jumps[0][0] - jumps[0][1] == pytest.approx(flux / 2.0)


@pytest.mark.parametrize("degree", [1, 2])
@pytest.mark.parametrize("dim", [1, 2, 3])
def test_three_layer_films(dim, degree):
    flux, jumps = ef.analytic.film_slab(THICK, list(MATS.values()), 0.9, 0.1, [2.0, 5.0])
    domain = ef.layered_slab(THICK, region_names=NAMES, dim=dim, cells_per_layer=[3, 4, 3])
    solution = FilmEMCDProblem(domain, MATS, BCS, films=FILMS, degree=degree).solve()
    assert solution.boundary_flux["right"] == pytest.approx(flux, rel=1e-8)
    assert solution.boundary_flux["left"] == pytest.approx(-flux, rel=1e-8)
    for pair in FILMS:  # the flux through each film equals the series flux
        assert solution.film_flux[pair] == pytest.approx(flux, rel=1e-8)
    assert solution.balance < 1e-12
    # the jump across the first film: μ_a − μ_b = N/k at the interface
    mu_a = solution.potentials["block0"]
    coords = mu_a.function_space.tabulate_dof_coordinates()[:, 0]
    at = np.isclose(coords, 0.3)
    if mu_a.x.array[at].size:
        assert mu_a.x.array[at] == pytest.approx(jumps[0][0], abs=1e-10)


def test_film_with_partition_and_reverse_orientation():
    """Film given as (b, a) with k_ba = k_ab/κ_ab and a partition: the same film, the same flux.

    κ_ab = K_ab c_a/c_b = 0.25·2/1 = 0.5, so k_ab = 3 is k_ba = 6: N·n_ab = 3 (x_a − x_b/0.5).
    """
    mats = {"a": ef.Material(1.0, 2.0), "b": ef.Material(0.2, 1.0)}
    h = [1.0, 0.25 * 2.0 / 1.0]
    flux, _ = ef.analytic.film_slab(
        [0.4, 0.6], list(mats.values()), 0.6, 0.1, [3.0], solubilities=h
    )
    for films in ({("a", "b"): 3.0}, {("b", "a"): 6.0}):
        domain = ef.layered_slab([0.4, 0.6], region_names=["a", "b"], dim=2, cells_per_layer=[2, 3])
        solution = FilmEMCDProblem(
            domain,
            mats,
            {"left": ef.MoleFraction(0.6), "right": ef.MoleFraction(0.1)},
            films=films,
            partitions={("a", "b"): 0.25},
        ).solve()
        assert solution.boundary_flux["right"] == pytest.approx(flux, rel=1e-8)


def test_bad_film_input():
    domain = ef.layered_slab(THICK, region_names=NAMES, cells_per_layer=[3, 4, 3])
    with pytest.raises(ef.EmcdInputError, match="must be > 0"):
        FilmEMCDProblem(domain, MATS, BCS, films={("a", "b"): 0.0})
    with pytest.raises(ef.EmcdInputError, match="do not share an interface"):
        FilmEMCDProblem(domain, MATS, BCS, films={("a", "c"): 1.0})


def test_annulus_with_film():
    from emcd_fem.geometry import annulus

    mats = {"shell1": ef.Material(1.0, 1.0), "shell2": ef.Material(0.2, 1.0)}
    r = [0.5, 0.8, 1.0]
    rate = ef.analytic.film_shells("cylinder", r, list(mats.values()), 0.9, 0.1, [1.5])
    errors = []
    for size in (0.1, 0.05):
        solution = FilmEMCDProblem(
            annulus(r, size=size, order=2),
            mats,
            {"inner": ef.MoleFraction(0.9), "outer": ef.MoleFraction(0.1)},
            films={("shell1", "shell2"): 1.5},
            degree=2,
        ).solve()
        errors.append(abs(solution.boundary_flux["outer"] - rate) / rate)
    assert errors[1] < errors[0] and errors[1] < 1e-5


def test_case_with_film_on_shells_reports_network():
    import tomllib

    from emcd_fem.pipeline.run import run_case

    case = tomllib.loads("""
[geometry]
kind = "cylinder_shells"
radii = [0.5, 0.8, 1.0]
size = 0.1
order = 2
[materials.shell1]
D = 1.0
c = 1.0
[materials.shell2]
D = 0.2
c = 1.0
[[interfaces]]
materials = ["shell1", "shell2"]
film = 1.5
[discretisation]
degree = 2
[boundaries.inner]
type = "mole_fraction"
value = 0.9
[boundaries.outer]
type = "mole_fraction"
value = 0.1
""")
    summary = run_case(case).summary
    rate = ef.analytic.film_shells(
        "cylinder", [0.5, 0.8, 1.0], [ef.Material(1.0), ef.Material(0.2)], 0.9, 0.1, [1.5]
    )
    assert summary["analytic"]["network_flux"] == pytest.approx(rate, rel=1e-14)
    assert summary["analytic"]["max_relative_error"] < 1e-5
    assert summary["film_flux"]["shell1|shell2"] == pytest.approx(rate, rel=1e-5)


@pytest.mark.parametrize("degree", [1, 2])
def test_discontinuous_mole_fraction_field(degree):
    """x_A = H μ over the whole mesh (DG_p) reproduces the 1D network profile, jumps at
    the films included, and N_A = −c D ∇x_A is the series flux in every cell."""
    from emcd_fem.post.fields import molar_flux_field
    from emcd_fem.post.sampling import evaluate_at_points

    partitions = {("a", "b"): 0.25}  # a partition on top of the first film
    h = [1.0, 0.25 * 2.0 / 1.0, 0.5]  # c_b H_b = K c_a H_a; b|c: x_A continuous, H_c = H_b
    flux, jumps = ef.analytic.film_slab(
        THICK, list(MATS.values()), 0.9, 0.1, [2.0, 5.0], solubilities=h
    )
    domain = ef.layered_slab(THICK, region_names=NAMES, dim=2, cells_per_layer=[3, 4, 3])
    problem = FilmEMCDProblem(domain, MATS, BCS, films=FILMS, partitions=partitions, degree=degree)
    solution = problem.solve()
    x = solution.mole_fraction
    assert x.name == "mole_fraction_A" and x.function_space.element.basix_element.discontinuous

    edges = np.concatenate([[0.0], np.cumsum(THICK)])
    starts = [0.9 / h[0], jumps[0][1], jumps[1][1]]  # μ at the left edge of each layer

    def exact(s):
        i = np.clip(np.searchsorted(edges, s, side="right") - 1, 0, 2)
        mat = list(MATS.values())
        slope = np.array([-flux / (m.concentration * m.diffusivity * hh) for m, hh in zip(mat, h)])
        return np.asarray(h)[i] * (np.asarray(starts)[i] + slope[i] * (s - edges[i]))

    eps = 1e-7
    s = np.array([0.05, 0.3 - eps, 0.3 + eps, 0.5, 0.7 - eps, 0.7 + eps, 0.95])
    points = np.column_stack([s, np.full_like(s, 0.37), np.zeros_like(s)])
    values = evaluate_at_points(x, points)[:, 0]
    assert values == pytest.approx(exact(s), abs=1e-12)
    # the jumps of x_A across the films: H_a μ_a − H_b μ_b of the network (to O(eps))
    for (left, right), (mu_a, mu_b), (ha, hb) in zip(
        ((1, 2), (4, 5)), jumps, ((h[0], h[1]), (h[1], h[2])), strict=True
    ):
        assert values[left] - values[right] == pytest.approx(ha * mu_a - hb * mu_b, abs=1e-6)
    assert (solution.x_min, solution.x_max) == pytest.approx((0.1, 0.9), abs=1e-12)

    n = molar_flux_field(problem.potential_field(), problem.fields).x.array.reshape(-1, 2)
    assert n[:, 0] == pytest.approx(flux, rel=1e-10) and np.abs(n[:, 1]).max() < 1e-12 * flux


@pytest.mark.parametrize("partition", [None, 0.5])
def test_film_case_profiles_follow_the_network(partition, tmp_path):
    """profiles.csv of a film case: FE x_A on the network's exact profile, jumps included.

    P1 holds the piecewise-linear profile exactly and the 40 sample points avoid the
    interfaces, so the sampled values agree to rounding (measured 1.3e-15; bound 1e-12).
    With a partition coefficient on the first interface the profile is H μ layer by layer.
    """
    import csv
    import tomllib
    from pathlib import Path

    from emcd_fem.pipeline.run import run_case

    source = Path(__file__).resolve().parents[1] / "demos" / "membrane_films.toml"
    case = tomllib.loads(source.read_text())
    if partition is not None:
        case["interfaces"][0]["partition"] = partition
    run_case(case, tmp_path / "out")
    rows = list(csv.DictReader((tmp_path / "out" / "profiles.csv").open()))
    fe = np.array([float(r["mole_fraction [1]"]) for r in rows])
    exact = np.array([float(r["mole_fraction_analytic [1]"]) for r in rows])
    assert len(rows) == 40 and np.all(np.isfinite(exact))
    assert np.max(np.abs(fe - exact)) < 1e-12
    assert np.max(np.abs(np.diff(exact))) > 0.1  # the film jumps are in the profile
