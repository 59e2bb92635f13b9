"""Case checks of the ``[time]`` section (all problems at once, with key paths)."""

import math
from pathlib import Path

from emcd_fem.case.boundaries import FluxBC, MassTransferBC, MoleFractionBC
from emcd_fem.case.check_tools import suggest as _suggest
from emcd_fem.case.schema import Case
from emcd_fem.case.time import InitialFrom
from emcd_fem.errors import EmcdInputError


def time_problems(case: Case) -> list[tuple[str, str]]:
    """Problems of ``[time]``: ranges, tolerances, output times, data, combinations."""
    time = case.time
    if time is None:
        return []
    problems = []
    span = time.t_end - time.t_start
    if not time.dt > 0:
        problems.append(("time.dt", f"must be > 0 s, got {time.dt:g}"))
    if not span > 0:
        problems.append(
            ("time.t_end", f"must exceed time.t_start = {time.t_start:g} s, got {time.t_end:g}")
        )
    elif time.dt > span:
        problems.append(("time.dt", f"{time.dt:g} s exceeds t_end − t_start = {span:g} s"))
    for key in ("rtol", "atol", "steady_tolerance"):
        if not getattr(time, key) > 0:
            problems.append((f"time.{key}", f"must be > 0, got {getattr(time, key):g}"))
    for key in ("dt_min", "dt_max", "checkpoint_seconds"):
        value = getattr(time, key)
        if value is not None and not value > 0:
            problems.append((f"time.{key}", f"must be > 0 s, got {value:g}"))
    if time.dt_min is not None and time.dt_max is not None and time.dt_min > time.dt_max:
        problems.append(
            ("time.dt_min", f"{time.dt_min:g} s exceeds time.dt_max = {time.dt_max:g} s")
        )
    if time.checkpoint_every < 0:
        problems.append(("time.checkpoint_every", "must be ≥ 0 steps (0: only at the end)"))
    for i, t in enumerate(time.output_times):
        if not time.t_start <= t <= time.t_end:
            problems.append(
                (
                    f"time.output_times[{i}]",
                    f"{t:g} s lies outside [t_start, t_end] = [{time.t_start:g}, {time.t_end:g}] s",
                )
            )
    if not time.adaptive and time.scheme == "bdf2" and time.dt > 0:
        for i, t in enumerate(time.output_times):
            k = (t - time.t_start) / time.dt
            if abs(k - round(k)) > 1e-9 * max(1.0, abs(k)):
                problems.append(
                    (
                        f"time.output_times[{i}]",
                        f"{t:g} s is not on the step grid t_start + k·dt (dt = {time.dt:g} s): "
                        "a short step to land there followed by a full one can push BDF2's "
                        "step ratio beyond its stability limit 1 + √2; use adaptive = true "
                        "or an output time on the grid",
                    )
                )
    if not time.adaptive and (time.dt_min is not None or time.dt_max is not None):
        key = "time.dt_min" if time.dt_min is not None else "time.dt_max"
        problems.append((key, "only used with adaptive = true (fixed steps use dt)"))
    problems += _data_problems(case)
    if case.thermal is not None and case.thermal.coupling == "monolithic":
        problems.append(
            (
                "thermal.coupling",
                "a transient run takes T from a steady solve first (T does not depend on "
                "x_A); use coupling = 'staggered'",
            )
        )
    if case.physics.flux_model == "stefan":
        problems.append(
            (
                "physics.flux_model",
                "'stefan' (the 1D Stefan-flow film) has no transient model: remove [time] "
                "for its steady solve, or use flux_model = 'emcd' for a transient run",
            )
        )
    closed = not any(
        isinstance(bc, MoleFractionBC | MassTransferBC) for bc in case.boundaries.values()
    )
    binary = case.multicomponent is None  # [multicomponent] checks its own stop
    if binary and closed and time.stop_at_steady_state and not case.reactions:
        # a closed run's inventory follows d/dt ∫c x_A dx = inflow + ∫R dx: without
        # reactions a net inflow fills it for ever while the change rate falls like 1/t,
        # which the steady-state test cannot tell from a steady state
        problems.append(
            (
                "time.stop_at_steady_state",
                "every boundary prescribes a flux (a closed run) and there are no "
                "[[reactions]]: a net inflow never reaches a steady state, yet its change "
                "rate falls like 1/t and would pass the steady-state test; run to t_end "
                "(remove stop_at_steady_state) or give a mole_fraction or mass_transfer "
                "boundary",
            )
        )
    if case.physics.inventory_mole_fraction is not None:
        problems.append(
            (
                "physics.inventory_mole_fraction",
                "a steady flux-only constraint; a transient run gets its inventory from "
                "time.initial — remove the key",
            )
        )
    return problems


def _data_problems(case: Case) -> list[tuple[str, str]]:
    time, problems = case.time, []
    for name, text in time.boundary_values.items():
        key = f"time.boundary_values.{name}"
        spec = case.boundaries.get(name)
        if spec is None:
            problems.append(
                (
                    key,
                    f"no boundary {name!r} in [boundaries]; "
                    + _suggest(name, list(case.boundaries)),
                )
            )
            continue
        if not isinstance(spec, MoleFractionBC | FluxBC):
            problems.append((key, "only mole_fraction and flux boundaries take a value in time"))
            continue
        problems += _expression_problems(key, text, time.t_start, time.t_end, spec)
    if time.boundary_values and time.stop_at_steady_state:
        problems.append(
            (
                "time.stop_at_steady_state",
                "boundary data that change in time have no steady state to stop at; "
                "remove time.boundary_values or stop_at_steady_state",
            )
        )
    initial = time.initial
    if isinstance(initial, float | int) and not 0.0 <= initial <= 1.0:
        problems.append(("time.initial", f"{initial:g} is not a mole fraction in [0, 1]"))
    elif isinstance(initial, str):
        from emcd_fem.expressions import check_expression

        try:
            check_expression(initial, getattr(case.geometry, "dim", None) or 3)
        except EmcdInputError as exc:
            problems.append(("time.initial", str(exc)))
    elif isinstance(initial, InitialFrom):
        problems += initial_from_problems(case)
    return problems


def initial_from_problems(case: Case) -> list[tuple[str, str]]:
    """Problems of ``[time] initial = {from = DIR}`` (``emcd check`` and ``emcd run`` alike).

    DIR must be a transient run's result directory: its ``checkpoint.npz`` holds the state
    to start from (a steady run writes none), of the same geometry kind and dimension and
    the same element degree (the DOFs are matched by their coordinates when it is read).
    """
    from emcd_fem.io.checkpoint import CHECKPOINT, read_header

    key, directory = "time.initial.from", Path(case.time.initial.from_)
    if not directory.is_dir():
        return [(key, f"no result directory {str(directory)!r}")]
    if not (directory / CHECKPOINT).is_file():
        steady = (directory / "summary.json").is_file()
        what = "a steady run's result (no " if steady else "not a transient run's result (no "
        return [
            (
                key,
                f"{str(directory)!r} is {what}{CHECKPOINT}): only transient runs ([time]) "
                "write the state a run can start from. To start from a steady state, run "
                "this case with [time] stop_at_steady_state = true first, then start from "
                "that run's directory",
            )
        ]
    try:
        stored = read_header(directory / CHECKPOINT).get("case", {})
    except EmcdInputError as exc:
        return [(key, str(exc))]
    g, g_stored = case.geometry, stored.get("geometry", {})
    ours = {"kind": g.kind, "dim": getattr(g, "dim", None)}
    ours["degree"] = case.discretisation.degree
    theirs = {k: g_stored.get(k) for k in ("kind", "dim")}
    theirs["degree"] = stored.get("discretisation", {}).get("degree", ours["degree"])
    differ = [
        f"{k} {theirs[k]!r} there, {ours[k]!r} here"
        for k in ours
        if None not in (ours[k], theirs[k]) and ours[k] != theirs[k]
    ]
    if differ:
        return [
            (
                key,
                f"the run in {str(directory)!r} has another geometry or discretisation "
                f"({'; '.join(differ)}): start from a run of this geometry and degree",
            )
        ]
    return []


def _expression_problems(key, text, t_start, t_end, spec) -> list[tuple[str, str]]:
    from emcd_fem.expressions import evaluate_in_time

    try:
        values = [
            evaluate_in_time(text, t_start + f * (t_end - t_start))
            for f in (0.0, 0.25, 0.5, 0.75, 1.0)
        ]
    except EmcdInputError as exc:
        return [(key, str(exc))]
    if isinstance(spec, MoleFractionBC) and not all(0.0 <= v <= 1.0 for v in values):
        return [(key, f"a mole fraction must stay in [0, 1]; values {values} at t_start..t_end")]
    if not all(math.isfinite(v) for v in values):
        return [(key, "not finite over [t_start, t_end]")]
    return []


__all__ = ["time_problems"]
