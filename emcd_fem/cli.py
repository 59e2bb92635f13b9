"""The ``emcd`` command: ``emcd run`` and ``emcd check``.

Exit codes (also in README):

== ==============================================================
0  success
1  unexpected internal error (please report it, with --debug output)
2  invalid case: TOML syntax, unknown key or name, wrong type or value
3  inadmissible physics: no steady state with 0 <= x_A <= 1 for the data
4  solver failure (PETSc did not converge)
5  output could not be written
6  ``emcd verify``: a verification check failed
== ==============================================================

Works unchanged under ``mpiexec -n N emcd run ...``: every rank reaches the same verdict,
rank 0 prints.
"""

import argparse
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from mpi4py import MPI

from emcd_fem import progress
from emcd_fem.errors import AdmissibilityError, EmcdInputError, EmcdSolverError, unknown_name

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID, EXIT_INADMISSIBLE, EXIT_SOLVER, EXIT_OUTPUT = range(6)
EXIT_VERIFY_FAILED = 6


def _add_debug(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: a subcommand's --debug must not override the main parser's
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emcd",
        description="Equimolar counterdiffusion in composite media (DOLFINx finite elements).",
        epilog="Exit codes: 0 ok, 1 internal error, 2 invalid case, 3 inadmissible physics, "
        "4 solver failure, 5 output not writable, 6 verification failed.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress (rank 0)")
    parser.add_argument("-q", "--quiet", action="store_true", help="log errors only")
    parser.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bars on rank 0: auto (when stderr is a terminal, default), always, never",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="solve a case and write results",
        description="Solve a TOML case; write summary.json, fields "
        "(VTX/XDMF) and profiles.csv to --out.",
    )
    run.add_argument("case", help="case file (TOML)")
    run.add_argument("--out", "-o", required=True, help="output directory")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override a case value, e.g. --set materials.coating.D=2e-5 "
        "(TOML syntax for the value; repeatable)",
    )
    run.add_argument(
        "--sweep",
        dest="sweeps",
        action="append",
        default=[],
        metavar="KEY.PATH=V1,V2,...",
        help="run once per value (repeat for a Cartesian product): --out/point_<i> "
        "per point and --out/sweep.csv",
    )
    _add_unsafe_geo(run)
    _add_debug(run)

    check = commands.add_parser(
        "check",
        help="validate a case without solving",
        description="Validate schema, names and admissibility of a "
        "case; nothing is solved or written.",
    )
    check.add_argument("case", help="case file (TOML)")
    check.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override a case value (repeatable)",
    )
    _add_unsafe_geo(check)
    _add_debug(check)
    verify = commands.add_parser(
        "verify",
        help="run the verification set and write a report",
        description="Solver against every analytic reference and convergence studies with "
        "observed orders; writes report.md and convergence.png to --out.",
    )
    verify.add_argument("--quick", action="store_true", help="small meshes (what CI runs)")
    verify.add_argument("--out", "-o", default="verification", help="report directory")
    _add_debug(verify)

    plot = commands.add_parser(
        "plot",
        help="render the pictures of a finished run",
        description="Render mole_fraction.png (and profiles.png) from "
        "a run directory written with [output] pictures = true.",
    )
    plot.add_argument("directory", help="the --out directory of a run")
    _add_debug(plot)

    info = commands.add_parser(
        "info",
        help="versions, MPI and PETSc packages",
        description="Show versions of emcd_fem and its foundation, "
        "the MPI library and ranks, and PETSc's external packages.",
    )
    info.add_argument("--json", action="store_true", help="print JSON")
    _add_debug(info)

    demo = commands.add_parser(
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
    _add_debug(demo)
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


def _sweep(args: argparse.Namespace) -> int:
    from emcd_fem.case import CaseError
    from emcd_fem.simulation import run_sweep

    sweeps = {}
    for item in args.sweeps:
        key, sep, values = item.partition("=")
        if not sep or not key.strip() or not values.strip():
            raise CaseError(
                [("--sweep", f"expected key.path=v1,v2,..., got {item!r}")], "--sweep option"
            )
        sweeps[key.strip()] = [v.strip() for v in values.split(",")]
    rows = run_sweep(
        args.case,
        args.out,
        sweeps,
        args.overrides,
        allow_unsafe_geo=getattr(args, "allow_unsafe_geo", False),
    )
    _say(f"emcd run: sweep of {len(rows)} point(s) done; table {Path(args.out) / 'sweep.csv'}")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from emcd_fem.simulation import run_case

    if getattr(args, "sweeps", None):
        return _sweep(args)

    result = run_case(
        args.case,
        args.out,
        args.overrides,
        allow_unsafe_geo=getattr(args, "allow_unsafe_geo", False),
    )
    summary = result.summary
    fluxes = ", ".join(f"{k}={v:.6g}" for k, v in summary["boundary_flux"].items())
    _say(
        f"emcd run: {args.case} solved on {summary['ranks']} rank(s), {summary['dofs']} DOFs; "
        f"boundary fluxes [{summary['units']['boundary_flux']}]: {fluxes}"
    )
    if summary.get("analytic"):
        _say(
            "  1D analytic reference: max relative error "
            f"{summary['analytic']['max_relative_error']:.2e}"
        )
    if summary.get("flux_split"):
        thermal = summary["thermal"]
        parts = ", ".join(
            f"{name}: {split['thermal']:.6g} of {summary['boundary_flux'][name]:.6g}"
            for name, split in summary["flux_split"].items()
            if summary["boundary_flux"][name] != 0
        )
        _say(
            f"  thermal diffusion ({summary['solver']['coupling']}, "
            f"{summary['solver']['iterations']} Newton iterations): T in "
            f"[{thermal['t_min']:.2f}, {thermal['t_max']:.2f}] K; thermal part of the flux "
            f"{parts}"
        )
    for warning in summary["warnings"]:
        _say(f"  warning: {warning}")
    _say(f"  results in {result.output_dir}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from emcd_fem.case import load_case
    from emcd_fem.mesh_check import check_case_mesh
    from emcd_fem.simulation import check_case

    case = load_case(args.case, args.overrides)
    report = check_case(case)
    mesh = check_case_mesh(case, allow_unsafe_geo=args.allow_unsafe_geo)
    if mesh is not None:
        report["mesh"] = mesh
    _say(f"emcd check: {args.case} is valid and admissible; {json.dumps(report)}")
    for warning in (mesh or {}).get("warnings", []):
        _say(f"  warning: {warning}", error=True)
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from emcd_fem.verification import run_verification, write_report

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
    from emcd_fem.plotting import render_run

    if MPI.COMM_WORLD.rank == 0:
        for path in render_run(args.directory):
            _say(f"emcd plot: wrote {path}")
    return EXIT_OK


def _info(args: argparse.Namespace) -> int:
    from emcd_fem.info import installation_info

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
    return Path(__file__).resolve().parents[1] / "demos"


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
        args.out = args.out or str(Path("results") / args.name)
        return _run(args)
    import os
    import runpy

    if args.fast:
        os.environ["EMCD_DEMO_FAST"] = "1"
    runpy.run_path(str(path), run_name="__main__")
    return EXIT_OK


_ERRORS = (
    (AdmissibilityError, EXIT_INADMISSIBLE, "inadmissible"),
    (EmcdInputError, EXIT_INVALID, "invalid case"),
    (EmcdSolverError, EXIT_SOLVER, "solver failure"),
    (OSError, EXIT_OUTPUT, "output error"),
    (Exception, EXIT_INTERNAL, "internal error"),
)


def _configure_logging(verbose: bool, quiet: bool) -> None:
    """emcd_fem's log on stderr from rank 0 only: INFO with -v, ERROR with -q."""
    import logging

    logger = logging.getLogger("emcd_fem")
    logger.handlers.clear()
    logger.propagate = False
    if MPI.COMM_WORLD.rank == 0:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("emcd: %(levelname)s: %(message)s"))
        logger.addHandler(handler)
    else:
        logger.addHandler(logging.NullHandler())
    logger.setLevel(logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``emcd`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    _configure_logging(args.verbose, args.quiet)
    progress.set_mode("never" if args.quiet else args.progress)
    handlers = {
        "run": _run,
        "check": _check,
        "info": _info,
        "demo": _demo,
        "plot": _plot,
        "verify": _verify,
    }
    try:
        return handlers[args.command](args)
    except Exception as exc:  # every error becomes one message and an exit code
        error = exc
    # most specific first: AdmissibilityError is an EmcdInputError
    code, label = next((code, label) for kind, code, label in _ERRORS if isinstance(error, kind))
    if args.debug:
        if MPI.COMM_WORLD.rank == 0:
            traceback.print_exception(error)
    _say(f"emcd {args.command}: {label}: {error}", error=True)
    if code == EXIT_INTERNAL and not args.debug:
        _say("  (run with --debug for the traceback)", error=True)
    return code


def entry_point() -> None:
    """Console-script wrapper.

    PETSc objects are destroyed collectively: collect garbage on every rank at the same
    point before exit, so ranks that did extra work (pictures on rank 0) do not destroy
    them in a different order at interpreter shutdown and hang.
    """
    import gc

    code = main()
    gc.collect()
    MPI.COMM_WORLD.Barrier()
    sys.exit(code)
