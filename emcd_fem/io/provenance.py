"""What makes summary.json self-describing: schema version, provenance, units.

Rank-0 work only where it touches the file system or subprocesses (the git commit); the
results are plain data for summary.json.
"""

import datetime
import hashlib
import json
import subprocess
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

#: Version of the layout of summary.json. Bump it when a key changes meaning or moves.
SCHEMA_VERSION = "2"

#: Units of the fields in the field files, by function name.
FIELD_UNITS = {
    "mole_fraction_A": "1",
    "molar_flux_A": "mol/(m^2 s)",
    "mass_average_velocity": "m/s",
    "temperature": "K",
    "thermal_fraction": "1",
    "potential": "1",
    "emcd_deviation": "1",
    "dusty_gas_pressure_rise": "Pa",
    "region": "index into region_names",
}


@cache
def git_commit() -> str | None:
    """The commit of the emcd_fem source tree when it is a git checkout, else None."""
    root = Path(__file__).resolve().parents[2]  # the directory holding emcd_fem/
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    if done.returncode != 0 or not commit:
        return None
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    )
    return commit + ("-dirty" if dirty.stdout.strip() else "")


def case_source(source: Any) -> dict[str, Any]:
    """Path (when a file) and SHA-256 of the case as given (file bytes or canonical JSON)."""
    if isinstance(source, str | Path):
        path = Path(source).expanduser().resolve()
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = None
        return {"path": str(path), "sha256": digest, "hashed": "file bytes"}
    if hasattr(source, "model_dump"):
        source = source.model_dump(mode="json")
    text = json.dumps(source, sort_keys=True, default=str)
    return {
        "path": None,
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "hashed": "canonical JSON of the case data",
    }


def provenance(
    source: Any, overrides: list[str], ranks: int, started: datetime.datetime
) -> dict[str, Any]:
    """Schema version, command line, case path and hash, start time and rank count."""
    return {
        "schema_version": SCHEMA_VERSION,
        "command_line": list(sys.argv),
        "case_source": case_source(source) | {"overrides": list(overrides)},
        "started_utc": started.isoformat(timespec="seconds"),
        "ranks": ranks,
        "git_commit": git_commit(),
    }


def now() -> datetime.datetime:
    """The current time in UTC."""
    return datetime.datetime.now(datetime.UTC)


def summary_units(summary: Mapping[str, Any], tdim: int) -> dict[str, str]:
    """Units of every quantity in a summary ("1" for dimensionless, "count" for counts)."""
    flux = ["mol/(m^2 s)", "mol/(m s)", "mol/s"][tdim - 1]
    measure = ["m", "m^2", "m^3"][tdim - 1]
    facet = ["1", "m", "m^2"][tdim - 1]
    units = {
        "boundary_flux": flux,
        "film_flux": flux,
        "sign": "outward positive: q = integral of N_A . n over the boundary",
        "x_min": "1",
        "x_max": "1",
        "balance": "1 (relative imbalance of the boundary fluxes)",
        "dofs": "count",
        "cells": "count",
        "ranks": "count",
        "degree": "polynomial degree of x_A",
        "timings": "s",
        "duration": "s",
        "mesh.region_measures": measure,
        "mesh.boundary_measures": facet,
        "mesh.interface_measures": facet,
        "mesh.quality_min": "1 (mean-ratio, 1 = equilateral)",
        "mesh.quality_mean": "1",
        "analytic.flux_per_area": "mol/(m^2 s)",
        "analytic.cross_section": facet,
        "analytic.rate": "mol/s (mol/(m s) per unit depth for the 2D annulus)",
        "analytic.boundary_flux": flux,
        "analytic.relative_error": "1",
        "analytic.max_relative_error": "1",
        "analytic.network_flux": "mol/(m^2 s) (slab) or mol/s (shells)",
        "solver.residual_norm": "norm of the algebraic residual (PETSc units)",
        "effective.D_eff": "m^2/s",
        "materials.*.D": "m^2/s",
        "materials.*.c": "mol/m^3",
        "thermal.t_min": "K",
        "thermal.t_max": "K",
        "flux_split": flux,
        "fields": "see fields.<name>.units",
    }
    return {k: v for k, v in units.items() if k.split(".")[0] in summary or k == "sign"}


__all__ = [
    "FIELD_UNITS",
    "SCHEMA_VERSION",
    "case_source",
    "git_commit",
    "now",
    "provenance",
    "summary_units",
]
