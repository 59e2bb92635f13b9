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
== ==============================================================

Works unchanged under ``mpiexec -n N emcd run ...``: every rank reaches the same verdict,
rank 0 prints. An error on one rank only is agreed by all ranks at the end of the command
(:mod:`emcd_fem.agreement`): every rank ends with the same message and exit code. When the
other ranks are stuck in a collective call the failed rank left, it prints the message
and ends the job with ``MPI_Abort`` after :data:`~emcd_fem.agreement.ERROR_TIMEOUT` s.

Logging: progress (``-v``) and warnings, physics warnings included, go to stderr through
:mod:`logging` (rank 0); ``-q`` keeps errors only. Results go to stdout.
"""

import argparse
import json
import logging
import os
import re
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from mpi4py import MPI

from emcd_fem import __version__, progress
from emcd_fem.case import SolverOptionsError
from emcd_fem.errors import (
    AdmissibilityError,
    EmcdInputError,
    EmcdResultError,
    EmcdSolverError,
    unknown_name,
)

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID, EXIT_INADMISSIBLE, EXIT_SOLVER, EXIT_OUTPUT = range(6)
EXIT_VERIFY_FAILED = 6
EXIT_RESULT_CHECK = 7


logger = logging.getLogger("emcd_fem")


def _add_globals(parser: argparse.ArgumentParser, *, sub: bool) -> None:
    """Options accepted before and after the subcommand.

    In subcommands the defaults are SUPPRESS, so that ``emcd -v run`` is not undone by the
    subcommand's own default.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if sub else value

    parser.add_argument(
        "--debug", action="store_true", default=default(False), help="show tracebacks on errors"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default(False),
        help="log progress on stderr (rank 0)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="errors only: no warnings, progress or result lines",
    )
    parser.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default=default("auto"),
        help="progress bars on rank 0: auto (when stderr is a terminal), always, never",
    )


def _add_unsafe(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-unsafe-petsc-options",
        action="store_true",
        help="accept PETSc options of the case that write files, load code or read other "
        "files (only for case files you trust: a case file is data, not code)",
    )


def _add_set(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override a case value, e.g. --set materials.coating.D=2e-5 "
        "(TOML syntax for the value; repeatable)",
    )


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Help with defaults shown (not for flags and suppressed values)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if (
            action.default in (None, False, [], argparse.SUPPRESS)
            or "%(default)" in text
            or isinstance(action, argparse._StoreConstAction)
        ):
            return text
        return text + " (default: %(default)s)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emcd",
        description="Equimolar counterdiffusion in composite media (DOLFINx finite elements).",
        epilog="Exit codes: 0 ok, 1 internal error, 2 invalid case, 3 inadmissible physics, "
        "4 solver failure or invalid PETSc options, 5 output not writable, 6 verification "
        "failed, 7 result fails its own checks (reference, balance), 128+N interrupted by "
        "signal N.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"emcd_fem {__version__}")
    _add_globals(parser, sub=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, **kwargs: object) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, formatter_class=_Formatter, **kwargs)
        _add_globals(sub, sub=True)
        return sub

    run = command(
        "run",
        help="solve a case and write results",
        description="Solve a TOML case; write summary.json, fields "
        "(fields.vtkhdf; VTX/XDMF on request), profiles.csv and pictures to --out.",
    )
    run.add_argument("case", help="case file (TOML)")
    run.add_argument("--out", "-o", required=True, help="output directory")
    run.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty directory emcd did not write (its other files are kept)",
    )
    _add_set(run)
    run.add_argument(
        "--sweep",
        dest="sweeps",
        action="append",
        default=[],
        metavar="KEY.PATH=V1,V2,...",
        help="run once per value (repeat for a Cartesian product): --out/point_<i> "
        "per point and --out/sweep.csv",
    )
    _add_unsafe(run)
    _add_unsafe_geo(run)

    check = command(
        "check",
        help="validate a case without solving",
        description="Validate schema, names, PETSc options and admissibility of a "
        "case; nothing is solved or written.",
    )
    check.add_argument("case", help="case file (TOML)")
    _add_set(check)
    check.add_argument("--json", action="store_true", help="print the report as JSON only")
    _add_unsafe(check)
    _add_unsafe_geo(check)

    schema = command(
        "schema",
        help="print the case-file JSON Schema",
        description="Print the JSON Schema of case files (for editor completion and "
        "validation, e.g. with taplo or VS Code Even Better TOML).",
    )
    schema.add_argument("--out", "-o", help="write to this file instead of stdout")

    verify = command(
        "verify",
        help="run the verification set and write a report",
        description="Solver against every analytic reference and convergence studies with "
        "observed orders; writes report.md and convergence.png to --out.",
    )
    verify.add_argument("--quick", action="store_true", help="small meshes (what CI runs)")
    verify.add_argument("--out", "-o", default="verification", help="report directory")

    plot = command(
        "plot",
        help="render the pictures of a finished run",
        description="Render the pictures (mole_fraction.png, molar_flux.png, "
        "profiles.png; line plots for 1D) of any finished run directory, or of every "
        "point of a sweep directory, from its fields.vtkhdf and profiles.csv.",
    )
    plot.add_argument("directory", help="the --out directory of a run")

    info = command(
        "info",
        help="versions, MPI and PETSc packages",
        description="Show versions of emcd_fem and its foundation, "
        "the MPI library and ranks, and PETSc's external packages.",
    )
    info.add_argument("--json", action="store_true", help="print JSON")

    demo = command(
        "demo",
        help="list or run the shipped demos",
        description="Without NAME, list the demos (demos/*.py scripts "
        "and demos/*.toml cases). With NAME, run it: a case through "
        "`emcd run` into --out, a script in-process.",
    )
    demo.add_argument("name", nargs="?", help="demo name (file stem), e.g. slab_3d")
    demo.add_argument("--out", "-o", help="output directory for cases (default results/NAME)")
    demo.add_argument(
        "--fast",
        action="store_true",
        help="scripts: small settings (EMCD_DEMO_FAST=1), as in the tests",
    )
    return parser


def _add_unsafe_geo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-unsafe-geo",
        action="store_true",
        help="run a .geo mesh script even if it calls programs or reads/writes other files "
        "(only for files you trust)",
    )


def _say(message: str, *, error: bool = False) -> None:
    if MPI.COMM_WORLD.rank == 0:
        print(message, file=sys.stderr if error else sys.stdout, flush=True)


def _result(args: argparse.Namespace, message: str) -> None:
    """A result line on stdout (rank 0), silenced by ``-q``."""
    if not args.quiet:
        _say(message)


def _sweep(args: argparse.Namespace) -> int:
    from emcd_fem.case import CaseError
    from emcd_fem.simulation import run_sweep

    sweeps: dict[str, list[str]] = {}
    for item in args.sweeps:
        key, sep, values = item.partition("=")
        if not sep or not key.strip() or not values.strip():
            raise CaseError(
                [("--sweep", f"expected key.path=v1,v2,..., got {item!r}")], "--sweep option"
            )
        if key.strip() in sweeps:
            raise CaseError(
                [(key.strip(), "swept twice: give all its values in one --sweep KEY=V1,V2,...")],
                "--sweep option",
            )
        sweeps[key.strip()] = [v.strip() for v in values.split(",")]
    rows = run_sweep(
        args.case,
        args.out,
        sweeps,
        args.overrides,
        force=args.force,
        allow_unsafe_geo=args.allow_unsafe_geo,
        allow_unsafe_petsc_options=args.allow_unsafe_petsc_options,
    )
    _result(
        args, f"emcd run: sweep of {len(rows)} point(s) done; table {Path(args.out) / 'sweep.csv'}"
    )
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from emcd_fem.simulation import run_case

    if getattr(args, "sweeps", None):
        return _sweep(args)

    result = run_case(
        args.case,
        args.out,
        args.overrides,
        force=getattr(args, "force", False),
        allow_unsafe_petsc_options=args.allow_unsafe_petsc_options,
        allow_unsafe_geo=getattr(args, "allow_unsafe_geo", False),
    )
    summary = result.summary
    fluxes = ", ".join(f"{k}={v:.6g}" for k, v in summary["boundary_flux"].items())
    _result(
        args,
        f"emcd run: {args.case} solved on {summary['ranks']} rank(s), {summary['dofs']} DOFs; "
        f"boundary fluxes [{summary['units']['boundary_flux']}]: {fluxes}",
    )
    if summary.get("analytic"):
        _result(
            args,
            "  1D analytic reference: max relative error "
            f"{summary['analytic']['max_relative_error']:.2e}",
        )
    if summary.get("flux_split"):
        thermal = summary["thermal"]
        parts = ", ".join(
            f"{name}: {split['thermal']:.6g} of {summary['boundary_flux'][name]:.6g}"
            for name, split in summary["flux_split"].items()
            if summary["boundary_flux"][name] != 0
        )
        _result(
            args,
            f"  thermal diffusion ({summary['solver']['coupling']}, "
            f"{summary['solver']['iterations']} Newton iterations): T in "
            f"[{thermal['t_min']:.2f}, {thermal['t_max']:.2f}] K; thermal part of the flux "
            f"{parts}",
        )
    for warning in summary["warnings"]:
        logger.warning("%s", warning)
    _result(args, f"  results in {result.output_dir}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from emcd_fem.case.mesh_check import check_case_mesh
    from emcd_fem.simulation import check_case, load_case_collective

    case = load_case_collective(
        args.case, args.overrides, allow_unsafe_petsc_options=args.allow_unsafe_petsc_options
    )
    report = check_case(case)  # every rank: the same data give the same verdict
    mesh = check_case_mesh(case, allow_unsafe_geo=args.allow_unsafe_geo)
    if mesh is not None:
        report["mesh"] = mesh
    if args.json:
        _say(json.dumps({"case": str(args.case), "valid": True, "report": report}, indent=2))
        return EXIT_OK
    verdict = (
        "valid and admissible"
        if report.get("admissibility", "proven") == "proven"
        else f"valid; admissibility {report['admissibility']}"
    )
    _result(args, f"emcd check: {args.case} is {verdict}")
    for key, value in report.items():
        _result(args, f"  {key}: {json.dumps(value)}")
    for warning in (mesh or {}).get("warnings", []):
        logger.warning(warning)
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from emcd_fem.case import case_json_schema

    text = json.dumps(case_json_schema(), indent=2)
    if MPI.COMM_WORLD.rank != 0:
        return EXIT_OK
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        _result(args, f"emcd schema: wrote {args.out}")
    else:
        _say(text)
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from emcd_fem.studies.verification import run_verification, write_report

    checks = run_verification(quick=args.quick)
    if MPI.COMM_WORLD.rank == 0:
        report = write_report(checks, args.out, quick=args.quick)
        for check in checks:
            orders = "; " + ", ".join(f"{k} {v:.2f}" for k, v in check.orders.items())
            _say(
                f"  {'pass' if check.passed else 'FAIL'}  {check.name}: error "
                f"{check.error:.2e} (tolerance {check.tolerance:.0e})"
                f"{orders if check.orders else ''}"
            )
        _say(f"emcd verify: {sum(c.passed for c in checks)}/{len(checks)} passed; report {report}")
    return EXIT_OK if all(c.passed for c in checks) else EXIT_VERIFY_FAILED


def _plot(args: argparse.Namespace) -> int:
    from emcd_fem.io.output import record_entries
    from emcd_fem.plotting import render_run

    paths, error = [], None
    if MPI.COMM_WORLD.rank == 0:
        try:
            paths = render_run(args.directory)
            for parent in sorted({p.parent for p in paths}):
                record_entries(parent, [p.name for p in paths if p.parent == parent])
        except Exception as exc:  # shared so that every rank reports the same outcome
            error = exc
    error = MPI.COMM_WORLD.bcast(error, root=0)
    if error is not None:
        raise error
    for path in paths:
        _say(f"emcd plot: wrote {path}")
    return EXIT_OK


def _info(args: argparse.Namespace) -> int:
    from emcd_fem.cli.info import installation_info

    data = installation_info()
    if args.json:
        _say(json.dumps(data, indent=2))
        return EXIT_OK
    for section, values in data.items():
        _say(f"{section}:")
        for key, value in values.items():
            _say(f"  {key}: {value}")
    return EXIT_OK


def demo_directory() -> Path:
    """The shipped demos (in a source checkout or editable install)."""
    return Path(__file__).resolve().parents[2] / "demos"


def _demo_title(path: Path) -> str:
    for line in path.read_text().splitlines():
        text = line.lstrip("#").strip()
        if path.suffix == ".py" and line.startswith("# # "):
            return text.lstrip("# ").strip()
        if path.suffix == ".toml" and line.startswith("#") and text:
            return text
    return ""


def _demo(args: argparse.Namespace) -> int:
    directory = demo_directory()
    demos = {p.stem: p for p in sorted(directory.glob("*.py")) + sorted(directory.glob("*.toml"))}
    if not demos:
        raise EmcdInputError(f"no demos found in {directory} (source checkout needed)")
    if args.name is None:
        for name, path in demos.items():
            _say(f"{name:32s} {path.suffix[1:]:4s} {_demo_title(path)}")
        return EXIT_OK
    if args.name not in demos:
        raise unknown_name("demo", args.name, demos)
    path = demos[args.name]
    if path.suffix == ".toml":
        args.case, args.overrides = str(path), []
        args.allow_unsafe_petsc_options = False
        args.out = args.out or str(Path("results") / args.name)
        return _run(args)
    import runpy

    if args.fast:
        os.environ["EMCD_DEMO_FAST"] = "1"
    runpy.run_path(str(path), run_name="__main__")
    return EXIT_OK


_ERRORS = (
    (SolverOptionsError, EXIT_SOLVER, "invalid solver options"),
    (AdmissibilityError, EXIT_INADMISSIBLE, "inadmissible"),
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
    code, label = next((c, lb) for kind, c, lb in _ERRORS if isinstance(error, kind))
    return code, label, str(error)


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


def _configure_logging(verbose: bool, quiet: bool) -> None:
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


def _quiet_graphics() -> None:
    """Off-screen rendering without X-server noise: set before VTK is imported."""
    os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        # without a display VTK tries X first and logs "bad X server connection"
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")


_HANDLERS = {
    "run": _run,
    "check": _check,
    "schema": _schema,
    "info": _info,
    "demo": _demo,
    "plot": _plot,
    "verify": _verify,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``emcd`` command; returns the exit code (the same on every rank).

    Collective: every rank runs the command; an error on any rank is agreed by all of them
    (:func:`emcd_fem.agreement.agree`), rank 0 prints it.
    """
    from emcd_fem.agreement import agree

    _quiet_graphics()
    args = _parser().parse_args(argv)
    from petsc4py import PETSc

    # PETSc lists unused options at exit: emcd's default tolerances next to a method the
    # user chose (preonly) are harmless, and the user's own options are checked by name
    PETSc.Options().setValue("options_left", "false")
    _configure_logging(args.verbose, args.quiet)
    progress.set_mode("never" if args.quiet else args.progress)
    world = MPI.COMM_WORLD
    guard = world.Dup()  # agreement traffic never meets a solver collective
    code = EXIT_OK
    error: BaseException | None = None
    try:
        code = _HANDLERS[args.command](args)
    except Exception as exc:  # every error becomes one message and an exit code
        error = exc
    except KeyboardInterrupt as exc:
        error = exc
    verdict = agree(guard, error)
    if verdict.error is None:
        guard.Free()
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
    guard.Free()
    return code


def _agreed_code(code: int, comm: MPI.Comm) -> int:
    """The largest exit code of the ranks (they normally agree), so all return alike."""
    return int(comm.allreduce(int(code), op=MPI.MAX)) if comm.size > 1 else int(code)


def entry_point() -> None:
    """Console-script wrapper.

    PETSc objects are destroyed collectively: collect garbage on every rank at the same
    point before exit, so ranks that did extra work (pictures on rank 0) do not destroy
    them in a different order at interpreter shutdown and hang.
    """
    import gc

    if hasattr(signal, "SIGPIPE"):
        # `emcd schema | head`: end quietly like other tools (PETSc's handler would abort)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    code = main()
    gc.collect()
    MPI.COMM_WORLD.Barrier()
    sys.exit(code)


if __name__ == "__main__":
    entry_point()
