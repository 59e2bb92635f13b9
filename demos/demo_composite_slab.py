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
# # Equimolar counterdiffusion through a three-layer membrane
#
# **What you will learn:** how to describe a layered composite, assign materials and
# boundary conditions by name, solve the steady equimolar counterdiffusion (EMCD) problem
# with finite elements, read the boundary fluxes, and check them against the exact
# series-resistance solution.
#
# ## The problem
# Species A diffuses through B across a slab of three layers (coating | membrane |
# support, thicknesses 0.3, 0.4 and 0.3 m). In EMCD the molar fluxes balance,
# $\mathbf N_B = -\mathbf N_A$, and Fick's law gives
#
# $$ \mathbf N_A = -c D \nabla x_A, \qquad \nabla\cdot\mathbf N_A = 0 \text{ in } \Omega, $$
#
# with $x_A = 0.9$ on the left face, $x_A = 0.1$ on the right face and no flux through the
# other faces. Weak form: find $x_A$ with the Dirichlet data such that
# $\int_\Omega c D \nabla x_A\cdot\nabla w\,\mathrm dx = 0$ for every test function $w$
# vanishing on the Dirichlet faces.
#
# In 1D the flux is the same in every layer and the layers add like resistances in series:
#
# $$ N_A = \frac{x_{A,\mathrm{left}} - x_{A,\mathrm{right}}}{\sum_i L_i / (c_i D_i)}. $$

# %%
import os

from mpi4py import MPI

import numpy as np

import emcd_fem as ef

fast = os.environ.get("EMCD_DEMO_FAST") == "1"
comm = MPI.COMM_WORLD

# %% [markdown]
# ## Geometry and materials
# `layered_slab` stacks the layers along x and puts every interface on mesh nodes; the
# regions are named after the layers, the boundaries `left`/`right` (x), `bottom`/`top` (y)
# and `front`/`back` (z).

# %%
thicknesses = [0.3, 0.4, 0.3]  # m
names = ["coating", "membrane", "support"]
materials = {
    "coating": ef.Material(diffusivity=2.0e-5, concentration=40.9),  # m^2/s, mol/m^3
    "membrane": ef.Material(diffusivity=2.0e-6, concentration=40.9),
    "support": ef.Material(diffusivity=1.0e-5, concentration=40.9),
}
boundary_conditions = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}

# %% [markdown]
# ## Solve in 1D, 2D and 3D, with P1 and P2 elements

# %%
reference = ef.analytic.composite_slab(
    thicknesses, [materials[n] for n in names], *boundary_conditions.values()
)
cells = [3, 4, 3] if fast else [6, 8, 6]
for dim in (1, 2, 3):
    for degree in (1, 2):
        domain = ef.layered_slab(
            thicknesses, region_names=names, dim=dim, cells_per_layer=cells, comm=comm
        )
        solution = ef.solve_emcd(domain, materials, boundary_conditions, degree=degree)
        flux = solution.boundary_flux["right"] / domain.slab.area  # mol/(m^2 s)
        error = abs(flux - reference.flux) / reference.flux
        if comm.rank == 0:
            print(
                f"{dim}D P{degree}: N_A = {flux:.10e} mol/(m^2 s), relative error {error:.1e}, "
                f"balance {solution.balance.relative:.1e}, solver {solution.solver.reason}"
            )
        assert error < 1e-8

# %% [markdown]
# ## Result
# The finite-element flux equals the series-resistance flux to rounding: with interfaces
# on nodes the piecewise-linear exact solution lies in the P1 (and P2) space. The membrane
# carries most of the resistance, so most of the mole-fraction drop happens there:

# %%
if comm.rank == 0:
    for z, x in zip(reference.positions, reference.mole_fractions, strict=True):
        print(f"z = {z:.2f} m: x_A = {x:.4f}")

# %% [markdown]
# ## Every boundary-condition type, verified in 1D
# The ends can also carry a prescribed outward flux $\mathbf N_A\cdot\mathbf n = q$
# (`MolarFlux`), a mass-transfer (Robin) condition
# $\mathbf N_A\cdot\mathbf n = k_c (x_A - x_\infty)$ (`MassTransfer`), or no flux at all.
# `analytic.composite_slab` solves each pair exactly (the resistances in series, plus
# $1/k_c$ for a film). When both ends prescribe fluxes they must balance, and the level of
# $x_A$ is then fixed by the inventory, the mean mole fraction $\int c x_A / \int c$.
# Each pair is solved with P1 in 1D and compared node by node:

# %%
pairs = {
    "mole fraction | flux": (ef.MoleFraction(0.9), ef.MolarFlux(1.0e-4), None),
    "flux | mole fraction": (ef.MolarFlux(-1.0e-4), ef.MoleFraction(0.1), None),
    "mole fraction | mass transfer": (ef.MoleFraction(0.9), ef.MassTransfer(2.0e-3, 0.05), None),
    "mass transfer | mass transfer": (
        ef.MassTransfer(5.0e-3, 0.95),
        ef.MassTransfer(2.0e-3, 0.05),
        None,
    ),
    "flux | flux (inventory 0.5)": (ef.MolarFlux(-1.0e-4), ef.MolarFlux(1.0e-4), 0.5),
    "zero flux | mole fraction": (ef.ZeroFlux(), ef.MoleFraction(0.3), None),
}
domain = ef.layered_slab(thicknesses, region_names=names, dim=1, cells_per_layer=cells, comm=comm)
for label, (left, right, inventory) in pairs.items():
    exact = ef.analytic.composite_slab(
        thicknesses, [materials[n] for n in names], left, right, inventory_mole_fraction=inventory
    )
    solution = ef.solve_emcd(
        domain, materials, {"left": left, "right": right}, inventory_mole_fraction=inventory
    )
    nodes = solution.mole_fraction.function_space.tabulate_dof_coordinates()[:, 0]
    owned = solution.mole_fraction.function_space.dofmap.index_map.size_local
    local = np.max(
        np.abs(solution.mole_fraction.x.array[:owned] - exact.mole_fraction(nodes[:owned])),
        initial=0.0,
    )
    profile_error = comm.allreduce(local, op=MPI.MAX)
    flux_error = abs(solution.boundary_flux["right"] - exact.flux)
    if comm.rank == 0:
        print(
            f"{label:>30s}: N_A = {solution.boundary_flux['right']: .6e} mol/(m^2 s) "
            f"(exact {exact.flux: .6e}), max |x_A - exact| = {profile_error:.1e}"
        )
    assert profile_error < 1e-10 and flux_error < 1e-10 * max(abs(exact.flux), 1e-4)

# %% [markdown]
# Every pair matches to rounding: the exact profile is piecewise linear with kinks on the
# nodes, so P1 reproduces it. The same pairs run as case files (`demos/bc_*.toml`) and in
# `emcd verify` in 1D, 2D and 3D.
