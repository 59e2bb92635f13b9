"""The built-in verification set behind ``emcd verify``.

Every analytic reference in :mod:`emcd_fem.analytic` against the solver, and convergence
studies with observed orders; ``quick`` keeps the meshes small (what CI runs), the full set
refines further. Each check returns a :class:`Check`; :func:`write_report` writes a
Markdown report with convergence plots.
"""

from collections.abc import Callable
from pathlib import Path

from mpi4py import MPI

from emcd_fem.studies.verification_checks import (
    check_effective,
    check_interfaces,
    check_mms,
    check_shells,
    check_slabs,
)
from emcd_fem.studies.verification_dusty_gas import check_dusty_gas
from emcd_fem.studies.verification_physics import check_porous, check_thermal
from emcd_fem.studies.verification_reactions import check_reactions
from emcd_fem.studies.verification_record import Check
from emcd_fem.studies.verification_transient import check_transient
from emcd_fem.studies.verification_validity import check_validity

CHECKS: dict[str, Callable] = {
    "slabs": lambda comm, quick: check_slabs(comm),
    "manufactured": check_mms,
    "shells": check_shells,
    "interfaces": lambda comm, quick: check_interfaces(comm),
    "effective": lambda comm, quick: check_effective(comm),
    "porous": lambda comm, quick: check_porous(comm),
    "thermal": check_thermal,
    "reactions": check_reactions,
    "transient_slab": check_transient,
    "emcd_validity": check_validity,
    "dusty_gas": check_dusty_gas,
}


def run_verification(quick: bool = True, comm: MPI.Comm = MPI.COMM_WORLD) -> list[Check]:
    """All checks (collective)."""
    from emcd_fem import progress

    checks = []
    with progress.bar(desc="verify", total=len(CHECKS), unit="group", comm=comm) as groups:
        for name, run in CHECKS.items():
            groups.set_postfix_str(name)
            checks += run(comm, quick)
            groups.update(1)
    return checks


def write_report(checks: list[Check], directory: str | Path, *, quick: bool) -> Path:
    """``report.md`` with a pass/fail table and ``convergence.png`` (call on rank 0)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    studies = [c for c in checks if c.series]
    fig, ax = plt.subplots(figsize=(6.4, 4.6), dpi=150)
    for check in studies:
        for key, (sizes, errors) in check.series.items():
            ax.loglog(
                sizes,
                errors,
                "o-",
                label=f"{check.name}: {key} (order {check.orders.get(key, float('nan')):.2f})",
            )
    ax.set_xlabel("mesh size h [m]")
    ax.set_ylabel("error")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    fig.savefig(directory / "convergence.png")
    plt.close(fig)
    lines = [
        f"# emcd_fem verification ({'quick' if quick else 'full'})",
        "",
        f"{sum(c.passed for c in checks)} of {len(checks)} checks passed.",
        "",
        "| check | reference | error | tolerance | observed orders (expected) | result |",
        "|---|---|---|---|---|---|",
    ]
    for c in checks:
        orders = ", ".join(
            f"{k} {v:.2f} ({c.expected_orders.get(k, float('nan')):g})" for k, v in c.orders.items()
        )
        lines.append(
            f"| {c.name} | {c.reference} | {c.error:.2e} | {c.tolerance:.0e} | "
            f"{orders} | {'pass' if c.passed else '**FAIL**'} |"
        )
    lines += ["", "![convergence](convergence.png)", ""]
    path = directory / "report.md"
    path.write_text("\n".join(lines))
    return path
