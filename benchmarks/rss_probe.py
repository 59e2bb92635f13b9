"""Resident memory at phase boundaries of one benchmark run (VmRSS and VmHWM, Linux).

Wraps the functions where the memory changes (the model set-up, the assembly, the linear
solve and its judgement, and for ``emcd run`` the pipeline's steps) and prints one line per
entry (``>``) and exit (``<``) with the resident memory and its high-water mark [MiB]; a
20 ms sampler thread adds a time series to the JSON file (it only runs when the main thread
releases the GIL: DOLFINx's mesh creation and PETSc's solve do not, so VmHWM is the number
to read). ``PROBE_OUT`` names the JSON file (default ``rss_probe_<variant>.json``).

Usage::

    python benchmarks/rss_probe.py raw n=100 petsc='{...}'   # the script (no markers)
    python benchmarks/rss_probe.py api n=100 petsc='{...}'
    python benchmarks/rss_probe.py cli run CASE.toml -o OUT -q
"""

import atexit
import json
import os
import runpy
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
T0 = time.perf_counter()
samples: list = []
marks: list = []


def rss() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process [MiB]."""
    with open("/proc/self/status") as f:
        d = {line.split(":")[0]: int(line.split()[1]) for line in f if line.startswith("Vm")}
    return d["VmRSS"] / 1024, d["VmHWM"] / 1024


def sampler() -> None:
    """Append (time, VmRSS) every 20 ms."""
    while True:
        samples.append((time.perf_counter() - T0, rss()[0]))
        time.sleep(0.02)


def mark(name: str) -> None:
    """Record (time, name, VmRSS, VmHWM)."""
    marks.append((time.perf_counter() - T0, name, *rss()))


def wrap(owner, attr: str, label: str) -> None:
    """Mark entry and exit of ``owner.attr``."""
    original = getattr(owner, attr)

    def wrapper(*a, **k):
        mark(label + ">")
        try:
            return original(*a, **k)
        finally:
            mark(label + "<")

    setattr(owner, attr, wrapper)


def dump(variant: str) -> None:
    """Print the marks to stderr and write samples and marks as JSON."""
    mark("exit")
    out = os.environ.get("PROBE_OUT", f"rss_probe_{variant}.json")
    Path(out).write_text(json.dumps({"samples": samples, "marks": marks}))
    for t, name, now, high in marks:
        print(f"MARK {t:8.2f} {name:<30} rss {now:7.1f} hwm {high:7.1f}", file=sys.stderr)


def main() -> None:
    """Run the variant named by the first argument with the markers in place."""
    variant = sys.argv[1]
    sys.argv = sys.argv[1:]
    threading.Thread(target=sampler, daemon=True).start()
    atexit.register(dump, variant)
    sys.path.insert(0, str(HERE))
    import common

    common.early_import()
    if variant in ("api", "cli"):
        import emcd_fem.models.transport as transport
        import emcd_fem.solvers.linear as linear

        wrap(linear.ScaledLinearProblem, "assemble", "assemble")
        wrap(transport, "solve_linear", "solve_linear")
        wrap(linear, "_judge", "judge")
        wrap(transport.SpeciesTransportModel, "__init__", "model_init")
        wrap(transport.SpeciesTransportModel, "solve", "model_solve")
    if variant == "cli":
        import emcd_fem.pipeline.model_run as model_run
        import emcd_fem.pipeline.run as run

        for name in ("build_model", "timed_solve", "flux_space", "interpolate_expression"):
            wrap(model_run, name, name)
        for name in ("reference_tolerance", "write_outputs"):
            wrap(model_run, name, name)
        for name in ("build_domain", "run_model"):
            wrap(run, name, name)
        from emcd_fem.cli import main as cli_main

        try:
            cli_main()
        except SystemExit:
            pass
    else:
        runpy.run_path(str(HERE / f"slab_{variant}.py"), run_name="__main__")


if __name__ == "__main__":
    main()
