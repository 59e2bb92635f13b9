"""``emcd run --resume DIR``: the case data that continue an interrupted transient run."""

from pathlib import Path
from typing import Any


def resume_source(
    directory: str | Path, case: str | Path | None = None, overrides: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The case data that continue the checkpoint in ``directory`` (``emcd run --resume``).

    Every rank reads the checkpoint header itself (same file, same verdict).

    Args:
        directory: The output directory of the interrupted run.
        case: The case file, to check that it is still the checkpoint's case (optional).
        overrides: ``--set`` overrides of that case file.

    Raises:
        EmcdInputError: no checkpoint, a finished run, or a case that changed.
    """
    from emcd_fem.errors import EmcdInputError
    from emcd_fem.io.checkpoint import CHECKPOINT, fingerprint, read_header
    from emcd_fem.pipeline.run import load_case_collective
    from emcd_fem.pipeline.transient_run import case_data

    header = read_header(Path(directory) / CHECKPOINT)
    if header.get("finished"):
        raise EmcdInputError(
            f"--resume {str(directory)!r}: the run already finished at t = {header['t']:g} s "
            f"({header.get('reason')}); nothing to resume"
        )
    if case is not None:
        loaded = load_case_collective(case, list(overrides))
        if fingerprint(case_data(loaded)) != header.get("fingerprint"):
            raise EmcdInputError(
                f"--resume {str(directory)!r}: {str(case)!r} is not the case the checkpoint "
                "was written for (it changed since); resume without a case file to continue "
                "the stored case, or start a new run"
            )
    data = header["case"]
    data["time"] = dict(data["time"]) | {"resume": str(Path(directory).resolve())}
    return data


__all__ = ["resume_source"]
