"""The initial inventory of a ``[multicomponent]`` + ``[time]`` case's own data.

summary.json reports it next to the discretised start (``inventory.<s>.case`` beside
``initial``): Σ_r c_r x_{s,r} |Ω_r| over the regions' initial mole fractions, the amount the
case file describes. With numbers per region the start is built to hold it to round-off
(``models.shared_nodes``); with an expression the discretised start holds the interpolated
data and the exact integral is not formed here (``None``).
"""

from collections.abc import Mapping, Sequence

from emcd_fem.case import Case
from emcd_fem.case.multicomponent_data import initial_compositions
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.mesh.domain import Domain
from emcd_fem.post.mesh_report import region_measures


def data_inventory(
    case: Case, domain: Domain, mixtures: Mapping[str, GasMixture]
) -> dict[str, float | None]:
    """Species → Σ_r c_r x_{s,r} |Ω_r| [mol in 3D, mol/m in 2D, mol/m^2 in 1D] (collective).

    Args:
        case: The case (``[multicomponent.regions.<r>] initial`` of every region).
        domain: Its domain (region volumes [m^3, m^2 or m] measured on the mesh).
        mixtures: Region → its gas mixture (c [mol/m^3]).

    Returns:
        The inventory per species, or None for a species given by an expression somewhere.
    """
    spec = case.multicomponent
    volumes = region_measures(domain)
    starts = initial_compositions(spec)
    result: dict[str, float | None] = {}
    for k, species in enumerate(spec.species):
        values = {r: x[k] for r, x in starts.items()}
        if any(isinstance(v, str) for v in values.values()):
            result[species] = None
            continue
        result[species] = sum(
            mixtures[r].concentration * float(v) * volumes[r] for r, v in sorted(values.items())
        )
    return result


def inventory_record(
    species: Sequence[str],
    initial: Sequence[float],
    final: Mapping[str, float],
    data: Mapping[str, float | None],
) -> dict[str, dict[str, float | None]]:
    """summary.json ``inventory``: species → initial (discretised), final and case data."""
    return {
        s: {"initial": initial[k], "final": final[s], "case": data[s]}
        for k, s in enumerate(species)
    }


__all__ = ["data_inventory", "inventory_record"]
