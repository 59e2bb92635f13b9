"""Chapman–Enskog gas viscosity and Wilke's mixing rule (the dusty-gas model's μ)."""

import pytest

from emcd_fem.errors import EmcdInputError
from emcd_fem.materials.viscosity import gas_viscosity, mixture_viscosity

#: Measured viscosities at 300 K and 1 bar [µPa s] (Poling, Prausnitz & O'Connell 2001,
#: Appendix; CRC Handbook "Viscosity of gases").
MEASURED_300K = {
    "N2": 17.9,
    "O2": 20.7,
    "Ar": 22.9,
    "He": 20.0,
    "H2": 8.96,
    "CO2": 15.0,
    "CH4": 11.2,
}


@pytest.mark.parametrize("name", sorted(MEASURED_300K))
def test_pure_gases_against_measured_values(name):
    # Lennard-Jones Chapman–Enskog for non-polar gases: about 1 % (observed ≤ 1.3 %)
    assert gas_viscosity(name, 300.0) * 1e6 == pytest.approx(MEASURED_300K[name], rel=0.02)


def test_mixture_limits_and_symmetry():
    for name in ("H2", "N2"):
        pure = mixture_viscosity({"H2": float(name == "H2"), "N2": float(name == "N2")}, 500.0)
        assert pure == pytest.approx(gas_viscosity(name, 500.0), rel=1e-14)
    a = mixture_viscosity({"H2": 0.3, "N2": 0.7}, 500.0)
    assert a == pytest.approx(mixture_viscosity({"N2": 7.0, "H2": 3.0}, 500.0), rel=1e-14)
    # a little H2 barely lowers the viscosity of N2 (Wilke: μ stays near the heavy gas's)
    assert gas_viscosity("H2", 500.0) < a < gas_viscosity("N2", 500.0)


@pytest.mark.parametrize("temperature", [300.0, 600.0])
@pytest.mark.parametrize("x_h2", [0.0, 0.3, 0.7, 1.0])
def test_mixture_against_cantera(temperature, x_h2):
    ct = pytest.importorskip("cantera")
    gas = ct.Solution("gri30.yaml")
    gas.TPX = temperature, 1e5, {"H2": x_h2, "N2": 1 - x_h2}
    # both Chapman–Enskog with Wilke-type mixing, different Lennard-Jones data (GRI-Mech's
    # transport file vs Svehla): observed 0.4–4.3 %
    mine = mixture_viscosity({"H2": x_h2, "N2": 1 - x_h2}, temperature)
    assert mine == pytest.approx(gas.viscosity, rel=0.05)


def test_bad_input():
    with pytest.raises(EmcdInputError, match="temperature must be > 0"):
        gas_viscosity("N2", -1.0)
    with pytest.raises(EmcdInputError, match="unknown gas 'Xe'"):
        gas_viscosity("Xe", 300.0)
    with pytest.raises(EmcdInputError, match="not all 0"):
        mixture_viscosity({"N2": 0.0}, 300.0)
    with pytest.raises(EmcdInputError, match="must be ≥ 0"):
        mixture_viscosity({"N2": -0.5, "H2": 1.5}, 300.0)
