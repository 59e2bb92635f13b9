"""SIGTERM and SIGINT: when they raise, when they only set a flag, when they wait.

Three modes, chosen by the code that is running (only the main thread installs handlers):

* :func:`signals_as_exceptions` (a run writing into ``--out``): a signal raises
  :class:`Interrupted` (a KeyboardInterrupt), which unwinds the run and removes its
  staging directory; nothing is written.
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

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from mpi4py import MPI

from emcd_fem import agreement

#: The signals handled: a batch system's or ``kill``'s SIGTERM, and Ctrl-C.
SIGNALS = (signal.SIGTERM, signal.SIGINT)

# "ignore": a transient march ended inside the current signals_as_exceptions
_STATE = {"ignore": False}


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
def signals_as_exceptions() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into :class:`Interrupted` (a KeyboardInterrupt).

    SIGINT is handled explicitly too: a process started in the background of a
    non-interactive shell inherits SIGINT *ignored*, and Python then installs no
    KeyboardInterrupt handler, so Ctrl-C/``kill -INT`` would be silently ignored and the
    run would go on writing. Only installs handlers in the main thread; restores the
    previous ones on exit. Signals after a transient march ended are ignored (see the
    module docstring).
    """
    if not _main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if not _STATE["ignore"]:
            raise Interrupted(signum)

    outer = _STATE["ignore"]
    _STATE["ignore"] = False
    previous = {signum: signal.signal(signum, handler) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
        _STATE["ignore"] = outer


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
        if self.previous:  # within signals_as_exceptions: the march's results are kept
            _STATE["ignore"] = True
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
    "signals_as_exceptions",
]
