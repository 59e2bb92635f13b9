"""Exit codes of ``emcd`` and the error → (code, label, message) mapping."""

import signal

from emcd_fem.errors import (
    AdmissibilityError,
    EmcdInputError,
    EmcdMeshingError,
    EmcdResultError,
    EmcdSolverError,
    UnknownNameError,
)

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID, EXIT_INADMISSIBLE, EXIT_SOLVER, EXIT_OUTPUT = range(6)
EXIT_VERIFY_FAILED = 6
EXIT_RESULT_CHECK = 7
#: A transient run stopped by SIGTERM/SIGINT after writing its checkpoint (`--resume`).
EXIT_INTERRUPTED = 8


_ERRORS = (
    (AdmissibilityError, EXIT_INADMISSIBLE, "inadmissible"),
    (EmcdMeshingError, EXIT_INVALID, "meshing failed"),
    (UnknownNameError, EXIT_INVALID, "unknown name"),
    (EmcdInputError, EXIT_INVALID, "invalid case"),
    (EmcdSolverError, EXIT_SOLVER, "solver failure"),
    (EmcdResultError, EXIT_RESULT_CHECK, "result check failed"),
    (OSError, EXIT_OUTPUT, "output error"),
    (Exception, EXIT_INTERNAL, "internal error"),
)


def exit_status(error: BaseException) -> tuple[int, str, str]:
    """Exit code, label and message of an error (see the table at the top of this module).

    A PETSc error that escaped the solver wrappers comes from the user's PETSc options
    (the defaults are tested): exit 4, naming the options.
    """
    if type(error).__name__ == "Error" and type(error).__module__.startswith("petsc4py"):
        return (
            EXIT_SOLVER,
            "solver failure",
            f"PETSc refused to set up or run the solver ({error}); the case's PETSc options "
            "are the likely cause: check them with `emcd check` and PETSc's manual",
        )
    if isinstance(error, KeyboardInterrupt):  # Ctrl-C, or SIGTERM turned into it
        signum = int(getattr(error, "signum", signal.SIGINT))
        return (
            128 + signum,
            "interrupted",
            f"{signal.Signals(signum).name}; nothing was written and earlier results are unchanged",
        )
    from emcd_fem.case import SolverOptionsError  # on use: `emcd --help` loads no case layer

    if isinstance(error, SolverOptionsError):
        return EXIT_SOLVER, "invalid solver options", str(error)
    code, label = next((c, lb) for kind, c, lb in _ERRORS if isinstance(error, kind))
    return code, label, str(error)
