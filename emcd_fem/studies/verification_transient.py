"""``emcd verify`` check of the transient model: the slab vs its Fourier solution.

Slab 0 < z < 1 m, c = 2 mol/m^3, D = 0.5 m^2/s, uniform x = 0.1, both ends held at 0.9
(``emcd_fem.analytic.transient``). The boundary flux at Fo = D t/L² = 0.1 with P1 on a
fine mesh (spatial error ~1e-6) and fixed BDF1/BDF2 steps: the error against the series
falls with the orders 1 and 2 (observed from the last two step halvings).
"""

import math

from mpi4py import MPI

from emcd_fem.analytic.transient import slab_fourier_flux
from emcd_fem.materials import Material
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.march import TimeSettings, march
from emcd_fem.models.transient import TransientModel
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.physics.conditions import MoleFraction
from emcd_fem.studies.verification_record import Check

C, D, X0, X1, T_END = 2.0, 0.5, 0.1, 0.9, 0.2


def _flux(comm: MPI.Comm, cells: int, steps: int, scheme: str) -> float:
    domain = layered_slab([1.0], region_names=["s"], cells_per_layer=cells, comm=comm)
    bcs = {"left": MoleFraction(X1), "right": MoleFraction(X1)}
    model = SpeciesTransportModel(domain, {"s": Material(D, C)}, bcs)
    transient = TransientModel(model, scheme=scheme)
    model.potentials[0].x.array[:] = X0
    state = transient.initial_state(0.0, T_END / steps)
    march(transient, state, TimeSettings(0.0, T_END, T_END / steps))
    return state.records[-1].boundary_flux["left"]


def check_transient(comm: MPI.Comm, quick: bool) -> list[Check]:
    """Slab start-up vs the Fourier series: flux error and temporal orders (BDF1, BDF2)."""
    exact = slab_fourier_flux(
        T_END, length=1.0, diffusivity=D, concentration=C, x_initial=X0, x_ends=X1
    )
    cells = 400 if quick else 1600
    steps = [20, 40, 80] if quick else [20, 40, 80, 160]
    checks = []
    for scheme, order, tolerance in (("bdf1", 1, 2e-2), ("bdf2", 2, 1e-4)):
        errors = [abs(_flux(comm, cells, n, scheme) / exact - 1) for n in steps]
        sizes = [T_END / n for n in steps]
        observed = math.log(errors[-2] / errors[-1]) / math.log(sizes[-2] / sizes[-1])
        checks.append(
            Check(
                f"transient slab, {scheme.upper()} (Fo = 0.1)",
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
