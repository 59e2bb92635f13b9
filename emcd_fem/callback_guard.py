"""Python callbacks inside a PETSc solve: one rank's exception stops the solve everywhere.

PETSc calls Python back inside ``KSPSolve``/``SNESSolve``: monitors (progress, ``-v``
residual lines), residual and Jacobian assembly (DOLFINx's ``NonlinearProblem``),
convergence tests. An exception there ends the solve on that rank only; the others go on
to the next iteration's collective reductions and wait forever.

:func:`guarded_callbacks` wraps every Python callback set on a KSP or SNES (and the SNES's
inner KSP) for the duration of a solve. PETSc calls each of them on every rank at the same
point of the iteration, so after it ran the wrapper takes part in one agreement exchange
(:func:`emcd_fem.agreement.agree` on the private agreement communicator: one non-blocking
reduction of one integer when all is well). If the callback failed on any rank, every
rank learns that rank's exception there, raises from the callback at the same iteration,
and PETSc unwinds the solve on every rank together; on leaving the block every rank
raises the agreed exception (marked: :func:`emcd_fem.agreement.verdict_of`) instead of
the PETSc error of the stopped solve.

Limits: a residual or Jacobian callback that fails *between* the collective steps of its
assembly (e.g. before its ghost update) leaves the others inside that assembly: the failed
rank's exchange times out, and the ``emcd`` command ends the job with ``MPI_Abort`` after
printing the message (:mod:`emcd_fem.agreement`). Cost: one exchange per callback call
(per KSP iteration with a monitor, per Newton iteration, per residual and Jacobian
evaluation); nothing when no Python callback is set (the default linear solves).
"""

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

from emcd_fem.agreement import Verdict, agree, agreed_error, private


class CallbackFailed(RuntimeError):
    """Raised on every rank from a callback when the callback failed on some rank."""


class _Guard:
    """The state of one guarded solve: this rank's callback error and the agreed verdict."""

    def __init__(self, comm: MPI.Comm) -> None:
        self.comm = comm
        self.private = private(comm) if comm.size > 1 else comm
        self.error: BaseException | None = None
        self.verdict: Verdict | None = None

    def wrap(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        """``callback`` run, its failure agreed, and raised on every rank if any failed."""

        @functools.wraps(callback)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            result = None
            if self.error is None:
                try:
                    result = callback(*args, **kwargs)
                except Exception as exc:  # agreed below, raised after the solve unwound
                    self.error = exc
            verdict = agree(self.private, self.error)  # a failed rank waits ERROR_TIMEOUT
            if verdict.error is not None:
                self.verdict = verdict
                raise CallbackFailed("a Python callback of the solver failed on some rank")
            return result

        return guarded

    def agreed(self) -> BaseException:
        """The agreed exception of the failed callback (after :meth:`wrap` raised)."""
        assert self.verdict is not None
        own = self.error if self.verdict.rank == self.comm.rank else None
        return agreed_error(self.verdict, own)


def _swap_ksp(ksp: PETSc.KSP, guard: _Guard) -> Callable[[], None]:
    """Wrap the Python monitors of ``ksp``; return what restores them."""
    monitors = ksp.getMonitor() or []
    if not monitors:
        return lambda: None
    ksp.cancelMonitor()
    for callback, args, kwargs in monitors:
        ksp.setMonitor(guard.wrap(callback), args, kwargs)

    def restore() -> None:
        ksp.cancelMonitor()
        for callback, args, kwargs in monitors:
            ksp.setMonitor(callback, args, kwargs)

    return restore


def _swap_snes(snes: PETSc.SNES, guard: _Guard) -> Callable[[], None]:
    """Wrap monitors, residual, Jacobian and convergence test of ``snes``; the undo."""
    undo = [_swap_ksp(snes.getKSP(), guard)]
    monitors = snes.getMonitor() or []
    if monitors:
        snes.cancelMonitor()
        for callback, args, kwargs in monitors:
            snes.setMonitor(guard.wrap(callback), args, kwargs)

        def restore_monitors() -> None:
            snes.cancelMonitor()
            for callback, args, kwargs in monitors:
                snes.setMonitor(callback, args, kwargs)

        undo.append(restore_monitors)
    vector, function = snes.getFunction()
    if function is not None:
        callback, args, kwargs = function
        snes.setFunction(guard.wrap(callback), vector, args, kwargs)
        undo.append(lambda: snes.setFunction(callback, vector, args, kwargs))
    J, P, jacobian = snes.getJacobian()
    if jacobian is not None:
        j_callback, j_args, j_kwargs = jacobian
        snes.setJacobian(guard.wrap(j_callback), J, P, j_args, j_kwargs)
        undo.append(lambda: snes.setJacobian(j_callback, J, P, j_args, j_kwargs))
    test = snes.getConvergenceTest()
    if callable(test):
        snes.setConvergenceTest(guard.wrap(test))
        undo.append(lambda: snes.setConvergenceTest(test))

    def restore() -> None:
        for step in reversed(undo):
            step()

    return restore


def _interrupt_in(error: BaseException) -> KeyboardInterrupt | None:
    """The KeyboardInterrupt (e.g. ``Interrupted``) among the causes of ``error``, if any.

    A signal handler that raises inside a callback (one rank: ``signals_as_exceptions``)
    unwinds into PETSc, which reports it as its own error (code 101, "Python error", with
    an unrelated stack) chained to the interrupt: the run must end as interrupted.
    """
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


@contextlib.contextmanager
def guarded_callbacks(solver: PETSc.KSP | PETSc.SNES) -> Iterator[None]:
    """Guard the Python callbacks of ``solver`` during the block (collective).

    Use around the call that runs the solve, after the callbacks are set::

        snes.setMonitor(monitor)
        with guarded_callbacks(snes):
            problem.solve()

    Raises:
        The exception of the lowest rank whose callback failed, on every rank (agreed:
        :func:`emcd_fem.agreement.verdict_of`), instead of the PETSc error of the
        stopped solve. KeyboardInterrupt (``Interrupted``: a signal raised inside a
        callback, one rank) instead of the PETSc error that carries it. Other exceptions
        pass unchanged.
    """
    guard = _Guard(solver.getComm().tompi4py())
    swap = _swap_snes if isinstance(solver, PETSc.SNES) else _swap_ksp
    restore = swap(solver, guard)
    try:
        yield
    except Exception as exc:
        interrupt = _interrupt_in(exc)
        if interrupt is not None:  # a signal inside a callback: itself, not PETSc's error
            raise interrupt from None
        if guard.verdict is None:
            raise
        agreed = guard.agreed()
        raise agreed from agreed.__cause__
    finally:
        restore()
    if guard.verdict is not None:  # the solve ended without an error although one failed
        agreed = guard.agreed()
        raise agreed from agreed.__cause__


__all__ = ["CallbackFailed", "guarded_callbacks"]
