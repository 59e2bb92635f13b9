"""The ``emcd`` command: run, check, schema, verify, plot, info and demo.

Exit codes (also in README):

== ==============================================================
0  success
1  unexpected internal error (please report it, with --debug output)
2  invalid case: TOML syntax, unknown key or name, wrong type or value
3  inadmissible physics: no steady state with 0 <= x_A <= 1 for the data
4  solver failure (PETSc did not converge or failed), invalid PETSc options
5  output could not be written
6  ``emcd verify``: a verification check failed
7  ``emcd run``: the result fails the run's own checks (its analytic
   reference off by more than the discretisation explains, a species
   balance that does not close); results are written, summary.json
   has ``status = "failed"`` and ``failures``
8  ``emcd run``: a transient run stopped by SIGTERM/SIGINT after its
   checkpoint and outputs so far (``emcd run --resume DIR``)
== ==============================================================

Works unchanged under ``mpiexec -n N emcd run ...``: every rank reaches the same verdict,
rank 0 prints. An error on one rank only is agreed by all ranks at the next agreement
checkpoint of the run, or at the end of the command (:mod:`emcd_fem.agreement`): every
rank ends with the same message and exit code. When the other ranks are stuck inside a
collective of a library that the failed rank left, it prints the message and ends the
job with ``MPI_Abort`` after :data:`~emcd_fem.agreement.ERROR_TIMEOUT` s.

Logging: progress (``-v``) and warnings, physics warnings included, go to stderr through
:mod:`logging` (rank 0); ``-q`` keeps errors only. Results go to stdout.

Modules: ``parser`` (arguments), ``commands`` (one function per subcommand), ``console``
(printing), ``logs`` (logging set-up), ``exit_codes`` (errors → exit codes), ``info``
(``emcd info``); this module holds :func:`main` and the console-script :func:`entry_point`.
"""

import gc
import json
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from emcd_fem.cli.console import say as _say
from emcd_fem.cli.exit_codes import (
    EXIT_INADMISSIBLE,
    EXIT_INTERNAL,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_RESULT_CHECK,
    EXIT_SOLVER,
    EXIT_VERIFY_FAILED,
    exit_status,
)
from emcd_fem.cli.logs import configure_logging as _configure_logging
from emcd_fem.cli.logs import quiet_graphics as _quiet_graphics
from emcd_fem.cli.parser import build_parser as _parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``emcd`` command; returns the exit code (the same on every rank).

    Collective: every rank runs the command; an error on any rank is agreed by all of them
    (:func:`emcd_fem.agreement.agree`), rank 0 prints it.
    """
    return _main(argv, whole_process=False)


def _freeze_imports(command: str) -> None:
    """``emcd run`` in its own process: import the run pipeline, then freeze what exists.

    The import runs with the cyclic collector paused (it makes modules and classes, not
    garbage: a full collection in the middle of it cost ~0.05 s for nothing). Then
    ``gc.freeze``: the collections during the run (automatic ones, the run's collective
    ``gc.collect`` calls before PETSc objects are released and the last one of
    :func:`entry_point`) traverse only the objects the run makes, not the ~90 000 of
    pydantic, UFL, DOLFINx and the case layer (~0.1 s less per rank at any mesh size).
    Nothing the run makes is frozen, and nothing is unfrozen: the process ends with the
    command. (:func:`main` called in a process that goes on does not freeze.)
    """
    if command == "run":
        enabled = gc.isenabled()
        gc.disable()
        try:
            import emcd_fem.pipeline.run  # noqa: F401  (every run and sweep goes through it)
        finally:
            if enabled:
                gc.enable()
        gc.freeze()


def _main(argv: Sequence[str] | None, *, whole_process: bool) -> int:
    """:func:`main`; ``whole_process``: the process ends with the command (entry_point)."""
    _quiet_graphics()
    args = _parser().parse_args(argv)  # before any heavy import: `emcd --help` is instant
    from mpi4py import MPI
    from petsc4py import PETSc

    from emcd_fem import progress
    from emcd_fem.agreement import agree, private, verdict_of
    from emcd_fem.cli.commands import HANDLERS

    # PETSc lists unused options at exit: emcd's default tolerances next to a method the
    # user chose (preonly) are harmless, and the user's own options are checked by name
    PETSc.Options().setValue("options_left", "false")
    _configure_logging(args.verbose, args.quiet)
    progress.set_mode("never" if args.quiet else args.progress)
    world = MPI.COMM_WORLD
    guard = private(world)  # agreement traffic never meets a solver collective
    code = EXIT_OK
    error: BaseException | None = None
    try:
        if whole_process:
            _freeze_imports(args.command)
        code = HANDLERS[args.command](args)
    except Exception as exc:  # every error becomes one message and an exit code
        error = exc
    except KeyboardInterrupt as exc:
        error = exc
    # an error agreed at a checkpoint inside the command is final: no second exchange
    verdict = (error is not None and verdict_of(error)) or agree(guard, error)
    if verdict.error is None:
        return _agreed_code(code, world)
    code, label, message = exit_status(verdict.error)
    if args.debug and error is not None and (verdict.timed_out or world.rank == verdict.rank):
        traceback.print_exception(error)  # once: on the rank whose error is reported
    text = f"emcd {args.command}: {label}: {message}"
    if verdict.timed_out:
        # the others are stuck in a collective this rank left: say why, then end the job
        print(
            f"{text}\n  (rank {world.rank} failed; the other ranks did not respond: "
            "aborting the MPI job)",
            file=sys.stderr,
            flush=True,
        )
        world.Abort(code)
        os._exit(code)  # Abort may return before the process manager ends this process
    if world.size > 1 and verdict.rank != 0:
        text += f" (on rank {verdict.rank})"
    _say(text, error=True)
    if args.command == "check" and args.json:  # tools get the verdict as JSON too
        problems = getattr(verdict.error, "problems", None) or [("", message)]
        _say(
            json.dumps(
                {
                    "case": str(args.case),
                    "valid": False,
                    "exit_code": code,
                    "error": label,
                    "problems": [{"key": k, "message": m} for k, m in problems],
                },
                indent=2,
            )
        )
    if code == EXIT_INTERNAL and not args.debug:
        _say("  (run with --debug for the traceback)", error=True)
    return code


def _agreed_code(code: int, comm: Any) -> int:
    """The largest exit code of the ranks (they normally agree), so all return alike."""
    from mpi4py import MPI

    return int(comm.allreduce(int(code), op=MPI.MAX)) if comm.size > 1 else int(code)


def entry_point() -> None:
    """Console-script wrapper.

    PETSc objects are destroyed collectively: collect garbage on every rank at the same
    point before exit, so ranks that did extra work (pictures on rank 0) do not destroy
    them in a different order at interpreter shutdown and hang.
    """
    if hasattr(signal, "SIGPIPE"):
        # `emcd schema | head`: end quietly like other tools (PETSc's handler would abort)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    code = _main(None, whole_process=True)
    from mpi4py import MPI

    gc.collect()
    MPI.COMM_WORLD.Barrier()
    sys.exit(code)


def __getattr__(name: str) -> Any:
    """``demo_directory`` on first use (PEP 562: the commands load the pipeline)."""
    if name == "demo_directory":
        from emcd_fem.cli.commands import demo_directory

        return demo_directory
    raise AttributeError(f"module 'emcd_fem.cli' has no attribute {name!r}")


__all__ = [
    "EXIT_INADMISSIBLE",
    "EXIT_INTERNAL",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_RESULT_CHECK",
    "EXIT_SOLVER",
    "EXIT_VERIFY_FAILED",
    "demo_directory",
    "entry_point",
    "exit_status",
    "main",
]
