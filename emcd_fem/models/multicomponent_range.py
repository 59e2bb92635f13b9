"""The [0, 1] range check of n-species mole fractions, shared by every steady n-species model.

Without interfaces a mole fraction outside [0, 1] is a discretisation artefact (a steep layer
on a coarse mesh): a warning. With partition coefficients it can be the exact answer: on the
b side of an interface the independent species sit at x_k,b = κ_k x_k,a (κ_k = K_k c_a/c_b),
and when Σ_k κ_k x_k,a exceeds 1 the closing species is negative there, however fine the
mesh. Such a result is refused (AdmissibilityError) naming the interfaces and their κ's,
as the binary pipeline refuses inadmissible partition data (post/admissibility.py).
"""

import logging
from collections.abc import Mapping
from typing import Any

from emcd_fem.errors import AdmissibilityError
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.models.multicomponent_interfaces import Partitions
from emcd_fem.post.integrals import owned_range

#: How far a nodal mole fraction may leave [0, 1] before the solution carries a warning.
RANGE_TOLERANCE: float = 1e-8
#: How far a nodal mole fraction may leave [0, 1], in a model with partition coefficients,
#: before the result is refused. Mole fractions are O(1); a resolved profile's nodal
#: overshoot is O((h/L)^(p+1)) of its jump, far below 1e-2 on any mesh on which the fluxes
#: meet the exact film within pipeline.multicomponent_run.FILM_TOLERANCE (1e-2, relative):
#: a larger excursion is the exact solution leaving [0, 1] (inconsistent coefficients).
INADMISSIBLE_RANGE: float = 1e-2
_logger = logging.getLogger("emcd_fem")


def interface_coefficients(partitions: Partitions, mixtures: Mapping[str, GasMixture]) -> str:
    """The interfaces' κ_k = K_k c_a/c_b as text ("a|b: κ_H2 = 4, …"), "" without partitions.

    Args:
        partitions: Region pair (a, b) → species → K_k = c_k,b/c_k,a at equilibrium [-].
        mixtures: Region → its gas mixture (total concentration c [mol/m^3]).
    """
    parts = []
    for (a, b), coefficients in sorted(partitions.items()):
        ratio = mixtures[a].concentration / mixtures[b].concentration
        kappas = ", ".join(f"κ_{s} = {k * ratio:.4g}" for s, k in sorted(coefficients.items()))
        parts.append(f"{a}|{b}: {kappas}")
    return "; ".join(parts)


def interface_advice(interfaces: str) -> str:
    """Advice to append to a failed solve of a model with partitions ("" without).

    Args:
        interfaces: :func:`interface_coefficients` of the model.
    """
    if not interfaces:
        return ""
    return (
        f"; with partition coefficients ({interfaces}; κ_k = K_k c_a/c_b) check that the "
        "independent species' x_k,b = κ_k x_k,a can sum to at most 1 on the b side (else no "
        "state with every x in [0, 1] exists): multicomponent.interfaces.partition"
    )


def checked_range(
    fractions: Mapping[str, Any], interfaces: str, warnings: list[str], *, produced: bool = False
) -> tuple[dict[str, tuple[float, float]], tuple[str, ...]]:
    """Species → global (min, max) of its nodal x, and :func:`check_range` (collective).

    Args:
        fractions: Species → mole fraction Function [-].
        interfaces: :func:`interface_coefficients` of the model.
        warnings: The model's earlier warnings.
        produced: The model has sources or reactions (see :func:`check_range`).
    """
    x_range = {s: owned_range(f) for s, f in fractions.items()}
    return x_range, check_range(x_range, interfaces, warnings, produced=produced)


def check_range(
    x_range: Mapping[str, tuple[float, float]],
    interfaces: str,
    warnings: list[str],
    *,
    produced: bool = False,
) -> tuple[str, ...]:
    """``warnings`` plus one per species outside [0, 1] beyond :data:`RANGE_TOLERANCE`.

    Args:
        x_range: Species → (min, max) of its nodal mole fractions over all ranks [-].
        interfaces: :func:`interface_coefficients` of the model ("" without partitions).
        warnings: The model's earlier warnings (not modified).
        produced: The model has sources or reactions: they too can push x out of [0, 1], so
            the partitions are not proven responsible and an excursion stays a warning
            naming both.

    Raises:
        AdmissibilityError: with partition coefficients and nothing produced, a species beyond
            :data:`INADMISSIBLE_RANGE` (same message on every rank: x_range is global).
    """
    out = {
        s: (low, high)
        for s, (low, high) in sorted(x_range.items())
        if low < -RANGE_TOLERANCE or high > 1 + RANGE_TOLERANCE
    }
    found = ", ".join(f"x_{s} in [{low:.3g}, {high:.3g}]" for s, (low, high) in out.items())
    worst = max((max(-low, high - 1) for low, high in out.values()), default=0.0)
    if interfaces and not produced and worst > INADMISSIBLE_RANGE:
        raise AdmissibilityError(
            f"inadmissible interface data: the solution reaches {found} (tolerance "
            f"{INADMISSIBLE_RANGE:g}), and a finer mesh does not change that: the interface "
            f"coefficients ({interfaces}; κ_k = K_k c_a/c_b) put the independent species at "
            "x_k,b = κ_k x_k,a on the b side, and their sum exceeds 1 there (the closing "
            "species would be negative). Check multicomponent.interfaces.partition (and the "
            "regions' c): Σ_k κ_k x_k,a must stay <= 1 for the compositions of the case"
        )
    result = list(warnings)
    for s, (low, high) in out.items():
        cause = f", check the interface coefficients ({interfaces})" if interfaces else ""
        cause += ", check the sources and reactions" if produced else ""
        result.append(
            f"x_{s} leaves [0, 1] (min {low:.3g}, max {high:.3g}): refine the mesh where the "
            f"profiles are steep{cause}"
        )
        _logger.warning(result[-1])
    return tuple(result)


__all__ = [
    "INADMISSIBLE_RANGE",
    "RANGE_TOLERANCE",
    "check_range",
    "checked_range",
    "interface_advice",
    "interface_coefficients",
]
