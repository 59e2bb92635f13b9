"""One function per ``emcd`` subcommand (run, check, schema, verify, plot, info, demo)."""

import argparse
import difflib
import json
import os
from pathlib import Path

from mpi4py import MPI

from emcd_fem.cli.console import result as _result
from emcd_fem.cli.console import say as _say
from emcd_fem.cli.exit_codes import EXIT_INTERRUPTED, EXIT_OK, EXIT_VERIFY_FAILED
from emcd_fem.cli.logs import logger
from emcd_fem.errors import EmcdInputError, UnknownNameError


def _sweep(args: argparse.Namespace) -> int:
    from emcd_fem.case import CaseError
    from emcd_fem.pipeline.run import run_sweep

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
    from emcd_fem.interrupts import signals_as_exceptions

    # one scope around the run and its report: a signal after the results were committed
    # says where they are (a warning) and keeps the run's exit code
    with signals_as_exceptions(MPI.COMM_WORLD):
        return _sweep(args) if getattr(args, "sweeps", None) else _run_one(args)


def _run_one(args: argparse.Namespace) -> int:
    from emcd_fem.pipeline.run import run_case

    source, out = args.case, args.out
    resume = getattr(args, "resume", None)
    if resume is not None:
        from emcd_fem.cli.resume import resume_source

        if out is not None and Path(out).resolve() != Path(resume).resolve():
            raise EmcdInputError("--resume DIR writes into DIR: leave out --out")
        source, out = resume_source(resume, args.case, tuple(args.overrides)), resume
    elif args.case is None or out is None:
        raise EmcdInputError("emcd run needs a case file and --out DIR (or --resume DIR)")
    result = run_case(
        source,
        out,
        [] if resume is not None else args.overrides,
        force=getattr(args, "force", False),
        allow_unsafe_petsc_options=args.allow_unsafe_petsc_options,
        allow_unsafe_geo=getattr(args, "allow_unsafe_geo", False),
    )
    summary = result.summary
    fluxes = ", ".join(
        f"{k}={v:.6g}"
        if not isinstance(v, dict)  # n species: species → boundary → q
        else f"{k}: {{{', '.join(f'{b}={q:.6g}' for b, q in v.items())}}}"
        for k, v in summary["boundary_flux"].items()
    )
    _result(
        args,
        f"emcd run: {args.case or resume} solved on {summary['ranks']} rank(s), "
        f"{summary['dofs']} DOFs; "
        f"boundary fluxes [{summary['units']['boundary_flux']}]: {fluxes}",
    )
    if summary.get("analytic"):
        reference = summary["analytic"]
        per_area = reference.get("flux_per_area")
        exact = (  # n species: the exact film's flux of every species
            "; exact flux per area [mol/(m^2 s)]: "
            + ", ".join(f"{s}={n:.6g}" for s, n in per_area.items())
            if isinstance(per_area, dict)
            else ""
        )
        _result(
            args,
            f"  1D analytic reference: max relative error {reference['max_relative_error']:.2e}"
            + exact,
        )
    if summary.get("equimolar"):
        _result(args, f"  equimolar: {summary['equimolar']}")
    if isinstance(summary.get("pressure"), dict) and "difference" in summary["pressure"]:
        low, high = summary["pressure"]["range"]
        drops = ", ".join(f"{k} = {v:.6g} Pa" for k, v in summary["pressure"]["difference"].items())
        shares = ", ".join(f"{b}={v:.3g}" for b, v in summary.get("viscous_share", {}).items())
        _result(
            args,
            f"  pressure in [{low:.6g}, {high:.6g}] Pa; {drops}; viscous share: {shares}",
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
    if summary.get("validity"):  # [analysis] emcd_validity
        validity = summary["validity"]
        _result(args, f"  is EMCD valid here? {validity['verdict']} ({validity.get('model')})")
    _result(args, f"  results in {result.output_dir}")
    transient = summary.get("transient")
    if transient is not None:
        _result(
            args,
            f"  transient ({transient['scheme']}): {transient['steps']} steps to t = "
            f"{transient['t_final']:.6g} s, ended by {transient['reason']}",
        )
        if transient["reason"] == "interrupted":
            logger.warning(
                "interrupted: checkpoint written; continue with `emcd run --resume %s`",
                result.output_dir,
            )
            return EXIT_INTERRUPTED
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from emcd_fem.agreement import checkpoint
    from emcd_fem.case.mesh_check import check_case_mesh
    from emcd_fem.pipeline.run import check_case, load_case_collective

    case = load_case_collective(
        args.case, args.overrides, allow_unsafe_petsc_options=args.allow_unsafe_petsc_options
    )
    report = check_case(case)  # every rank: the same data give the same verdict
    checkpoint(MPI.COMM_WORLD, "mesh check")
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
        _result(args, f"  {key}: {json.dumps(value, ensure_ascii=False)}")
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
        close = difflib.get_close_matches(args.name, list(demos), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownNameError(
            f"unknown demo {args.name!r}; the demos are: {', '.join(demos)} (`emcd demo` "
            f"lists them with their titles).{hint}"
        )
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


HANDLERS = {
    "run": _run,
    "check": _check,
    "schema": _schema,
    "info": _info,
    "demo": _demo,
    "plot": _plot,
    "verify": _verify,
}
