"""No false maximum-principle warning with an interface reaction, on all ranks.

The tester's case in 2D, on a mesh whose rank partition cuts the interface: x_eq = 0.2
pulls the interface value (0.566667, exact) below the data range [0.7, 0.8]; no rank warns
and x_min equals the serial run's (a direct solve: rounding only, 1e-10) and the exact
piecewise-linear value (P1 with the interface on nodes: exact, 1e-10).
"""

from mpi4py import MPI

import emcd_fem as ef
from emcd_fem.analytic.reactions import interface_reaction_slab
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.models.transport import SpeciesTransportModel


def _solve(comm):
    domain = ef.layered_slab(
        [0.002, 0.0005],
        region_names=["s", "m"],
        dim=2,
        cells_per_layer=[8, 4],
        cells_across=4,
        comm=comm,
        interfaces=True,
    )
    reaction = Reaction("A <=> B", kind="surface", boundary="s|m", k_f=0.008, k_b=0.002)
    return SpeciesTransportModel(
        domain,
        {"s": ef.Material(2e-5, 40.0), "m": ef.Material(5e-6, 40.0)},
        {"left": ef.MoleFraction(0.8), "right": ef.MoleFraction(0.7)},
        reactions=[reaction],
    ).solve()


def test_interface_reaction_below_the_data_range_warns_on_no_rank():
    serial, parallel = _solve(MPI.COMM_SELF), _solve(MPI.COMM_WORLD)
    exact = interface_reaction_slab(
        (0.002, 0.0005), (2e-5, 5e-6), (40.0, 40.0), 0.8, 0.7, k_s=0.01, x_eq=0.2, kappa=1.0
    ).x_a
    for solution in (serial, parallel):
        assert not any("maximum principle" in w for w in solution.warnings)
        assert abs(solution.x_min - exact) < 1e-10
    assert abs(parallel.x_min - serial.x_min) < 1e-10
