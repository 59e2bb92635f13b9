"""Material property models: from a material description to (c, D) and regime diagnostics.

D is given, or computed by Chapman–Enskog for a named gas pair at T and P; c is given or
P/(R T). Porous materials: D_eff = (ε/τ) D. With ``knudsen = "bosanquet"`` and a pore
diameter d: 1/D = 1/D_AB + 1/D_K,A, with D_K,A = (d/3) sqrt(8RT/(π M_A)) the Knudsen
diffusivity of species A (the species solved for). Bosanquet is exact only for N_B = −N_A:
the binary dusty-gas model gives 1/D_A = 1/D_K,A + (1 − α x_A)/D_AB with
α = 1 − sqrt(M_A/M_B), which reduces to Bosanquet with D_K,A when M_A = M_B (α = 0) — the
only case where Knudsen diffusion stays equimolar. With M_A ≠ M_B the fluxes in the
Knudsen regime follow Graham's law N_A/N_B = −sqrt(M_B/M_A) instead. In a porous medium
under uniform pressure Graham's law holds at *every* Knudsen number (the dusty-gas species
equations sum to Σ N_i/D_K,i = 0), so for every porous material with M_A ≠ M_B the summary
reports Graham's ratio and the deviation of the EMCD rate from the isobaric dusty-gas rate
(``dusty_gas_deviation``), with a warning, whatever Kn is: a "continuum" Kn is no validity
check for porous materials (H2/N2 at 600 K, 1 atm: −44 % at Kn = 0.002, −2.4 % at Kn = 8).

Regime: mean free path λ = k_B T/(√2 π σ² P) with σ = (σ_A + σ_B)/2, Kn = λ/L_c with L_c
the pore diameter, else the material's ``characteristic_length``. Kn > 0.01: warning;
Kn > 0.1: error unless the Knudsen (Bosanquet) model is chosen.
"""

from dataclasses import dataclass, field
from typing import Any

from emcd_fem.errors import AdmissibilityError, EmcdInputError
from emcd_fem.materials import Material
from emcd_fem.materials import kinetic_theory as kt

#: Knudsen numbers above which the continuum model is questionable / invalid.
KN_WARN, KN_ERROR = 0.01, 0.1


@dataclass(frozen=True)
class MaterialModel:
    """A material as described by the user (SI units; None = not given).

    Attributes:
        D: Binary diffusivity [m^2/s], or None to compute it from ``gases``.
        c: Total concentration [mol/m^3], or None for P/(R T).
        gases: (A, B) names of built-in gases.
        T: Temperature [K].
        P: Pressure [Pa].
        porosity: ε in (0, 1].
        tortuosity: τ >= 1.
        pore_diameter: d [m].
        knudsen: ``"off"`` or ``"bosanquet"``.
        characteristic_length: L_c for Kn when no pore diameter is given [m].
    """

    D: float | None = None
    c: float | None = None
    gases: tuple[str, str] | None = None
    T: float | None = None
    P: float | None = None
    porosity: float = 1.0
    tortuosity: float = 1.0
    pore_diameter: float | None = None
    knudsen: str = "off"
    characteristic_length: float | None = None


@dataclass(frozen=True)
class ResolvedMaterial:
    """The transport properties used by the solver and the diagnostics behind them."""

    material: Material
    diagnostics: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def resolve(name: str, model: MaterialModel) -> ResolvedMaterial:
    """Compute c and D of a material and its regime diagnostics.

    Raises:
        EmcdInputError: missing or inconsistent inputs (naming ``materials.<name>.<key>``).
        AdmissibilityError: Kn > 0.1 without the Knudsen model.
    """
    key = f"materials.{name}"
    diagnostics: dict[str, Any] = {}
    messages: list[str] = []
    if model.gases is not None:
        for gas_name in model.gases:
            kt.gas(gas_name)
    if model.D is None:
        if model.gases is None or model.T is None or model.P is None:
            raise EmcdInputError(f"{key}: give D, or gases = [A, B] with T and P")
        d_ab = kt.chapman_enskog(*model.gases, model.T, model.P)
        diagnostics["D_AB_chapman_enskog"] = d_ab
    else:
        d_ab = model.D
    conflict = concentration_conflict(key, model.c, model.T, model.P)
    if conflict is not None:
        raise EmcdInputError(f"{key}.c: {conflict}")
    if model.c is None:
        if model.T is None or model.P is None:
            raise EmcdInputError(f"{key}: give c, or T and P (ideal gas c = P/(R T))")
        c = kt.ideal_gas_concentration(model.T, model.P)
        diagnostics["c_ideal_gas"] = c
    else:
        c = model.c
    d = d_ab
    if model.knudsen == "bosanquet":
        if model.pore_diameter is None or model.gases is None or model.T is None:
            raise EmcdInputError(
                f"{key}.knudsen: the Bosanquet model needs pore_diameter, gases and T"
            )
        d_k = kt.knudsen_diffusivity(
            model.pore_diameter, model.T, kt.gas(model.gases[0]).molar_mass
        )
        diagnostics["D_knudsen_A"] = d_k
        d = kt.bosanquet(d_ab, d_k)
        diagnostics["D_bosanquet"] = d
    d_eff = model.porosity / model.tortuosity * d
    diagnostics["D_effective"] = d_eff
    diagnostics["porosity_over_tortuosity"] = model.porosity / model.tortuosity
    length = model.pore_diameter or model.characteristic_length
    if model.gases is not None and model.T is not None and model.P is not None:
        sigma = kt.mixture_sigma(*model.gases)
        lam = kt.mean_free_path(model.T, model.P, sigma)
        diagnostics["mean_free_path"] = lam
        diagnostics["sigma_mixture"] = sigma
        m_a, m_b = (kt.gas(g).molar_mass for g in model.gases)
        if length is not None:
            kn = lam / length
            diagnostics["knudsen_number"] = kn
            diagnostics["characteristic_length"] = length
            regime = (
                "continuum"
                if kn <= KN_WARN
                else ("slip" if kn <= KN_ERROR else "transition/Knudsen")
            )
            diagnostics["regime"] = regime
            if kn > KN_WARN or model.knudsen == "bosanquet":
                diagnostics["graham_flux_ratio"] = kt.graham_flux_ratio(m_a, m_b)
            if kn > KN_ERROR and model.knudsen != "bosanquet":
                raise AdmissibilityError(
                    f"{key}: Knudsen number {kn:.3g} (λ = {lam:.3g} m, L_c = {length:.3g} m) "
                    f"exceeds {KN_ERROR}: molecules hit the walls about as often as each other, "
                    "so the Fickian continuum model no longer holds (theory: rarefaction "
                    'effects). Set knudsen = "bosanquet" with pore_diameter to use the '
                    "Knudsen/Bosanquet model, or check T, P and the length scale."
                )
            graham = kt.graham_flux_ratio(m_a, m_b)
            if _is_porous(model) and m_a != m_b:
                pass  # the porous report below covers Graham's law at every Kn
            elif kn > KN_WARN and model.knudsen == "bosanquet":
                messages.append(
                    f"{key}: Kn = {kn:.3g}: Knudsen/Bosanquet model in use; with M_A ≠ M_B the "
                    f"real fluxes approach Graham's N_A/N_B = {graham:.3g}, not EMCD's −1, so "
                    "this equimolar solution is an approximation (dusty-gas model needed)"
                )
            elif kn > KN_WARN:
                messages.append(
                    f"{key}: Kn = {kn:.3g} > {KN_WARN}: slip/transition effects are not in the "
                    "Fickian model; with M_A ≠ M_B the fluxes drift from equimolar towards "
                    f"Graham's N_A/N_B = {graham:.3g}"
                )
    if model.gases is not None and _is_porous(model):
        messages.extend(_porous_report(key, model, d_ab, c, d_eff, diagnostics))
    messages.extend(unit_hints(key, model))
    return ResolvedMaterial(
        material=Material(diffusivity=d_eff, concentration=c),
        diagnostics=diagnostics,
        warnings=tuple(messages),
    )


#: Below this temperature [K] a gas-phase T is most likely a Celsius value (25 meant 25 °C);
#: cryogenic runs (H2, He at 20–60 K) are legitimate and only get the note.
T_SUSPICIOUS = 60.0

#: Above this D [m^2/s] a given diffusivity is most likely in cm^2/s: the largest binary
#: gas diffusivities at 1 atm are ~1.3e-4 (H2–He, 300 K) to ~1e-3 (1500 K); only a gas at
#: a fraction of an atmosphere reaches it.
D_SUSPICIOUS = 1e-3


def unit_hints(key: str, model: MaterialModel) -> list[str]:
    """Notes on values that look like a unit mistake (T in °C, D in cm^2/s); never errors.

    Only for materials that name their ``gases`` (a gas phase): nondimensional runs
    (D = c = 1) and condensed phases get no note.

    Args:
        key: ``materials.<name>``.
        model: The material's inputs (SI units: T [K], D [m^2/s]).
    """
    if model.gases is None:
        return []
    hints = [temperature_hint(f"{key}.T", model.T), diffusivity_hint(f"{key}.D", model.D)]
    return [h for h in hints if h is not None]


def temperature_hint(key: str, T: float | None) -> str | None:
    """A note when a gas temperature T [K] is below :data:`T_SUSPICIOUS` (°C meant?).

    Args:
        key: The key path of T, e.g. ``materials.gas.T``.
        T: The temperature [K] (None: no note).
    """
    if T is None or T >= T_SUSPICIOUS:
        return None
    return (
        f"{key} = {T:g} K: colder than any gas-phase use but cryogenic ones; T is "
        f"in kelvin (if {T:g} °C was meant: {T + 273.15:g} K)"
    )


def diffusivity_hint(key: str, D: float | None) -> str | None:
    """A note when a given gas diffusivity D [m^2/s] exceeds :data:`D_SUSPICIOUS` (cm^2/s?).

    Args:
        key: The key path of D, e.g. ``materials.gas.D``.
        D: The binary diffusivity [m^2/s] (None: no note).
    """
    if D is None or D <= D_SUSPICIOUS:
        return None
    return (
        f"{key} = {D:g} m^2/s: larger than any binary gas diffusivity at 1 atm "
        f"(≤ ~1e-3 m^2/s); diffusivities are in m^2/s (if {D:g} cm^2/s was meant: "
        f"{D * 1e-4:g} m^2/s); a gas at low pressure can reach it"
    )


#: Largest relative difference between a given c and the P/(R T) of the given T and P
#: taken as the same value (rounded inputs: 40.6 for 40.62 mol/m^3 is 5e-4 off).
CONCENTRATION_RTOL = 1e-3


def concentration_conflict(
    key: str, c: float | None, T: float | None, P: float | None
) -> str | None:
    """Why a given c contradicts the ideal-gas P/(R T) of the given T and P, or None.

    Args:
        key: The key path of the section, e.g. ``materials.gas``.
        c: Total concentration [mol/m^3] (None: no conflict).
        T: Temperature [K].
        P: Pressure [Pa].

    Returns:
        The message (without the key path ``<key>.c``) when
        |c − P/(R T)| > :data:`CONCENTRATION_RTOL` P/(R T), else None.
    """
    if c is None or T is None or P is None:
        return None
    ideal = kt.ideal_gas_concentration(T, P)
    difference = abs(c - ideal) / ideal
    if difference <= CONCENTRATION_RTOL:
        return None
    return (
        f"c = {c:g} mol/m^3 contradicts P/(R T) = {ideal:.6g} mol/m^3 of {key}.T = {T:g} K "
        f"and {key}.P = {P:g} Pa (relative difference {difference:.3g} > "
        f"{CONCENTRATION_RTOL:g}); give c or T and P consistently (c = P/(R T) is used "
        "when c is left out)"
    )


def _is_porous(model: MaterialModel) -> bool:
    """A porous material: ε < 1, τ > 1 or a pore diameter."""
    return model.porosity < 1.0 or model.tortuosity > 1.0 or model.pore_diameter is not None


def _porous_report(
    key: str,
    model: MaterialModel,
    d_ab: float,
    c: float,
    d_eff: float,
    diagnostics: dict[str, Any],
) -> list[str]:
    """Graham's ratio and the EMCD error against the isobaric dusty-gas model, at any Kn.

    Under uniform pressure the dusty-gas species equations sum to Σ N_i/D_K,i = 0, i.e.
    Graham's law N_A/N_B = −sqrt(M_B/M_A) at every Knudsen number, so for M_A ≠ M_B the
    equimolar model of a porous material is an approximation whose error grows as Kn
    falls. The deviation is the EMCD rate c D_eff (x_in − x_out) over the isobaric
    dusty-gas rate (``analytic.dusty_gas_rate``, slab) for x_A going from 1 to 0 − 1.
    """
    from emcd_fem import analytic

    m_a, m_b = (kt.gas(g).molar_mass for g in model.gases)
    if m_a == m_b:
        return []
    graham = kt.graham_flux_ratio(m_a, m_b)
    d_knudsen = (
        kt.knudsen_diffusivity(model.pore_diameter, model.T, m_a)
        if model.pore_diameter is not None and model.T is not None
        else float("inf")  # no pore diameter: molecular diffusion only (β = 0)
    )
    dusty = analytic.dusty_gas_rate(
        "slab",
        0.0,
        1.0,
        concentration=c,
        d_molecular=d_ab,
        d_knudsen_a=d_knudsen,
        molar_mass_a=m_a,
        molar_mass_b=m_b,
        x_in=1.0,
        x_out=0.0,
        porosity_over_tortuosity=model.porosity / model.tortuosity,
    )
    deviation = c * d_eff / dusty - 1.0
    diagnostics["graham_flux_ratio"] = graham
    diagnostics["dusty_gas_deviation"] = deviation
    diagnostics["dusty_gas_deviation_basis"] = (
        "EMCD rate / isobaric dusty-gas rate − 1, slab, x_A from 1 to 0 (analytic.dusty_gas_rate)"
    )
    kn = diagnostics.get("knudsen_number")
    where = f"at Kn = {kn:.3g}" if kn is not None else "at every Knudsen number"
    a_name, b_name = model.gases
    return [
        f"{key}: porous material with M_A ≠ M_B ({a_name}/{b_name}): under uniform pressure "
        f"the fluxes follow Graham's law N_A/N_B = {graham:.3g} at every Knudsen number, not "
        f"EMCD's −1, so {where} the equimolar rate of A is {deviation:+.1%} off the isobaric "
        "dusty-gas rate (x_A from 1 to 0; analytic.dusty_gas_rate). A low Kn does not make "
        "this smaller: the gap grows as Kn falls. EMCD applies here only where something "
        "else fixes N_B = −N_A: a mole-balanced reaction at steady state, or a closed end "
        "with a pressure difference building up inside (neither is isobaric)."
    ]
