"""Forms compiled per run, and no integral of something known to be zero (issue 21).

Every ``dolfinx.fem.form`` / ``fem.Expression`` goes through ``dolfinx.jit.ffcx_jit`` (a
UFL analysis and signature even on a warm cache, a C compile on a cold one); the fixture
counts those calls. The counts below are the structure of a plain run, not timings:

* API (``EMCDProblem`` on a 3-layer slab, Dirichlet ends, the other faces impermeable):
  the operator a and the residual F (reaction fluxes); the right-hand side is a form
  without integrals (no source, no flux data), x_A = μ is a copy, not an interpolated
  expression, and the domain volume (the balance's flux scale) comes from the cells'
  corners (``Domain.cell_statistics``, NumPy), not from a compiled ∫1 dx.
* ``emcd run``: the same two, plus the flux field (an expression): 3 modules, as many as
  the hand-written script of ``benchmarks/``. The mesh statistics (each cell's quality and
  volume, the region volumes) come from the same NumPy pass as the domain volume, the
  boundary areas of straight-sided facets from their corners, and the gradient fluxes of
  the reference check from the flux field (it holds N_A exactly for P1 on straight
  simplices: ``post.facet_flux``). Without the flux field, or with P2, the gradient fluxes
  are one compiled functional (tested below); curved or non-simplex cells integrate their
  volumes (tests/test_mesh_report.py).
"""

import json

import dolfinx.jit
import pytest
import ufl

import emcd_fem as ef
from emcd_fem.cli import main

THICK = [0.3e-3, 0.4e-3, 0.3e-3]  # m
NAMES = ["a", "b", "c"]
BCS = {"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)}
CASE = """
[geometry]
kind = "layered_slab"
dim = 3
width = 0.5e-3
depth = 0.5e-3
cells_across = 2
layers = [
  { name = "a", thickness = 0.3e-3, cells = 3 },
  { name = "b", thickness = 0.4e-3, cells = 4 },
  { name = "c", thickness = 0.3e-3, cells = 3 },
]
[materials.a]
D = 1e-5
c = 41.0
[materials.b]
D = 1e-7
c = 41.0
[materials.c]
D = 1e-5
c = 41.0
[boundaries.left]
type = "mole_fraction"
value = 0.9
[boundaries.right]
type = "mole_fraction"
value = 0.1
"""


@pytest.fixture
def compiled(monkeypatch):
    """The UFL objects handed to the form compiler, in order."""
    seen = []
    original = dolfinx.jit.ffcx_jit

    def counting(comm, ufl_object, *args, **kwargs):
        seen.append(ufl_object)
        return original(comm, ufl_object, *args, **kwargs)

    monkeypatch.setattr(dolfinx.jit, "ffcx_jit", counting)
    return seen


def _slab():
    return ef.layered_slab(
        THICK, region_names=NAMES, dim=3, cells_per_layer=[3, 4, 3], width=0.5e-3, depth=0.5e-3
    )


def _materials():
    return {n: ef.Material(d, 41.0) for n, d in zip(NAMES, [1e-5, 1e-7, 1e-5], strict=True)}


def _forms(seen):
    return [f for f in seen if isinstance(f, ufl.Form)]


def test_api_run_compiles_two_forms(compiled):
    domain = _slab()
    sides = {n: ef.ZeroFlux() for n in ("top", "bottom", "front", "back")}
    problem = ef.EMCDProblem(domain, _materials(), BCS | sides)
    solution = problem.solve()
    assert solution.balance.relative < 1e-10
    assert len(compiled) == 2, [type(f).__name__ for f in compiled]
    assert all(isinstance(f, ufl.Form) for f in compiled)  # no expression (x_A = μ)
    ranks = sorted(len(f.arguments()) for f in compiled)
    assert ranks == [1, 2]  # residual F, operator a (the volume: from the corners)
    problem.solve()  # solving again compiles nothing
    assert len(compiled) == 2


def test_zero_source_and_zero_flux_boundaries_create_no_integrals(compiled):
    domain = _slab()
    sides = {n: ef.ZeroFlux() for n in ("top", "bottom", "front", "back")}
    ef.EMCDProblem(domain, _materials(), BCS | sides, source=0.0).solve()
    for form in _forms(compiled):
        for integral in form.integrals():
            # the Dirichlet ends and impermeable sides add nothing: only the flux term
            assert integral.integral_type() == "cell", integral
        if len(form.arguments()) == 1:  # the residual: one flux integral per region
            assert len(form.integrals()) == len(NAMES)
            assert not form.constants()  # no zero source constant in it


def test_a_source_and_flux_data_do_create_their_integrals(compiled):
    """The check above can fail: with a source and a flux boundary the integrals appear."""
    domain = _slab()
    conditions = {"left": ef.MoleFraction(0.9), "right": ef.MolarFlux(1e-6)}
    ef.EMCDProblem(domain, _materials(), conditions, source=1e-3).solve()
    types = {i.integral_type() for f in _forms(compiled) for i in f.integrals()}
    assert "exterior_facet" in types
    residual = next(f for f in _forms(compiled) if len(f.arguments()) == 1)
    assert len(residual.integrals()) > len(NAMES)


def _expression_shapes(seen):
    """Value shapes of the compiled expressions (an expression is compiled as (e, X))."""
    return sorted(f[0].ufl_shape for f in seen if not isinstance(f, ufl.Form))


def test_emcd_run_compiles_two_forms_and_one_expression(compiled, tmp_path):
    case = tmp_path / "slab.toml"
    case.write_text(CASE)
    out = tmp_path / "out"
    assert main(["-q", "run", str(case), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "ok"
    assert set(summary["mesh"]["region_measures"]) == set(NAMES)
    forms = _forms(compiled)
    expressions = [f for f in compiled if not isinstance(f, ufl.Form)]
    assert len(compiled) == 2 + 1, [type(f).__name__ for f in compiled]
    assert sorted(len(f.arguments()) for f in forms) == [1, 2]  # residual F, operator a
    assert len(expressions) == 1
    assert _expression_shapes(compiled) == [(3,)]  # the flux field (3 components)
    # the reference check was made, from the field: d = |reaction − gradient| / reaction
    analytic = summary["analytic"]
    assert analytic["judged"] and analytic["discretisation_estimate"] < 1e-24


def test_run_without_the_flux_field_does_not_build_it(compiled, tmp_path):
    case = tmp_path / "slab.toml"
    case.write_text(CASE + '\n[output]\nfields = ["mole_fraction"]\n')
    out = tmp_path / "out"
    assert main(["-q", "run", str(case), "--out", str(out)]) == 0
    assert _expression_shapes(compiled) == []  # no flux field, no mesh-statistics expression
    # without the field the gradient fluxes of the reference check are one functional
    functionals = [f for f in _forms(compiled) if not f.arguments()]
    assert len(functionals) == 1
    assert {i.integral_type() for i in functionals[0].integrals()} == {"exterior_facet"}
    written = json.loads((out / "summary.json").read_text())["fields"]
    assert "mole_fraction_A" in written and not any("flux" in name for name in written)


def test_tagged_measures_equal_the_exact_measures():
    """The one-form region/boundary measures of the mesh report (exact for a box)."""
    from emcd_fem.post.mesh_report import mesh_report

    report = mesh_report(_slab())
    area = 0.5e-3 * 0.5e-3
    for name, thickness in zip(NAMES, THICK, strict=True):
        assert report["region_measures"][name] == pytest.approx(thickness * area, rel=1e-12)
    assert report["boundary_measures"]["left"] == pytest.approx(area, rel=1e-12)
    assert report["boundary_measures"]["top"] == pytest.approx(1e-3 * 0.5e-3, rel=1e-12)


def test_transient_model_builds_no_integral_of_zero(compiled):
    """No source and no reactions: the transient model's functionals all integrate the
    unknown (inventory, fluxes); none is an integral of a known zero (issue 18 leftover)."""
    from emcd_fem.models.transient import TransientModel
    from emcd_fem.models.transport import SpeciesTransportModel

    model = SpeciesTransportModel(_slab(), _materials(), BCS)
    compiled.clear()
    TransientModel(model, scheme="bdf2")
    functionals = [f for f in _forms(compiled) if not f.arguments()]
    assert functionals  # the inventory
    for form in functionals:
        assert form.coefficients(), form  # a Function in it: not a constant's integral
    # a nonzero source is integrated (the balance's production): one functional more
    model = SpeciesTransportModel(_slab(), _materials(), BCS, source=2.0)
    compiled.clear()
    TransientModel(model, scheme="bdf2")
    assert len([f for f in _forms(compiled) if not f.arguments()]) == len(functionals) + 1


def test_p2_run_integrates_the_gradient_fluxes(compiled, tmp_path):
    """P2: the flux field is DG1 and N_A linear in a cell: the functional is compiled."""
    case = tmp_path / "slab.toml"
    case.write_text(CASE + "\n[discretisation]\ndegree = 2\n")
    out = tmp_path / "out"
    assert main(["-q", "run", str(case), "--out", str(out)]) == 0
    functionals = [f for f in _forms(compiled) if not f.arguments()]
    assert len(functionals) == 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["analytic"]["judged"]
