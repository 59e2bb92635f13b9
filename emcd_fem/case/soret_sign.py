"""Is the sign of a given Soret coefficient the one kinetic theory gives for the gas pair?

Convention (everywhere in emcd_fem): N_A = −c D (∇x_A + S_T x_A (1 − x_A) ∇T), so
S_T > 0 (equivalently α_T = S_T T > 0) drives A towards the **cold** side. For typical gas
pairs (Chapman–Enskog with realistic potentials) the heavier species gathers at the cold
side, so S_T and α_T have the sign of M_A − M_B: negative when A is the lighter gas (He in
He–Ar: α_T ≈ −0.39), positive when A is the heavier one. Some pairs with very different
molecular sizes can reverse, so a contradiction is a warning, not an error.
"""

from typing import TYPE_CHECKING

from emcd_fem.materials import kinetic_theory as kt

if TYPE_CHECKING:
    from emcd_fem.case import Case


def kinetic_sign(molar_mass_a: float, molar_mass_b: float) -> int:
    """Sign of S_T (and α_T) that kinetic theory expects for the pair.

    Returns:
        +1 if A is heavier, −1 if lighter, 0 for equal masses (no expectation).
    """
    return (molar_mass_a > molar_mass_b) - (molar_mass_a < molar_mass_b)


def sign_warnings(case: "Case") -> list[str]:
    """One warning per material whose S_T or α_T contradicts the kinetic-theory sign.

    Molar masses come from the material's ``gases`` (built-in data) or else from the case's
    ``[species]``; materials without either are not judged.

    Args:
        case: A validated :class:`emcd_fem.case.Case`.

    Returns:
        Messages naming ``materials.<name>.<key>``, in sorted material order.
    """
    messages = []
    for name in sorted(case.materials):
        spec = case.materials[name]
        key, value = next(
            (
                (k, getattr(spec, k))
                for k in ("thermal_diffusion_factor", "soret_coefficient")
                if getattr(spec, k, None) is not None
            ),
            (None, None),
        )
        if not value or isinstance(value, str):  # "kinetic_theory": the sign is computed
            continue
        if spec.gases:
            (a, b), masses = spec.gases, tuple(kt.gas(g).molar_mass for g in spec.gases)
        elif case.species is not None:
            a = case.species.A.name or "A"
            b = case.species.B.name or "B"
            masses = (case.species.A.molar_mass, case.species.B.molar_mass)
        else:
            continue
        expected = kinetic_sign(*masses)
        if expected == 0 or (value > 0) == (expected > 0):
            continue
        lighter, heavier = (a, b) if masses[0] < masses[1] else (b, a)
        messages.append(
            f"materials.{name}.{key} = {value:+.3g} with A = {a} "
            f"(M = {masses[0] * 1e3:.4g} g/mol), B = {b} (M = {masses[1] * 1e3:.4g} g/mol): "
            f"a {'positive' if value > 0 else 'negative'} value drives {a} towards the "
            f"{'cold' if value > 0 else 'hot'} side, but for typical gas pairs kinetic theory "
            f"sends the heavier species ({heavier}) to the cold side and {lighter} to the hot "
            f"side, i.e. {key} {'< 0' if expected < 0 else '> 0'} here. Check the sign "
            "(convention: N_A = −c D (∇x_A + S_T x_A x_B ∇T), S_T > 0 drives A towards the "
            "cold side)."
        )
    return messages
