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


CASE = {
    "geometry": {
        "kind": "layered_slab",
        "dim": 2,
        "width": 0.004,
        "cells_across": 4,
        "layers": [{"name": "gas", "thickness": 0.01, "cells": 10}],
    },
    "multicomponent": {
        "species": list(SPECIES),
        "regions": {
            "gas": {
                "diffusivities": {"H2": {"N2": 8.33e-5, "CO2": 6.80e-5}, "N2": {"CO2": 1.68e-5}},
                "T": 300.0,
                "P": 101_325.0,
                "concentration_law": "ideal_gas",
                "diffusivity_law": "power",
                "thermal_conductivity": 0.1,
                "thermal_diffusion_factors": {"N2": {"H2": 0.35}, "CO2": {"H2": 0.4, "N2": 0.06}},
            }
        },
        "boundaries": {
            "left": {"mole_fractions": {"H2": 0.5, "N2": 0.2, "CO2": 0.3}},
            "right": {"mole_fractions": {"H2": 0.1, "N2": 0.3, "CO2": 0.6}},
        },
    },
    "thermal": {
        "boundaries": {
            "left": {"type": "temperature", "value": 300.0},
            "right": {"type": "temperature", "value": 400.0},
        }
    },
    "solver": {"petsc_options": LU},
    "output": {"pictures": False},
}


def test_multicomponent_soret_case_two_ranks_equal_one(tmp_path_factory):
    from pathlib import Path

    from emcd_fem.pipeline.run import run_case

    comm = MPI.COMM_WORLD
    base = Path(comm.bcast(str(tmp_path_factory.mktemp("mcs")) if comm.rank == 0 else None))
    serial = run_case(CASE, base / f"serial_{comm.rank}", comm=MPI.COMM_SELF).summary
    parallel = run_case(CASE, base / "parallel", comm=comm).summary
    assert parallel["ranks"] == comm.size
    scale = max(abs(q) for s in SPECIES for q in serial["boundary_flux"][s].values())
    for s in SPECIES:
        for b in ("left", "right", "bottom", "top"):
            got, want = parallel["boundary_flux"][s][b], serial["boundary_flux"][s][b]
            assert abs(got - want) < 1e-8 * scale
            for part in ("fickian", "thermal"):
                got = parallel["soret"]["flux_split"][s][b][part]
                want = serial["soret"]["flux_split"][s][b][part]
                assert abs(got - want) < 1e-8 * scale
    assert parallel["thermal"]["t_max"] == serial["thermal"]["t_max"]
