"""The verification checks of the dusty-gas model (``emcd verify`` group ``dusty_gas``).

H2/N2 at 600 K, 1 atm, ε/τ = 0.4/3 in a 1 mm porous slab:

- isobaric counterdiffusion in 100 µm pores (Kn ≈ 0.002) against the closed form
  ``analytic.dusty_gas_rate`` (P1, the reaction flux converges at h^4 in 1D), and
  Graham's ratio N_N2/N_H2 = −√(M_H2/M_N2) with no viscous flux;
- the dead-end pore (1 µm, Kn ≈ 0.17) with H2 → N2 inside: the inlet flux and the pressure
  difference against ``analytic.dusty_gas_channel`` (P1, O(h²)), zero net molar flow;
- a half-slab pellet with H2 → 2 N2 (a change in moles): the surface flux against
  ``analytic.dusty_gas_pellet`` and the net molar outflow against ∫ R_T dx.
"""

from mpi4py import MPI

import numpy as np

from emcd_fem.analytic import dusty_gas_rate
from emcd_fem.analytic.dusty_gas_channel import (
    channel_coefficients,
    dusty_gas_channel,
    dusty_gas_pellet,
)
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.materials.porous import PorousMedium, dusty_gas_from_kinetic_theory
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.dusty_gas import BoundaryState, DustyGasModel
from emcd_fem.studies.verification_record import Check
from emcd_fem.studies.verification_record import convergence_rate as _rate

_T, _P, _L, _K = 600.0, 101325.0, 1e-3, 50.0
_GAS = dusty_gas_from_kinetic_theory(["H2", "N2"], _T, _P, 3.0e-5)


def _solve(n: int, comm: MPI.Comm, pore: float, states: dict, reactions=()) -> object:
    domain = layered_slab([_L], region_names=["pore"], cells_per_layer=n, comm=comm)
    medium = {"pore": PorousMedium(0.4, 3.0, pore)}
    model = DustyGasModel(domain, medium, _GAS, states, temperature=_T, reactions=reactions)
    return model.solve()


def _state(x_h2: float) -> BoundaryState:
    return BoundaryState(_P, {"H2": x_h2, "N2": 1.0 - x_h2})


def _isobaric(comm: MPI.Comm, cells: list[int]) -> list[Check]:
    pore = 100e-6
    m_h2, m_n2 = kt.gas("H2").molar_mass, kt.gas("N2").molar_mass
    exact = dusty_gas_rate(
        "slab", 0.0, _L, concentration=_GAS.mixture.concentration,
        d_molecular=_GAS.mixture.pair("H2", "N2"),
        d_knudsen_a=kt.knudsen_diffusivity(pore, _T, m_h2), molar_mass_a=m_h2,
        molar_mass_b=m_n2, x_in=0.9, x_out=0.1, porosity_over_tortuosity=0.4 / 3,
    )  # fmt: skip
    errors, graham, viscous = [], 0.0, 0.0
    for n in cells:
        s = _solve(n, comm, pore, {"left": _state(0.9), "right": _state(0.1)})
        q = s.boundary_flux
        errors.append(abs(q["H2"]["right"] / exact - 1))
        ratio = q["N2"]["right"] / q["H2"]["right"]
        graham = max(graham, abs(ratio / -np.sqrt(m_h2 / m_n2) - 1))
        viscous = max(viscous, *(abs(v) for v in s.viscous_share.values()))
    sizes = [_L / n for n in cells]
    return [
        Check(
            "dusty gas, isobaric slab, Kn ≈ 0.002 (P1)",
            "analytic.dusty_gas_rate",
            errors[-1],
            1e-5,  # P1, 1D: the reaction flux converges at h^4 (3.4e-8 at 20 cells)
            orders={"isobaric rate": _rate(errors, sizes)},
            expected_orders={"isobaric rate": 4.0},
            series={"dusty gas isobaric": (sizes, errors)},
        ),
        Check(
            "dusty gas, Graham's ratio and no viscous flux at equal end pressures",
            "Σ N_i √M_i = 0 (Mason & Malinauskas 1983)",
            max(graham, viscous),
            1e-9,  # the discrete pressure stays uniform: Newton tolerance only
        ),
    ]


def _reacting(comm: MPI.Comm, cells: list[int]) -> list[Check]:
    coefficients = channel_coefficients(PorousMedium(0.4, 3.0, 1e-6), _GAS, _T)
    pure = (_P, [1.0, 0.0])
    channel = dusty_gas_channel(
        _L, coefficients, pure, production=lambda c: np.array([-_K * c[0], _K * c[0]])
    )
    pellet = dusty_gas_pellet(
        "slab", _L, coefficients, pure, lambda c: np.array([-_K * c[0], 2 * _K * c[0]])
    )
    series = {"dead-end flux": [], "dead-end Δp": [], "A → 2B flux": []}
    worst_net = 0.0
    for n in cells:
        s = _solve(n, comm, 1e-6, {"left": _state(1.0)}, [Reaction("H2 -> N2", k_f=_K)])
        series["dead-end flux"].append(
            abs(-s.boundary_flux["H2"]["left"] / channel.inlet_flux[0] - 1)
        )
        dp = s.pressure_difference[("left", "right")]
        series["dead-end Δp"].append(abs(dp / channel.pressure_difference - 1))
        gross = sum(abs(s.boundary_flux[x]["left"]) for x in s.species)
        worst_net = max(worst_net, abs(s.total_flux["left"]) / gross)
        s = _solve(n, comm, 1e-6, {"left": _state(1.0)}, [Reaction("H2 -> 2 N2", k_f=_K)])
        series["A → 2B flux"].append(abs(s.boundary_flux["H2"]["left"] / pellet.inlet_flux[0] - 1))
        worst_net = max(worst_net, abs(s.total_flux["left"] / s.net_production - 1))
    sizes = [_L / n for n in cells]
    checks = [
        Check(
            f"dusty gas, {name} (P1)",
            "analytic.dusty_gas_channel / dusty_gas_pellet (shooting, rtol 1e-12)",
            errors[-1],
            5e-4,  # P1 at h = L/40: O(h²); measured 9e-5, 7e-5 (dead end), 1.5e-4 (A → 2B)
            orders={name: _rate(errors, sizes)},
            expected_orders={name: 2.0},
            series={f"dusty gas {name}": (sizes, errors)},
        )
        for name, errors in series.items()
    ]
    checks.append(
        Check(
            "dusty gas, net molar outflow: 0 (dead end, A → B) and ∫ R_T (A → 2B)",
            "the species balances summed",
            worst_net,
            1e-9,  # reaction fluxes of the converged residual: solver tolerance
        )
    )
    return checks


def check_dusty_gas(comm: MPI.Comm, quick: bool) -> list[Check]:
    """The dusty-gas checks (collective); ``quick`` stops at 16 / 40 cells."""
    isobaric = [4, 8, 16] if quick else [4, 8, 16, 32]
    reacting = [10, 20, 40] if quick else [10, 20, 40, 80, 160]
    return _isobaric(comm, isobaric) + _reacting(comm, reacting)


__all__ = ["check_dusty_gas"]
