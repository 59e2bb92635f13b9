"""Two well-mixed bulbs joined by a capillary: the Duncan & Toor (1962) diffusion cell.

The bulbs are meshed (one 1D layer each, left and right of the capillary): a bulb of
volume V on a capillary of cross-section A holds V/A [m] of gas per unit capillary area,
which a layer of length ℓ carries with the concentration c V/(A ℓ) (the storage c ∂x/∂t
per unit length scales, the bulb's flux law does not matter as long as it mixes fast:
all its Đ_ij equal ``mixing`` [m^2/s], a bulb mixing time ℓ²/mixing ≪ the capillary's
L²/Đ). The whole cell is closed: no boundary condition, Σ N_i = 0 (zero net flux, the
isobaric closed vessel), each species' amount conserved. Solved with
:class:`~emcd_fem.models.multicomponent_transient.TransientMaxwellStefan` (adaptive BDF2).

Published conditions (Taylor & Krishna 1993, Examples 2.2.1 and 5.1): :data:`DUNCAN_TOOR`;
the measured bulb compositions: :data:`DUNCAN_TOOR_MEASURED`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import numpy as np
from dolfinx import fem

from emcd_fem.constants import GAS_CONSTANT
from emcd_fem.materials.mixture import GasMixture
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.march import TimeSettings, march
from emcd_fem.models.multicomponent import MaxwellStefanModel
from emcd_fem.models.multicomponent_transient import TransientMaxwellStefan
from emcd_fem.physics import maxwell_stefan as ms
from emcd_fem.solvers.time_stepping import StepControl

#: The Duncan–Toor experiment: H2 (1), N2 (2), CO2 (3) at 35.2 °C and 1 atm.
DUNCAN_TOOR: dict[str, Any] = {
    "species": ("H2", "N2", "CO2"),
    "T": 308.35,  # K
    "P": 101325.0,  # Pa
    "length": 85.9e-3,  # m, capillary
    "diameter": 2.08e-3,  # m, capillary
    "volumes": (77.99e-6, 78.63e-6),  # m^3, bulbs 1 and 2
    "initial": (
        {"H2": 0.0, "N2": 0.50086, "CO2": 0.49914},
        {"H2": 0.50121, "N2": 0.49879, "CO2": 0.0},
    ),
    "diffusivities": {("H2", "N2"): 83.8e-6, ("H2", "CO2"): 68.0e-6, ("N2", "CO2"): 16.8e-6},
}


#: Duncan & Toor's (1962) measured bulb compositions (AIChE J. 8, 38–41), as read off the
#: published figure by A. Cuoci for his course "Advanced Transport Phenomena" (Politecnico
#: di Milano; github.com/acuoci/ATP, lectures/diffusion/ExpDuncanToor.exp, commit 010b902,
#: where bulb "1" is the H2/N2 bulb — bulb 2 here). Read off a figure: each value carries
#: the reading error (~0.3 mol%) on top of the experiment's own (~1 mol%, the accuracy the
#: literature reports for the cell); the initial row is not repeated. Hours → species →
#: mole fraction in bulb 1 (N2/CO2 at t = 0) and bulb 2 (H2/N2 at t = 0).
DUNCAN_TOOR_MEASURED: dict[str, Any] = {
    "hours": np.array([3.8, 8.0, 12.0, 16.8]),
    "bulb1": {
        "H2": np.array([0.164548495, 0.214715719, 0.234782609, 0.246822742]),
        "N2": np.array([0.42541806, 0.435451505, 0.43812709, 0.456187291]),
        "CO2": np.array([0.410033445, 0.349832776, 0.327090301, 0.296989967]),
    },
    "bulb2": {
        "H2": np.array([0.331103679, 0.278929766, 0.252842809, 0.256856187]),
        "N2": np.array([0.571906355, 0.563210702, 0.559197324, 0.541666667]),
        "CO2": np.array([0.096989967, 0.157859532, 0.187959866, 0.201477146]),
    },
}


@dataclass(frozen=True)
class TwoBulbHistory:
    """Bulb compositions in time.

    Attributes:
        times: Output times [s].
        bulb1, bulb2: Species → mean mole fraction in the bulb at each time [-].
        total_flux: Largest |Σ_i q_i| on the (closed) ends over the run [mol/(m^2 s)].
    """

    times: np.ndarray
    bulb1: dict[str, np.ndarray]
    bulb2: dict[str, np.ndarray]
    total_flux: float


def two_bulb_cell(
    times: Sequence[float],
    *,
    data: Mapping[str, Any] = DUNCAN_TOOR,
    model: str = "maxwell_stefan",
    bulb_length: float = 0.01,
    mixing: float = 1e-3,
    cells: int = 24,
    degree: int = 2,
    rtol: float = 1e-6,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> TwoBulbHistory:
    """Simulate the two-bulb cell and return the bulb compositions at ``times`` [s].

    Args:
        times: Output times [s] (> 0, increasing).
        data: The experiment (:data:`DUNCAN_TOOR` layout).
        model: ``"maxwell_stefan"`` or ``"mixture_averaged"`` (Fick with Wilke D_im).
        bulb_length: Length ℓ of each meshed bulb [m].
        mixing: Đ_ij in the bulbs [m^2/s].
        cells: Cells in the capillary (2 per bulb).
        degree: Lagrange degree.
        rtol: Relative tolerance of the adaptive steps (atol = rtol / 100).
        comm: Communicator.
    """
    species = tuple(data["species"])
    c = data["P"] / (GAS_CONSTANT * data["T"])
    area = np.pi * data["diameter"] ** 2 / 4
    length = data["length"]
    domain = layered_slab(
        [bulb_length, length, bulb_length],
        region_names=["bulb1", "capillary", "bulb2"],
        cells_per_layer=[2, cells, 2],
        comm=comm,
    )
    mixed = {pair: mixing for pair in data["diffusivities"]}
    mixtures = {"capillary": GasMixture(species, data["diffusivities"], c, "capillary")}
    for name, volume in zip(("bulb1", "bulb2"), data["volumes"], strict=True):
        mixtures[name] = GasMixture(species, mixed, c * volume / (area * bulb_length), name)
    steady = MaxwellStefanModel(
        domain,
        mixtures,
        {},
        ms.zero_net_flux(len(species)),
        degree=degree,
        model=model,
        closed=True,
    )
    transient = TransientMaxwellStefan(steady)
    one, two = ([start[s] for s in species] for start in data["initial"])

    def initial(p: np.ndarray) -> np.ndarray:
        t = np.clip((p[0] - bulb_length) / length, 0.0, 1.0)  # linear in the capillary
        return np.outer(one, 1 - t) + np.outer(two, t)

    transient.set_initial(initial)
    state = transient.initial_state(0.0, 1e-2)
    xs = ms.all_mole_fractions(steady.x, steady.bootstrap)
    forms = {
        b: [fem.form(x * domain.dx(domain.regions[b])) for x in xs] for b in ("bulb1", "bulb2")
    }
    history = {b: {s: [] for s in species} for b in forms}
    out = sorted(float(t) for t in times)

    def on_step(record: Any, at_output: bool) -> None:
        if not at_output:
            return
        for b, fs in forms.items():
            for s, f in zip(species, fs, strict=True):
                value = comm.allreduce(fem.assemble_scalar(f), op=MPI.SUM) / bulb_length
                history[b][s].append(value)

    control = StepControl(rtol=rtol, atol=rtol / 100, dt_max=out[-1] / 20)
    settings = TimeSettings(0.0, out[-1], 1e-2, adaptive=True, control=control, output_times=out)
    march(transient, state, settings, on_step=on_step)
    worst = max(abs(v) for r in state.records for v in r.total_flux.values())
    return TwoBulbHistory(
        times=np.array(out),
        bulb1={s: np.array(v) for s, v in history["bulb1"].items()},
        bulb2={s: np.array(v) for s, v in history["bulb2"].items()},
        total_flux=worst,
    )


def sampled_peak(times: Sequence[float], values: Sequence[float]) -> tuple[float, float]:
    """(t*, y*) of the largest sample, refined by the parabola through it and its neighbours.

    The extremum of a smooth history sampled at a coarse grid (spacing h) is off by up to
    h/2 at the largest sample; the parabola through the three samples around it puts it
    within O(h^3) of the true t* (exact for a parabola). At the first or last sample the
    sample itself is returned.

    Args:
        times: Sample times t_k, increasing [any unit, returned in it].
        values: The history y(t_k).
    """
    t, y = np.asarray(times, dtype=float), np.asarray(values, dtype=float)
    k = int(np.argmax(y))
    if k == 0 or k == y.size - 1:
        return float(t[k]), float(y[k])
    a, b, c = np.polyfit(t[k - 1 : k + 2] - t[k], y[k - 1 : k + 2], 2)
    if not a < 0:
        return float(t[k]), float(y[k])
    shift = -b / (2 * a)
    return float(t[k] + shift), float(c - b * b / (4 * a))


__all__ = ["DUNCAN_TOOR", "DUNCAN_TOOR_MEASURED", "TwoBulbHistory", "sampled_peak", "two_bulb_cell"]
