# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %%
# The PyPI DOLFINx wheel needs `dolfinx_solver` imported before anything MPI-bound.
import importlib.util

if importlib.util.find_spec("dolfinx_solver") is not None:
    import dolfinx_solver  # noqa: F401

# %% [markdown]
# # Effective diffusivity of a particle composite
#
# **What you will learn:** how to build a matrix with circular inclusions with gmsh, run
# the cell problem for the effective diffusivity, and judge the result against the
# Hashin–Shtrikman bounds and Rayleigh's formula.
#
# ## The problem
# A square cell (side 1 mm) holds a square array of cylinders of volume fraction φ whose
# diffusivity is β = 10 times the matrix one. With $x_A = 1$ on the left face, $x_A = 0$ on
# the right face and no flux through top and bottom, the steady EMCD problem
# $\nabla\cdot(-c D \nabla x_A) = 0$ gives the flux $q$ through the cell and
#
# $$ D_\mathrm{eff} = \frac{q\,L}{c\,\Delta x\,A}. $$
#
# Mirror symmetry of the cell makes this the exact diagonal entry of the effective tensor.
# For a square array, Rayleigh (1892) and Perrins, McKenzie & McPhedran (1979) give
#
# $$ \frac{D_\mathrm{eff}}{D_m} = 1 - \frac{2\phi}{T + \phi - 0.305827\,\phi^4 T/(T^2 -
# 1.402958\,\phi^8) - 0.013362\,\phi^8}, \qquad T = \frac{D_m + D_i}{D_m - D_i}. $$

# %%
import math
import os

from mpi4py import MPI

import emcd_fem as ef
from emcd_fem import analytic
from emcd_fem.geometry import matrix_with_inclusions
from emcd_fem.post.mesh_report import mesh_report
from emcd_fem.studies.effective import effective_diffusivity

fast = os.environ.get("EMCD_DEMO_FAST") == "1"
comm = MPI.COMM_WORLD
length = 1.0e-3  # m

# %% [markdown]
# ## Geometry and materials
# One inclusion per cell, meshed with curved (order-2) cells so that the circle is
# represented to ~1e-5; `mesh_report` measures the volume fraction actually meshed.

# %%
matrix = ef.Material(diffusivity=1.0e-9, concentration=40.9)
inclusion = ef.Material(diffusivity=1.0e-8, concentration=40.9)
fractions = [0.1, 0.3] if fast else [0.1, 0.2, 0.3, 0.4, 0.5]
rows = []
for phi in fractions:
    radius = length * math.sqrt(phi / math.pi)
    domain = matrix_with_inclusions(
        (length, length),
        [[length / 2, length / 2]],
        radius,
        size=radius / (3 if fast else 6),
        order=2,
        comm=comm,
    )
    meshed = mesh_report(domain)["region_measures"]["inclusion"] / length**2
    d_eff = effective_diffusivity(
        domain, {"matrix": matrix, "inclusion": inclusion}, (length, length), axes=[0]
    )[0]
    low, high = analytic.hashin_shtrikman_bounds(
        meshed, matrix.diffusivity, inclusion.diffusivity, 2
    )
    rayleigh = analytic.rayleigh_square_cylinders(phi, matrix.diffusivity, inclusion.diffusivity)
    rows.append((phi, meshed, d_eff, low, high, rayleigh))

# %% [markdown]
# ## Result
# The finite-element values sit inside the Hashin–Shtrikman bounds, close to the lower
# (Maxwell-Garnett) bound at small φ, and agree with Rayleigh/Perrins to ~1e-4 or better.

# %%
if comm.rank == 0:
    print(" phi   meshed   D_eff/D_m   HS lower   HS upper   Rayleigh   rel. diff")
    for phi, meshed, d_eff, low, high, rayleigh in rows:
        scale = matrix.diffusivity
        difference = abs(d_eff - rayleigh) / rayleigh
        print(
            f"{phi:4.2f}  {meshed:7.5f}  {d_eff / scale:9.5f}  {low / scale:9.5f}  "
            f"{high / scale:9.5f}  {rayleigh / scale:9.5f}  {difference:8.1e}"
        )
for phi, meshed, d_eff, low, high, rayleigh in rows:
    assert low * (1 - 1e-4) <= d_eff <= high * (1 + 1e-4)
    assert abs(d_eff - rayleigh) / rayleigh < (2e-3 if fast else 3e-4)
