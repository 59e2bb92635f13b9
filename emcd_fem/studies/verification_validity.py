"""The verification check of "is EMCD valid here?": EMCD against the dusty-gas model.

A porous H2/N2 slab (600 K, 1 atm, ε/τ = 0.4/3, x_A 0.9 → 0.1) at Kn ≈ 0.002 (100 µm
pores) and Kn ≈ 8 (20 nm): the EMCD run with the Bosanquet diffusivity and the dusty-gas
model on the same mesh, compared as the report compares them
(:func:`emcd_fem.post.validity.compare_boundaries`), against the closed-form ratio of the
isobaric dusty-gas rate with M_B = M_A (EMCD) and with the true M_B
(:func:`emcd_fem.analytic.dusty_gas_rate`).
"""

from mpi4py import MPI

from emcd_fem.analytic import dusty_gas_rate
from emcd_fem.materials import Material
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.porous import DustyGas, PorousMedium
from emcd_fem.materials.viscosity import mixture_viscosity
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.dusty_gas import BoundaryState, DustyGasModel
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.physics.conditions import MoleFraction
from emcd_fem.post.validity import compare_boundaries
from emcd_fem.studies.verification_record import Check
from emcd_fem.studies.verification_record import convergence_rate as _rate

_L, _T, _P, _EPS, _TAU = 2e-3, 600.0, 101325.0, 0.4, 3.0


def _deviation(pore: float, cells: int, comm: MPI.Comm) -> tuple[float, float]:
    """(FE deviation at the right end, closed-form deviation) for a pore diameter [m]."""
    m_a, m_b = kt.gas("H2").molar_mass, kt.gas("N2").molar_mass
    c = kt.ideal_gas_concentration(_T, _P)
    d_ab = kt.chapman_enskog("H2", "N2", _T, _P)
    d_k = kt.knudsen_diffusivity(pore, _T, m_a)
    domain = layered_slab([_L], region_names=["pellet"], cells_per_layer=cells, comm=comm)
    emcd = SpeciesTransportModel(
        domain,
        {"pellet": Material(_EPS / _TAU * kt.bosanquet(d_ab, d_k), c)},
        {"left": MoleFraction(0.9), "right": MoleFraction(0.1)},
    ).solve()
    gas = DustyGas(
        GasMixture(("A", "B"), {("A", "B"): d_ab}, c),
        {"A": m_a, "B": m_b},
        mixture_viscosity({"H2": 0.5, "N2": 0.5}, _T),
    )
    states = {
        "left": BoundaryState(_P, {"A": 0.9, "B": 0.1}),
        "right": BoundaryState(_P, {"A": 0.1, "B": 0.9}),
    }
    dusty = DustyGasModel(
        domain, {"pellet": PorousMedium(_EPS, _TAU, pore)}, gas, states, temperature=_T
    ).solve()
    rows = compare_boundaries(
        emcd.boundary_flux, dusty.boundary_flux["A"], dusty.boundary_flux["B"]
    )
    common = {
        "concentration": c,
        "d_molecular": d_ab,
        "d_knudsen_a": d_k,
        "x_in": 0.9,
        "x_out": 0.1,
        "porosity_over_tortuosity": _EPS / _TAU,
        "molar_mass_a": m_a,
    }
    exact = dusty_gas_rate("slab", 0.0, _L, molar_mass_b=m_a, **common) / dusty_gas_rate(
        "slab", 0.0, _L, molar_mass_b=m_b, **common
    )
    return rows["right"]["relative_deviation"], exact - 1.0


def check_validity(comm: MPI.Comm, quick: bool) -> list[Check]:
    """The EMCD/dusty-gas deviation of a porous H2/N2 slab at Kn ≈ 0.002 and 8 (P1, O(h²))."""
    cells = [10, 20, 40] if quick else [10, 20, 40, 80, 160]
    sizes = [_L / n for n in cells]
    checks = []
    for pore, label in ((100e-6, "Kn ≈ 0.002"), (20e-9, "Kn ≈ 8")):
        errors = []
        for n in cells:
            found, exact = _deviation(pore, n, comm)
            errors.append(abs(found - exact) / abs(exact))
        orders = {}
        if min(errors) > 1e-11:  # at Kn ≈ 8 the profiles are all but linear: round-off
            orders = {label: _rate(errors, sizes)}
        checks.append(
            Check(
                f"emcd_validity: porous H2/N2 slab, EMCD vs dusty gas, {label} (P1)",
                "analytic.dusty_gas_rate (isobaric) with M_B and with M_B = M_A",
                errors[-1],
                1e-4,  # P1 at h = L/40: reaction flows converge O(h²) at least; measured 3e-9
                orders=orders,
                expected_orders={label: 2.0} if orders else {},
                series={f"deviation {label}": (sizes, errors)},
            )
        )
    return checks


__all__ = ["check_validity"]
