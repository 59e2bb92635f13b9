"""Geometry library: gmsh builders returning named, tagged, distributed domains.

The built-in layered slab (:func:`emcd_fem.layered_slab`) needs no gmsh.
"""

from emcd_fem.geometry.files import from_file
from emcd_fem.geometry.gmsh_model import domain_from_gmsh
from emcd_fem.geometry.inclusions import (
    InclusionLayout,
    matrix_with_inclusions,
    periodic_array,
    random_inclusions,
    random_packing,
)
from emcd_fem.geometry.refine import refine_with_tags
from emcd_fem.geometry.shells import ShellLayout, annulus, cylinder_shells, sphere_shells
from emcd_fem.geometry.slab import gmsh_layered_slab
from emcd_fem.geometry.stomata import StomaLayout, brown_escombe_resistance, stomatal_pore

__all__ = [
    "InclusionLayout",
    "ShellLayout",
    "StomaLayout",
    "annulus",
    "brown_escombe_resistance",
    "cylinder_shells",
    "domain_from_gmsh",
    "from_file",
    "gmsh_layered_slab",
    "matrix_with_inclusions",
    "periodic_array",
    "random_inclusions",
    "random_packing",
    "refine_with_tags",
    "sphere_shells",
    "stomatal_pore",
]
