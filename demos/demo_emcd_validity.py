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
# # Is EMCD valid here? Asking a run how wrong the equimolar model is
#
# **What you will learn:** how to ask any steady binary run whether equimolar
# counterdiffusion (EMCD) holds for its geometry (`[analysis] emcd_validity = true`), which
# fuller model answers for which case, what the per-boundary deviation and the verdict
# mean, and why a porous pellet of H2 and N2 is *further* from EMCD at a *low* Knudsen
# number.
#
# ## The model and its conditions
# EMCD is Fick's law with $\mathbf N_A + \mathbf N_B = 0$:
#
# $$ \mathbf N_A = -c D \nabla x_A, \qquad \nabla\cdot\mathbf N_A = R_A . $$
#
# It is exact for a binary gas at uniform $T$ and $p$ with mole-balanced reactions
# ($R_T = \sum_i R_i = 0$). Each broken condition has a fuller model; the report re-solves
# the same mesh with it and compares, per boundary, the outward flow of A,
# $q_\Gamma = \int_\Gamma \mathbf N_A\cdot\mathbf n\,ds$, and the net molar flow
# $\int_\Gamma (\mathbf N_A + \mathbf N_B)\cdot\mathbf n\,ds$ (0 in EMCD):
#
# | condition broken | fuller model |
# |---|---|
# | none (free gas) | binary Maxwell–Stefan, $n = 2$, $\sum N_i = 0$ (EMCD itself) |
# | pores with $M_A \ne M_B$ | dusty-gas model: Knudsen + molecular + viscous, $p$ unknown |
# | a temperature field | the Soret run, $\mathbf N_A = -cD(\nabla x_A + S_T x_A x_B \nabla T)$ |
# | a wall reaction $A \to \nu B$, $\nu \ne 1$ | Stefan flow, $N_B = -\nu N_A$ |
#
# The deviation of a boundary is $q_\mathrm{EMCD}/q_\mathrm{full} - 1$; the verdict is
# "valid" below $10^{-6}$ (solver tolerance), "approximate" below 10 %, else "not valid".

# %%
import os

from mpi4py import MPI

import numpy as np

from emcd_fem import analytic
from emcd_fem.analytic.reactions import stefan_flux
from emcd_fem.case import load_case
from emcd_fem.pipeline.run import run_case

fast = os.environ.get("EMCD_DEMO_FAST") == "1"
comm = MPI.COMM_WORLD
cells = 20 if fast else 80


def say(*args):
    if comm.rank == 0:
        print(*args)


def slab(materials, boundaries, **extra):
    """A 1D slab of one layer, 2 mm thick, with the report switched on."""
    return {
        "geometry": {
            "kind": "layered_slab",
            "dim": 1,
            "layers": [{"name": "slab", "thickness": 2.0e-3, "cells": cells}],
        },
        "materials": {"slab": materials},
        "boundaries": boundaries,
        "discretisation": {"degree": 2},
        "analysis": {"emcd_validity": True},
    } | extra


ends = {
    "left": {"type": "mole_fraction", "value": 0.9},
    "right": {"type": "mole_fraction", "value": 0.1},
}

# %% [markdown]
# ## 1. A free gas: He and Ar at 300 K
# No pores, no temperature gradient, no reaction. The molar masses differ tenfold, yet the
# binary Maxwell–Stefan model with zero net molar flux *is* Fick's law: the report re-solves
# it and finds the same flows to rounding. (The centre of mass still drifts, by
# $(M_A - M_B) N_A/\rho$: equimolar is a statement about moles.)

# %%
free = slab({"gases": ["He", "Ar"], "T": 300.0, "P": 101325.0}, ends)
report = run_case(load_case(free), comm=comm).summary["validity"]
say("free gas:", report["verdict"], f"[{report['model']}]")
say("  alpha = 1 - sqrt(M_A/M_B) =", f"{report['regime']['alpha']:.3f}")
assert report["verdict"].startswith("valid: ")

# %% [markdown]
# ## 2. A porous pellet: H2 and N2 at 600 K, Kn = 0.002 and Kn = 8
# In pores under uniform pressure the dusty-gas species equations sum to
# $\sum_i N_i/D_{iK} = 0$: Graham's law $N_A/N_B = -\sqrt{M_B/M_A}$ at **every** Knudsen
# number. The EMCD run (with the Bosanquet diffusivity $1/D = 1/D_{AB} + 1/D_{K,A}$) is
# therefore furthest off where molecular diffusion dominates — at *low* Kn. The reference
# is the closed form of the isobaric dusty-gas rate, `analytic.dusty_gas_rate`, against
# the same formula with $M_B = M_A$ (EMCD).

# %%
for pore, label in ((100e-6, "100 um pores"), (20e-9, "20 nm pores")):
    porous = {
        "gases": ["H2", "N2"],
        "T": 600.0,
        "P": 101325.0,
        "porosity": 0.4,
        "tortuosity": 3.0,
        "pore_diameter": pore,
        "knudsen": "bosanquet",
    }
    summary = run_case(load_case(slab(porous, ends)), comm=comm).summary
    report, material = summary["validity"], summary["materials"]["slab"]
    masses = report["regime"]["molar_masses"]
    common = {
        "concentration": material["c_ideal_gas"],
        "d_molecular": material["D_AB_chapman_enskog"],
        "d_knudsen_a": material["D_knudsen_A"],
        "x_in": 0.9,
        "x_out": 0.1,
        "porosity_over_tortuosity": 0.4 / 3.0,
        "molar_mass_a": masses["A"],
    }
    dusty = analytic.dusty_gas_rate("slab", 0.0, 2e-3, molar_mass_b=masses["B"], **common)
    emcd = analytic.dusty_gas_rate("slab", 0.0, 2e-3, molar_mass_b=masses["A"], **common)
    row = report["boundaries"]["right"]
    say(f"{label} (Kn = {material['knudsen_number']:.3g}): {report['verdict']}")
    say(
        f"  deviation {row['relative_deviation']:+.4%} (closed form {emcd / dusty - 1:+.4%}), "
        f"N_B/N_A = {row['full_flux_B'] / row['full_flux_A']:.4f} (Graham "
        f"{-np.sqrt(masses['A'] / masses['B']):.4f}), p in "
        f"[{report['pressure_range'][0]:.6g}, {report['pressure_range'][1]:.6g}] Pa"
    )
    # P2 in 1D: the flows are superconvergent; 1e-6 leaves room for the coarse fast mesh
    assert abs(row["relative_deviation"] - (emcd / dusty - 1)) < 1e-6

# %% [markdown]
# At 100 µm pores the "continuum" label of the Knudsen number would say all is well, but
# EMCD gives 41 % less H2 than the dusty-gas model (44 % for x_A from 1 to 0); at 20 nm it
# is 2.4 % off. In both, the
# net molar flow is $0.73\,N_A$, not zero: the H2 leaves 3.7 times faster than the N2
# enters, and at equal end pressures the pressure stays uniform (no viscous flow).
#
# ## 3. A temperature field: the Soret run
# With `[thermal]` the run itself is the fuller model; EMCD is re-solved without it. The
# difference of the two flows through a mole-fraction boundary is the thermal flux
# weighted by that boundary's influence function — in a slab, the mean thermal flux.

# %%
soret = slab(
    {"D": 2.0e-5, "c": 40.9, "thermal_conductivity": 0.026, "soret_coefficient": 0.012},
    ends,
    thermal={
        "boundaries": {
            "left": {"type": "temperature", "value": 300.0},
            "right": {"type": "temperature", "value": 312.0},
        }
    },
)
summary = run_case(load_case(soret), comm=comm).summary
report = summary["validity"]
row = report["boundaries"]["right"]
exact = summary["analytic"]["flux_per_area"]  # the closed-form Riccati flux
say("Soret:", report["verdict"])
say(
    f"  EMCD {row['emcd_flux_A']:.5e}, Soret {row['full_flux_A']:.5e} (exact {exact:.5e}) "
    f"mol/(m^2 s); thermal part at the right end {summary['flux_split']['right']['thermal']:.3e}"
)
assert abs(row["full_flux_A"] - exact) < 1e-8 * exact
assert abs(row["emcd_flux_A"] - 40.9 * 2.0e-5 * 0.8 / 2e-3) < 1e-10 * row["emcd_flux_A"]

# %% [markdown]
# ## 4. A wall reaction that is not mole-balanced: Stefan flow
# A film with $A \to 2B$ at its wall has $N_B = -2N_A$: the net flow is $-N_A$, and the
# Stefan run is the fuller model; EMCD is the same film with $\nu = 1$.

# %%
stefan = slab(
    {"D": 1.0e-5, "c": 40.0},
    ends,
    physics={"flux_model": "stefan"},
    reactions=[{"equation": "A -> 2 B", "kind": "surface", "boundary": "right"}],
)
report = run_case(load_case(stefan), comm=comm).summary["validity"]
row = report["boundaries"]["right"]
closed = stefan_flux(40.0, 1.0e-5, 2e-3, 0.9, 0.1, 2.0)
say("Stefan:", report["verdict"])
say(f"  N_A {row['full_flux_A']:.5e} (closed form {closed:.5e})")
say(f"  N_A + N_B {row['full_net_flux']:.3e} mol/(m^2 s), EMCD: 0")
assert abs(row["full_flux_A"] - closed) < 1e-4 * closed  # P2 film, measured 1e-7 at 20 cells

# %% [markdown]
# ## What the summary holds
# `summary.json` → `validity` keeps all of it: the model used, the per-boundary flows and
# deviations, the regime numbers ($\alpha$, Graham's ratio, Kn per region, $S_T\Delta T$,
# $\Delta\nu$ and $R_T$), what neither model covers and, if data are missing, exactly what
# to add. With `--out DIR` the fields `emcd_deviation` (and `dusty_gas_pressure_rise`) are
# written, and `[output] pictures = true` renders them. `emcd run` prints the verdict last.
