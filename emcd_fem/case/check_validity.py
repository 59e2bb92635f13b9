"""Checks of ``[analysis] emcd_validity``: the report compares steady binary runs."""

from emcd_fem.case.schema import Case


def validity_problems(case: Case) -> list[tuple[str, str]]:
    """Combinations the "is EMCD valid here?" report does not cover (key paths, fixes)."""
    if not case.analysis.emcd_validity:
        return []
    problems = []
    if case.multicomponent is not None:
        problems.append(
            (
                "analysis.emcd_validity",
                "not applicable with [multicomponent]: the run is already the n-species "
                "Maxwell–Stefan model, of which EMCD is the binary equimolar limit; remove "
                "emcd_validity (or describe the binary gas with [materials] and [boundaries])",
            )
        )
    if case.time is not None:
        problems.append(
            (
                "analysis.emcd_validity",
                "the report compares steady runs: remove [time] to ask it of the steady "
                "state, or remove emcd_validity",
            )
        )
    return problems
