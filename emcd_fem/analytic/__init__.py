"""Exact references (the verification oracles), one module per family.

=============== =============================================================================
``slabs``       composite slab of layers (series resistances), any end conditions
``shells``      concentric cylindrical / spherical shells
``films``       film (mass-transfer) resistances between slab layers and between shells
``media``       effective diffusivity: Wiener / Hashin–Shtrikman bounds, Maxwell Garnett,
                Rayleigh expansions for cylinder and sphere arrays
``multipole``   converged multipole solution for square / hexagonal cylinder arrays and the
                simple cubic array of spheres
``soret``       steady thermal-diffusion (Soret) profiles, exact and high-accuracy shooting
``conduction``  layered-slab heat conduction with contact resistances
``dusty_gas``   the isobaric dusty-gas rate (Knudsen + molecular), slab or shell
``dusty_gas_channel`` the 1D dusty-gas channel / pellet with pressure free (dead-end pore,
                reacting pellet), integrated by shooting at rtol 1e-12
``ends``        the end-condition algebra shared by the slab and shell families
=============== =============================================================================

Every public function is re-exported here, so ``emcd_fem.analytic.composite_slab(...)`` works.
"""

from emcd_fem.analytic.conduction import ConductionSlabSolution, conduction_slab
from emcd_fem.analytic.dusty_gas import dusty_gas_rate
from emcd_fem.analytic.dusty_gas_channel import (
    channel_coefficients,
    dusty_gas_channel,
    dusty_gas_pellet,
    mass_action_production,
)
from emcd_fem.analytic.ends import RTOL
from emcd_fem.analytic.films import film_shells, film_slab
from emcd_fem.analytic.media import (
    hashin_shtrikman_bounds,
    maxwell_garnett,
    rayleigh_cubic_spheres,
    rayleigh_hexagonal_cylinders,
    rayleigh_square_cylinders,
    wiener_bounds,
)
from emcd_fem.analytic.shells import ShellSolution, concentric_shells, shell_resistance
from emcd_fem.analytic.slabs import SlabSolution, composite_slab, slab
from emcd_fem.analytic.soret import (
    SoretSlabSolution,
    soret_flux_split,
    soret_slab,
    soret_slab_numerical,
)

__all__ = [
    "RTOL",
    "ConductionSlabSolution",
    "ShellSolution",
    "SlabSolution",
    "SoretSlabSolution",
    "channel_coefficients",
    "composite_slab",
    "concentric_shells",
    "conduction_slab",
    "dusty_gas_channel",
    "dusty_gas_pellet",
    "dusty_gas_rate",
    "film_shells",
    "film_slab",
    "hashin_shtrikman_bounds",
    "mass_action_production",
    "maxwell_garnett",
    "rayleigh_cubic_spheres",
    "rayleigh_hexagonal_cylinders",
    "rayleigh_square_cylinders",
    "shell_resistance",
    "slab",
    "soret_flux_split",
    "soret_slab",
    "soret_slab_numerical",
    "wiener_bounds",
]
