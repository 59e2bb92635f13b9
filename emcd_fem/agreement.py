"""One rank's failure ends every rank with the same message: agreement checkpoints.

Under ``mpiexec`` an exception on one rank must not leave the other ranks waiting in a
collective call forever (a hang), nor end in an MPI abort without a word. Every collective
phase of a run (meshing, setup, each solve, each post-processing stage, output writing)
therefore starts at a :func:`checkpoint`: one small non-blocking reduction over a private
duplicate of the communicator in which every rank says "ok" or "failed with this error".

The protocol (the same on every rank, so the collectives always match):

* a healthy rank calls :func:`checkpoint` at the start of each phase;
* a rank whose code raised lets the exception travel to the nearest :func:`phase` exit or
  :func:`settle` call (``run_case``, the ``emcd`` command), which takes part in the same
  exchange with the error. That exchange meets the healthy ranks at their next checkpoint;
* every rank then raises the error of the lowest failing rank (rebuilt from its pickle, so
  all classify it alike). The error is marked as agreed (:func:`verdict_of`): phase exits
  and the ``emcd`` command pass it on without another exchange, so the number of exchanges
  stays the same on every rank.

What this covers: an exception in local code (Python, NumPy, a file on one rank) between
two checkpoints with no collective call in between on the healthy ranks. Hence the rule
for call sites: a checkpoint goes right before the first collective call of each phase
(a ``fem.functionspace``, an assembly, a ``comm.allreduce``, a field writer, and the
release of PETSc objects when a pipeline function returns: destroying a MUMPS solver is
collective). Exceptions in Python callbacks that PETSc calls inside a solve (monitors,
residuals, Jacobians, convergence tests) are caught there and end the solve on every rank
together (:mod:`emcd_fem.callback_guard`).

What this cannot cover: a rank that raises *inside* a collective of a library (between
the internal messages of a DOLFINx assembly or a PETSc solve: an exception in a residual
callback before its ghost exchange, a PETSc error raised on one rank only, one rank's
``MemoryError`` in an assembly): the others stay inside that collective. The failed rank
then waits :data:`ERROR_TIMEOUT` seconds at its exchange, and the ``emcd`` command prints
the message and ends the job with ``MPI_Abort`` (:attr:`Verdict.timed_out`). Healthy
ranks never time out: a slow peer is not an error.

The agreement runs on a private duplicate of the communicator, never on the solver's: it
cannot match a collective of PETSc or DOLFINx that a healthy rank may be waiting in. All
communicators congruent to ``MPI.COMM_WORLD`` (the mesh's, PETSc's) share one duplicate,
so that the checkpoints inside a solve, those of ``run_case`` and the command's final
agreement are one sequence. Library code that drives the solvers itself under MPI wraps
its work in :func:`phase` (as ``run_case`` does), or a failed rank's exception leaves
without meeting the others at their checkpoint.
"""

import contextlib
import math
import os
import pickle
import time
from collections.abc import Iterator
from dataclasses import dataclass

from mpi4py import MPI

import numpy as np

#: Seconds a failed rank waits for the others before aborting (``EMCD_MPI_ERROR_TIMEOUT``).
ERROR_TIMEOUT: float = float(os.environ.get("EMCD_MPI_ERROR_TIMEOUT", "10"))

_VERDICT = "_emcd_agreed_verdict"
_SPIN = 1e-3  # seconds of polling without pause (peers usually arrive within it)
_PAUSE = 2e-4  # seconds between polls after that
_STATS = {"exchanges": 0, "seconds": 0.0}
_HELD: list[BaseException] = []  # this rank's errors for the next exchange (hold)


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


def private(comm: MPI.Comm) -> MPI.Comm:
    """The agreement communicator of ``comm`` (collective the first time, then cached).

    One duplicate of ``MPI.COMM_WORLD`` serves every communicator congruent to it (the
    mesh's, PETSc's); another communicator gets its own duplicate, freed with it.
    """
    world = MPI.COMM_WORLD
    base = world if MPI.Comm.Compare(comm, world) in (MPI.IDENT, MPI.CONGRUENT) else comm
    found = base.Get_attr(_keyval())
    if found is None:
        found = base.Dup()
        base.Set_attr(_keyval(), found)
    return found


_KEYVAL: list[int] = []


def _keyval() -> int:
    if not _KEYVAL:

        def free(_comm: MPI.Comm, _key: int, duplicate: MPI.Comm) -> None:
            if duplicate != MPI.COMM_NULL and not MPI.Is_finalized():
                duplicate.Free()

        _KEYVAL.append(MPI.Comm.Create_keyval(delete_fn=free))
    return _KEYVAL[0]


def agree(
    comm: MPI.Comm,
    error: BaseException | None,
    *,
    timeout: float | None = None,
) -> Verdict:
    """Agree on success or on one error across ``comm`` (collective).

    Args:
        comm: A communicator reserved for this purpose (:func:`private`), so that the
            agreement never matches a collective of the solver.
        error: This rank's exception, or None: then the error :func:`hold` keeps, if any.
        timeout: Seconds a failed rank waits for the others (default :data:`ERROR_TIMEOUT`).

    Returns:
        The verdict, the same on every rank unless ``timed_out``. A KeyboardInterrupt
        while waiting becomes this rank's error (the exchange still completes).
    """
    if comm.size == 1:
        return Verdict(error, 0 if error is not None else None)
    tic = time.perf_counter()
    timeout = ERROR_TIMEOUT if timeout is None else timeout
    if error is None and _HELD:
        # a held error (a signal) left no collective behind: the peers will arrive here
        error, timeout = _HELD.pop(0), math.inf
        _HELD.clear()
    flag = np.array([error is not None], dtype=np.int32)
    failed = np.zeros(1, dtype=np.int32)
    request = comm.Iallreduce(flag, failed, op=MPI.MAX)
    start = time.monotonic()
    while True:
        try:
            if request.Test():
                break
            waited = time.monotonic() - start
            if error is not None and waited > timeout:
                return Verdict(error, comm.rank, timed_out=True)
            if waited > _SPIN:  # then interruptible pauses: no busy wait on a shared core
                time.sleep(_PAUSE)
        except KeyboardInterrupt as exc:  # the exchange must complete: report it
            error = error or exc
    _STATS["exchanges"] += 1
    if not failed[0]:
        _STATS["seconds"] += time.perf_counter() - tic
        return Verdict(None, None)
    reports = comm.allgather(None if error is None else pack_error(error))
    _STATS["seconds"] += time.perf_counter() - tic
    rank = next(r for r, report in enumerate(reports) if report is not None)
    return Verdict(unpack_error(*reports[rank]), rank)


def hold(error: BaseException) -> None:
    """Report ``error`` of this rank at the next exchange (:func:`agree`, :func:`checkpoint`).

    For an error that must not leave the rank's collective sequence at once: a SIGTERM on
    one rank of a parallel run (:func:`emcd_fem.interrupts.signals_as_exceptions`) is held
    here, and every rank raises it at the next checkpoint instead of the others waiting in
    a collective this rank left (and an ``MPI_Abort``). The held error waits for its peers
    without a timeout: nothing is stuck. Only the first held error is reported.
    """
    _HELD.append(error)


def release_held() -> list[BaseException]:
    """Take the held errors back (they will not be reported): the caller deals with them."""
    held = list(_HELD)
    _HELD.clear()
    return held


def verdict_of(error: BaseException) -> Verdict | None:
    """The verdict an error was raised with by :func:`checkpoint` or :func:`settle`, or None."""
    return getattr(error, _VERDICT, None)


def agreed_error(verdict: Verdict, own: BaseException | None = None) -> BaseException:
    """The exception to raise for a verdict with an error, marked as agreed.

    Args:
        verdict: A verdict of :func:`agree` with an error (or ``timed_out``).
        own: This rank's original exception: chained as the cause when the verdict's error
            came from this rank (``--debug`` then shows where it happened).

    Returns:
        The exception, marked so that :func:`verdict_of` finds the verdict.
    """
    error = verdict.error
    try:
        setattr(error, _VERDICT, verdict)
    except (AttributeError, TypeError):  # an exception type without a __dict__
        error = RuntimeError(f"{type(error).__name__}: {error}")
        setattr(error, _VERDICT, Verdict(error, verdict.rank, verdict.timed_out))
    if own is not None and error is not own and error.__cause__ is None:
        error.__cause__ = own
    return error


def settle(comm: MPI.Comm, error: BaseException) -> BaseException:
    """The exception every rank raises for ``error`` of this rank (collective on ``comm``).

    Returns ``error`` itself when it was already agreed; otherwise agrees on it (the
    healthy ranks meet this exchange at their next :func:`checkpoint`) and returns the
    agreed error, marked (:func:`verdict_of`), chained to ``error`` on the rank it came
    from. On a timeout the error is returned marked ``timed_out``: the caller must end
    the job (the ``emcd`` command prints it and calls ``MPI_Abort``).

    Typical use: ``except Exception as exc: raise settle(comm, exc) from None``.
    """
    if verdict_of(error) is not None:
        return error
    if comm.size == 1:
        return agreed_error(Verdict(error, 0))
    verdict = agree(private(comm), error)
    own = error if verdict.rank == comm.rank else None
    return agreed_error(verdict, own)


def checkpoint(comm: MPI.Comm, name: str = "") -> None:
    """Start of a collective phase: raise the error of any rank that failed (collective).

    Cheap: one non-blocking reduction of one integer on a private communicator when no
    rank failed. ``name`` documents the call site (phase names appear in tests and logs).

    Raises:
        The error agreed with a failed rank (its :func:`settle`, or a phase exit).
    """
    del name  # the phase name documents the call site
    if comm.size == 1:
        return
    verdict = agree(private(comm), None)
    if verdict.error is not None:
        raise agreed_error(verdict)


@contextlib.contextmanager
def phase(name: str, comm: MPI.Comm) -> Iterator[None]:
    """A collective phase: a :func:`checkpoint` on entry, errors agreed on exit.

    An exception raised inside (on any rank) leaves as the same agreed exception on every
    rank. KeyboardInterrupt and other non-``Exception`` errors pass unchanged.
    """
    checkpoint(comm, name)
    try:
        yield
    except Exception as exc:
        agreed = settle(comm, exc)
        if agreed is exc:
            raise
        raise agreed from agreed.__cause__


def statistics() -> dict[str, float]:
    """Exchanges made by this process so far and the seconds spent in them."""
    return dict(_STATS)


__all__ = [
    "ERROR_TIMEOUT",
    "Verdict",
    "agree",
    "agreed_error",
    "checkpoint",
    "hold",
    "pack_error",
    "phase",
    "private",
    "release_held",
    "settle",
    "statistics",
    "unpack_error",
    "verdict_of",
]
