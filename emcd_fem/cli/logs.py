"""Logging of ``emcd``: progress and warnings to stderr on rank 0, each warning once."""

import logging
import os
import re
import sys

logger = logging.getLogger("emcd_fem")


class _Once(logging.Filter):
    """Drop a warning already shown.

    A physics warning is logged where it arises and is also part of the run summary the
    command reports.
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        text = record.getMessage()
        if text in self.seen:
            return False
        self.seen.add(text)
        return True


def _warning_text(record: logging.LogRecord) -> bool:
    """A captured Python warning as its message, without file, line and source code."""
    match = re.match(r"^.*?:\d+: \w+: (.*?)\n", str(record.msg), re.S)
    if match:
        record.msg, record.args = match.group(1), ()
    return True


def configure_logging(verbose: bool, quiet: bool) -> None:
    """emcd_fem's log and Python warnings on stderr from rank 0 only.

    INFO with -v, ERROR with -q (physics warnings are WARNING: -q silences them).
    """
    logging.captureWarnings(True)
    once = _Once()
    level = logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    for name in ("emcd_fem", "py.warnings"):
        log = logging.getLogger(name)
        log.handlers.clear()
        log.propagate = False
        from mpi4py import MPI  # after the arguments: `emcd --help` loads no MPI

        if MPI.COMM_WORLD.rank == 0:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("emcd: %(levelname)s: %(message)s"))
            handler.addFilter(once)
            if name == "py.warnings":
                handler.addFilter(_warning_text)
            log.addHandler(handler)
        else:
            log.addHandler(logging.NullHandler())
        log.setLevel(level)


def quiet_graphics() -> None:
    """Off-screen rendering without X-server noise: set before VTK is imported."""
    os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        # without a display VTK tries X first and logs "bad X server connection"
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
