"""Flux-only problems in the composed model (``models.inventory``): the inventory fixes the
free constant, the balance is checked before the solve, coupled combinations are refused."""

import numpy as np
import pytest
import ufl
from dolfinx import fem

import emcd_fem as ef
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.post.integrals import integrate

MATS = {"a": ef.Material(1.0, 2.0), "b": ef.Material(0.2, 1.0)}
K_AB = 0.25  # c_A,b = 0.25 c_A,a at the interface
H = [1.0, K_AB * 2.0 / 1.0]  # c_b H_b = K c_a H_a with H_a = 1
Q = 0.05  # outward at the right, inward at the left [mol/(m^2 s)]
INVENTORY = 0.4
BCS = {"left": ef.MolarFlux(-Q), "right": ef.MolarFlux(Q)}


def slab(dim):
    return ef.layered_slab([0.4, 0.6], region_names=["a", "b"], dim=dim, cells_per_layer=[2, 3])


@pytest.mark.parametrize("degree", [1, 2])
@pytest.mark.parametrize("dim", [1, 2])
def test_flux_only_with_partition_matches_closed_form(dim, degree):
    """Piecewise-linear exact μ: the FE solution reproduces it up to the solver tolerance."""
    ref = ef.analytic.composite_slab(
        [0.4, 0.6],
        list(MATS.values()),
        BCS["left"],
        BCS["right"],
        inventory_mole_fraction=INVENTORY,
        solubilities=H,
    )
    domain = slab(dim)
    model = SpeciesTransportModel(
        domain,
        MATS,
        BCS,
        partitions={("a", "b"): K_AB},
        inventory_mole_fraction=INVENTORY,
        degree=degree,
    )
    solution = model.solve()
    mu = solution.potentials[0]
    z = mu.function_space.tabulate_dof_coordinates()[:, 0]
    # μ is defined up to the normalisation of H (x_A = H μ): the model's H_a vs ours
    exact = np.interp(z, ref.positions, ref.potentials) * H[0] / model.solubility["a"]
    assert model.solubility["b"] / model.solubility["a"] == pytest.approx(H[1] / H[0])
    # the exact μ lies in the FE space: only the iterative solve (CG + GAMG on the
    # singular system, relative residual 1e-10, O(1) μ) separates them
    assert mu.x.array == pytest.approx(exact, abs=1e-9)
    # the inventory is set by the shift after the solve: exact up to round-off
    fields = model.fields
    c, x = fields.concentration, solution.mole_fraction
    mean = integrate(fem.form(c * x * ufl.dx)) / integrate(fem.form(c * ufl.dx))
    assert mean == pytest.approx(INVENTORY, abs=1e-12)
    # fluxes are the data (per unit width/area: the slab's cross-section is 1)
    assert solution.boundary_flux["right"] == pytest.approx(Q, rel=1e-12)
    assert solution.boundary_flux["left"] == pytest.approx(-Q, rel=1e-12)
    assert solution.balance < 1e-12
    assert solution.balance_record.net_outflow == pytest.approx(0.0, abs=1e-14)


def test_flux_only_with_source_balances_production():
    """Σ q_Γ = ∫R dx: the production is measured with the solve's own cell terms."""
    source = 0.1  # [mol/(m^3 s)] over a slab of length 1 (1D): ∫R dx = 0.1
    bcs = {"left": ef.MolarFlux(0.02), "right": ef.MolarFlux(0.08)}
    model = SpeciesTransportModel(
        slab(1), MATS, bcs, source=source, inventory_mole_fraction=INVENTORY
    )
    solution = model.solve()
    assert solution.production == pytest.approx(0.1, rel=1e-13)
    assert solution.balance_record.net_outflow == pytest.approx(0.1, rel=1e-13)
    assert solution.balance < 1e-12
    with pytest.raises(ef.AdmissibilityError, match="no steady state"):
        SpeciesTransportModel(
            slab(1),
            MATS,
            {"left": ef.MolarFlux(0.02), "right": ef.MolarFlux(0.09)},
            source=source,
            inventory_mole_fraction=INVENTORY,
        )


def test_flux_only_needs_an_inventory():
    with pytest.raises(ef.EmcdInputError, match="inventory_mole_fraction"):
        SpeciesTransportModel(slab(1), MATS, BCS)
    with pytest.raises(ef.AdmissibilityError, match="must be a mole fraction"):
        SpeciesTransportModel(slab(1), MATS, BCS, inventory_mole_fraction=1.5)


@pytest.mark.parametrize("coupled", ["films", "temperature"])
def test_flux_only_with_films_or_temperature_refused(coupled):
    """The missing constant is not a shift of μ there: refused with the reason."""
    extra = {
        "films": {"films": {("a", "b"): 0.5}},
        "temperature": {"temperature": 300.0},
    }[coupled]
    with pytest.raises(ef.EmcdInputError, match="one boundary must be a mole_fraction") as info:
        SpeciesTransportModel(slab(1), MATS, BCS, inventory_mole_fraction=INVENTORY, **extra)
    assert "not a constant shift" in str(info.value)
    named = {"films": "films", "temperature": "thermal diffusion"}
    assert f"with {named[coupled]}" in str(info.value)  # names what makes it refused


def test_flux_only_with_reactions_refused_with_the_reason_of_the_rate():
    """First-order rates fix x_A (tests/test_flux_only_reactions.py): an inventory is then
    refused as superfluous; a second-order rate is refused with its own reason (the
    "reactions: not a constant shift" reason was wrong for first-order rates)."""
    first = [ef.Reaction("A <=> B", k_f=2.0, k_b=1.0)]
    with pytest.raises(ef.EmcdInputError, match="remove the inventory") as info:
        SpeciesTransportModel(
            slab(1), MATS, BCS, inventory_mole_fraction=INVENTORY, reactions=first
        )
    assert "first-order reactions fix x_A" in str(info.value)
    second = [ef.Reaction("2 A <=> 2 B", k_f=2.0, k_b=1.0)]
    with pytest.raises(ef.EmcdInputError, match="every boundary prescribes a flux") as info:
        SpeciesTransportModel(slab(1), MATS, BCS, reactions=second)
    assert "'2 A <=> 2 B' is not first order" in str(info.value)
    assert "give a mole_fraction or mass_transfer boundary" in str(info.value)
