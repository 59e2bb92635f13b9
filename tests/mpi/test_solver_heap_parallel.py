"""Freeing GAMG's hierarchy after the solve is safe on N ranks (run under mpiexec).

``solve_linear`` returns freed heap memory and frees the GAMG hierarchy after the solve
(``emcd_fem.solvers.heap``, ``linear.release_multigrid``): every rank does it alike (no
hang), and the results on this partition are bit-for-bit those without the release, also
for a second solve that sets the hierarchy up again.
"""

from mpi4py import MPI

import numpy as np

import emcd_fem as ef
from emcd_fem.solvers import linear

GAMG = {"ksp_type": "cg", "pc_type": "gamg"}


def _linear_problem():
    domain = ef.layered_slab(
        [0.4e-3, 0.6e-3], region_names=["a", "b"], dim=3, cells_per_layer=[6, 9], cells_across=6
    )
    materials = {"a": ef.Material(2e-5, 40.9), "b": ef.Material(2e-6, 40.9)}
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
    return ef.EMCDProblem(domain, materials, bcs, petsc_options=GAMG).model.linear_problem


def test_release_changes_no_result_on_any_rank(monkeypatch):
    released = _linear_problem()
    first = linear.solve_linear(released, what="mole fraction")
    x_released = released.x.array.copy()
    assert not released.solver.getPC().getMGInterpolation(1).handle
    again = linear.solve_linear(released, what="mole fraction")
    assert np.array_equal(released.x.array, x_released)
    monkeypatch.setattr(linear, "release_multigrid", lambda ksp: False)
    monkeypatch.setattr(linear, "release_free_memory", lambda: False)
    kept = _linear_problem()
    reference = linear.solve_linear(kept, what="mole fraction")
    assert np.array_equal(kept.x.array, x_released)
    assert first.iterations == again.iterations == reference.iterations
    comm = MPI.COMM_WORLD
    assert comm.allgather(first.iterations) == [first.iterations] * comm.size
