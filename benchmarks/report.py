"""Summarise benchmark JSON lines (run.py's output) as Markdown tables.

Per configuration and variant: counted runs, wall time min/median [s], median phases [s],
peak memory (largest process; sum over ranks when the script reports it) [MiB], kB/DOF,
iterations, flux error, output size, load average range. Ratios are medians of the
per-round ratios (A and B of the same round ran back to back: drift cancels).

Usage: ``python benchmarks/report.py results.jsonl [...]``.
"""

import json
import statistics
import sys
from collections import defaultdict

PHASES = ("import", "check", "mesh", "setup", "assembly", "solve", "post", "output")
#: Phases of the gmsh import path (gmsh_path.py).
MESH_PHASES = ("gmsh_cad", "gmsh_mesh", "extract", "create_mesh", "tags", "refine")
RATIOS = (("api", "raw"), ("cli", "raw"), ("festim", "api"), ("festim", "cli"))


def load(paths: list[str]) -> list[dict]:
    """Records of counted rounds (round >= 0) that succeeded."""
    records = []
    for path in paths:
        with open(path) as f:
            records += [json.loads(line) for line in f if line.strip()]
    return [r for r in records if r.get("round", 0) >= 0 and r.get("returncode") == 0]


def fmt(value, spec: str = ".3g") -> str:
    """A number, or a dash."""
    return "–" if value is None else format(value, spec)


def table(records: list[dict]) -> str:
    """The Markdown tables of the records."""
    groups = defaultdict(list)
    for r in records:
        groups[(r["problem"], r["size"], r["ranks"], r["variant"])].append(r)
    lines = [
        "| problem | size | ranks | variant | DOFs | runs | wall min / median [s] | "
        + " | ".join(PHASES)
        + " | peak MiB (max rank / sum) | kB/DOF | its | flux error | output MB | load |",
        "|" + "---|" * (13 + len(PHASES)),
    ]
    for key in sorted(groups):
        runs = groups[key]
        walls = [r["wall"] for r in runs]
        phases = [
            fmt(statistics.median([r["phases"].get(p, 0.0) for r in runs]), ".2f")
            if any(p in r.get("phases", {}) for r in runs)
            else "–"
            for p in PHASES
        ]
        peak = statistics.median([r["peak_rss_mib"] for r in runs])
        total = statistics.median([r.get("rss_sum_mib", r["peak_rss_mib"]) for r in runs])
        dofs = runs[0].get("dofs")
        per_dof = total * 1024 * 1024 / 1000 / dofs if dofs else None
        errors = [r["flux_error"] for r in runs if r.get("flux_error") is not None]
        out = [r["output_bytes"] / 1e6 for r in runs if r.get("output_bytes")]
        loads = [r["load_before"][0] for r in runs]
        lines.append(
            f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {fmt(dofs, 'd')} | {len(runs)} | "
            f"{min(walls):.2f} / {statistics.median(walls):.2f} | "
            + " | ".join(phases)
            + f" | {peak:.0f} / {total:.0f} | {fmt(per_dof, '.2f')} | "
            f"{fmt(statistics.median([r.get('iterations') or 0 for r in runs]), '.0f')} | "
            f"{fmt(max(errors) if errors else None, '.1e')} | "
            f"{fmt(statistics.median(out) if out else None, '.0f')} | "
            f"{min(loads):.1f}–{max(loads):.1f} |"
        )
    ratio_lines = [
        "",
        "| problem | size | ranks | " + " | ".join(f"{a} / {b}" for a, b in RATIOS) + " |",
        "|" + "---|" * (3 + len(RATIOS)),
    ]
    configs = sorted({k[:3] for k in groups})
    for config in configs:
        cells = []
        for a, b in RATIOS:
            by_round = defaultdict(dict)
            for r in records:
                if (r["problem"], r["size"], r["ranks"]) == config and r["variant"] in (a, b):
                    by_round[r["round"]][r["variant"]] = r["wall"]
            pairs = [v[a] / v[b] for v in by_round.values() if a in v and b in v]
            cells.append(
                f"{statistics.median(pairs):.2f} ({min(pairs):.2f}–{max(pairs):.2f})"
                if pairs
                else "–"
            )
        ratio_lines.append(
            f"| {config[0]} | {config[1]} | {config[2]} | " + " | ".join(cells) + " |"
        )
    speedup = [
        "",
        "| problem | size | variant | wall 1 rank / 2 ranks (medians) |",
        "|---|---|---|---|",
    ]
    for (problem, size, ranks, variant), runs in sorted(groups.items()):
        other = groups.get((problem, size, 2, variant)) if ranks == 1 else None
        if other:
            one = statistics.median([r["wall"] for r in runs])
            two = statistics.median([r["wall"] for r in other])
            speedup.append(f"| {problem} | {size} | {variant} | {one / two:.2f} |")
    return "\n".join(lines + ratio_lines + (speedup if len(speedup) > 3 else []))


def mesh_table(records: list[dict]) -> str:
    """The gmsh import path runs: median phases [s] per size and ranks."""
    groups = defaultdict(list)
    for r in records:
        if r["variant"] == "mesh":
            groups[(r["size"], r["ranks"])].append(r)
    if not groups:
        return ""
    lines = [
        "",
        "| sphere array | ranks | vertices | cells | runs | wall median [s] | "
        + " | ".join(MESH_PHASES)
        + " | peak MiB (max rank / sum) | load |",
        "|" + "---|" * (8 + len(MESH_PHASES)),
    ]
    for (size, ranks), runs in sorted(groups.items()):
        med = [statistics.median([r["phases"].get(p, 0.0) for r in runs]) for p in MESH_PHASES]
        loads = [r["load_before"][0] for r in runs]
        lines.append(
            f"| {size} | {ranks} | {runs[0].get('dofs')} | {runs[0].get('cells')} | {len(runs)} | "
            f"{statistics.median([r['wall'] for r in runs]):.2f} | "
            + " | ".join(f"{m:.2f}" for m in med)
            + f" | {statistics.median([r['peak_rss_mib'] for r in runs]):.0f} / "
            f"{statistics.median([r.get('rss_sum_mib', 0) for r in runs]):.0f} | "
            f"{min(loads):.1f}–{max(loads):.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Print the tables of the given JSON-lines files."""
    records = load(sys.argv[1:] if argv is None else argv)
    print(table([r for r in records if r["variant"] != "mesh"]))
    print(mesh_table(records))


if __name__ == "__main__":
    main()
