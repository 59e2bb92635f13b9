"""Physical constants (SI), exact values of the 2019 SI redefinition (CODATA 2018)."""

#: Boltzmann constant [J/K] (exact).
BOLTZMANN: float = 1.380649e-23
#: Avogadro constant [1/mol] (exact).
AVOGADRO: float = 6.02214076e23
#: Molar gas constant R = k_B N_A [J/(mol K)].
GAS_CONSTANT: float = BOLTZMANN * AVOGADRO
#: Standard atmosphere [Pa] (exact).
ATMOSPHERE: float = 101_325.0
