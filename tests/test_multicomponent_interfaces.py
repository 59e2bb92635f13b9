"""n-species interfaces between regions (issue 19): partition coefficients and films.

References: the two-layer film with interface jumps
(:func:`emcd_fem.analytic.multicomponent.layered_film_solution` with ``LayerInterface``:
the exact matrix-exponential solution per layer, the n − 1 fluxes from
``scipy.optimize.root`` to a residual < 1e-12), the binary EMCD solvers for n = 2, and the
model itself with renamed regions and swapped pairs.
"""

import numpy as np
import pytest

import emcd_fem as ef
from emcd_fem.analytic.multicomponent import LayerInterface, layered_film_solution
from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.films import FilmEMCDProblem
from emcd_fem.models.march import TimeSettings, march
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_films import MaxwellStefanFilmModel
from emcd_fem.models.multicomponent_transient import TransientMaxwellStefan
from emcd_fem.physics import maxwell_stefan as ms
from emcd_fem.solvers.time_stepping import StepControl

SPECIES = ("H2", "N2", "CO2")
PAIRS = {("H2", "N2"): 8.33e-5, ("H2", "CO2"): 6.80e-5, ("N2", "CO2"): 1.68e-5}
MIX_A = GasMixture(SPECIES, PAIRS, 40.0, "a")
MIX_B = GasMixture(SPECIES, {k: 0.3 * v for k, v in PAIRS.items()}, 30.0, "b")
X0 = {"H2": 0.5, "N2": 0.2, "CO2": 0.3}
XL = {"H2": 0.1, "N2": 0.3, "CO2": 0.6}
THICK = (0.004, 0.006)
K = {"H2": 0.6, "N2": 1.3}  # c_k,b = K_k c_k,a (CO2, the eliminated species, closes)
WEIGHTS = {"zero_net_flux": (1.0, 1.0, 1.0), "flux_ratio": (1.0, 0.5, 2.0)}  # CO2 eliminated


def _bootstrap(weights):
    return ms.zero_net_flux(3) if set(weights) == {1.0} else ms.flux_ratios(weights)


def _partition_model(cells, weights=(1.0, 1.0, 1.0), *, dim=1, degree=2, comm=None):
    kwargs = {} if comm is None else {"comm": comm}
    domain = layered_slab(
        list(THICK), region_names=["a", "b"], dim=dim, cells_per_layer=[cells, cells], **kwargs
    )
    return MaxwellStefanModel(
        domain,
        {"a": MIX_A, "b": MIX_B},
        {"left": X0, "right": XL},
        _bootstrap(weights),
        degree=degree,
        partitions={("a", "b"): K},
    )


def _reference(weights, partition=(0.6, 1.3), film=None):
    layers = [(MIX_A.matrix, THICK[0], 40.0), (MIX_B.matrix, THICK[1], 30.0)]
    x0, xl = [X0[s] for s in SPECIES], [XL[s] for s in SPECIES]
    return layered_film_solution(x0, xl, layers, weights, [LayerInterface(partition, film)])


def _relative_error(solution, exact):
    scale = np.abs(exact.fluxes).max()
    return (
        max(
            abs(solution.boundary_flux[s]["right"] - exact.fluxes[k]) for k, s in enumerate(SPECIES)
        )
        / scale
    )


def test_reference_interface_laws_hold_at_the_interface():
    # the reference's own profile: the first layer's end, mapped by the jump law, starts a
    # second-layer film that must end at XL (checks the map and the 1e-12 root)
    film = (2.0, 5.0)
    exact = _reference(WEIGHTS["zero_net_flux"], film=film)
    end_a = exact.mole_fractions(THICK[0])
    kappa = np.array([0.6, 1.3]) * 40.0 / 30.0
    start_b = kappa * (end_a[:2] - exact.fluxes[:2] / np.array(film))
    second = layered_film_solution(
        [*start_b, 1 - start_b.sum()],
        [XL[s] for s in SPECIES],
        [(MIX_B.matrix, THICK[1], 30.0)],
        (1.0, 1.0, 1.0),
    )
    assert np.abs(second.fluxes - exact.fluxes).max() < 1e-10 * np.abs(exact.fluxes).max()
    # K = c_b/c_a for every species and no film is plain continuity
    plain = layered_film_solution(
        [X0[s] for s in SPECIES],
        [XL[s] for s in SPECIES],
        [(MIX_A.matrix, THICK[0], 40.0), (MIX_B.matrix, THICK[1], 30.0)],
        (1.0, 1.0, 1.0),
    )
    same = _reference((1.0, 1.0, 1.0), partition=(0.75, 0.75))
    assert np.abs(plain.fluxes - same.fluxes).max() < 1e-13 * np.abs(plain.fluxes).max()


@pytest.mark.parametrize("name", sorted(WEIGHTS))
def test_partition_two_layer_ternary_matches_reference_with_order_4(name):
    weights = WEIGHTS[name]
    exact = _reference(weights)
    errors = []
    for cells in (4, 8):
        solution = _partition_model(cells, weights).solve()
        errors.append(_relative_error(solution, exact))
        # Σ_i N_i·n continuous across the interface: no sources, so what enters on the
        # left leaves on the right (Σ N_i ≠ 0 for the flux-ratio bootstrap)
        total = solution.total_flux
        scale = max(abs(v) for q in solution.boundary_flux.values() for v in q.values())
        assert abs(total["left"] + total["right"]) < 1e-12 * scale
        assert max(solution.imbalance.values()) < 1e-10
    # P2 reaction fluxes converge at O(h^4) in 1D (superconvergence of the boundary
    # flux): measured 6.9e-7 → 4.3e-8 (factor 16); 1e-6 relative at 8 cells per layer
    assert errors[1] < 1e-7
    assert errors[0] / errors[1] > 12
    if name == "flux_ratio":
        assert abs(solution.total_flux["right"]) > 1e-3 * scale


def test_partition_jump_is_in_the_mole_fraction_fields():
    solution = _partition_model(8).solve()
    # the discontinuous field's values either side of the interface node (x = 0.004)
    for s, k in K.items():
        field = solution.mole_fractions[s]
        space = field.function_space
        coords = space.tabulate_dof_coordinates()[:, 0]
        at = np.isclose(coords, THICK[0])
        values = np.sort(field.x.array[at])
        kappa = k * 40.0 / 30.0  # x_b = κ x_a, κ = K c_a/c_b
        low, high = values[0], values[-1]
        assert max(low, high) / min(low, high) == pytest.approx(max(kappa, 1 / kappa), rel=1e-9)


@pytest.mark.parametrize("dim", [1, 2])
def test_binary_limit_with_partition_equals_binary_emcd(dim):
    domain = layered_slab([0.3, 0.5], region_names=["a", "b"], dim=dim, cells_per_layer=[6, 8])
    materials = {
        "a": ef.Material(diffusivity=2e-5, concentration=40.0),
        "b": ef.Material(diffusivity=5e-6, concentration=25.0),
    }
    binary = ef.EMCDProblem(
        domain,
        materials,
        {"left": ef.MoleFraction(0.8), "right": ef.MoleFraction(0.1)},
        partitions={("b", "a"): 1.7},
    ).solve()
    mixtures = {
        r: GasMixture(("A", "B"), {("A", "B"): m.diffusivity}, m.concentration)
        for r, m in materials.items()
    }
    model = MaxwellStefanModel(
        domain,
        mixtures,
        {"left": {"A": 0.8, "B": 0.2}, "right": {"A": 0.1, "B": 0.9}},
        partitions={("b", "a"): {"A": 1.7}},
    )
    solution = model.solve()
    # n = 2 with Σ N_i = 0 is the binary problem in the same potential (c_b H_b = K c_a H_a):
    # the same discrete equations, so equal to the solvers' tolerance (LU, Newton 1e-12)
    for b in ("left", "right"):
        q = binary.boundary_flux[b]
        assert solution.boundary_flux["A"][b] == pytest.approx(q, rel=1e-9)
        assert solution.boundary_flux["B"][b] == pytest.approx(-q, rel=1e-9)


def test_renamed_regions_and_swapped_pair_give_identical_fluxes():
    reference = _partition_model(6).solve()
    domain = layered_slab(list(THICK), region_names=["zz", "aa"], dim=1, cells_per_layer=[6, 6])
    swapped = MaxwellStefanModel(
        domain,
        {"zz": MIX_A, "aa": MIX_B},
        {"left": X0, "right": XL},
        degree=2,
        partitions={("aa", "zz"): {s: 1.0 / k for s, k in K.items()}},  # K_ba = 1/K_ab
    ).solve()
    for s in SPECIES:
        for b in ("left", "right"):
            assert swapped.boundary_flux[s][b] == pytest.approx(
                reference.boundary_flux[s][b], rel=1e-12
            )


@pytest.mark.parametrize(
    ("partitions", "match"),
    [
        ({("a", "b"): {"H2": 0.6}}, r"K missing for \['N2'\]"),
        ({("a", "b"): {"H2": 0.6, "N2": 1.0, "CO2": 2.0}}, "'CO2' closes the sum"),
        ({("a", "b"): {"H2": 0.6, "N2": 1.0, "Ar": 2.0}}, "unknown species 'Ar'"),
        ({("a", "b"): {"H2": 0.0, "N2": 1.0}}, "K of 'H2' must be a number > 0"),
        ({("a", "b"): {"H2": float("nan"), "N2": 1.0}}, "K of 'H2' must be a number > 0"),
        ({("a", "x"): {"H2": 0.6, "N2": 1.0}}, "region"),
        ({("a", "b"): {"H2": 0.6, "N2": 1.0}, ("b", "a"): {"H2": 2.0, "N2": 1.0}}, "H2"),
    ],
)
def test_bad_partitions_are_refused(partitions, match):
    domain = layered_slab(list(THICK), region_names=["a", "b"], dim=1, cells_per_layer=[2, 2])
    with pytest.raises(EmcdInputError, match=match):
        MaxwellStefanModel(
            domain, {"a": MIX_A, "b": MIX_B}, {"left": X0, "right": XL}, partitions=partitions
        )


def test_stagnant_bootstrap_closes_with_the_stagnant_species():
    # stagnant CO2 (ν = δ_i,CO2): CO2 is eliminated, so K is given for H2 and N2 and CO2
    # takes the jump that Σ x_i = 1 leaves; its flux stays 0 on both sides
    weights = (0.0, 0.0, 1.0)
    exact = _reference(weights)
    solution = _partition_model(8, weights).solve()
    assert _relative_error(solution, exact) < 1e-7
    assert abs(solution.boundary_flux["CO2"]["right"]) == 0.0


# --- films -----------------------------------------------------------------------------

FILM = {"H2": 2.0, "N2": 5.0}  # k_k [mol/(m^2 s)]: resistances 1/k comparable to the layers'


def _film_model(cells, weights=(1.0, 1.0, 1.0), *, dim=1, names=("a", "b"), pair=None, comm=None):
    kwargs = {} if comm is None else {"comm": comm}
    domain = layered_slab(
        list(THICK), region_names=list(names), dim=dim, cells_per_layer=[cells, cells], **kwargs
    )
    a, b = names
    pair = pair or {
        "partitions": {(a, b): K},
        "films": {(a, b): FILM},
    }
    return MaxwellStefanFilmModel(
        domain,
        {a: MIX_A, b: MIX_B},
        {"left": X0, "right": XL},
        _bootstrap(weights),
        degree=2,
        **pair,
    )


@pytest.mark.parametrize("name", sorted(WEIGHTS))
def test_film_two_layer_ternary_matches_reference_with_order_4(name):
    weights = WEIGHTS[name]
    exact = _reference(weights, film=(2.0, 5.0))
    errors = []
    for cells in (4, 8):
        model = _film_model(cells, weights)
        solution = model.solve()
        errors.append(_relative_error(solution, exact))
        scale = np.abs(exact.fluxes).max()
        # Σ_i N_i·n continuous: what enters on the left crosses the film and leaves right
        total = solution.total_flux
        through = sum(model.film_flux["a|b"].values())
        assert abs(total["left"] + total["right"]) < 1e-12 * scale
        assert abs(through - total["right"]) < 1e-9 * scale
        for k, s in enumerate(SPECIES):  # every species crosses the film at its own rate
            assert model.film_flux["a|b"][s] == pytest.approx(
                solution.boundary_flux[s]["right"], abs=1e-9 * scale
            )
        assert max(solution.imbalance.values()) < 1e-10
    # P2, 1D: O(h^4) as without films (measured 6.0e-7 → 3.7e-8 → 2.3e-9, factor 16)
    assert errors[1] < 1e-7
    assert errors[0] / errors[1] > 12


def test_film_2d_slab_matches_reference():
    exact = _reference(WEIGHTS["zero_net_flux"], film=(2.0, 5.0))
    solution = _film_model(6, dim=2).solve()
    # per unit depth in 2D: the slab is 1 m wide (layered_slab's default width)
    assert _relative_error(solution, exact) < 1e-6


@pytest.mark.parametrize("dim", [1, 2])
def test_binary_limit_with_film_equals_binary_film_solver(dim):
    domain = layered_slab([0.3, 0.5], region_names=["a", "b"], dim=dim, cells_per_layer=[6, 8])
    materials = {
        "a": ef.Material(diffusivity=2e-5, concentration=40.0),
        "b": ef.Material(diffusivity=5e-6, concentration=25.0),
    }
    bcs = {"left": ef.MoleFraction(0.8), "right": ef.MoleFraction(0.1)}
    binary = FilmEMCDProblem(
        domain, materials, bcs, films={("b", "a"): 3e-4}, partitions={("b", "a"): 1.7}
    ).solve()
    mixtures = {
        r: GasMixture(("A", "B"), {("A", "B"): m.diffusivity}, m.concentration)
        for r, m in materials.items()
    }
    model = MaxwellStefanFilmModel(
        domain,
        mixtures,
        {"left": {"A": 0.8, "B": 0.2}, "right": {"A": 0.1, "B": 0.9}},
        films={("b", "a"): {"A": 3e-4}},
        partitions={("b", "a"): {"A": 1.7}},
    )
    solution = model.solve()
    # n = 2: the binary film problem in the same potentials and film terms; Newton (1e-12)
    # against the binary linear LU solve
    for b in ("left", "right"):
        q = binary.boundary_flux[b]
        assert solution.boundary_flux["A"][b] == pytest.approx(q, rel=1e-9)
        assert solution.boundary_flux["B"][b] == pytest.approx(-q, rel=1e-9)
    assert model.film_flux["b|a"]["A"] == pytest.approx(binary.film_flux[("b", "a")], rel=1e-9)


def test_film_renamed_regions_and_swapped_pair_give_identical_fluxes():
    reference = _film_model(6)
    first = reference.solve()
    # [b, a]: K_ba = 1/K_ab, k_ba = k_ab/κ_ab with κ_ab = K_ab c_a/c_b (README, binary rule)
    kappa = {s: K[s] * 40.0 / 30.0 for s in K}
    swapped = _film_model(
        6,
        names=("zz", "aa"),
        pair={
            "partitions": {("aa", "zz"): {s: 1.0 / k for s, k in K.items()}},
            "films": {("aa", "zz"): {s: FILM[s] / kappa[s] for s in FILM}},
        },
    )
    second = swapped.solve()
    for s in SPECIES:
        for b in ("left", "right"):
            assert second.boundary_flux[s][b] == pytest.approx(first.boundary_flux[s][b], rel=1e-10)
        # the rate through the film, oriented by the pair as written
        assert swapped.film_flux["aa|zz"][s] == pytest.approx(
            -reference.film_flux["a|b"][s], rel=1e-10
        )


@pytest.mark.parametrize(
    ("films", "match"),
    [
        ({("a", "b"): {"H2": 2.0}}, r"k missing for \['N2'\]"),
        ({("a", "b"): {"H2": 2.0, "N2": 1.0, "CO2": 1.0}}, "'CO2' closes the sum"),
        ({("a", "b"): {"H2": -1.0, "N2": 1.0}}, "k of 'H2' must be a number > 0"),
        ({("a", "b"): {"He": 1.0, "N2": 1.0}}, "unknown species 'He'"),
        ({("a", "b"): {"H2": 1.0, "N2": 1.0}, ("b", "a"): {"H2": 1.0, "N2": 1.0}}, "twice"),
    ],
)
def test_bad_films_are_refused(films, match):
    domain = layered_slab(list(THICK), region_names=["a", "b"], dim=1, cells_per_layer=[2, 2])
    with pytest.raises(EmcdInputError, match=match):
        MaxwellStefanFilmModel(
            domain, {"a": MIX_A, "b": MIX_B}, {"left": X0, "right": XL}, films=films
        )


# --- transient, with partition coefficients ---------------------------------------------


def test_transient_with_partition_reaches_the_steady_solve():
    # adaptive BDF2 from a uniform start in each layer to the steady state: the fluxes equal
    # the steady Newton solve to the steady-stop tolerance, Σ N_i = 0 and every species'
    # balance with storage closes at every step
    steady = _partition_model(6).solve()
    model = _partition_model(6)
    transient = TransientMaxwellStefan(model)
    start = {r: (lambda p: np.outer([0.3, 0.3, 0.4], np.ones(p.shape[1]))) for r in ("a", "b")}
    transient.set_initial_by_region(start)
    state = transient.initial_state(0.0, 1e-3)
    control = StepControl(rtol=1e-6, atol=1e-8, dt_max=5.0)
    settings = TimeSettings(
        0.0,
        1e3,
        1e-3,
        adaptive=True,
        control=control,
        stop_at_steady_state=True,
        steady_tolerance=1e-10,
    )
    assert march(transient, state, settings) == "steady_state"
    last = state.records[-1]
    scale = max(abs(q) for s in SPECIES for q in steady.boundary_flux[s].values())
    for s in SPECIES:
        for side in ("left", "right"):
            assert last.boundary_flux[s][side] == pytest.approx(
                steady.boundary_flux[s][side], abs=1e-6 * scale
            )
    for record in state.records:
        assert max(abs(t) for t in record.total_flux.values()) < 1e-10 * scale
        assert max(record.balance.values()) < 1e-8


def test_closed_two_layer_vessel_relaxes_to_the_partition_equilibrium():
    # a closed vessel (no boundary composition): the start is uniform in each layer and out
    # of equilibrium; the end state is x_k,b = κ_k x_k,a with each independent species'
    # inventory kept: x_k,a = I_k / (c_a L_a + c_b L_b κ_k) exactly (P2 keeps the
    # piecewise-constant equilibrium exactly; the march error is below the step control)
    domain = layered_slab(list(THICK), region_names=["a", "b"], dim=1, cells_per_layer=[6, 6])
    model = MaxwellStefanModel(
        domain, {"a": MIX_A, "b": MIX_B}, {}, degree=2, closed=True, partitions={("a", "b"): K}
    )
    transient = TransientMaxwellStefan(model)
    start = {
        "a": lambda p: np.outer([0.5, 0.2, 0.3], np.ones(p.shape[1])),
        "b": lambda p: np.outer([0.1, 0.3, 0.6], np.ones(p.shape[1])),
    }
    transient.set_initial_by_region(start)
    state = transient.initial_state(0.0, 1e-4)
    first = state.inventories[0]
    # the interface node holds the inventory-weighted mean potential of its two regions, so
    # the start's inventory is the data's Σ_r c_r L_r x_r to round-off (finding F4)
    data = [40.0 * THICK[0] * xa + 30.0 * THICK[1] * xb for xa, xb in ((0.5, 0.1), (0.2, 0.3))]
    assert first[:2] == pytest.approx(data, rel=1e-12)
    control = StepControl(rtol=1e-8, atol=1e-10, dt_max=2.0)
    march(transient, state, TimeSettings(0.0, 20.0, 1e-4, adaptive=True, control=control))
    last = state.records[-1]
    for m, s in enumerate(("H2", "N2")):
        kappa = K[s] * 40.0 / 30.0
        x_a = first[m] / (40.0 * THICK[0] + 30.0 * THICK[1] * kappa)
        fields = model.mole_fraction_fields()[s]
        coords = fields.function_space.tabulate_dof_coordinates()[:, 0]
        values = fields.x.array
        in_a = coords < THICK[0] - 1e-9
        in_b = coords > THICK[0] + 1e-9
        assert np.abs(values[in_a] - x_a).max() < 1e-7
        assert np.abs(values[in_b] - kappa * x_a).max() < 1e-7
        assert last.inventory[s] == pytest.approx(first[m], rel=1e-10)


def test_transient_with_films_reaches_the_steady_solve():
    # the block model in time: storage per block on its own submesh, the film terms in the
    # residual; adaptive BDF2 to the steady state equals the steady film solve
    steady = _film_model(6).solve()
    transient = TransientMaxwellStefan(_film_model(6))
    start = {r: (lambda p: np.outer([0.3, 0.3, 0.4], np.ones(p.shape[1]))) for r in ("a", "b")}
    transient.set_initial_by_region(start)
    state = transient.initial_state(0.0, 1e-3)
    control = StepControl(rtol=1e-6, atol=1e-8, dt_max=5.0)
    settings = TimeSettings(
        0.0,
        1e3,
        1e-3,
        adaptive=True,
        control=control,
        stop_at_steady_state=True,
        steady_tolerance=1e-10,
    )
    assert march(transient, state, settings) == "steady_state"
    scale = max(abs(q) for s in SPECIES for q in steady.boundary_flux[s].values())
    for s in SPECIES:
        for side in ("left", "right"):
            assert state.records[-1].boundary_flux[s][side] == pytest.approx(
                steady.boundary_flux[s][side], abs=1e-6 * scale
            )
    for record in state.records:
        assert max(abs(t) for t in record.total_flux.values()) < 1e-10 * scale
        assert max(record.balance.values()) < 1e-8


def test_closed_vessel_with_a_film_relaxes_to_the_partition_equilibrium():
    # closed two-layer vessel, film and partition: the film slows the exchange but the end
    # is the same equilibrium x_k,b = κ_k x_k,a with each inventory kept (no node is shared
    # across a film: each block starts exactly at its region's composition)
    domain = layered_slab(list(THICK), region_names=["a", "b"], dim=1, cells_per_layer=[6, 6])
    model = MaxwellStefanFilmModel(
        domain,
        {"a": MIX_A, "b": MIX_B},
        {},
        degree=2,
        closed=True,
        partitions={("a", "b"): K},
        films={("a", "b"): FILM},
    )
    with pytest.raises(EmcdInputError, match="closed vessel"):
        model.solve()
    transient = TransientMaxwellStefan(model)
    start = {
        "a": lambda p: np.outer([0.5, 0.2, 0.3], np.ones(p.shape[1])),
        "b": lambda p: np.outer([0.1, 0.3, 0.6], np.ones(p.shape[1])),
    }
    transient.set_initial_by_region(start)
    state = transient.initial_state(0.0, 1e-4)
    first = state.inventories[0]
    exact = [
        40.0 * THICK[0] * xa + 30.0 * THICK[1] * xb
        for xa, xb in ((0.5, 0.1), (0.2, 0.3), (0.3, 0.6))
    ]
    assert np.abs(first - exact).max() < 1e-14  # exact start: c L x per layer
    control = StepControl(rtol=1e-8, atol=1e-10, dt_max=2.0)
    march(transient, state, TimeSettings(0.0, 30.0, 1e-4, adaptive=True, control=control))
    last = state.records[-1]
    fields = model.mole_fraction_fields()
    for m, s in enumerate(("H2", "N2")):
        kappa = K[s] * 40.0 / 30.0
        x_a = exact[m] / (40.0 * THICK[0] + 30.0 * THICK[1] * kappa)
        coords = fields[s].function_space.tabulate_dof_coordinates()[:, 0]
        values = fields[s].x.array
        cells_a = coords < THICK[0] - 1e-9
        assert np.abs(values[cells_a] - x_a).max() < 1e-7
        assert np.abs(values[coords > THICK[0] + 1e-9] - kappa * x_a).max() < 1e-7
        assert last.inventory[s] == pytest.approx(exact[m], rel=1e-10)


def test_film_and_partition_3d_slab_matches_reference():
    # the slab-shaped 3D box (1 m × 1 m cross-section: fluxes per unit area × 1 m²) with a
    # film and partitions: the same 1D reference; P2 tetrahedra, 6 cells per layer along x
    exact = _reference(WEIGHTS["zero_net_flux"], film=(2.0, 5.0))
    domain = layered_slab(
        list(THICK), region_names=["a", "b"], dim=3, cells_per_layer=[6, 6], cells_across=1
    )
    solution = MaxwellStefanFilmModel(
        domain,
        {"a": MIX_A, "b": MIX_B},
        {"left": X0, "right": XL},
        degree=2,
        partitions={("a", "b"): K},
        films={("a", "b"): FILM},
    ).solve()
    assert _relative_error(solution, exact) < 1e-6


def test_mixture_averaged_film_model_equals_maxwell_stefan_for_equal_diffusivities():
    # equal Đ_ij within each region (different between regions): Wilke's D_im = Đ and the
    # bootstrap correction vanishes for zero net flux, so both flux laws are the same field
    # equations; through films and partitions the two block solves agree to Newton's 1e-12
    mixtures = {
        "a": GasMixture(SPECIES, dict.fromkeys(PAIRS, 4e-5), 40.0, "a"),
        "b": GasMixture(SPECIES, dict.fromkeys(PAIRS, 1e-5), 30.0, "b"),
    }
    results = []
    for law in ("maxwell_stefan", "mixture_averaged"):
        domain = layered_slab(list(THICK), region_names=["a", "b"], dim=1, cells_per_layer=[6, 6])
        results.append(
            MaxwellStefanFilmModel(
                domain,
                mixtures,
                {"left": X0, "right": XL},
                degree=2,
                model=law,
                partitions={("a", "b"): K},
                films={("a", "b"): FILM},
            ).solve()
        )
    for s in SPECIES:
        assert results[1].boundary_flux[s]["right"] == pytest.approx(
            results[0].boundary_flux[s]["right"], rel=1e-9
        )
    # and the law is really switched: with the strongly coupled H2/N2/CO2 data they differ
    domain = layered_slab(list(THICK), region_names=["a", "b"], dim=1, cells_per_layer=[6, 6])
    fick = MaxwellStefanFilmModel(
        domain,
        {"a": MIX_A, "b": MIX_B},
        {"left": X0, "right": XL},
        degree=2,
        model="mixture_averaged",
        partitions={("a", "b"): K},
        films={("a", "b"): FILM},
    ).solve()
    exact = _reference(WEIGHTS["zero_net_flux"], film=(2.0, 5.0))
    assert _relative_error(fick, exact) > 1e-2


def test_partition_with_sources_and_a_reaction_closes_every_balance():
    # sources and a mass-action exchange act on x = H ⊙ μ: each species' balance with its
    # production closes to solver tolerance, and Σ N_i = 0 still holds on every boundary
    domain = layered_slab(list(THICK), region_names=["a", "b"], dim=1, cells_per_layer=[8, 8])
    model = MaxwellStefanModel(
        domain,
        {"a": MIX_A, "b": MIX_B},
        {"left": X0, "right": XL},
        degree=2,
        partitions={("a", "b"): K},
        sources={"b": {"H2": -2e-1, "N2": 2e-1}},
        reactions=[Reaction("H2 <=> N2", k_f=50.0, k_b=20.0, regions=("a",))],
    )
    solution = model.solve()
    assert max(solution.imbalance.values()) < 1e-10
    assert abs(solution.production["H2"]) > 1e-3 * abs(solution.boundary_flux["H2"]["left"])
    scale = max(abs(v) for q in solution.boundary_flux.values() for v in q.values())
    for b in ("left", "right"):
        assert abs(solution.total_flux[b]) < 1e-12 * scale


def test_binary_limit_with_partition_and_source_equals_binary_emcd():
    # n = 2 with a partition and a uniform source R_A = −R_B: the binary problem with the
    # same source in the same potential (the source term acts on x = H μ's equation), so
    # the fluxes agree to the solvers' tolerance
    domain = layered_slab([0.3, 0.5], region_names=["a", "b"], dim=1, cells_per_layer=[6, 8])
    materials = {
        "a": ef.Material(diffusivity=2e-5, concentration=40.0),
        "b": ef.Material(diffusivity=5e-6, concentration=25.0),
    }
    rate = 2e-4
    binary = ef.EMCDProblem(
        domain,
        materials,
        {"left": ef.MoleFraction(0.8), "right": ef.MoleFraction(0.1)},
        partitions={("a", "b"): 0.7},
        source=rate,
    ).solve()
    mixtures = {
        r: GasMixture(("A", "B"), {("A", "B"): m.diffusivity}, m.concentration)
        for r, m in materials.items()
    }
    solution = MaxwellStefanModel(
        domain,
        mixtures,
        {"left": {"A": 0.8, "B": 0.2}, "right": {"A": 0.1, "B": 0.9}},
        partitions={("a", "b"): {"A": 0.7}},
        sources={r: {"A": rate, "B": -rate} for r in ("a", "b")},
    ).solve()
    for b in ("left", "right"):
        assert solution.boundary_flux["A"][b] == pytest.approx(binary.boundary_flux[b], rel=1e-9)
    assert solution.production["A"] == pytest.approx(rate * 0.8, rel=1e-12)
