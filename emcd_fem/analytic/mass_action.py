"""Homogeneous mass-action reaction rates in NumPy, for the 1D dusty-gas references."""

from collections.abc import Callable, Sequence

import numpy as np

from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.materials.stoichiometry import Reaction


def mass_action_production(
    reactions: Sequence[Reaction], species: Sequence[str], temperature: float
) -> Callable[[np.ndarray], np.ndarray]:
    """C ↦ R_i(c) [mol/(m^3 s)] of homogeneous mass-action reactions, in NumPy.

    The rate law of :func:`emcd_fem.physics.reaction.mass_action_rate` with x_i = c_i/c:
    r = k_f c Π x_i^ν_i − k_b c Π x_j^ν_j (k = A exp(−E_a/(R T)) with Arrhenius data),
    R_i = Σ_r ν_i,r r_r, for reactions acting everywhere (their ``regions`` ignored).
    """
    names = list(species)
    terms = []
    for reaction in reactions:
        s = reaction.stoichiometry
        if reaction.arrhenius_A is None:
            k_f, k_b = reaction.k_f, reaction.k_b
        else:
            k_f, k_b = (
                a * np.exp(-e / (GAS_CONSTANT * temperature))
                for a, e in zip(reaction.arrhenius_A, reaction.activation_energy, strict=True)
            )
        nu = np.array([s.net(name) for name in names])
        reactants = [(names.index(k), v) for k, v in s.reactants.items()]
        products = [(names.index(k), v) for k, v in s.products.items()]
        terms.append((nu, k_f, k_b if s.reversible else 0.0, reactants, products))

    def production(c: np.ndarray) -> np.ndarray:
        total = c.sum()
        x = c / total
        out = np.zeros(len(names))
        for nu, k_f, k_b, reactants, products in terms:
            rate = k_f * total * np.prod([x[i] ** v for i, v in reactants])
            rate -= k_b * total * np.prod([x[i] ** v for i, v in products])
            out += nu * rate
        return out

    return production


__all__ = ["mass_action_production"]
