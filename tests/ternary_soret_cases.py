"""The ternary H2/N2/CO2 thermal-diffusion case text shared by the n-species Soret case
tests and their MPI twin (the gas in tests/data/ternary_soret_gas.toml, T = 300 K on
``left``)."""

from pathlib import Path

GAS = (Path(__file__).resolve().parent / "data" / "ternary_soret_gas.toml").read_text()

#: The 1D slab of the steady and transient case tests: 16 cells over 1 cm.
SLAB_1D = """
[geometry]
kind = "layered_slab"
dim = 1
layers = [{ name = "gas", thickness = 0.01, cells = 16 }]
"""

#: T = 400 K on ``right``.
HOT_RIGHT = """
[thermal.boundaries.right]
type = "temperature"
value = 400.0
"""


def soret_case(geometry: str, right: str, rest: str, *, closed_start: bool = False) -> str:
    """Case text: ``geometry``, the gas, T = 300 K on ``left``, the ``right`` thermal
    boundary, then ``rest`` ([time], [output], ...). ``closed_start``: the transient runs'
    initial composition (0.4, 0.3, 0.3)."""
    gas = GAS
    if closed_start:
        gas = gas.replace(
            "\n[multicomponent.boundaries.left]",
            "initial = { H2 = 0.4, N2 = 0.3, CO2 = 0.3 }\n\n[multicomponent.boundaries.left]",
        )
    left = '\n[thermal.boundaries.left]\ntype = "temperature"\nvalue = 300.0\n'
    return geometry + "\n" + gas + left + right + "\n" + rest
