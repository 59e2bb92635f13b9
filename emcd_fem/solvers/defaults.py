"""Default PETSc options of the linear diffusion solves and the user's options on top.

The defaults (direct below :data:`DIRECT_SOLVER_MAX_DOFS` unknowns, CG + GAMG above) and
the tolerances the solver judgement in :mod:`emcd_fem.solvers.linear` uses; every number
here was chosen by measurement (see the comments).
"""

from collections.abc import Mapping
from typing import Any

#: Largest global number of unknowns solved with a direct factorisation by default.
DIRECT_SOLVER_MAX_DOFS: int = 20_000

#: Relative flux accuracy the default iterative solver delivers (at contrasts up to ~1e4;
#: above, the rounding floor K ε of the fluxes): the boundary-flux error is governed by the
#: discretisation, not the solver.
ITERATIVE_RTOL: float = 1e-10

#: The default CG stopping tolerance (preconditioned residual relative to ‖b‖). ‖b‖ is
#: dominated by the Dirichlet rows and the largest conductances, not by the fluxes, so a
#: KSP rtol of ITERATIVE_RTOL stops short of it at contrasts ≥ 1e2 (true residual 1e-8 of
#: the flux scale: a second solve). Measured on the 3-layer slab (3D, 32k DOFs, c = 41
#: mol/m³, contrasts 1 … 1e6): rtol 1e-12 costs 0–2 more iterations (18–21) and lands
#: every first solve within the accepted residual; 1e-10 needed the retry at every contrast.
KSP_RTOL: float = 1e-12

#: Largest accepted ρ = ‖b − A x‖₁ / F (flux scale F) unless at the rounding floor.
RESIDUAL_RTOL: float = 1e-9

#: Above this ρ (and above the rounding floor) a non-uniform result is refused as noise.
NOISE_RTOL: float = 1e-5

#: The options that always solve (the fallback, and the advice in error messages).
DIRECT_OPTIONS: dict[str, str] = {
    "ksp_type": "preonly",
    "pc_type": "lu",
    "pc_factor_mat_solver_type": "mumps",
}

#: GAMG smoother: symmetric SOR under Richardson, no eigenvalue estimate (see above);
#: aggregation drops couplings below 1 % of the diagonal (``pc_gamg_threshold``: measured
#: on the 3D slab at 32k and 170k DOFs, contrasts 1 … 1e6: 11–13 iterations instead of
#: 18–22 at the same time per solve; on the demos at real units 7–29 instead of 8–34,
#: and no second solve for the partitioned membrane; 0.05 and 0.001 were no better, no
#: prolongator smoothing (``pc_gamg_agg_nsmooths = 0``) and PETSc's Chebyshev/Jacobi
#: smoother took more iterations).
GAMG_OPTIONS: dict[str, Any] = {
    "mg_levels_ksp_type": "richardson",
    "mg_levels_pc_type": "sor",
    "pc_gamg_threshold": 0.01,
}


def default_petsc_options(n_dofs: int, *, singular: bool = False) -> dict[str, Any]:
    """Default PETSc options for the SPD diffusion operator.

    Args:
        n_dofs: Global number of unknowns.
        singular: True for pure-flux problems (constant null space).

    Returns:
        A fresh options dictionary.
    """
    if n_dofs <= DIRECT_SOLVER_MAX_DOFS and not singular:
        return dict(DIRECT_OPTIONS)
    return {
        "ksp_type": "cg",
        "pc_type": "gamg",
        **GAMG_OPTIONS,
        "ksp_rtol": KSP_RTOL,
        "ksp_atol": 1e-50,
        "ksp_max_it": 1000,
    }


def single_field_options(user: Mapping[str, Any] | None) -> dict[str, Any]:
    """The user's options for a single-field solve: without a field-split method.

    A field split (``pc_type = "fieldsplit"``, ``pc_fieldsplit_*``, ``fieldsplit_*``) is a
    method for the one Newton on (x_A, T) (``coupling = "monolithic"``); on a single-field
    solve (the linear species start, the heat solve, the x_A Newton) it has no fields and
    would fail into the MUMPS fallback. With ``pc_type = "fieldsplit"`` the method picked
    for the split system (``ksp_type``, ``ksp_pc_side``, every ``pc_*``) is left out too,
    so these solves keep their own defaults; the other options (tolerances, ``snes_*``,
    ``mat_*``) reach every solve.
    """
    user = dict(user or {})
    split = user.get("pc_type") == "fieldsplit"
    drop = ("fieldsplit_", "pc_") if split else ("fieldsplit_", "pc_fieldsplit_")
    kept = {k: v for k, v in user.items() if not k.startswith(drop)}
    if split:
        kept.pop("ksp_type", None)
        kept.pop("ksp_pc_side", None)
    return kept


def merge_petsc_options(
    n_dofs: int, user: Mapping[str, Any] | None, *, singular: bool = False
) -> dict[str, Any]:
    """Defaults with the user's options on top (a single-field solve).

    When the user picks the method (``ksp_type`` or ``pc_type``), the defaults of the other
    method are dropped (no stray options); the iterative tolerances are still filled in
    (not for ``ksp_type = "preonly"``, which has none), and a user's GAMG gets the default
    smoother unless the user sets ``mg_levels_*`` options. A field split is not for these
    solves (:func:`single_field_options`).
    """
    user = single_field_options(user)
    if "ksp_type" in user or "pc_type" in user:
        options: dict[str, Any] = {}
        if user.get("ksp_type") != "preonly":
            options |= {"ksp_rtol": KSP_RTOL, "ksp_atol": 1e-50, "ksp_max_it": 1000}
        if user.get("pc_type") == "gamg" and not any(k.startswith("mg_levels") for k in user):
            options |= GAMG_OPTIONS
    else:
        options = default_petsc_options(n_dofs, singular=singular)
    options.update(user)
    return options


__all__ = [
    "DIRECT_OPTIONS",
    "DIRECT_SOLVER_MAX_DOFS",
    "GAMG_OPTIONS",
    "ITERATIVE_RTOL",
    "KSP_RTOL",
    "NOISE_RTOL",
    "RESIDUAL_RTOL",
    "default_petsc_options",
    "merge_petsc_options",
    "single_field_options",
]
