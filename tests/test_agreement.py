"""Agreement checkpoints and the PETSc callback guard on one rank (the MPI runs are in
tests/test_mpi_failures.py and tests/mpi/test_agreement_parallel.py)."""

from mpi4py import MPI
from petsc4py import PETSc

import pytest

from emcd_fem import agreement
from emcd_fem.callback_guard import guarded_callbacks
from emcd_fem.errors import EmcdInputError


def _ksp(comm: MPI.Comm) -> tuple[PETSc.KSP, PETSc.Vec, PETSc.Vec]:
    """CG on a 1D Laplacian (tridiagonal), no preconditioner: several iterations."""
    n = 30
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
    b = A.createVecLeft()
    b.set(1.0)
    return ksp, b, A.createVecRight()


def test_checkpoint_and_phase_on_one_rank():
    """One rank: a checkpoint exchanges nothing; a phase passes errors on, marked."""
    before = agreement.statistics()["exchanges"]
    agreement.checkpoint(MPI.COMM_SELF, "nothing to agree")
    with pytest.raises(EmcdInputError, match="bad value") as raised:
        with agreement.phase("a phase", MPI.COMM_SELF):
            raise EmcdInputError("bad value")
    verdict = agreement.verdict_of(raised.value)
    assert verdict is not None and verdict.rank == 0 and not verdict.timed_out
    assert agreement.statistics()["exchanges"] == before
    assert agreement.verdict_of(ValueError("not agreed")) is None


def test_settle_keeps_an_agreed_error():
    """An agreed error is final: settling it again returns it unchanged (no exchange)."""
    first = agreement.settle(MPI.COMM_SELF, ValueError("once"))
    assert agreement.settle(MPI.COMM_SELF, first) is first


def test_pack_error_round_trip_and_fallback():
    """Errors travel pickled; an unpicklable one arrives as RuntimeError with its text."""
    kind, text, data = agreement.pack_error(EmcdInputError("materials.wall.D: negative"))
    back = agreement.unpack_error(kind, text, data)
    assert type(back) is EmcdInputError and str(back) == "materials.wall.D: negative"

    class Local(Exception):  # not importable by name: does not unpickle
        pass

    back = agreement.unpack_error(*agreement.pack_error(Local("gone")))
    assert type(back) is RuntimeError and str(back) == "Local: gone"


def test_private_communicator_is_shared_by_congruent_communicators():
    """COMM_WORLD and its duplicates share one agreement communicator (one sequence)."""
    world = MPI.COMM_WORLD
    duplicate = world.Dup()
    try:
        assert agreement.private(duplicate) is agreement.private(world)
        assert MPI.Comm.Compare(agreement.private(world), world) == MPI.CONGRUENT
    finally:
        duplicate.Free()


def test_guarded_ksp_monitor_raises_the_original_error_and_restores():
    """A failing monitor stops the solve; the monitor's exception leaves, not PETSc's."""
    ksp, b, x = _ksp(MPI.COMM_WORLD)
    seen = []

    def monitor(_ksp, iteration, norm):
        seen.append(iteration)
        if iteration == 2:
            raise ZeroDivisionError("monitor broke at iteration 2")

    ksp.setMonitor(monitor)
    with pytest.raises(ZeroDivisionError, match="iteration 2") as raised:
        with guarded_callbacks(ksp):
            ksp.solve(b, x)
    assert agreement.verdict_of(raised.value) is not None
    assert seen == [0, 1, 2]  # stopped at the failing iteration
    assert [m[0] for m in ksp.getMonitor()] == [monitor]  # the user's monitor is back
    ksp.cancelMonitor()
    with guarded_callbacks(ksp):  # no callback: nothing wrapped, the solve converges
        ksp.solve(b, x)
    assert ksp.getConvergedReason() > 0
    for obj in (ksp, b, x):
        obj.destroy()


def test_guarded_snes_residual_failure_stops_newton():
    """A residual callback failing mid-Newton ends the solve with its own exception."""
    comm = MPI.COMM_WORLD
    snes = PETSc.SNES().create(comm)
    f = PETSc.Vec().createMPI(4, comm=comm)
    calls = []

    def residual(_snes, x, r):  # r = x^2 - 2 componentwise
        calls.append(1)
        if len(calls) == 3:
            raise ArithmeticError("residual failed on evaluation 3")
        r.array[:] = x.array_r**2 - 2.0

    J = PETSc.Mat().createAIJ([4, 4], nnz=1, comm=comm)
    J.setUp()

    def jacobian(_snes, x, A, P):
        start, end = P.getOwnershipRange()
        for i, value in zip(range(start, end), 2.0 * x.array_r, strict=True):
            P[i, i] = value
        P.assemble()

    snes.setFunction(residual, f)
    snes.setJacobian(jacobian, J, J)
    snes.getKSP().setType("preonly")
    snes.getKSP().getPC().setType("lu")
    x = f.duplicate()
    x.set(1.0)
    with pytest.raises(ArithmeticError, match="evaluation 3"):
        with guarded_callbacks(snes):
            snes.solve(None, x)
    assert len(calls) == 3  # no evaluation after the failing one
    assert snes.getFunction()[1][0] is residual  # restored
    assert snes.getJacobian()[2][0] is jacobian
    for obj in (snes, f, x, J):
        obj.destroy()


@pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="one rank: the signal raises at once")
def test_a_signal_inside_a_callback_leaves_as_the_interrupt_not_as_petsc_error():
    """SIGTERM in a callback of a one-rank run: Interrupted, not PETSc's error code 101.

    ``emcd run`` interrupted during a Newton Jacobian assembly reported "solver failure:
    PETSc refused to set up or run the solver (error code 101)" with an unrelated PETSc
    stack, exit code 4; the run was interrupted, and says so now.
    """
    import signal

    from emcd_fem.interrupts import Interrupted, signals_as_exceptions

    ksp, b, x = _ksp(MPI.COMM_SELF)

    def monitor(_ksp, iteration, norm):
        if iteration == 1:
            signal.raise_signal(signal.SIGTERM)

    ksp.setMonitor(monitor)
    with pytest.raises(PETSc.Error), signals_as_exceptions():  # unguarded: PETSc's error
        ksp.solve(b, x)
    with pytest.raises(Interrupted), signals_as_exceptions():
        with guarded_callbacks(ksp):
            ksp.solve(b, x)
    assert [m[0] for m in ksp.getMonitor()] == [monitor]  # restored
    for obj in (ksp, b, x):
        obj.destroy()
