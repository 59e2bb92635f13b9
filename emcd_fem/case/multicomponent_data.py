"""The data of ``[multicomponent.regions.<r>]``: contradictions, unit slips, values used.

* :func:`region_data_problems` refuses contradictory data (key path named): a given ``c``
  whose value is not the P/(R T) of the given ``T`` and ``P`` (relative difference above
  :data:`~emcd_fem.materials.properties.CONCENTRATION_RTOL`), and ``diffusivities`` given
  while ``source`` computes them (kinetic theory, Cantera), which would be ignored.
* :func:`unit_notes`: legal values that look like a unit slip get a note (never an error),
  the same notes and thresholds as the binary gas materials
  (:func:`~emcd_fem.materials.properties.temperature_hint`,
  :func:`~emcd_fem.materials.properties.diffusivity_hint`): T < 60 K (°C meant?), a given
  Đ_ij > 1e-3 m^2/s (cm^2/s meant?).
* :func:`mixtures_record`: per region the Đ_ij [m^2/s] and c [mol/m^3] the run used
  (after kinetic theory, Cantera or c = P/(R T)), for summary.json.
"""

from collections.abc import Mapping
from typing import Any

from emcd_fem.materials.mixture import GasMixture
from emcd_fem.materials.properties import (
    concentration_conflict,
    diffusivity_hint,
    temperature_hint,
)

ROOT = "multicomponent"

#: What computes the Đ_ij of each non-``given`` source.
COMPUTED_BY: dict[str, str] = {
    "kinetic_theory": "kinetic theory (Chapman–Enskog, built-in gases) at the region's T and P",
    "cantera": "Cantera (binary_diff_coeffs of `mechanism`) at the region's T and P",
}


def region_data_problems(spec: Any) -> list[tuple[str, str]]:
    """(key path, message) of every contradiction in the regions' data.

    Args:
        spec: The ``[multicomponent]`` section (``case.multicomponent.MulticomponentSpec``,
            which imports this module).
    """
    problems = []
    for name, region in sorted(spec.regions.items()):
        path = f"{ROOT}.regions.{name}"
        if region.source != "given" and region.diffusivities is not None:
            problems.append(
                (
                    f"{path}.diffusivities",
                    f"the Đ_ij are computed from {COMPUTED_BY[region.source]} with source = "
                    f"{region.source!r}, so these would be ignored; remove them or set "
                    "source = 'given'",
                )
            )
        conflict = concentration_conflict(path, region.c, region.T, region.P)
        if conflict is not None:
            problems.append((f"{path}.c", conflict))
    return problems


def unit_notes(spec: Any) -> list[str]:
    """Notes on region values that look like a unit slip (never errors), by key path.

    Args:
        spec: The ``[multicomponent]`` section (SI units: T [K], Đ_ij [m^2/s]).
    """
    notes = []
    for name, region in sorted(spec.regions.items()):
        path = f"{ROOT}.regions.{name}"
        notes.append(temperature_hint(f"{path}.T", region.T))
        for a, row in sorted((region.diffusivities or {}).items()):
            for b, value in row.items():
                notes.append(diffusivity_hint(f"{path}.diffusivities.{a}.{b}", value))
    return [n for n in notes if n is not None]


def mixtures_record(spec: Any, mixtures: Mapping[str, GasMixture]) -> dict[str, dict[str, Any]]:
    """Region → the data the run used: source, c [mol/m^3], Đ_ij [m^2/s] per pair, T, P.

    Pairs are keyed by species name in sorted order (``{CO2: {H2: ..., N2: ...}, H2: {N2:
    ...}}``), so the record reads the same whatever order the case lists the species in.

    Args:
        spec: The section (source, T, P as given).
        mixtures: Region → the resolved mixture (:func:`~emcd_fem.case.multicomponent.
            build_inputs`).
    """
    record = {}
    for name, mix in sorted(mixtures.items()):
        region, names = spec.regions[name], sorted(mix.species)
        record[name] = {
            "source": region.source,
            "concentration": float(mix.concentration),
            "diffusivities": {  # by name, a < b: the same whatever the species order
                a: {b: float(mix.pair(a, b)) for b in names[i + 1 :]}
                for i, a in enumerate(names[:-1])
            },
            "T": region.T,
            "P": region.P,
            "units": {
                "concentration": "mol/m^3",
                "diffusivities": "m^2/s",
                "T": "K",
                "P": "Pa",
            },
        }
    return record


def initial_compositions(spec: Any) -> dict[str, list[float | str]]:
    """Region → the initial mole fraction of each species, in ``spec.species`` order."""
    return {
        r: [m.initial[s] for s in spec.species]
        for r, m in sorted(spec.regions.items())
        if m.initial is not None
    }


__all__ = [
    "COMPUTED_BY",
    "initial_compositions",
    "mixtures_record",
    "region_data_problems",
    "unit_notes",
]
