"""One rank's failure ends every rank with the same message: collective agreement on errors.

Under ``mpiexec`` an exception on one rank must not leave the other ranks waiting in a
collective call forever (a hang), nor end in an MPI abort without a word. The ``emcd``
command therefore ends every command with :func:`agree`: each rank says whether it failed,
and every rank learns the error of the lowest failing rank, so all of them print (rank 0)
the same message and return the same exit code.

The agreement runs on a private duplicate of the communicator with a non-blocking barrier,
so it cannot be confused with a collective of PETSc or DOLFINx that a healthy rank may
still be waiting in. A failed rank waits at most :data:`ERROR_TIMEOUT` seconds for the
others: if they do not arrive, they are stuck in a collective the failed rank left, and
the only way out is ``MPI_Abort`` — the caller prints the message first (see
:class:`Verdict`). Healthy ranks never time out: a slow peer is not an error.
"""

import os
import pickle
import time
from dataclasses import dataclass

from mpi4py import MPI

#: Seconds a failed rank waits for the others before aborting (``EMCD_MPI_ERROR_TIMEOUT``).
ERROR_TIMEOUT: float = float(os.environ.get("EMCD_MPI_ERROR_TIMEOUT", "10"))


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`agree`.

    Attributes:
        error: The exception of the lowest failing rank, rebuilt from its pickle on every
            rank, itself included, so that all classify it alike (the same type when it
            pickles, else :class:`RuntimeError` with its text); None when all succeeded.
        rank: The rank the error came from (None on success).
        timed_out: True on a failed rank whose peers did not arrive within the timeout: the
            caller must print the message and call ``MPI_Abort`` on ``MPI.COMM_WORLD``.
    """

    error: BaseException | None
    rank: int | None
    timed_out: bool = False


def pack_error(error: BaseException) -> tuple[str, str, bytes | None]:
    """The error as (type name, text, its pickle when that round-trips), to send to a rank."""
    try:
        data = pickle.dumps(error)
        back = pickle.loads(data)
        if type(back) is not type(error) or str(back) != str(error):
            data = None
    except Exception:  # unpicklable exceptions travel as text
        data = None
    return type(error).__name__, str(error), data


def unpack_error(kind: str, text: str, data: bytes | None) -> BaseException:
    """The exception packed by :func:`pack_error` (a RuntimeError when it did not pickle)."""
    if data is not None:
        return pickle.loads(data)
    return RuntimeError(f"{kind}: {text}")


def agree(comm: MPI.Comm, error: BaseException | None, *, timeout: float | None = None) -> Verdict:
    """Agree on success or on one error across ``comm`` (collective).

    Args:
        comm: A communicator reserved for this purpose (``MPI.COMM_WORLD.Dup()``), so that
            the agreement never matches a collective of the solver.
        error: This rank's exception, or None.
        timeout: Seconds a failed rank waits for the others (default :data:`ERROR_TIMEOUT`).

    Returns:
        The verdict, the same on every rank unless ``timed_out``.
    """
    if comm.size == 1:
        return Verdict(error, 0 if error is not None else None)
    timeout = ERROR_TIMEOUT if timeout is None else timeout
    request = comm.Ibarrier()
    deadline = time.monotonic() + timeout
    while not request.Test():
        if error is not None and time.monotonic() > deadline:
            return Verdict(error, comm.rank, timed_out=True)
        time.sleep(0.002)
    reports = comm.allgather(None if error is None else pack_error(error))
    for rank, report in enumerate(reports):
        if report is not None:
            return Verdict(unpack_error(*report), rank)
    return Verdict(None, None)


__all__ = ["ERROR_TIMEOUT", "Verdict", "agree", "pack_error", "unpack_error"]
