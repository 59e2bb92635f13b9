"""The balance's flux scale is a collective: same value on every rank, round-off balance for
a uniform state on N ranks (run under mpiexec)."""

from mpi4py import MPI

import emcd_fem as ef
from emcd_fem.post.integrals import flux_scale


def test_flux_scale_and_uniform_balance_on_all_ranks():
    for dim in (1, 2, 3):
        domain = ef.layered_slab(
            [0.3, 0.7], region_names=["a", "b"], dim=dim, cells_per_layer=[3, 5], width=0.5
        )
        serial = ef.layered_slab(
            [0.3, 0.7],
            region_names=["a", "b"],
            dim=dim,
            cells_per_layer=[3, 5],
            width=0.5,
            comm=MPI.COMM_SELF,
        )
        scale = flux_scale(domain, 2.0)
        assert abs(scale - flux_scale(serial, 2.0)) <= 1e-14 * scale
        assert MPI.COMM_WORLD.allgather(scale) == [scale] * MPI.COMM_WORLD.size
        materials = {"a": ef.Material(2e-5, 40.9), "b": ef.Material(7e-6, 40.9)}
        bcs = {"left": ef.MoleFraction(0.3), "right": ef.MoleFraction(0.3)}
        solution = ef.EMCDProblem(domain, materials, bcs).solve()
        assert solution.balance.relative < 1e-8
