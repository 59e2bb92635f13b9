"""Effective diffusivity of a composite cell from mirror-symmetric cell problems.

Periodic constraints (dolfinx_mpc) are not on PyPI. For cells with mirror symmetry about
the planes through the cell centre (square/cubic arrays of circles, spheres, aligned
fibres), the cell problem with x_A = 1 and 0 on two opposite faces and zero flux on the
others gives the diagonal entry D_eff,ii of the effective tensor exactly:

    D_eff,ii = q L_i / (c Δx A_i),

q the flux through the face, L_i the cell length along i, A_i the face area (length in
2D), Δx = 1. Material concentrations must be equal (otherwise the mole-fraction and
concentration gradients differ and no single D_eff exists).
"""

import math
from collections.abc import Mapping, Sequence
from typing import Any

from emcd_fem.errors import EmcdInputError
from emcd_fem.geometry.inclusions import InclusionLayout
from emcd_fem.materials import Material
from emcd_fem.mesh.domain import AXIS_BOUNDARIES, Domain
from emcd_fem.models.problem import EMCDProblem
from emcd_fem.physics.conditions import MoleFraction


def effective_diffusivity(
    domain: Domain,
    materials: Mapping[str, Material],
    extents: Sequence[float],
    *,
    axes: Sequence[int] | None = None,
    degree: int = 2,
    petsc_options: Mapping[str, Any] | None = None,
    reports: dict[int, dict] | None = None,
) -> dict[int, float]:
    """Diagonal of the effective diffusivity tensor of a mirror-symmetric cell [m^2/s].

    Args:
        domain: The cell [0, L_x] × [0, L_y] (× [0, L_z]) with faces ``left``/``right``,
            ``bottom``/``top`` (, ``front``/``back``).
        materials: Region → material, all with the same concentration c.
        extents: Cell lengths (L_x, L_y[, L_z]) [m].
        axes: Axes to compute (default all).
        degree: Lagrange degree.
        petsc_options: PETSc options of the cell problems (as for the main solve).
        reports: If given, filled with axis → the cell problem's solver report.

    Returns:
        Axis index → D_eff,ii.

    Note:
        Collective on the mesh communicator.
    """
    concentrations = {m.concentration for m in materials.values()}
    if len(concentrations) != 1:
        raise EmcdInputError(
            "effective_diffusivity needs one concentration c for all materials "
            f"(got {sorted(concentrations)})"
        )
    (c,) = concentrations
    dim = len(extents)
    result = {}
    for axis in axes if axes is not None else range(dim):
        low, high = AXIS_BOUNDARIES[axis]
        bcs = {low: MoleFraction(1.0), high: MoleFraction(0.0)}
        solution = EMCDProblem(
            domain, materials, bcs, degree=degree, petsc_options=petsc_options
        ).solve()
        if reports is not None:
            reports[axis] = solution.solver.as_dict()
        area = math.prod(e for i, e in enumerate(extents) if i != axis)
        result[axis] = solution.boundary_flux[high] * extents[axis] / (c * area)
    return result


def effective_report(
    domain: Domain,
    matrix: Material,
    inclusion: Material,
    layout: InclusionLayout,
    *,
    degree: int = 2,
    periodic_counts: Sequence[int] | None = None,
    petsc_options: Mapping[str, Any] | None = None,
) -> dict:
    """D_eff diagonal of an inclusion cell next to its bounds and Rayleigh's value.

    Bounds (Wiener, Hashin–Shtrikman) are evaluated at the *meshed* volume fraction; the
    Rayleigh value applies to square arrays of circles/fibres (transverse) and cubic arrays
    of spheres, at the exact fraction (accuracy: the docstrings of
    ``analytic.rayleigh_square_cylinders`` and ``analytic.rayleigh_cubic_spheres``); the
    converged multipole value is listed too (``multipole_converged``:
    ``multipole.cylinder_array`` for cylinders, ``multipole.sphere_array`` for spheres, with
    ``multipole_truncation``, an upper estimate of its relative truncation error).
    Aligned fibres along z: D_zz is the parallel (Wiener
    upper) value exactly. The cell problems use ``petsc_options`` (the case's solver
    options); their solver reports are under ``"solver"``. Collective.
    """
    from emcd_fem import analytic
    from emcd_fem.analytic import multipole
    from emcd_fem.post.mesh_report import mesh_report

    extents = layout.extents
    materials = {"matrix": matrix, "inclusion": inclusion}
    solvers: dict[int, dict] = {}
    d_eff = effective_diffusivity(
        domain, materials, extents, degree=degree, petsc_options=petsc_options, reports=solvers
    )
    measures = mesh_report(domain)["region_measures"]
    meshed = measures.get("inclusion", 0.0) / math.prod(extents)
    dim = len(extents)
    d_m, d_i = matrix.diffusivity, inclusion.diffusivity
    report = {
        "D_eff": {"xyz"[axis]: value for axis, value in d_eff.items()},
        "volume_fraction": {"exact": layout.volume_fraction, "meshed": meshed},
        "wiener_bounds": analytic.wiener_bounds(meshed, d_m, d_i),
        "hashin_shtrikman_bounds": analytic.hashin_shtrikman_bounds(
            meshed, d_m, d_i, 2 if layout.kind in ("circle", "fibre") else 3
        ),
        "mirror_symmetric": periodic_counts is not None,
        "solver": {"xyz"[axis]: report for axis, report in solvers.items()},
    }
    square = (
        periodic_counts is not None
        and len(set(periodic_counts)) == 1
        and (len(set(extents[: len(periodic_counts)])) == 1)
    )
    if square and layout.kind in ("circle", "fibre"):
        report["rayleigh"] = analytic.rayleigh_square_cylinders(layout.volume_fraction, d_m, d_i)
        if layout.volume_fraction < multipole.TOUCHING["square"]:
            report["multipole_converged"] = multipole.cylinder_array(
                layout.volume_fraction, d_m, d_i, "square"
            )
    elif square and layout.kind == "sphere":
        report["rayleigh"] = analytic.rayleigh_cubic_spheres(layout.volume_fraction, d_m, d_i)
        fraction = layout.volume_fraction
        if fraction < multipole.SIMPLE_CUBIC_TOUCHING:
            value = multipole.sphere_array(fraction, d_m, d_i, "simple_cubic")
            report["multipole_converged"] = value
            # the change from 20 orders less: an upper estimate of the truncation error
            # (the error falls geometrically with the order; large only near touching)
            lower = multipole.sphere_order(fraction) - 20
            fewer = multipole.sphere_array(fraction, d_m, d_i, "simple_cubic", order=lower)
            report["multipole_truncation"] = abs(fewer / value - 1)
    if layout.kind == "fibre" and dim == 3:
        report["fibre_axial_exact"] = analytic.wiener_bounds(meshed, d_m, d_i)[1]
    if not report["mirror_symmetric"]:
        report["note"] = (
            "random packing: the cell is not mirror-symmetric, so the face-to-face "
            "values approximate the tensor diagonal"
        )
    return report
