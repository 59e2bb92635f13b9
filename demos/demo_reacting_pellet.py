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
# # A reacting catalyst pellet: Thiele modulus, effectiveness factor and the R_T check
#
# **What you will learn:** how to put a reaction into an EMCD model, how diffusion limits
# the rate of a catalyst (Thiele modulus φ, effectiveness factor η), and why a reaction that
# changes the number of moles cannot be modelled with equimolar counterdiffusion — and what
# emcd_fem does instead.
#
# ## The problem
# An isomerization A ⇌ B runs inside a porous catalyst (D = 10⁻⁵ m²/s, c = 40 mol/m³).
# Mass action gives $R_A = -c\,(k_f x_A - k_b x_B) = -c\,k\,(x_A - x_\mathrm{eq})$ with
# $k = k_f + k_b$ and $x_\mathrm{eq} = k_b/k$. One mole of A becomes one mole of B, so
# $\Delta\nu = 0$, $R_T = R_A + R_B = 0$ and EMCD ($N_A + N_B = 0$) stays exact:
#
# $$ \nabla\cdot(c D \nabla x_A) = c\,k\,(x_A - x_\mathrm{eq}). $$
#
# In a slab of half-thickness $l$ with $x_A = x_s$ at the surface, the profile is
# $x_A - x_\mathrm{eq} = (x_s - x_\mathrm{eq})\cosh(\varphi(1 - z/l))/\cosh\varphi$ with
# $\varphi = l\sqrt{k/D}$, and the pellet converts
# $\eta = \tanh\varphi/\varphi$ of what it would if the whole pellet saw the surface state.
# A sphere of radius $R$ gives $\eta = 3(\Phi\coth\Phi - 1)/\Phi^2$ with $\Phi = R\sqrt{k/D}$.

# %%
import os
from pathlib import Path

from mpi4py import MPI

import numpy as np

import emcd_fem as ef
from emcd_fem.analytic.reactions import effectiveness_factor, stefan_flux
from emcd_fem.errors import EmcdInputError
from emcd_fem.models.stefan import StefanFilm
from emcd_fem.models.transport import SpeciesTransportModel

fast = os.environ.get("EMCD_DEMO_FAST") == "1"
comm = MPI.COMM_WORLD


def say(text: str) -> None:
    if comm.rank == 0:
        print(text)


D, c, half = 1.0e-5, 40.0, 1.0e-3  # m^2/s, mol/m^3, m
gas = ef.Material(D, c)

# %% [markdown]
# ## Implementation: a reaction is one more term of the species model
# `ef.Reaction("A <=> B", k_f=..., k_b=...)` is data; `SpeciesTransportModel(...,
# reactions=[...])` adds $-\int R_A w\,dx$ to its residual. The rate is linear in $x_A$, so
# the problem stays linear (assembled once). We sweep φ by changing $k$ on a half-slab
# (open at $z = 0$, symmetric at $z = l$) and read η from the solution's report.

# %%
cells = 40 if fast else 160
phis = [0.3, 1.0, 3.0, 10.0] if fast else [0.1, 0.3, 0.6, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0]
domain = ef.layered_slab([half], region_names=["pellet"], cells_per_layer=cells, comm=comm)
rows = []
for phi in phis:
    k = phi**2 * D / half**2
    solution = SpeciesTransportModel(
        domain,
        {"pellet": gas},
        {"left": ef.MoleFraction(0.9)},
        reactions=[ef.Reaction("A <=> B", k_f=0.8 * k, k_b=0.2 * k)],
    ).solve()
    info = solution.reactions["thiele"]["pellet"]
    rows.append((phi, info["eta_observed"], info["eta_slab"]))
    say(f"φ = {phi:5.2f}: η(FE) = {info['eta_observed']:.5f}, tanh φ/φ = {info['eta_slab']:.5f}")
    # P1 with h = l/cells: the error is O((φ h/l)²) (φ = 10 resolves the 0.1 l layer)
    assert abs(info["eta_observed"] - info["eta_slab"]) < 0.01 * info["eta_slab"]
say(solution.reactions["equimolar"])

# %% [markdown]
# At φ < 0.3 the whole pellet works (η ≈ 1); at φ > 3 only a layer of thickness ~l/φ near
# the surface does, and η → 1/φ: diffusion, not kinetics, sets the rate. The same report
# gives the sphere and cylinder formulas at the same $L_c = V/S$; a 3D ball would follow
# the sphere curve (`tests/test_reactions.py` checks that with P2 on a gmsh ball).
#
# ## When EMCD is wrong: a dissociation
# A → 2 B makes two moles from one: $\Delta\nu = +1$, $R_T \neq 0$, and a net molar flux
# must leave the pellet. emcd_fem refuses it in the EMCD model and says why:

# %%
try:
    SpeciesTransportModel(
        domain,
        {"pellet": gas},
        {"left": ef.MoleFraction(0.9)},
        reactions=[ef.Reaction("A -> 2 B", kind="surface", boundary="right", k_f=0.1)],
    )
    raise AssertionError("a dissociation must be refused by the EMCD model")
except EmcdInputError as err:
    say(f"refused: {err}")

# %% [markdown]
# ## Stefan flow: the non-equimolar film
# For a surface reaction A → ν B at the end of a 1D film, the stoichiometry fixes
# $N_B = -\nu N_A$, and $N_A = x_A (N_A + N_B) - c D\,dx_A/dz$ can be solved without a
# momentum equation. emcd_fem's Stefan model solves this ODE with finite elements; its
# closed form is $N_A = \frac{cD}{(1-\nu)L}\ln\frac{1 - (1-\nu)x_L}{1 - (1-\nu)x_0}$.

# %%
film = ef.layered_slab([half], cells_per_layer=cells, comm=comm)
nus = [0.0, 0.5, 1.0, 2.0, 3.0]
ratios = []
for nu in nus:
    result = StefanFilm(film, gas, nu, 0.8, x_wall=0.1).solve()
    exact = stefan_flux(c, D, half, 0.8, 0.1, nu)
    ratios.append(result.ratio)
    say(
        f"ν = {nu:3.1f}: N_A = {result.flux_A:.5f} (exact {exact:.5f}), N = N_A + N_B = "
        f"{result.net_flux:+.5f} mol/(m² s), N_A/N_EMCD = {result.ratio:.3f}"
    )
    assert abs(result.flux_A - exact) < 1e-3 * exact  # P1, O(h²)

# %% [markdown]
# With B stagnant (ν = 0, the Stefan tube) the bulk flow carries A along and the flux is
# 2.1 times the EMCD value; with ν = 2 the outflow of B pushes back and N_A drops to 0.70 of
# it. Only ν = 1 — the mole-balanced case — is EMCD.

# %%
out = Path("demo_reacting_pellet_output")
if comm.rank == 0:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(exist_ok=True)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2), dpi=150)
    grid = np.logspace(-1, 1.5, 100)
    ax1.loglog(grid, [effectiveness_factor("slab", p) for p in grid], label="slab tanh φ/φ")
    ax1.loglog(grid, [effectiveness_factor("sphere", p) for p in grid], "--", label="sphere")
    ax1.loglog([r[0] for r in rows], [r[1] for r in rows], "o", label="FE (slab)")
    ax1.set_xlabel("Thiele modulus φ")
    ax1.set_ylabel("effectiveness factor η")
    ax1.legend(frameon=False)
    ax2.plot(nus, ratios, "o-")
    ax2.axhline(1.0, color="grey", lw=0.8)
    ax2.set_xlabel("ν (A → ν B at the wall)")
    ax2.set_ylabel("N_A / N_A,EMCD")
    fig.tight_layout()
    fig.savefig(out / "effectiveness_and_stefan.png")
    print("wrote", out / "effectiveness_and_stefan.png")
