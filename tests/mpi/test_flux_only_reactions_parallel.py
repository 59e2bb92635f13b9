"""Flux-only data with a first-order reaction on all ranks equal the serial solve and the
closed form (tests/test_flux_only_reactions.py).

A 2D two-layer slab fed q at the left, no flux at the right, a reacting interface whose
rank partition cuts it (partition on side b, film on side a) and a homogeneous reaction:
no inventory, no null space. Direct solves: the two runs differ by rounding only, 1e-10
(linear); the interface cases also equal the exact x_A range (P1 exact, 1e-12 → 1e-10).
"""

from mpi4py import MPI

import pytest
from dolfinx import fem

import emcd_fem as ef
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.models.transport import SpeciesTransportModel

L1, L2, D1, D2, C1, C2, Q = 0.4, 0.6, 1.0, 0.5, 2.0, 1.0, 0.3
KF, KB = 0.9, 0.3
X_EQ, K_S = KB / (KF + KB), KF + KB
CASES = {  # name → (model keywords, reaction keywords, exact (x_min, x_max) or None)
    "partition_b": (
        {"partitions": {("a", "b"): 0.3}},
        {"kind": "surface", "boundary": "a|b", "side": "b"},
        # x_b = x_eq + Q/(c_b k_s) = 0.5, x_a = x_b/κ (κ = 0.3 c_a/c_b = 0.6),
        # x(0) = x_a + Q L1/(c_a D1)
        (X_EQ + Q / (C2 * K_S), (X_EQ + Q / (C2 * K_S)) / 0.6 + Q * L1 / (C1 * D1)),
    ),
    "film_a": (
        {"films": {("a", "b"): 0.7}},
        {"kind": "surface", "boundary": "a|b", "side": "a"},
        # x_a = x_eq + Q/(c_a k_s); no film flux: x_b = x_a; x(0) = x_a + Q L1/(c_a D1)
        (X_EQ + Q / (C1 * K_S), X_EQ + Q / (C1 * K_S) + Q * L1 / (C1 * D1)),
    ),
    "homogeneous": ({}, {"regions": ("b",)}, None),
}


def _solve(comm, name):
    keywords, where, _ = CASES[name]
    domain = ef.layered_slab(
        [L1, L2], region_names=["a", "b"], dim=2, cells_per_layer=[4, 6], cells_across=6,
        comm=comm, interfaces=True,
    )  # fmt: skip
    model = SpeciesTransportModel(
        domain, {"a": ef.Material(D1, C1), "b": ef.Material(D2, C2)},
        {"left": ef.MolarFlux(-Q), "right": ef.ZeroFlux()},
        reactions=[Reaction("A <=> B", k_f=KF, k_b=KB, **where)],
        petsc_options={"ksp_type": "preonly", "pc_type": "lu"}, **keywords,
    )  # fmt: skip
    assert not model.singular
    solution = model.solve()
    x = solution.mole_fraction.x.array
    size = solution.mole_fraction.function_space.dofmap.index_map.size_local
    bs = solution.mole_fraction.function_space.dofmap.index_map_bs
    owned = x[: size * bs]
    comm_min = comm.allreduce(owned.min() if owned.size else 1e300, op=MPI.MIN)
    comm_max = comm.allreduce(owned.max() if owned.size else -1e300, op=MPI.MAX)
    mean = comm.allreduce(
        fem.assemble_scalar(fem.form(solution.mole_fraction * domain.dx)), op=MPI.SUM
    )
    return dict(solution.boundary_flux), solution.balance, (comm_min, comm_max, mean)


@pytest.mark.parametrize("name", sorted(CASES))
def test_flux_only_reaction_parallel_equals_serial_and_exact(name):
    serial, _, serial_x = _solve(MPI.COMM_SELF, name)
    parallel, balance, parallel_x = _solve(MPI.COMM_WORLD, name)
    scale = Q * 1.0  # the feed through a unit-width slab
    assert sorted(serial) == sorted(parallel)
    for key in sorted(serial):
        assert abs(parallel[key] - serial[key]) <= 1e-10 * scale, key
    for a, b in zip(serial_x, parallel_x, strict=True):
        assert abs(a - b) <= 1e-10
    assert balance < 1e-10
    exact = CASES[name][2]
    if exact is not None:
        assert abs(parallel_x[0] - exact[0]) <= 1e-10 and abs(parallel_x[1] - exact[1]) <= 1e-10
        assert abs(parallel["a|b"] - Q) <= 1e-10 * scale  # the interface takes the feed
