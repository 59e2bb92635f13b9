"""emcd_fem: equimolar counterdiffusion in composite media with DOLFINx.

Data flow: geometry → :class:`Domain` (mesh, tags, names) → :class:`Material` per region →
boundary conditions by name → :class:`EMCDProblem` (UFL forms, PETSc) → :class:`Solution`
(mole fraction, outward boundary fluxes, balance).
"""

# isort: off
from emcd_fem import _runtime  # noqa: F401  (must precede every DOLFINx/PETSc/MPI import)
# isort: on

import sys as _sys
from importlib.metadata import PackageNotFoundError, version

from emcd_fem import analytic
from emcd_fem.analytic import multipole
from emcd_fem.errors import (
    AdmissibilityError,
    EmcdError,
    EmcdInputError,
    EmcdMeshError,
    EmcdResultError,
    EmcdSolverError,
)
from emcd_fem.geometry import domain_from_gmsh
from emcd_fem.io.results import LoadedResult, load_result
from emcd_fem.materials import (
    Material,
    MaterialFields,
    assign_materials,
    kinetic_theory,
    properties,
)
from emcd_fem.materials.mixture import GasMixture, mixture_from_kinetic_theory
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import Domain, SlabLayout, layered_slab
from emcd_fem.models import films as _films
from emcd_fem.models import soret as _soret
from emcd_fem.models import thermal as _thermal
from emcd_fem.models.multicomponent import MaxwellStefanModel, MulticomponentSolution
from emcd_fem.models.problem import Balance, EMCDProblem, Solution, solve_emcd
from emcd_fem.physics import maxwell_stefan
from emcd_fem.physics.conditions import (
    BoundaryCondition,
    MassTransfer,
    MolarFlux,
    MoleFraction,
    ZeroFlux,
)
from emcd_fem.pipeline.run import RunResult, check_case, run_case
from emcd_fem.post import mesh_report
from emcd_fem.solvers import petsc_options
from emcd_fem.studies import effective

# Module paths documented before the package layout (issue 17) stay importable:
# ``from emcd_fem.films import FilmEMCDProblem`` and the like keep working.
_sys.modules.setdefault("emcd_fem.films", _films)
_sys.modules.setdefault("emcd_fem.soret", _soret)
_sys.modules.setdefault("emcd_fem.thermal", _thermal)
films, soret, thermal = _films, _soret, _thermal  # ``emcd_fem.thermal.HeatFlux`` too

try:
    __version__ = version("emcd_fem")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = [
    "AdmissibilityError",
    "Balance",
    "BoundaryCondition",
    "Domain",
    "EMCDProblem",
    "EmcdError",
    "EmcdInputError",
    "EmcdMeshError",
    "EmcdResultError",
    "EmcdSolverError",
    "GasMixture",
    "LoadedResult",
    "MassTransfer",
    "Material",
    "MaterialFields",
    "MaxwellStefanModel",
    "MolarFlux",
    "MoleFraction",
    "MulticomponentSolution",
    "Reaction",
    "RunResult",
    "SlabLayout",
    "Solution",
    "ZeroFlux",
    "__version__",
    "analytic",
    "assign_materials",
    "check_case",
    "domain_from_gmsh",
    "effective",  # module: emcd_fem.studies.effective (path documented before the layout)
    "kinetic_theory",  # module: emcd_fem.materials.kinetic_theory (same)
    "layered_slab",
    "load_result",
    "maxwell_stefan",  # module: emcd_fem.physics.maxwell_stefan (bootstraps)
    "mesh_report",  # module: emcd_fem.post.mesh_report (same)
    "mixture_from_kinetic_theory",
    "multipole",  # module: emcd_fem.analytic.multipole (same)
    "petsc_options",  # module: emcd_fem.solvers.petsc_options (same)
    "properties",  # module: emcd_fem.materials.properties (same)
    "run_case",
    "solve_emcd",
]
