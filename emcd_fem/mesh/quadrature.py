"""One quadrature rule per integral, shared by the solve and its post-processing.

FFCx picks the quadrature degree of an integral from the polynomial degree UFL estimates
for the *sum* of all integrands on the same (integral type, subdomain). A residual
``action(a, x_h) − L`` therefore integrates the operator part with the degree of ``L``
when ``L`` is of higher degree — on curved (order-2) cells, where the integrands are not
polynomials, the residual is then not the one the solver zeroed and the reaction fluxes
miss the balance by up to 1e-7 relative. Pinning each integral of ``a`` and ``L`` to the
degree FFCx would choose for that form alone (:func:`pin_quadrature`) makes every form
derived from them (residual, boundary fluxes, production) use the solve's rules exactly,
so the balance closes to round-off on any mesh. On affine meshes the integrands are
polynomials and the pinned degrees are the ones used before: nothing changes there.
"""

from typing import TYPE_CHECKING

import numpy as np
import ufl
from ufl.algorithms.compute_form_data import compute_form_data

if TYPE_CHECKING:
    import dolfinx.mesh

__all__ = [
    "CURVED_NOISE",
    "cell_diameter",
    "curved_degree_warning",
    "ffcx_form_data",
    "geometry_degree",
    "linear_field_gradient_error",
    "pin_quadrature",
    "restrict_to",
    "tested_residual",
]


def _group_key(integral: ufl.Integral, subdomain: object) -> tuple[str, object]:
    return integral.integral_type(), subdomain


def ffcx_form_data(form: ufl.Form) -> object:
    """UFL's processed form data with the arguments FFCx (0.11) passes: its estimates.

    The integrals' ``metadata()["estimated_polynomial_degree"]`` (or a stated
    ``quadrature_degree``) are the degrees FFCx will integrate with.
    """
    return compute_form_data(
        form,
        do_apply_function_pullbacks=True,
        do_apply_integral_scaling=True,
        do_apply_geometry_lowering=True,
        preserve_geometry_types=(ufl.classes.Jacobian,),
        do_apply_restrictions=True,
        do_append_everywhere_integrals=False,
    )


def pin_quadrature(form: ufl.Form | None) -> ufl.Form | None:
    """The form with ``quadrature_degree`` fixed on every integral (metadata).

    The degree of each integral is the one FFCx would estimate for ``form`` as a whole
    (maximum over the integrands sharing its integral type and subdomain and stating no
    degree of their own: FFCx sums only integrals with equal metadata). Integrals that
    already carry a ``quadrature_degree`` keep it and do not raise the others' degree.

    Args:
        form: A UFL form (or ``None``, returned unchanged).

    Returns:
        An equivalent form whose integrals state their quadrature degree.
    """
    if form is None or form.empty():
        return form
    data = ffcx_form_data(form)
    degrees: dict[tuple[str, object], int] = {}
    for group in data.integral_data:
        # FFCx sums only integrals with equal metadata: one that states its own degree
        # (e.g. a far higher UFL estimate kept off by a fixed rule) is not in the others' sum
        free = [i for i in group.integrals if "quadrature_degree" not in i.metadata()]
        if not free:
            continue
        estimate = max(int(np.max(i.metadata()["estimated_polynomial_degree"])) for i in free)
        ids = group.subdomain_id if isinstance(group.subdomain_id, tuple) else (group.subdomain_id,)
        for subdomain in ids:
            key = (group.integral_type, "everywhere" if subdomain == "otherwise" else subdomain)
            degrees[key] = max(degrees.get(key, 0), estimate)
    pinned = []
    for integral in form.integrals():
        metadata = dict(integral.metadata())
        if "quadrature_degree" not in metadata:
            ids = integral.subdomain_id()
            ids = ids if isinstance(ids, tuple) else (ids,)
            metadata["quadrature_degree"] = max(degrees[_group_key(integral, i)] for i in ids)
        pinned.append(integral.reconstruct(metadata=metadata))
    return ufl.Form(pinned)


def restrict_to(form: ufl.Form, integral_type: str, subdomain_id: object) -> ufl.Form | None:
    """The integrals of ``form`` of one type on one subdomain (``None`` if there are none).

    Args:
        form: A UFL form.
        integral_type: ``"cell"``, ``"exterior_facet"``, ``"interior_facet"``.
        subdomain_id: The tag, or ``"everywhere"``.

    Returns:
        The sub-form, metadata (and so quadrature) unchanged.
    """
    kept = [
        i
        for i in form.integrals()
        if i.integral_type() == integral_type
        and (
            i.subdomain_id() == subdomain_id
            or (isinstance(i.subdomain_id(), tuple) and subdomain_id in i.subdomain_id())
        )
    ]
    return ufl.Form(kept) if kept else None


def geometry_degree(mesh: "dolfinx.mesh.Mesh") -> int:
    """Polynomial degree of the coordinate map (2 on curved, second-order meshes)."""
    return int(mesh.geometry.cmaps[0].degree)


def linear_field_gradient_error(mesh: "dolfinx.mesh.Mesh", degree: int) -> float:
    """How far Lagrange elements of ``degree`` are from a linear field on ``mesh``.

    On cells of geometric order q > p, Lagrange P_p is polynomial in the *reference*
    coordinates only, so it does not contain the linear functions of x and even a linear
    exact solution is not reproduced. This measures the consequence on the given mesh:
    the RMS error of ∇(I_h x_0) − e_0 over the domain, I_h the nodal interpolant (0 up to
    round-off when p >= q). A flux computed with these elements is off by about as much.

    Args:
        mesh: The mesh.
        degree: Lagrange degree.

    Returns:
        The RMS gradient error relative to the unit gradient [-].

    Note:
        Collective on the mesh communicator.
    """
    from dolfinx import fem

    def integrate(form: fem.Form) -> float:  # summed over ranks (the mesh layer's own sum)
        return float(mesh.comm.allreduce(fem.assemble_scalar(form)))

    space = fem.functionspace(mesh, ("Lagrange", degree))
    u = fem.Function(space)
    u.interpolate(lambda x: x[0])
    error = ufl.grad(u - ufl.SpatialCoordinate(mesh)[0])
    dx = ufl.dx(domain=mesh, metadata={"quadrature_degree": 2 * (degree + 2)})
    squared = integrate(fem.form(ufl.inner(error, error) * dx))
    volume = integrate(fem.form(fem.Constant(mesh, 1.0) * dx))
    return float(np.sqrt(squared / volume))


#: Below this RMS relative gradient error of a linear field, P``degree`` on a mesh of higher
#: geometric order has no measurable consequence (straight-sided order-2 cells give ~1e-14,
#: round-off; a curved annulus 1e-2): no warning, the mesh report records the number.
CURVED_NOISE: float = 1e-10


def curved_degree_warning(mesh: "dolfinx.mesh.Mesh", degree: int) -> str | None:
    """A warning when Lagrange ``degree`` is below the mesh's geometric order, else ``None``.

    The warning states the measured consequence (:func:`linear_field_gradient_error`).
    Collective.
    """
    order = geometry_degree(mesh)
    if degree >= order:
        return None
    error = linear_field_gradient_error(mesh, degree)
    if error <= CURVED_NOISE:  # straight-sided order-2 cells: P1 is exact there too
        return None
    return (
        f"P{degree} elements on a mesh of geometric order {order} (curved cells): they do "
        f"not contain the linear fields, so even a linear profile is not reproduced — on "
        f"this mesh the gradient of a linear field is off by {error:.2g} (RMS, relative), "
        f"and fluxes by about as much. Set [discretisation] degree = {order} (exact for "
        "linear fields on these cells), or use a first-order mesh (geometry order = 1)"
    )


def tested_residual(
    bilinear: ufl.Form | None,
    linear: ufl.Form,
    integral_type: str,
    subdomain: object,
    solution: "dolfinx.fem.Function",
    one: "dolfinx.fem.Function",
) -> ufl.Form | None:
    """a(u_h, 1) − L(1) restricted to one integral type and subdomain (``None`` if empty).

    With ``a``/``L`` pinned (:func:`pin_quadrature`), this is the part of the solve's own
    residual tested with Σ_i φ_i = 1: on a boundary, the outward flux the solve imposed
    there; over the cells with ``bilinear=None``, minus the production ∫R dx.

    Args:
        bilinear: a(u, w), or ``None``.
        linear: L(w).
        integral_type: ``"cell"``, ``"exterior_facet"``, ...
        subdomain: The tag, or ``"everywhere"``.
        solution: u_h.
        one: The function 1 in the test space.

    Returns:
        A scalar form, or ``None`` when neither form has such integrals.
    """
    parts = []
    a_part = restrict_to(bilinear, integral_type, subdomain) if bilinear is not None else None
    if a_part is not None:
        parts.append(_substitute(_substitute(a_part, 1, solution), 0, one))
    l_part = restrict_to(linear, integral_type, subdomain)
    if l_part is not None:
        parts.append(-_substitute(l_part, 0, one))
    if not parts:
        return None
    return sum(parts[1:], parts[0])


def cell_diameter(mesh: "dolfinx.mesh.Mesh") -> ufl.core.expr.Expr:
    """The cell diameter h for forms and expressions, on straight and curved cells.

    UFL lowers ``CellDiameter`` only on affine (P1/Q1) cells ("Not handled" otherwise);
    on higher-order geometry this is a DG0 function of the largest vertex distance per
    cell (``Mesh.h``), the same quantity on straight cells.

    Note:
        Collective only in that it is called on every rank with the same mesh.
    """
    if geometry_degree(mesh) == 1:
        return ufl.CellDiameter(mesh)
    from dolfinx import fem

    tdim = mesh.topology.dim
    cells = mesh.topology.index_map(tdim)
    h = fem.Function(fem.functionspace(mesh, ("DG", 0)), name="cell_diameter")
    h.x.array[:] = mesh.h(tdim, np.arange(cells.size_local + cells.num_ghosts, dtype=np.int32))
    return h


def _substitute(form: ufl.Form, number: int, value: object) -> ufl.Form:
    """The form with its argument ``number`` replaced (works for blocks of mixed forms)."""
    (argument,) = (u for u in form.arguments() if u.number() == number)
    return ufl.replace(form, {argument: value})
