"""Signals on some ranks only: every rank reaches the same decision (``make test-mpi``).

Under ``mpiexec`` the launcher forwards a signal to every rank, but each rank receives its
copy at its own moment; here only the last rank receives it (``signal.raise_signal``).
"""

import signal

from mpi4py import MPI

from emcd_fem import agreement
from emcd_fem.interrupts import Interrupted, StopOnSignal, signals_as_exceptions


def test_a_signal_on_one_rank_stops_the_march_on_every_rank():
    comm = MPI.COMM_WORLD
    with signals_as_exceptions():
        with StopOnSignal(comm) as stop:
            assert not stop()
            if comm.rank == comm.size - 1:
                signal.raise_signal(signal.SIGTERM)
            assert stop()  # the same step on every rank
        # the other ranks' late copies, while the outputs are written: ignored
        if comm.rank != comm.size - 1:
            signal.raise_signal(signal.SIGTERM)
        comm.Barrier()


def test_an_interrupt_on_one_rank_is_agreed_as_an_interrupt():
    # before the fix it travelled as RuntimeError("Interrupted: SIGTERM"): "internal error"
    comm = MPI.COMM_WORLD
    own = Interrupted(signal.SIGTERM) if comm.rank == comm.size - 1 else None
    verdict = agreement.agree(agreement.private(comm), own)
    assert type(verdict.error) is Interrupted and verdict.error.signum == signal.SIGTERM
    assert verdict.rank == comm.size - 1
