"""SIGTERM and SIGINT: when they raise, when they only set a flag, when they wait.

Three modes, chosen by the code that is running (only the main thread installs handlers):

* :func:`signals_as_exceptions` (a run writing into ``--out``): a signal raises
  :class:`Interrupted` (a KeyboardInterrupt), which unwinds the run and removes its
  staging directory; nothing is written. In a parallel run (``comm`` of more than one
  rank) the signal is held instead (:func:`emcd_fem.agreement.hold`) and raised on every
  rank at the next agreement checkpoint: a rank that raised at once would leave the others
  waiting in a collective it left (then ``MPI_Abort`` after the agreement's timeout). Once
  the run's outputs are committed (:func:`outputs_committed`), a signal no longer
  raises: the results are complete on disk, and the outermost scope ends by logging a
  warning that says so (the exit code stays the run's own).
* :class:`StopOnSignal` (the march of a transient run): a signal only sets a flag; the
  march polls it after every step with a MAX reduction, so every rank stops after the
  same step, whichever rank the signal reached first, and the run writes its checkpoint
  and outputs. Entering the mode is an agreement checkpoint (a rank that was interrupted
  just before it ends every rank alike). After the march has *ended*, a signal no longer
  discards the results: until the enclosing :func:`signals_as_exceptions` ends, it is
  ignored. Under ``mpiexec`` the launcher forwards one signal to every rank, and the ranks
  receive it at different moments: the copy that arrives on a late rank after the stop was
  agreed must not turn the interrupted run into a lost one.
* :func:`deferred` (a critical section, such as building a DOLFINx ``LinearProblem``, whose
  half-built object would print "Exception ignored in ... __del__" when collected): a signal
  is held and delivered again, under the previous handler, when the section ends.
"""

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mpi4py import MPI

from emcd_fem import agreement

#: The signals handled: a batch system's or ``kill``'s SIGTERM, and Ctrl-C.
SIGNALS = (signal.SIGTERM, signal.SIGINT)

logger = logging.getLogger("emcd_fem")

# the open signals_as_exceptions scopes, innermost last: "ignore" (a transient march ended
# in it), "committed" (the directory its outputs went to), "open" (its output directories
# being written)
_SCOPES: list[dict[str, Any]] = []
_LATE: list[tuple[int, str]] = []  # signals that came after the results were committed


class Interrupted(KeyboardInterrupt):
    """SIGTERM (or SIGINT) received: unwinds like Ctrl-C so every staging area is removed.

    Attributes:
        signum: The signal number.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        # pickled to the other ranks by the agreement: rebuilt from the number, not the name
        return (type(self), (self.signum,))


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def signals_as_exceptions(comm: MPI.Comm | None = None) -> Iterator[None]:
    """Turn SIGTERM and SIGINT into :class:`Interrupted` (a KeyboardInterrupt).

    SIGINT is handled explicitly too: a process started in the background of a
    non-interactive shell inherits SIGINT *ignored*, and Python then installs no
    KeyboardInterrupt handler, so Ctrl-C/``kill -INT`` would be silently ignored and the
    run would go on writing. Only installs handlers in the main thread; restores the
    previous ones on exit. Signals after a transient march ended are ignored, signals on
    more than one rank of ``comm`` are held until the next agreement checkpoint, and
    signals after the outputs were committed are reported, not raised (see the module
    docstring).

    Args:
        comm: The run's communicator (None: raise at once, as on one rank).
    """
    if not _main_thread():
        yield
        return
    scope: dict[str, Any] = {"ignore": False, "committed": None, "open": 0}
    parallel = comm is not None and comm.size > 1

    def handler(signum: int, frame: Any) -> None:
        if scope["ignore"]:
            return
        if scope["committed"] is not None:
            _LATE.append((signum, scope["committed"]))
        elif parallel:
            agreement.hold(Interrupted(signum))
        else:
            raise Interrupted(signum)

    _SCOPES.append(scope)
    previous = {signum: signal.signal(signum, handler) for signum in SIGNALS}
    try:
        yield
    except BaseException:
        if parallel:  # the run unwinds with its own (agreed) error: a held signal is moot
            agreement.release_held()
        raise
    finally:
        _SCOPES.pop()
        if scope["committed"] is not None and _SCOPES and not _SCOPES[-1]["open"]:
            # the caller writes nothing itself: these outputs are its results
            _SCOPES[-1]["committed"] = scope["committed"]
        for signum, old in previous.items():
            signal.signal(signum, old)
        if not _SCOPES:
            _report_late()


def _report_late() -> None:
    for signum, directory in dict.fromkeys(_LATE):
        logger.warning(
            "%s received after the results were written: they are complete in %s "
            "(the signal changed nothing)",
            signal.Signals(signum).name,
            directory,
        )
    _LATE.clear()


def writing_outputs() -> None:
    """An output directory is being written in the current :func:`signals_as_exceptions`."""
    if _SCOPES:
        _SCOPES[-1]["open"] += 1


def outputs_abandoned() -> None:
    """The output directory of :func:`writing_outputs` was given up (nothing written)."""
    if _SCOPES:
        _SCOPES[-1]["open"] -= 1


def outputs_committed(directory: str | Path) -> None:
    """The output directory of :func:`writing_outputs` is complete in ``directory``.

    From now on a signal in the current scope does not discard the results; a signal
    held for the next checkpoint (a parallel run) is turned into such a late signal.
    """
    if not _SCOPES:
        return
    scope = _SCOPES[-1]
    scope["open"] -= 1
    scope["committed"] = str(directory)
    for error in agreement.release_held():
        _LATE.append((getattr(error, "signum", int(signal.SIGINT)), str(directory)))


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGTERM/SIGINT during the block; deliver a held one again when it ends.

    The signal is raised again (:func:`signal.raise_signal`) after the previous handlers
    are back, so it has the effect it would have had outside the block (an
    :class:`Interrupted`, a KeyboardInterrupt, a stop flag) right after the block.
    """
    if not _main_thread():
        yield
        return
    held: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        held.append(signum)

    previous = {signum: signal.signal(signum, handler) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
        for signum in dict.fromkeys(held):
            signal.raise_signal(signum)


def deferred_call[T](factory: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``factory(*args, **kwargs)`` with SIGTERM/SIGINT held until it returns (:func:`deferred`).

    For DOLFINx ``LinearProblem``/``NonlinearProblem``: interrupted in ``__init__`` (which
    compiles forms: seconds), the half-built object's ``__del__`` raises AttributeError at
    collection and Python prints "Exception ignored in ..." after the interrupt message.
    """
    with deferred():
        return factory(*args, **kwargs)


class StopOnSignal:
    """SIGTERM/SIGINT → a flag the march polls; every rank agrees (MAX reduction).

    Use as a context manager around the march (collective: entering is an agreement
    checkpoint), then call the object after each step: True on every rank once any rank
    received a signal. After the block, signals are ignored until the enclosing
    :func:`signals_as_exceptions` ends (the outputs of the march are written).
    """

    def __init__(self, comm: MPI.Comm) -> None:
        self.comm, self.flag = comm, 0
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> "StopOnSignal":
        if _main_thread():
            self.previous = {signum: signal.signal(signum, self._handler) for signum in SIGNALS}
        try:
            # a rank interrupted before the handler was installed is unwinding towards the
            # run's agreement: meet it here rather than in the march's first reduction
            agreement.checkpoint(self.comm, "march")
        except BaseException:
            self._restore()
            raise
        return self

    def _handler(self, signum: int, frame: Any) -> None:
        self.flag = 1

    def _restore(self) -> None:
        for signum, old in self.previous.items():
            signal.signal(signum, old)
        self.previous = {}

    def __exit__(self, *exc: object) -> None:
        if self.previous and _SCOPES:  # in signals_as_exceptions: the march's results are kept
            _SCOPES[-1]["ignore"] = True
        self._restore()

    def __call__(self) -> bool:
        """Whether any rank received a signal (collective)."""
        if self.comm.size == 1:
            return bool(self.flag)
        return bool(self.comm.allreduce(self.flag, op=MPI.MAX))


__all__ = [
    "SIGNALS",
    "Interrupted",
    "StopOnSignal",
    "deferred",
    "deferred_call",
    "outputs_abandoned",
    "outputs_committed",
    "signals_as_exceptions",
    "writing_outputs",
]
