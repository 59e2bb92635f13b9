"""Form compilation that SIGTERM/SIGINT may interrupt on one rank, leaving no stale cache.

A 3D P2 form can take FFCx many seconds. Built inside a DOLFINx ``NonlinearProblem`` the
compilation is a critical section (:func:`emcd_fem.interrupts.deferred_call`: a half-built
problem's ``__del__`` complains), so a signal waited for the whole of it. Compiling the
forms *first* (:func:`compiled_forms`) and handing the compiled ``fem.Form`` objects to the
problem keeps the critical section short, and a signal during the compilation ends the run
at once (:class:`~emcd_fem.interrupts.Interrupted` unwinds it; nothing is written).

One thing FFCx does not undo: it claims a module in its cache by creating
``<module>.c`` (exclusively) and marks it ready with ``<module>.c.cached``; when the
compilation fails with an ``Exception`` it renames the claim to ``.c.failed``, but a
KeyboardInterrupt is not one, and the next run that needs the same module would wait for
the ready mark and fail ("JIT compilation timed out, probably due to a failed previous
compile") after ``timeout`` seconds (seen with ``emcd run`` interrupted in its
post-processing). :func:`releasing_claims` (around every run, ``pipeline.run.run_case``, and
inside :func:`compiled_forms`) records the modules this process claimed (a signal waits
while FFCx claims or waits for a module, at most its ``timeout``) and, when interrupted,
gives up the unfinished claims the same way.

MPI: DOLFINx compiles on rank 0 while the others wait for it in a collective, so a rank
must not leave the compilation alone. On several ranks :func:`compiled_forms` holds the
signal for the whole compilation (:func:`emcd_fem.interrupts.deferred`) and delivers it to
the handler in force when it ends (the ``emcd`` command's holds it for its next agreement
checkpoint, where every rank stops together): nothing changes there.
"""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mpi4py import MPI

from dolfinx import fem

from emcd_fem.interrupts import deferred

__all__ = ["compiled_forms", "interruptible_compilation", "releasing_claims"]


@contextlib.contextmanager
def releasing_claims() -> Iterator[None]:
    """Give up the FFCx cache modules claimed in the block and not finished, if interrupted.

    Any communicator size; signals keep their handlers. When the block ends by a
    BaseException that is not an Exception (an ``Interrupted``, a KeyboardInterrupt), each
    ``<module>.c`` this process created in the block without its ``.c.cached`` ready mark
    is renamed ``.c.failed``, as FFCx does on its own errors (see the module docstring).
    Around a whole run (``pipeline.run.run_case``): every form it compiles is covered.
    """
    import ffcx.codegeneration.jit as ffcx_jit

    claimed: list[Path] = []
    original = ffcx_jit.get_cached_module

    def claiming(module_name: str, object_names: Any, cache_dir: Any, timeout: int) -> Any:
        with deferred():  # the claim and its record are one step (a signal waits for both)
            found = original(module_name, object_names, cache_dir, timeout)
            if found[0] is None:  # this process created <module>.c: it compiles the module
                claimed.append(Path(cache_dir) / f"{module_name}.c")
        return found

    ffcx_jit.get_cached_module = claiming
    try:
        yield
    except Exception:
        raise
    except BaseException:
        for c_file in claimed:
            if not Path(f"{c_file}.cached").exists():
                with contextlib.suppress(OSError):
                    os.replace(c_file, f"{c_file}.failed")
        raise
    finally:
        ffcx_jit.get_cached_module = original


@contextlib.contextmanager
def interruptible_compilation(comm: MPI.Comm) -> Iterator[None]:
    """A block of form compilations that a signal may end on one rank (see the module).

    One rank: signals keep their handler (an ``Interrupted`` mid-compilation), and the
    unfinished cache claims are given up (:func:`releasing_claims`). Several ranks:
    signals are held until the block ends.

    Args:
        comm: The communicator the forms are compiled on.
    """
    if comm.size > 1:
        with deferred():
            yield
        return
    with releasing_claims():
        yield


def compiled_forms(forms: Any, comm: MPI.Comm, *, entity_maps: list | None = None) -> Any:
    """``dolfinx.fem.form(forms)`` in :func:`interruptible_compilation` (collective).

    ``forms``: a form, a list or a nested list of them (None entries kept).

    Args:
        forms: UFL form(s), as ``dolfinx.fem.form`` takes them.
        comm: The mesh communicator.
        entity_maps: As for ``dolfinx.fem.form``.

    Returns:
        The compiled ``dolfinx.fem.Form`` object(s), in the same nesting.
    """
    with interruptible_compilation(comm):
        return fem.form(forms, entity_maps=entity_maps)
