"""``emcd verify`` check of the transient model: the slab vs its Fourier solution.

Slab 0 < z < 1 m, c = 2 mol/m^3, D = 0.5 m^2/s, uniform x = 0.1, both ends held at 0.9
(``emcd_fem.analytic.transient``). The boundary flux at Fo = D t/L² = 0.1 with P1 on a
fine mesh (spatial error ~1e-6) and fixed BDF1/BDF2 steps: the error against the series
falls with the orders 1 and 2 (observed from the last two step halvings).

The transient temperature (``models.thermal_transient``) is checked the same way: the heat
slab (k = 1 W/(m K), ρ c_p = 2 J/(m^3 K), so α = 0.5 m^2/s; T = 300 K, ends at 350 K) is the
same PDE with T for x_A, marched inside the species model (uniform x_A, S_T = 0).
"""

import itertools
import math

from mpi4py import MPI

from emcd_fem.analytic.transient import slab_fourier_flux
from emcd_fem.materials import Material
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.march import TimeSettings, march
from emcd_fem.models.thermal import HeatConductionProblem, Temperature
from emcd_fem.models.transient import TransientModel
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.physics.conditions import MoleFraction
from emcd_fem.studies.verification_record import Check

C, D, X0, X1, T_END = 2.0, 0.5, 0.1, 0.9, 0.2
T_COLD, T_HOT = 300.0, 350.0  # K


def _flux(comm: MPI.Comm, cells: int, steps: int, scheme: str) -> float:
    domain = layered_slab([1.0], region_names=["s"], cells_per_layer=cells, comm=comm)
    bcs = {"left": MoleFraction(X1), "right": MoleFraction(X1)}
    model = SpeciesTransportModel(domain, {"s": Material(D, C)}, bcs)
    transient = TransientModel(model, scheme=scheme)
    model.potentials[0].x.array[:] = X0
    state = transient.initial_state(0.0, T_END / steps)
    march(transient, state, TimeSettings(0.0, T_END, T_END / steps))
    return state.records[-1].boundary_flux["left"]


def _heat_flow(comm: MPI.Comm, cells: int, steps: int, scheme: str) -> float:
    domain = layered_slab([1.0], region_names=["s"], cells_per_layer=cells, comm=comm)
    heat = HeatConductionProblem(
        domain, {"s": 1.0}, {"left": Temperature(T_HOT), "right": Temperature(T_HOT)}
    )
    bcs = {"left": MoleFraction(X0), "right": MoleFraction(X0)}
    model = SpeciesTransportModel(
        domain, {"s": Material(D, C)}, bcs, temperature=heat, soret={"s": 0.0}
    )
    transient = TransientModel(model, scheme=scheme, heat_capacity={"s": 1.0 / D})
    model.potentials[0].x.array[:] = X0
    transient.heat.set_initial(T_COLD, 0.0)
    state = transient.initial_state(0.0, T_END / steps)
    march(transient, state, TimeSettings(0.0, T_END, T_END / steps))
    return state.records[-1].heat_flow["left"]


def check_transient(comm: MPI.Comm, quick: bool) -> list[Check]:
    """Slab start-up vs the Fourier series: flux error and temporal orders (BDF1, BDF2)."""
    exact = slab_fourier_flux(
        T_END, length=1.0, diffusivity=D, concentration=C, x_initial=X0, x_ends=X1
    )
    cells = 400 if quick else 1600
    steps = [20, 40, 80] if quick else [20, 40, 80, 160]
    exact_heat = slab_fourier_flux(
        T_END, length=1.0, diffusivity=D, concentration=1.0 / D, x_initial=T_COLD, x_ends=T_HOT
    )
    checks = []
    runs = [("transient slab", _flux, exact)]
    runs.append(("transient heat slab", _heat_flow, exact_heat))
    for (label, run, reference), (scheme, order, tolerance) in itertools.product(
        runs, (("bdf1", 1, 2e-2), ("bdf2", 2, 1e-4))
    ):
        errors = [abs(run(comm, cells, n, scheme) / reference - 1) for n in steps]
        sizes = [T_END / n for n in steps]
        observed = math.log(errors[-2] / errors[-1]) / math.log(sizes[-2] / sizes[-1])
        checks.append(
            Check(
                f"{label}, {scheme.upper()} (Fo = 0.1)",
                "Fourier series (uniform start, both ends held)",
                errors[-1],
                tolerance,
                orders={"dt": observed},
                expected_orders={"dt": order},
                series={"dt": (sizes, errors)},
            )
        )
    return checks


__all__ = ["check_transient"]
