"""emcd_fem: equimolar counterdiffusion in composite media with DOLFINx.

Data flow: geometry → :class:`Domain` (mesh, tags, names) → :class:`Material` per region →
boundary conditions by name → :class:`EMCDProblem` (UFL forms, PETSc) → :class:`Solution`
(mole fraction, outward boundary fluxes, balance).
"""

# isort: off
from emcd_fem import _runtime  # noqa: F401  (must precede every DOLFINx/PETSc/MPI import)
# isort: on

import importlib as _importlib
import importlib.abc as _importlib_abc
import importlib.machinery as _machinery
import sys as _sys
from typing import Any as _Any

from emcd_fem.errors import (
    AdmissibilityError,
    EmcdError,
    EmcdInputError,
    EmcdMeshError,
    EmcdMeshingError,
    EmcdResultError,
    EmcdSolverError,
)

# Public names, loaded on first use (PEP 562): ``import emcd_fem`` costs no more than the
# runtime set-up above, and an API user never loads the case-file layer, the CLI, gmsh,
# PyVista or matplotlib unless a name that needs them is used. name → (module, attribute);
# attribute None: the name is the module itself.
_LAZY: dict[str, tuple[str, str | None]] = {
    "analytic": ("emcd_fem.analytic", None),
    "multipole": ("emcd_fem.analytic.multipole", None),
    "domain_from_gmsh": ("emcd_fem.geometry", "domain_from_gmsh"),
    "LoadedResult": ("emcd_fem.io.results", "LoadedResult"),
    "load_result": ("emcd_fem.io.results", "load_result"),
    "Material": ("emcd_fem.materials", "Material"),
    "MaterialFields": ("emcd_fem.materials", "MaterialFields"),
    "assign_materials": ("emcd_fem.materials", "assign_materials"),
    "kinetic_theory": ("emcd_fem.materials.kinetic_theory", None),
    "properties": ("emcd_fem.materials.properties", None),
    "GasMixture": ("emcd_fem.materials.mixture", "GasMixture"),
    "mixture_from_kinetic_theory": ("emcd_fem.materials.mixture", "mixture_from_kinetic_theory"),
    "Reaction": ("emcd_fem.materials.stoichiometry", "Reaction"),
    "Domain": ("emcd_fem.mesh.domain", "Domain"),
    "SlabLayout": ("emcd_fem.mesh.domain", "SlabLayout"),
    "layered_slab": ("emcd_fem.mesh.domain", "layered_slab"),
    "films": ("emcd_fem.models.films", None),
    "soret": ("emcd_fem.models.soret", None),
    "thermal": ("emcd_fem.models.thermal", None),
    "MaxwellStefanModel": ("emcd_fem.models.multicomponent", "MaxwellStefanModel"),
    "MaxwellStefanFilmModel": ("emcd_fem.models.multicomponent_films", "MaxwellStefanFilmModel"),
    "MulticomponentSolution": ("emcd_fem.models.multicomponent", "MulticomponentSolution"),
    "PropertyLaw": ("emcd_fem.models.multicomponent_thermal", "PropertyLaw"),
    "ThermalDiffusionInputs": ("emcd_fem.models.multicomponent_thermal", "ThermalDiffusionInputs"),
    "BoundaryState": ("emcd_fem.models.dusty_gas", "BoundaryState"),
    "DustyGasModel": ("emcd_fem.models.dusty_gas", "DustyGasModel"),
    "DustyGasSolution": ("emcd_fem.models.dusty_gas", "DustyGasSolution"),
    "DustyGas": ("emcd_fem.materials.porous", "DustyGas"),
    "PorousMedium": ("emcd_fem.materials.porous", "PorousMedium"),
    "dusty_gas_from_kinetic_theory": ("emcd_fem.materials.porous", "dusty_gas_from_kinetic_theory"),
    "emcd_validity": ("emcd_fem.pipeline.validity", "emcd_validity"),
    "Balance": ("emcd_fem.models.problem", "Balance"),
    "EMCDProblem": ("emcd_fem.models.problem", "EMCDProblem"),
    "Solution": ("emcd_fem.models.problem", "Solution"),
    "solve_emcd": ("emcd_fem.models.problem", "solve_emcd"),
    "maxwell_stefan": ("emcd_fem.physics.maxwell_stefan", None),
    "BoundaryCondition": ("emcd_fem.physics.conditions", "BoundaryCondition"),
    "MassTransfer": ("emcd_fem.physics.conditions", "MassTransfer"),
    "MolarFlux": ("emcd_fem.physics.conditions", "MolarFlux"),
    "MoleFraction": ("emcd_fem.physics.conditions", "MoleFraction"),
    "ZeroFlux": ("emcd_fem.physics.conditions", "ZeroFlux"),
    "RunResult": ("emcd_fem.pipeline.run", "RunResult"),
    "check_case": ("emcd_fem.pipeline.run", "check_case"),
    "run_case": ("emcd_fem.pipeline.run", "run_case"),
    "mesh_report": ("emcd_fem.post.mesh_report", None),
    "petsc_options": ("emcd_fem.solvers.petsc_options", None),
    "effective": ("emcd_fem.studies.effective", None),
}

# Module paths documented before the package layout (issue 17) stay importable:
# ``from emcd_fem.films import FilmEMCDProblem`` and the like keep working.
_ALIASES = {
    "emcd_fem.films": "emcd_fem.models.films",
    "emcd_fem.soret": "emcd_fem.models.soret",
    "emcd_fem.thermal": "emcd_fem.models.thermal",
}


def __getattr__(name: str) -> _Any:
    """Load a public name on first use (PEP 562)."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("emcd_fem")
        except PackageNotFoundError:  # running from a source tree without installation
            value = "0+unknown"
    elif name in _LAZY:
        module_name, attribute = _LAZY[name]
        module = _importlib.import_module(module_name)
        value = module if attribute is None else getattr(module, attribute)
    else:
        raise AttributeError(f"module 'emcd_fem' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _AliasLoader(_importlib_abc.Loader):
    """Load ``emcd_fem.films`` as the module ``emcd_fem.models.films`` itself."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.spec: _Any = None

    def create_module(self, spec: _Any) -> _Any:
        module = _importlib.import_module(self.target)
        self.spec = module.__spec__
        return module

    def exec_module(self, module: _Any) -> None:
        module.__spec__ = self.spec  # the import system set the alias's spec: restore it


class _AliasFinder(_importlib_abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: _Any, target: _Any = None) -> _Any:
        if fullname not in _ALIASES:
            return None
        return _machinery.ModuleSpec(fullname, _AliasLoader(_ALIASES[fullname]))


if not any(isinstance(f, _AliasFinder) for f in _sys.meta_path):
    _sys.meta_path.append(_AliasFinder())

__all__ = [
    "AdmissibilityError",
    "Balance",
    "BoundaryCondition",
    "BoundaryState",
    "Domain",
    "DustyGas",
    "DustyGasModel",
    "DustyGasSolution",
    "EMCDProblem",
    "EmcdError",
    "EmcdInputError",
    "EmcdMeshError",
    "EmcdMeshingError",
    "EmcdResultError",
    "EmcdSolverError",
    "GasMixture",
    "LoadedResult",
    "MassTransfer",
    "Material",
    "MaterialFields",
    "MaxwellStefanFilmModel",
    "MaxwellStefanModel",
    "MolarFlux",
    "MoleFraction",
    "MulticomponentSolution",
    "PorousMedium",
    "PropertyLaw",
    "Reaction",
    "RunResult",
    "SlabLayout",
    "Solution",
    "ThermalDiffusionInputs",
    "ZeroFlux",
    "__version__",
    "analytic",
    "assign_materials",
    "check_case",
    "domain_from_gmsh",
    "dusty_gas_from_kinetic_theory",
    "effective",  # module: emcd_fem.studies.effective (path documented before the layout)
    "emcd_validity",
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
