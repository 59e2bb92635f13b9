"""Interface reactions on all ranks equal the serial solve and the closed form.

A 2D two-layer slab with a reacting interface between the layers, on a mesh whose rank
partition cuts the interface: a partition interface (rate on side b), a film interface
(rate on side a) and a second-order rate (Newton). Direct solves, Newton to a relative
residual of 1e-12: the two runs differ by rounding only, 1e-10 of the flux scale (as
test_reactions_parallel.py); the linear cases also equal the exact piecewise-linear
solution (``analytic.reactions.interface_reaction_slab``) to 1e-10.
"""

from mpi4py import MPI

import pytest

import emcd_fem as ef
from emcd_fem.analytic.reactions import interface_reaction_slab
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.models.transport import SpeciesTransportModel

L1, L2, D1, D2, C1, C2, X0, XL = 0.4, 0.6, 1.0, 0.5, 2.0, 1.0, 0.8, 0.1
CASES = {  # name → (model keywords, side, equation, κ, film)
    "partition_b": ({"partitions": {("a", "b"): 0.3}}, "b", "A <=> B", 0.3 * C1 / C2, None),
    "film_a": ({"films": {("a", "b"): 0.7}}, "a", "A <=> B", 1.0, 0.7),
    "second_order": ({}, "a", "2 A <=> 2 B", 1.0, None),
}


def _solve(comm, name):
    keywords, side, equation, _, _ = CASES[name]
    domain = ef.layered_slab(
        [L1, L2],
        region_names=["a", "b"],
        dim=2,
        cells_per_layer=[4, 6],
        cells_across=6,
        comm=comm,
        interfaces=True,
    )
    reaction = Reaction(equation, kind="surface", boundary="a|b", k_f=0.9, k_b=0.3, side=side)
    solution = SpeciesTransportModel(
        domain,
        {"a": ef.Material(D1, C1), "b": ef.Material(D2, C2)},
        {"left": ef.MoleFraction(X0), "right": ef.MoleFraction(XL)},
        reactions=[reaction],
        **keywords,
    ).solve()
    return dict(solution.boundary_flux), solution.balance


@pytest.mark.parametrize("name", sorted(CASES))
def test_interface_reaction_parallel_equals_serial_and_exact(name):
    serial, _ = _solve(MPI.COMM_SELF, name)
    parallel, balance = _solve(MPI.COMM_WORLD, name)
    scale = max(abs(v) for v in serial.values())
    assert sorted(serial) == sorted(parallel)
    for key in sorted(serial):
        assert abs(parallel[key] - serial[key]) <= 1e-10 * scale, key
    assert balance < 1e-10
    _, side, equation, kappa, film = CASES[name]
    if equation == "A <=> B":  # width 1: the fluxes per unit depth are the 1D ones
        ref = interface_reaction_slab(
            (L1, L2),
            (D1, D2),
            (C1, C2),
            X0,
            XL,
            k_s=1.2,
            x_eq=0.25,
            kappa=kappa,
            film=film,
            side=side,
        )
        assert abs(-parallel["left"] - ref.flux_1) <= 1e-10 * scale
        assert abs(parallel["a|b"] - ref.consumption) <= 1e-10 * scale
