"""Case files (TOML text) of the benchmarks: the slab, the sphere array, the Soret case.

All force CG + GAMG (the library's default iterative solver, also below its direct-solver
size) at the library's default ``ksp_rtol`` (the options of every code in the comparison:
see ``run.petsc_options``) and keep emcd_fem's default outputs.
"""

import common

SOLVER = """
[solver]
petsc_options = { ksp_type = "cg", pc_type = "gamg" }
"""


def slab(n: int) -> str:
    """The 3-layer slab of ``common`` with n cells along x, y and z: (n + 1)³ P1 DOFs."""
    layers = ",\n".join(
        f'  {{ name = "{name}", thickness = {t!r}, cells = {c} }}'
        for name, t, c in zip(common.NAMES, common.THICKNESS, common.layer_cells(n), strict=True)
    )
    materials = "\n".join(
        f"[materials.{name}]\nD = {d!r}\nc = {common.C!r}\n"
        for name, d in zip(common.NAMES, common.D, strict=True)
    )
    return f"""[geometry]
kind = "layered_slab"
dim = 3
width = {common.WIDTH!r}
depth = {common.WIDTH!r}
cells_across = {n}
layers = [
{layers},
]

{materials}
[boundaries.left]
type = "mole_fraction"
value = {common.X_LEFT!r}

[boundaries.right]
type = "mole_fraction"
value = {common.X_RIGHT!r}
{SOLVER}"""


#: The sphere array: a 1 mm cube, 3 × 3 × 3 spheres of radius 0.12 mm (fraction 0.195).
SPHERE_RADIUS = 0.12e-3


def spheres(size: float, refine: int = 0) -> str:
    """The sphere-array composite from gmsh, cell size ``size`` [m], ``refine`` levels."""
    return f"""[geometry]
kind = "inclusions"
dim = 3
shape = "sphere"
extents = [1.0e-3, 1.0e-3, 1.0e-3]
radius = {SPHERE_RADIUS!r}
counts = [3, 3, 3]
size = {size!r}
refine = {refine}

[materials.matrix]
D = 1.0e-9
c = 40.9

[materials.inclusion]
D = 1.0e-8
c = 40.9

[boundaries.left]
type = "mole_fraction"
value = 1.0

[boundaries.right]
type = "mole_fraction"
value = 0.0
{SOLVER}"""


def soret(n: int) -> str:
    """demos/soret_3d.toml with n cells per layer along x and n·4/5 across: ~2 (2n+1)(0.8n+1)² DOFs.

    The monolithic Newton solve of x_A and T (two P1 fields).
    """
    across = max(2, round(0.8 * n))
    return f"""[geometry]
kind = "layered_slab"
dim = 3
width = 0.01
depth = 0.005
cells_across = {across}
layers = [
  {{ name = "gas", thickness = 0.01, cells = {n} }},
  {{ name = "felt", thickness = 0.01, cells = {n} }},
]

[materials.gas]
gases = ["He", "Ar"]
T = 300.0
P = 101325.0
thermal_conductivity = 0.05
thermal_diffusion_factor = -0.3
diffusivity_law = "chapman_enskog"
concentration_law = "ideal_gas"

[materials.felt]
gases = ["He", "Ar"]
T = 300.0
P = 101325.0
porosity = 0.8
tortuosity = 1.5
thermal_conductivity = 0.2
thermal_diffusion_factor = -0.3
diffusivity_law = "chapman_enskog"
concentration_law = "ideal_gas"

[[interfaces]]
materials = ["gas", "felt"]
contact_resistance = 2.0e-3

[boundaries.left]
type = "mole_fraction"
value = 0.8

[boundaries.right]
type = "mole_fraction"
value = 0.2

[thermal]
coupling = "monolithic"

[thermal.boundaries.bottom]
type = "temperature"
value = 450.0

[thermal.boundaries.top]
type = "convective"
coefficient = 100.0
ambient = 300.0
"""  # the solver defaults: T first (CG + GAMG), then Newton for x_A (GMRES + GAMG)
