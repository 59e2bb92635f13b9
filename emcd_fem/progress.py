"""Progress bars (tqdm) on rank 0: stages of a run, sweep points, Newton iterations, checks.

Off by default for library users; the ``emcd`` command turns them on (``--progress auto``:
only when stderr is a terminal, so logs and CI output stay clean; ``always``; ``never``;
``-q`` implies ``never``). Other ranks never draw.
"""

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from mpi4py import MPI

from tqdm import tqdm

_mode: dict[str, str] = {"value": "never"}

Mode = Literal["auto", "always", "never"]


def set_mode(mode: Mode) -> None:
    """Choose when bars are drawn: ``auto`` (stderr is a terminal), ``always``, ``never``."""
    if mode not in ("auto", "always", "never"):
        raise ValueError(f"progress mode must be auto, always or never, got {mode!r}")
    _mode["value"] = mode


def bar(
    *,
    desc: str,
    total: int | None = None,
    unit: str = "it",
    comm: MPI.Comm = MPI.COMM_WORLD,
    **options: Any,
) -> tqdm:
    """A tqdm bar on rank 0 of ``comm`` (a disabled one elsewhere or when switched off)."""
    mode = _mode["value"]
    disable: bool | None = comm.rank != 0 or mode == "never"
    if not disable and mode == "auto":
        disable = None  # tqdm: disabled when the stream is not a terminal
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        disable=disable,
        file=sys.stderr,
        leave=options.pop("leave", False),
        dynamic_ncols=True,
        **options,
    )


_stages: list[tqdm] = []


@contextmanager
def stages(names: Sequence[str], comm: MPI.Comm = MPI.COMM_WORLD) -> Iterator[tqdm]:
    """A bar over the named stages of a run; :func:`stage` advances the innermost one."""
    progress = bar(desc=names[0], total=len(names), unit="stage", comm=comm)
    _stages.append(progress)
    try:
        yield progress
    finally:
        _stages.pop()
        progress.close()


def stage(name: str) -> None:
    """Finish the current stage of the innermost :func:`stages` bar and start ``name``."""
    if _stages:
        _stages[-1].update(1)
        _stages[-1].set_description_str(name)


__all__ = ["bar", "set_mode", "stage", "stages"]
