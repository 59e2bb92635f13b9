"""α_T by the Chapman–Enskog first approximation (materials/thermal_diffusion.py), issue 19.

An independent implementation (no Cantera inside): its own collision integrals (Neufeld
fits, the exact Ω^(l,s) recurrence) and the binary Sonine system of structureless
molecules. Compared with Cantera's multicomponent α_T (tests below import Cantera only for
the comparison). Expected agreement:

- with the *same* Lennard-Jones data (read from Cantera's species): a monatomic pair or a
  light partner (He–Ar, H2–N2, H2–CO2, He–N2) within 5 % (measured ≤ 3.4 %: the
  collision-integral fits); pairs of similar-mass polyatomics (N2–CO2, Ar–N2, O2–N2) within
  15 % (measured 5–14 %: Cantera adds the internal-energy (rotational) terms of N2, O2, CO2,
  and 6 C* − 5 ≈ 0.4 makes the small α_T of these pairs a near cancellation);
- with the built-in (Poling) data: He–Ar and H2–N2 within 10 % (measured 3 %, 4 %); N2–CO2
  only in sign (Poling's CO2 ε/k = 195 K vs GRI-Mech's 244 K: −0.086 vs −0.057);
- the sign exactly for every pair (the heavier gas to the cold side).
"""

import math

import pytest

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials import kinetic_theory as kt
from emcd_fem.materials.thermal_diffusion import collision_ratios, thermal_diffusion_factor_first

ALPHA = thermal_diffusion_factor_first


def test_collision_ratios_recurrence_and_repulsive_limit():
    # Ω^(1,2)* = Ω^(1,1)* + (T*/3) dΩ^(1,1)*/dT*: C* against a central difference of the fit
    for t in (0.5, 1.0, 2.5, 10.0):
        h = 1e-5 * t
        slope = (collision_ratios(t + h).omega11 - collision_ratios(t - h).omega11) / (2 * h)
        r = collision_ratios(t)
        assert r.c_star == pytest.approx(1 + t / 3 * slope / r.omega11, rel=1e-8)
        assert r.omega11 == pytest.approx(kt.collision_integral(t), rel=1e-14)
    # large T*: the r^-12 wall gives C* → 1 − 2/(3·12) = 17/18; the fit's tail exponent
    # (0.1561 instead of 2/12) leaves C* = 1 − 0.1561/3 = 0.948: within 0.005
    assert collision_ratios(100.0).c_star == pytest.approx(17 / 18, abs=0.005)
    with pytest.raises(EmcdInputError, match=r"T\* = 0.1"):
        collision_ratios(0.1)


def test_swapping_the_pair_flips_the_sign_and_identical_molecules_do_not_separate():
    for a, b in (("He", "Ar"), ("H2", "N2"), ("N2", "CO2")):
        forward = ALPHA(a, b, 300.0, mole_fraction_a=0.3)
        assert ALPHA(b, a, 300.0, mole_fraction_a=0.7) == pytest.approx(-forward, rel=1e-12)
    twin = kt.Gas("N2'", kt.GASES["N2"].sigma, kt.GASES["N2"].epsilon_over_k, 28.0134e-3)
    assert abs(ALPHA("N2", twin, 300.0)) < 1e-12
    with pytest.raises(EmcdInputError, match="mole_fraction_a"):
        ALPHA("He", "Ar", 300.0, mole_fraction_a=1.0)


def _cantera_gas(name):
    """A built-in-style Gas with the Lennard-Jones data of Cantera's default mechanism."""
    cantera = pytest.importorskip("cantera")
    from emcd_fem.materials.gas_data import DEFAULT_MECHANISM, HELIUM

    species = {s.name: s for s in cantera.Species.list_from_file(DEFAULT_MECHANISM)}
    species["HE"] = cantera.Species.from_yaml(HELIUM)
    s = species[name]
    molar_mass = cantera.Solution(thermo="ideal-gas", species=[s]).molecular_weights[0] / 1000
    return kt.Gas(
        name, s.transport.diameter, s.transport.well_depth / cantera.boltzmann, molar_mass
    )


@pytest.mark.parametrize(
    ("a", "b", "tolerance"),
    [
        ("HE", "AR", 0.05),
        ("H2", "N2", 0.05),
        ("H2", "CO2", 0.05),
        ("HE", "N2", 0.05),
        ("N2", "CO2", 0.15),
        ("AR", "N2", 0.15),
        ("O2", "N2", 0.15),
    ],
)
def test_first_approximation_against_cantera_with_the_same_data(a, b, tolerance):
    from emcd_fem.materials.gas_data import thermal_diffusion_factor

    for temperature in (300.0, 600.0):
        ours = ALPHA(_cantera_gas(a), _cantera_gas(b), temperature)
        theirs = thermal_diffusion_factor(a, b, temperature)
        assert math.copysign(1, ours) == math.copysign(1, theirs)
        assert ours == pytest.approx(theirs, rel=tolerance), (a, b, temperature)


def test_built_in_data_against_cantera():
    pytest.importorskip("cantera")
    from emcd_fem.materials.gas_data import thermal_diffusion_factor

    for a, b, tolerance in (("He", "Ar", 0.10), ("H2", "N2", 0.10), ("N2", "CO2", None)):
        ours, theirs = ALPHA(a, b, 300.0), thermal_diffusion_factor(a, b, 300.0)
        assert ours < 0 and theirs < 0  # A the lighter: to the hot side
        if tolerance is not None:
            assert ours == pytest.approx(theirs, rel=tolerance), (a, b)
