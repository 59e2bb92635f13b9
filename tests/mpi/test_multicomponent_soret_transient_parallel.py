"""Transient n-species thermal diffusion (steady T): 2 ranks equal 1 rank to 1e-8.

A 2D two-layer ternary H2/N2/CO2 slab open at its cold end only (the other faces closed),
T solved by heat conduction (300 → 400 K), c(T) = P/(R T), Đ_ij (T/300 K)^1.75, given α_ij;
a uniform start marched 8 fixed BDF2 steps: per-step Newton at rtol 1e-12 with MUMPS, so
COMM_WORLD and COMM_SELF differ by rounding only (measured 1.4e-15 relative). The case
route (a 2D slab, T by conduction with a convective face, 10 fixed steps) likewise,
including the summary's Fick/thermal split.
"""

import sys
import tomllib
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem

from emcd_fem.materials.mixture import GasMixture
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.march import TimeSettings, march
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_thermal import PropertyLaw, ThermalDiffusionInputs
from emcd_fem.models.multicomponent_transient import TransientMaxwellStefan
from emcd_fem.models.thermal import HeatConductionProblem, Temperature
from emcd_fem.pipeline.run import run_case

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ternary_soret_cases import soret_case

SPECIES = ("H2", "N2", "CO2")
PAIRS = {("H2", "N2"): 8.33e-5, ("H2", "CO2"): 6.80e-5, ("N2", "CO2"): 1.68e-5}
ALPHA = {("N2", "H2"): 0.35, ("CO2", "H2"): 0.40, ("CO2", "N2"): 0.06}
LU = {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}


def _march(comm):
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
        {"left": dict(zip(SPECIES, (0.5, 0.2, 0.3), strict=True))},
        degree=2,
        thermal=ThermalDiffusionInputs(
            temperature, {"layer1": ALPHA, "layer2": ALPHA}, {"layer1": law, "layer2": law}
        ),
    )
    transient = TransientMaxwellStefan(model, scheme="bdf2")
    transient.set_initial(lambda p: np.outer([0.3, 0.3, 0.4], np.ones(p.shape[1])))
    state = transient.initial_state(0.0, 0.05)
    march(transient, state, TimeSettings(0.0, 0.4, 0.05))
    last = state.records[-1]
    x = model.mole_fraction_fields()
    norms = [
        comm.allreduce(fem.assemble_scalar(fem.form(x[s] ** 2 * ufl.dx)), op=MPI.SUM)
        for s in SPECIES
    ]
    return (
        np.array([last.boundary_flux[s]["left"] for s in SPECIES]),
        np.array([last.inventory[s] for s in SPECIES]),
        np.array(norms),
        len(state.records),
    )


def test_transient_soret_two_ranks_equal_one():
    comm = MPI.COMM_WORLD
    serial = _march(MPI.COMM_SELF)
    parallel = _march(comm)
    assert serial[3] == parallel[3] == 8
    for a, b in zip(serial[:3], parallel[:3], strict=True):
        scale = np.abs(a).max()
        assert scale > 0
        assert np.abs(a - b).max() < 1e-8 * scale
        assert np.array_equal(comm.bcast(b, root=0), b)  # every rank holds the same numbers
    # H2 enters through the cold face (outward flux < 0 at the start: the vessel at 0.3
    # against 0.5 at the face)
    assert serial[0][0] < 0


CASE = soret_case(
    """
[geometry]
kind = "layered_slab"
dim = 2
width = 0.004
cells_across = 3
layers = [{ name = "gas", thickness = 0.01, cells = 8 }]

""",
    """
[thermal.boundaries.right]
type = "convective"
coefficient = 20.0
ambient = 400.0

""",
    """[time]
t_end = 0.5
dt = 0.05
output_times = [0.25]
checkpoint_every = 0

[output]
pictures = false
""",
    closed_start=True,
)


def test_transient_soret_case_two_ranks_equal_one(tmp_path_factory):
    # the case route (T by conduction with a convective face, fixed steps): 2 ranks = 1
    comm = MPI.COMM_WORLD
    base = Path(comm.bcast(str(tmp_path_factory.mktemp("mcts")) if comm.rank == 0 else None))
    serial = run_case(tomllib.loads(CASE), base / f"serial_{comm.rank}", comm=MPI.COMM_SELF).summary
    parallel = run_case(tomllib.loads(CASE), base / "parallel", comm=comm).summary
    assert parallel["ranks"] == comm.size and parallel["status"] == "ok"
    assert parallel["transient"]["steps"] == serial["transient"]["steps"] == 10
    scale = max(abs(q) for s in SPECIES for q in serial["boundary_flux"][s].values())
    for s in SPECIES:
        for b in ("left", "right"):
            got, want = parallel["boundary_flux"][s][b], serial["boundary_flux"][s][b]
            assert abs(got - want) < 1e-8 * scale
            for part in ("fickian", "thermal"):
                got = parallel["soret"]["flux_split"][s][b][part]
                assert abs(got - serial["soret"]["flux_split"][s][b][part]) < 1e-8 * scale
        inventory = parallel["inventory"][s]["final"]
        assert abs(inventory - serial["inventory"][s]["final"]) < 1e-8 * abs(inventory)
    assert parallel["thermal"]["t_min"] == pytest.approx(serial["thermal"]["t_min"], rel=1e-12)
    assert parallel["thermal"]["t_max"] == pytest.approx(serial["thermal"]["t_max"], rel=1e-12)
