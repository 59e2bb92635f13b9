"""Case-file expressions: parsed with ast and a whitelist, never eval'd."""

import numpy as np
import pytest
import ufl
from dolfinx import fem

import emcd_fem as ef
from emcd_fem.expressions import check_condition, check_expression, evaluate, to_ufl


def test_values_numpy_and_ufl_agree():
    text = "300 + 24*x - 2*exp(-y)*sin(pi*x) + sqrt(abs(y - 0.5))**3 / (1 + x**2)"
    domain = ef.layered_slab([1.0], dim=2, cells_per_layer=4, cells_across=4)
    V = fem.functionspace(domain.mesh, ("Lagrange", 2))
    u = fem.Function(V)
    u.interpolate(fem.Expression(to_ufl(text, domain.mesh), V.element.interpolation_points))
    coords = V.tabulate_dof_coordinates().T
    assert u.x.array == pytest.approx(evaluate(text, coords, dim=2), rel=1e-14)
    assert evaluate("2.5", np.zeros((3, 4))) == pytest.approx([2.5] * 4)
    assert isinstance(to_ufl("x", domain.mesh), ufl.core.expr.Expr)


@pytest.mark.parametrize(
    "text,message",
    [
        ('__import__("os").system("true")', "only the functions"),
        ("x.real", "Attribute is not allowed"),
        ("open('f')", "only the functions"),
        ("x if x > 1 else 0", "not allowed"),
        ("z", "coordinates of a 2D mesh are x, y"),
        ("[x]", "List is not allowed"),
        ("x % 2", "operator Mod"),
        ("'300'", "only numbers"),
        ("sin(x, y)", "exactly one argument"),
        ("sin + 1", "unknown name 'sin'"),
        ("300 +", "not valid arithmetic"),
        ("", "expected an expression"),
        ("(lambda: 1)()", "only the functions"),
        ("-" * 990 + "300", "nested more than 120 operations deep"),
        ("+".join(["x"] * 130), "nested more than 120 operations deep"),
    ],
)
def test_refused(text, message):
    with pytest.raises(ef.EmcdInputError, match=message):
        check_expression(text, 2)


def test_deep_but_allowed_expressions_evaluate_and_compile():
    """120 levels is the limit: a sum of 115 terms evaluates and compiles with FFCx (a sum
    of 250 exceeds Python's recursion limit inside FFCx, hence the limit)."""
    from mpi4py import MPI

    from dolfinx import mesh as dmesh

    text = "+".join(["x"] * 115)
    assert evaluate(text, np.ones((1, 2))) == pytest.approx([115.0, 115.0])
    msh = dmesh.create_unit_interval(MPI.COMM_WORLD, 2)
    value = fem.assemble_scalar(fem.form(to_ufl(text, msh) * ufl.dx(domain=msh)))
    assert msh.comm.allreduce(value) == pytest.approx(115 / 2)


@pytest.mark.parametrize(
    "text,message",
    [
        ("x < 9**9**9", "cannot be evaluated"),
        ("x < 1/0", "cannot be evaluated"),
        ("x < " + "-" * 900 + "1", "nested more than 120"),
        ("not " * 130 + "x < 1", "nested more than 120"),
    ],
)
def test_conditions_refused_whatever_the_coordinates(text, message):
    """Arithmetic between constants that fails is found by the check, before any mesh."""
    with pytest.raises(ef.EmcdInputError, match=message):
        check_condition(text, 2)
