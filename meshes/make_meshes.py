"""Regenerate the small pre-generated meshes used by tests: `python meshes/make_meshes.py`."""

from pathlib import Path

from mpi4py import MPI

import emcd_fem  # noqa: F401  (MPI/DOLFINx load order)
from emcd_fem.geometry import annulus

HERE = Path(__file__).parent

if __name__ == "__main__":
    annulus(
        [0.5, 0.8, 1.0],
        size=0.1,
        region_names=["wall", "coating"],
        msh_file=HERE / "annulus_two_shells.msh",
        comm=MPI.COMM_SELF,
    )
    print("wrote", HERE / "annulus_two_shells.msh")
