"""Regenerate README's geometry pictures: `python docs/make_figures.py` (serial)."""

from pathlib import Path

from mpi4py import MPI

import emcd_fem  # noqa: F401  (MPI/DOLFINx load order)
from emcd_fem import geometry
from emcd_fem.plotting import plot_regions

OUT = Path(__file__).parent / "images"
SELF = MPI.COMM_SELF

if __name__ == "__main__":
    plot_regions(
        geometry.annulus(
            [0.5, 0.8, 1.0], size=0.08, order=2, comm=SELF, region_names=["wall", "coating"]
        ),
        OUT / "annulus.png",
        title="annulus, order-2 cells: wall and coating",
    )
    plot_regions(
        geometry.random_inclusions(
            (1.0, 1.0), 0.06, 0.3, seed=1, size=0.04, inclusion_size=0.015, comm=SELF
        ),
        OUT / "inclusions_random.png",
        title="random circles, 30 %, periodic images cut by the cell",
    )
    plot_regions(
        geometry.matrix_with_inclusions(
            (1.0, 1.0, 1.0),
            geometry.periodic_array((1.0, 1.0, 1.0), (2, 2, 2)),
            0.2,
            kind="sphere",
            size=0.1,
            comm=SELF,
        ),
        OUT / "spheres.png",
        title="periodic spheres, clipped through their centres",
        clip_origin=(0.5, 0.25, 0.5),
    )
    plot_regions(
        geometry.stomatal_pore(
            pore_radius=1.0,
            epidermis_thickness=1.0,
            cell_radius=4.0,
            cavity_depth=4.0,
            outside_height=4.0,
            size=1.0,
            pore_size=0.25,
            comm=SELF,
        ),
        OUT / "stomatal_pore.png",
        title="stomatal pore (clipped): cavity, pore, outside air",
    )
    print("figures in", OUT)
