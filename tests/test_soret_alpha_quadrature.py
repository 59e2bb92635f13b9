"""Quadrature of the kinetic-theory α_T(T, x_A) forms in 3D P2 (issue 19 item 6 follow-up).

A 3D P2 Soret case with α_T(T, x_A) (H2–N2, 300 → 600 K, monolithic) took > 11 min and
20 GB in FFCx (14 s with a constant α_T). The cause was not the size of the expressions but a
quadrature rule: the thermal flux is integrated on a fixed degree (``quadrature_degree`` =
26, UFL's estimate through the ln T polynomials being 72), and ``pin_quadrature`` took the
*estimate* of that integral into the degree of the Fick integral beside it on the same
cells: the Fick part was pinned to degree 72, a 37³ = 50653-point rule in 3D, and FFCx
built a 50653 × 50653 identity (19 GB) while analysing its tables.

The guards below check the structure, not timings: the degrees ``pin_quadrature`` gives
(unit test: fails on the old rule), and the quadrature degree and expression size of every
form the 3D P2 model hands FFCx, checked *before* it compiles (a regression fails at once,
it does not run for minutes), against the same model with a constant α_T.
"""

import copy

from mpi4py import MPI

import dolfinx.jit
import pytest
import ufl
from dolfinx import fem, mesh
from ufl.corealg.traversal import unique_pre_traversal

from emcd_fem.case import load_case
from emcd_fem.mesh.quadrature import ffcx_form_data, pin_quadrature


def _degrees(form):
    return [i.metadata()["quadrature_degree"] for i in form.integrals()]


def test_a_fixed_degree_does_not_raise_the_pinned_degree_beside_it():
    msh = mesh.create_unit_cube(MPI.COMM_SELF, 1, 1, 1)
    V = fem.functionspace(msh, ("Lagrange", 2))
    u, w = fem.Function(V), ufl.TestFunction(V)
    free = ufl.inner(ufl.grad(u), ufl.grad(w)) * ufl.dx  # P2: estimate 2
    # UFL estimates this one at 8 * 2 + 2 = 18; its rule is fixed at 4
    fixed = u**8 * w * ufl.dx(metadata={"quadrature_degree": 4})
    assert _degrees(pin_quadrature(free)) == [2]
    pinned = pin_quadrature(free + fixed)
    by_degree = sorted(_degrees(pinned))
    assert by_degree == [2, 4]  # the old rule gave [4, 18]: the free one at the other's estimate
    # integrals without a degree of their own still share the largest estimate (FFCx sums
    # them into one integrand): unchanged
    assert sorted(_degrees(pin_quadrature(free + u**3 * w * ufl.dx))) == [8, 8]


CASE = {
    "geometry": {
        "kind": "layered_slab",
        "dim": 3,
        "width": 0.01,
        "depth": 0.005,
        "cells_across": 1,
        "layers": [{"name": "gas", "thickness": 0.02, "cells": 2}],
    },
    "materials": {
        "gas": {
            "gases": ["H2", "N2"],
            "T": 300.0,
            "P": 101325.0,
            "thermal_conductivity": 0.05,
            "thermal_diffusion_factor": "kinetic_theory",
            "diffusivity_law": "chapman_enskog",
            "concentration_law": "ideal_gas",
        }
    },
    "boundaries": {
        "left": {"type": "mole_fraction", "value": 0.1},
        "right": {"type": "mole_fraction", "value": 0.5},
    },
    "thermal": {
        "coupling": "monolithic",
        "boundaries": {
            "left": {"type": "temperature", "value": 300.0},
            "right": {"type": "temperature", "value": 600.0},
        },
    },
    "discretisation": {"degree": 2},
}

#: Largest quadrature degree any form of the model may reach [-] before FFCx sees it: far
#: above the constant-α_T forms' 24 (below), far below the 72 that blew up (50653 points).
HARD_LIMIT = 40


def _integrals(form):
    """(quadrature degree FFCx will use, processed integrand's node count) per integral."""
    data = ffcx_form_data(form)
    out = []
    for group in data.integral_data:
        for integral in group.integrals:
            md = integral.metadata()
            degree = md.get("quadrature_degree", md["estimated_polynomial_degree"])
            out.append((degree, sum(1 for _ in unique_pre_traversal(integral.integrand()))))
    return out


def _model_forms(monkeypatch, alpha):
    """(degree, nodes) of every integral the 3D P2 model compiles, checked before FFCx."""
    from emcd_fem.pipeline.model_run import build_model
    from emcd_fem.pipeline.setup import build_domain

    seen = []
    original = dolfinx.jit.ffcx_jit

    def guarded(comm, ufl_object, *args, **kwargs):
        if isinstance(ufl_object, ufl.Form):
            found = _integrals(ufl_object)
            seen.extend(found)
            worst = max((d for d, _ in found), default=0)
            assert worst <= HARD_LIMIT, f"quadrature degree {worst} handed to FFCx: {found}"
        return original(comm, ufl_object, *args, **kwargs)

    monkeypatch.setattr(dolfinx.jit, "ffcx_jit", guarded)
    raw = copy.deepcopy(CASE)
    raw["materials"]["gas"]["thermal_diffusion_factor"] = alpha
    case = load_case(raw)
    build_model(case, build_domain(case, MPI.COMM_WORLD))
    monkeypatch.undo()
    return seen


def test_3d_p2_kinetic_theory_forms_stay_like_the_constant_alpha_ones(monkeypatch):
    pytest.importorskip("cantera")
    constant = _model_forms(monkeypatch, -0.3)
    law = _model_forms(monkeypatch, "kinetic_theory")
    top = max(d for d, _ in constant)
    assert top == 18  # c(T) D(T) with Chapman–Enskog's Ω_D(T), α_T / T, P2 in 3D (measured)
    # the thermal flux's fixed rule is the frozen law's estimate + 2: the rational law of
    # x_A (p0 + p1 x)/(1 + q1 x + q2 x²) adds 6 to the constant α_T's 18 (24, the degree of
    # the one-temperature law before), + 2 for its T dependence; every other integral keeps
    # its constant-α_T degree (the Fick part was pinned to 72 before)
    assert max(d for d, _ in law) <= top + 6 + 2
    # the law forms are the heavier ones (a rational function of x_A whose coefficients
    # are polynomials in ln T, and their derivatives), but not by orders of magnitude:
    # measured 448 vs 280 nodes for the monolithic Jacobian's block
    assert max(n for _, n in law) > max(n for _, n in constant)
    assert max(n for _, n in law) <= 2 * max(n for _, n in constant)
