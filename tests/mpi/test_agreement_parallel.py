"""Agreement checkpoints across ranks, in-process (run under ``mpiexec -n 2``).

A rank that fails meets the others at their next checkpoint; every rank raises the error
of the lowest failing rank; a Python callback failing on one rank inside a PETSc solve
stops the solve on every rank with that callback's exception.
"""

from mpi4py import MPI
from petsc4py import PETSc

import pytest

from emcd_fem import agreement
from emcd_fem.callback_guard import guarded_callbacks
from emcd_fem.errors import EmcdInputError

comm = MPI.COMM_WORLD
pytestmark = pytest.mark.skipif(comm.size < 2, reason="needs several ranks")


def test_failure_on_one_rank_meets_the_others_at_their_checkpoint():
    """The last rank fails in local code; the others learn it at their next checkpoint."""
    last = comm.size - 1
    with pytest.raises(EmcdInputError, match=f"only on rank {last}") as raised:
        with agreement.phase("local work", comm):
            if comm.rank == last:
                raise EmcdInputError(f"bad data only on rank {last}")
            agreement.checkpoint(comm, "the next collective phase")
    verdict = agreement.verdict_of(raised.value)
    assert verdict is not None and verdict.rank == last and not verdict.timed_out
    agreement.checkpoint(comm, "after: every rank is in step again")


def test_lowest_failing_rank_wins():
    """Several ranks fail differently: every rank raises the lowest rank's error."""
    with pytest.raises(Exception, match="failure of rank 0") as raised:
        with agreement.phase("everyone fails", comm):
            error = ValueError if comm.rank == 0 else KeyError
            raise error(f"failure of rank {comm.rank}")
    assert type(raised.value) is ValueError
    assert agreement.verdict_of(raised.value).rank == 0


def test_guarded_monitor_failure_on_one_rank_stops_every_rank():
    """A KSP monitor raising on the last rank only ends the solve on every rank."""
    last = comm.size - 1
    n = 20 * comm.size
    A = PETSc.Mat().createAIJ([n, n], nnz=3, comm=comm)
    start, end = A.getOwnershipRange()
    for i in range(start, end):
        A[i, i] = 2.0
        if i > 0:
            A[i, i - 1] = -1.0
        if i < n - 1:
            A[i, i + 1] = -1.0
    A.assemble()
    ksp = PETSc.KSP().create(comm)
    ksp.setOperators(A)
    ksp.setType("cg")
    ksp.getPC().setType("none")
    b, x = A.createVecLeft(), A.createVecRight()
    b.set(1.0)
    iterations = []

    def monitor(_ksp, iteration, norm):
        iterations.append(iteration)
        if comm.rank == last and iteration == 3:
            raise ZeroDivisionError(f"monitor failed on rank {last}")

    ksp.setMonitor(monitor)
    with pytest.raises(ZeroDivisionError, match=f"monitor failed on rank {last}"):
        with guarded_callbacks(ksp):
            ksp.solve(b, x)
    assert iterations == [0, 1, 2, 3]  # every rank stopped at the same iteration
    for obj in (ksp, A, b, x):
        obj.destroy()
