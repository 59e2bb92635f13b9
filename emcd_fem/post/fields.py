"""Derived fields: the molar flux vector and the mass-average velocity.

Both are interpolated (not projected) into vector DG(p − 1) on the mesh, p the degree of
x_A: N_A = −c D ∇x_A is a polynomial of degree p − 1 in each cell, so the flux field is
exact for the discrete solution.
"""

import numpy as np
import ufl
from basix import MapType
from dolfinx import fem

from emcd_fem.agreement import checkpoint
from emcd_fem.materials import MaterialFields
from emcd_fem.physics.emcd import molar_flux
from emcd_fem.physics.emcd import mole_fraction as mole_fraction_of


def flux_space(mole_fraction: fem.Function) -> fem.FunctionSpace:
    """Vector DG space of degree p − 1 holding N_A exactly (collective)."""
    msh = mole_fraction.function_space.mesh
    checkpoint(msh.comm, "flux space")
    degree = mole_fraction.function_space.element.basix_element.degree
    return fem.functionspace(msh, ("DG", degree - 1, (msh.geometry.dim,)))


def interpolate_expression(
    expr: ufl.core.expr.Expr, V: fem.FunctionSpace, name: str
) -> fem.Function:
    """Interpolate a UFL expression into ``V`` (collective); ghosts are updated."""
    checkpoint(V.mesh.comm, f"field {name}")
    function = fem.Function(V, name=name)
    if not ufl.domain.extract_domains(expr):  # a constant (e.g. a Soret part in a uniform T)
        expr = expr + fem.Constant(V.mesh, np.zeros(expr.ufl_shape))  # gives it the mesh
    compiled = fem.Expression(expr, V.element.interpolation_points)
    element = V.element.basix_element
    same_mesh = all(d == V.mesh.ufl_domain() for d in ufl.domain.extract_domains(expr))
    dg0 = element.discontinuous and element.degree == 0 and element.map_type == MapType.identity
    if dg0 and same_mesh:  # (an expression on another mesh goes through interpolate)
        _fill_cell_values(function, compiled)
    else:
        function.interpolate(compiled)
    function.x.scatter_forward()
    return function


#: Cells evaluated at a time by :func:`_fill_cell_values` (bounds its temporary memory).
CHUNK = 1 << 16


def _fill_cell_values(function: fem.Function, compiled: fem.Expression) -> None:
    """DG0: each owned cell's DOF block is the expression at its one point (the centroid).

    The expression evaluated chunk by chunk straight into the DOF array: the values of
    ``Function.interpolate`` (the identity map of a DG0 space) at ~60 % of its cost;
    ghost cells come with the caller's ``scatter_forward``. When the owned cells' DOF
    blocks are numbered as the cells (DOLFINx's DG0 dofmaps are), each chunk is written
    into its slice of the array in place (no temporary, no scatter: ~15 % less).
    """
    V = function.function_space
    msh = V.mesh
    n_owned = msh.topology.index_map(msh.topology.dim).size_local
    blocks = function.x.array.reshape(-1, V.dofmap.bs)
    dofs = V.dofmap.list[:n_owned, 0]
    in_place = in_cell_order(V)
    for start in range(0, n_owned, CHUNK):
        cells = np.arange(start, min(start + CHUNK, n_owned), dtype=np.int32)
        if in_place:  # this chunk's slice of the DOF array, viewed as eval's output
            values = blocks[cells[0] : cells[-1] + 1]
            values = values.reshape(len(cells), 1, *compiled.value_shape)
            if not np.may_share_memory(values, blocks):  # a copy would stay unfilled
                raise RuntimeError("DG0 fill: the DOF array slice is not contiguous")
            compiled.eval(msh, cells, values=values)
        else:
            blocks[dofs[cells]] = compiled.eval(msh, cells).reshape(len(cells), -1)


def in_cell_order(V: fem.FunctionSpace) -> bool:
    """True when the owned cells' DOF blocks of the DG0 space ``V`` are numbered as the cells.

    Then cell i's values are block i of the DOF array. Local to this rank.
    """
    msh = V.mesh
    n_owned = msh.topology.index_map(msh.topology.dim).size_local
    dofs = V.dofmap.list[:n_owned, 0]
    return bool(np.array_equal(dofs, np.arange(n_owned, dtype=dofs.dtype)))


def mass_average_velocity_expr(
    potential: ufl.core.expr.Expr,
    fields: MaterialFields,
    molar_mass_a: float,
    molar_mass_b: float,
) -> ufl.core.expr.Expr:
    """V = (M_A − M_B) N_A / ρ with ρ = c (x_A M_A + x_B M_B) [m/s].

    In EMCD N_B = −N_A, so the mass flux ρ v = M_A N_A + M_B N_B = (M_A − M_B) N_A: the
    centre of mass drifts towards where the heavier species goes.

    Args:
        potential: The unknown μ (x_A = H μ).
        fields: Material fields (c, H).
        molar_mass_a: M_A [kg/mol].
        molar_mass_b: M_B [kg/mol].
    """
    msh = fields.concentration.function_space.mesh
    m_a, m_b = fem.Constant(msh, float(molar_mass_a)), fem.Constant(msh, float(molar_mass_b))
    x = mole_fraction_of(potential, fields)
    density = fields.concentration * (x * m_a + (1 - x) * m_b)
    return (m_a - m_b) * molar_flux(potential, fields) / density


def molar_flux_field(potential: fem.Function, fields: MaterialFields) -> fem.Function:
    """N_A [mol/(m^2 s)] in vector DG(p − 1), from the unknown (potential) of degree p."""
    return interpolate_expression(
        molar_flux(potential, fields), flux_space(potential), "molar_flux_A"
    )


def mass_average_velocity_field(
    potential: fem.Function, fields: MaterialFields, molar_mass_a: float, molar_mass_b: float
) -> fem.Function:
    """Mass-average velocity v [m/s] in vector DG(p − 1) (interpolated at its nodes)."""
    expr = mass_average_velocity_expr(potential, fields, molar_mass_a, molar_mass_b)
    return interpolate_expression(expr, flux_space(potential), "mass_average_velocity")
