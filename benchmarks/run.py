"""Interleaved benchmark runs: every variant of a configuration in turn, round after round.

For each configuration (problem, size, ranks) the variants run A B C D A B C D ... for
``--rounds`` counted rounds (after ``--warmup`` uncounted ones: JIT caches, file caches),
each as its own process, so the machine's drift hits every variant alike. Per run:
wall time of the whole process, peak memory (largest process, from ``wait4``; the scripts
add the sum over ranks), the load average just before it, and the phases, iterations and
flux error the run reports. Results are appended as JSON lines to ``--out`` and
summarised (min/median, and median of the per-round ratios) by ``report.py``.

Variants: ``cli`` (``emcd run`` on a case file, default outputs, phases from its
summary.json), ``api`` (slab_api.py), ``raw`` (slab_raw.py, hand-written DOLFINx),
``festim`` (slab_festim.py; skipped with a note when FESTIM is not installed), ``mesh``
(gmsh_path.py: the sphere array's gmsh import path alone, phase by phase).

Usage::

    python benchmarks/run.py --quick                      # make bench: small sizes, ~2 min
    python benchmarks/run.py --problem slab --size 1M --ranks 1 2 --rounds 3
    python benchmarks/run.py --problem spheres --size 1M --ranks 2 --variants cli
"""

import argparse
import compileall
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import cases  # noqa: E402
import common  # noqa: E402

PYTHON = sys.executable
MPIEXEC = shutil.which("mpiexec", path=str(Path(PYTHON).parent)) or "mpiexec"
FESTIM = Path(os.environ.get("FESTIM_TARGET", HERE / ".festim"))
SCRATCH = HERE / "scratch"

#: Sphere-array cell sizes [m] (and refinements) per nominal size, measured: ~DOFs.
SPHERE_SIZES = {
    "quick": (0.06e-3, 0),
    "1M": (9.3e-6, 0),
    "1M-refine": (18e-6, 1),
}
#: Soret cells per layer along x per nominal size (two P1 fields).
SORET_CELLS = {"quick": 8, "300k": 48}


def petsc_options() -> dict:
    """The options the API ends up with for CG + GAMG (used by every code).

    The library's own ``ksp_rtol`` (``emcd_fem.solvers.defaults.KSP_RTOL``, 1e-12), not a
    looser one: at 1e-10 the API's solve judgement (true residual ≤ 1e-9 of the flux
    scale) refuses the first solve and iterates on (10 + 2 iterations) while the script
    stops at 10 with a 100× larger flux error; at the library's rtol every code does the
    same iterations to the same accuracy (like with like).
    """
    code = (
        "from emcd_fem.solvers.linear import merge_petsc_options as m; import json; "
        "print(json.dumps(m(10**6, {'ksp_type': 'cg', 'pc_type': 'gamg'})))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([PYTHON, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def command(variant: str, problem: str, size: str, ranks: int, options: dict) -> tuple:
    """(argv, env, output directory or None) of one run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    out_dir = None
    if variant == "cli":
        if problem == "slab":
            text = cases.slab(common.SLAB_CELLS[size])
        elif problem == "spheres":
            text = cases.spheres(*SPHERE_SIZES[size])
        else:
            text = cases.soret(SORET_CELLS[size])
        SCRATCH.mkdir(exist_ok=True)
        case = SCRATCH / f"{problem}_{size}.toml"
        case.write_text(text)
        out_dir = SCRATCH / f"out_{problem}_{size}_{ranks}"
        shutil.rmtree(out_dir, ignore_errors=True)
        argv = [PYTHON, "-m", "emcd_fem.cli", "run", str(case), "-o", str(out_dir), "-q"]
    elif variant == "mesh":  # the gmsh import path alone, phase by phase
        size_m, refine = SPHERE_SIZES[size]
        argv = [PYTHON, str(HERE / "gmsh_path.py"), f"size={size_m!r}", f"refine={refine}"]
    else:
        script = HERE / f"slab_{variant}.py"
        argv = [PYTHON, str(script), f"n={common.SLAB_CELLS[size]}", f"petsc={json.dumps(options)}"]
        if variant == "festim":
            env["PYTHONPATH"] = os.pathsep.join([str(FESTIM), str(HERE / "stubs"), str(ROOT)])
    if ranks > 1:
        argv = [MPIEXEC, "-n", str(ranks), *argv]
    return argv, env, out_dir


def directory_bytes(path: Path) -> int:
    """Total size of the files under ``path`` [bytes]."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run_once(
    variant: str, problem: str, size: str, ranks: int, options: dict, cold: bool = False
) -> dict:
    """Run one process; return its record (wall, memory, load, phases, ...).

    ``cold``: an empty JIT cache of its own (``XDG_CACHE_HOME``), so every form the run
    needs is generated and compiled in it (FFCx + the C compiler), removed afterwards.
    """
    argv, env, out_dir = command(variant, problem, size, ranks, options)
    cache = Path(tempfile.mkdtemp(prefix="emcd-bench-jit-")) if cold else None
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    load = os.getloadavg()
    tic = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - tic
    proc.returncode = os.waitstatus_to_exitcode(status)
    if cache is not None:
        record_cache = {"cold_cache": True, "compiled_modules": len(list(cache.rglob("*.so")))}
        shutil.rmtree(cache, ignore_errors=True)
    stdout, stderr = proc.stdout.read().decode(), proc.stderr.read().decode()
    record = {
        "variant": variant,
        "problem": problem,
        "size": size,
        "ranks": ranks,
        "wall": wall,
        "peak_rss_mib": usage.ru_maxrss / 1024.0,  # largest process (a rank), KiB on Linux
        "cpu": usage.ru_utime + usage.ru_stime,
        "load_before": load,
        "load_after": os.getloadavg(),
        "returncode": proc.returncode,
        "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if cache is not None:
        record |= record_cache
    if proc.returncode != 0:
        record["error"] = (stderr or stdout)[-2000:]
        return record
    if variant == "cli":
        summary = json.loads((out_dir / "summary.json").read_text())
        timings = dict(summary["timings"])
        record["phases"] = {k: v for k, v in timings.items() if k != "total"}
        record["phases"]["import"] = wall - timings["total"]  # start-up, imports, case read
        record["dofs"] = summary.get("dofs")
        record["iterations"] = (summary.get("solver") or {}).get("iterations")
        record["output_bytes"] = directory_bytes(out_dir)
        flux = summary["boundary_flux"].get("right")
        record["flux"] = flux
        if problem == "slab":
            record["flux_error"] = abs(flux - common.exact_flux()) / common.exact_flux()
        record["balance"] = (summary.get("balance") or {}).get("relative")
        shutil.rmtree(out_dir, ignore_errors=True)
    else:
        line = next(x for x in stdout.splitlines() if x.startswith("BENCH "))
        record |= {k: v for k, v in json.loads(line[6:]).items() if k not in ("variant", "ranks")}
    return record


def festim_available() -> bool:
    """Whether FESTIM 2.1 is installed in ``FESTIM_TARGET``."""
    return (FESTIM / "festim" / "__init__.py").exists()


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and run the rounds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problem", default="slab", choices=["slab", "spheres", "soret"])
    parser.add_argument("--size", nargs="+", default=["30k"])
    parser.add_argument("--ranks", nargs="+", type=int, default=[1])
    parser.add_argument("--variants", nargs="+", default=None, help="default: all of the problem")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--out", type=Path, default=SCRATCH / "results.jsonl")
    parser.add_argument(
        "--quick", action="store_true", help="make bench: small sizes, 1 and 2 ranks"
    )
    parser.add_argument(
        "--cold-cache",
        action="store_true",
        help="every run with an empty JIT cache of its own (compile overhead)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.ranks, args.rounds = ["quick"], [1, 2], 3
    # emcd run; the slab also the API, the script and FESTIM; the sphere array its import path
    allowed = {"slab": ["cli", "api", "raw", "festim"], "spheres": ["cli", "mesh"]}
    allowed = allowed.get(args.problem, ["cli"])
    variants = [v for v in (args.variants or allowed) if v in allowed]
    if "festim" in variants and not festim_available():
        print(f"note: FESTIM not found in {FESTIM}: skipped (see benchmarks/README.md)")
        variants.remove("festim")
    # byte-compiled like an installed package (pip compiles on install): with
    # PYTHONDONTWRITEBYTECODE set and no __pycache__, every run would compile emcd_fem's
    # ~140 imported modules from source (0.16 s CPU measured), which the script never pays
    compileall.compile_dir(ROOT / "emcd_fem", quiet=1)
    options = petsc_options()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for size in args.size:
        for ranks in args.ranks:
            for r in range(args.warmup + args.rounds):
                for variant in variants:
                    record = run_once(variant, args.problem, size, ranks, options, args.cold_cache)
                    record["round"] = r - args.warmup  # < 0: warm-up, not counted
                    with args.out.open("a") as f:
                        f.write(json.dumps(record) + "\n")
                    status = (
                        "FAILED " + record.get("error", "")[-300:] if record["returncode"] else ""
                    )
                    print(
                        f"{args.problem} {size} {ranks}r round {record['round']:>2} {variant:<7}"
                        f" {record['wall']:7.2f} s {record['peak_rss_mib']:7.0f} MiB"
                        f" load {record['load_before'][0]:.2f} {status}",
                        flush=True,
                    )
    import report

    report.main([str(args.out)])


if __name__ == "__main__":
    main()
