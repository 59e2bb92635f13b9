"""Thermal diffusion in an n-species run: 2 ranks equal 1 rank to 1e-8 (issue 19, item 6).

A 2D ternary H2/N2/CO2 slab, T solved by heat conduction (300 → 400 K), c(T) = P/(R T) and
Đ_ij (T/300 K)^1.75, given α_ij: Newton stops at rtol 1e-12 with MUMPS inside and the heat
solve is direct, so COMM_WORLD and COMM_SELF differ by rounding only.
"""

from mpi4py import MPI

import numpy as np

from emcd_fem.materials.mixture import GasMixture
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_thermal import PropertyLaw, ThermalDiffusionInputs
from emcd_fem.models.thermal import HeatConductionProblem, Temperature

SPECIES = ("H2", "N2", "CO2")
PAIRS = {("H2", "N2"): 8.33e-5, ("H2", "CO2"): 6.80e-5, ("N2", "CO2"): 1.68e-5}
ALPHA = {("N2", "H2"): 0.35, ("CO2", "H2"): 0.40, ("CO2", "N2"): 0.06}
LU = {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}


def _fluxes(comm):
    domain = layered_slab(
        [0.006, 0.004], dim=2, cells_per_layer=[6, 4], width=0.004, cells_across=4, comm=comm
    )
    heat = HeatConductionProblem(
        domain,
        {"layer1": 0.1, "layer2": 0.05},
        {"left": Temperature(300.0), "right": Temperature(400.0)},
        petsc_options=LU,
    )
    temperature = heat.solve().temperature
    law = PropertyLaw(300.0, "power", 1.75, "ideal_gas", 101_325.0)
    mix = GasMixture(SPECIES, PAIRS, 39.6)
    model = MaxwellStefanModel(
        domain,
        {"layer1": mix, "layer2": mix},
        {
            "left": dict(zip(SPECIES, (0.5, 0.2, 0.3), strict=True)),
            "right": dict(zip(SPECIES, (0.1, 0.3, 0.6), strict=True)),
        },
        degree=2,
        thermal=ThermalDiffusionInputs(
            temperature, {"layer1": ALPHA, "layer2": ALPHA}, {"layer1": law, "layer2": law}
        ),
    )
    solution = model.solve()
    return np.array([solution.boundary_flux[s][b] for s in SPECIES for b in ("left", "right")])


def test_multicomponent_soret_two_ranks_equal_one():
    comm = MPI.COMM_WORLD
    serial = _fluxes(MPI.COMM_SELF)
    parallel = _fluxes(comm)
    scale = np.abs(serial).max()
    assert scale > 0
    assert np.abs(parallel - serial).max() < 1e-8 * scale
    # every rank holds the same numbers
    assert np.array_equal(comm.bcast(parallel, root=0), parallel)
