"""Errors of a case and the strict base of every case-file section."""

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from emcd_fem.errors import EmcdInputError


class CaseError(EmcdInputError):
    """An invalid case: every problem with its key path.

    Attributes:
        problems: ``(key_path, message)`` pairs.
    """

    def __init__(self, problems: Sequence[tuple[str, str]], source: str = "case") -> None:
        self.problems = list(problems)
        self.source = source
        lines = [f"  {path}: {message}" if path else f"  {message}" for path, message in problems]
        super().__init__(f"{source} has {len(problems)} problem(s):\n" + "\n".join(lines))

    def __reduce__(self) -> tuple[type, tuple[list[tuple[str, str]], str]]:
        """Pickle support (errors travel between MPI ranks)."""
        return (type(self), (self.problems, self.source))


class SolverOptionsError(CaseError):
    """A case whose only problems are its PETSc options (``[solver.petsc_options]``).

    Unknown, ill-typed or unsafe options: ``emcd`` exit code 4, as PETSc errors.
    """


class Section(BaseModel):
    """The strict base of every section: unknown keys, bools as numbers, inf/nan refused."""

    # strict: a boolean is not a number (true is not 1.0), text is not a number; numbers
    # must be finite (inf and nan are refused with their key path)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
