"""The ``emcd`` argument parser: global options, one subparser per command."""

import argparse

from emcd_fem import __version__


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


def build_parser() -> argparse.ArgumentParser:
    """The ``emcd`` parser: global options and one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="emcd",
        description="Equimolar counterdiffusion in composite media (DOLFINx finite elements).",
        epilog="Exit codes: 0 ok, 1 internal error, 2 invalid case, 3 inadmissible physics, "
        "4 solver failure or invalid PETSc options, 5 output not writable, 6 verification "
        "failed, 7 result fails its own checks (reference, balance), 8 transient run "
        "interrupted after its checkpoint (--resume), 128+N interrupted by signal N.",
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
    run.add_argument("case", nargs="?", help="case file (TOML); optional with --resume")
    run.add_argument("--out", "-o", help="output directory (required unless --resume)")
    run.add_argument(
        "--resume",
        metavar="DIR",
        help="continue the interrupted transient run in DIR from its checkpoint (with a "
        "case file: check that it is still the run's case)",
    )
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
