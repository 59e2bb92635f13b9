"""Default solvers of the Newton (SNES) solves, chosen by size and block structure.

Small systems (≤ :data:`~emcd_fem.solvers.defaults.DIRECT_SOLVER_MAX_DOFS` unknowns) keep
the direct MUMPS factorisation. Above it, the Jacobian of a Newton solve is not symmetric
(the Soret drift −c D S_T x_A (1 − x_A) ∇T differentiated in x_A, a nonlinear rate), so CG
is the wrong method: the iterative default is GMRES, right-preconditioned (its stopping
test then measures the true residual ‖F + J δ‖, not a preconditioned one) with GAMG
(the smoother of the linear path).

The monolithic x_A–T problem (Soret with heat conduction): T does not depend on x_A (no
Dufour effect, k independent of x_A), so its Jacobian is block triangular,
[[J_xx, J_xT], [0, J_TT]]. Above the size threshold it is solved as T first, then the x_A
Newton (:func:`in_sequence`) — the coupled solution itself, with the T system (DG with
contact resistances: ~20× the unknowns of x_A) assembled and preconditioned once instead
of in every Newton iteration (measured 2× faster than the best one-Newton method, see
benchmarks/README.md "Soret 3D"). A one-Newton solve chosen by the user with
``pc_type = "fieldsplit"`` gets the T-first multiplicative split (δT = J_TT⁻¹ r_T, then
δx = J_xx⁻¹ (r_x − J_xT δT): exact up to the inner solves; one GAMG hierarchy per field,
options ``fieldsplit_temperature_*`` and ``fieldsplit_species_*``):
:func:`split_fields` gives PETSc the index sets.

The user's ``[solver] petsc_options`` still override: a user's ``ksp_type`` or ``pc_type``
replaces the default method whole (as on the linear path). A field split
(``pc_type = "fieldsplit"`` and the ``fieldsplit_*`` options) reaches the one Newton on
(x_A, T) only; every single-field solve of the run keeps its own defaults
(:func:`~emcd_fem.solvers.defaults.single_field_options`).
"""

from collections.abc import Mapping, Sequence
from typing import Any

from petsc4py import PETSc

from emcd_fem.solvers.defaults import (
    DIRECT_OPTIONS,
    DIRECT_SOLVER_MAX_DOFS,
    GAMG_OPTIONS,
    single_field_options,
)

#: SNES settings of every Newton solve: backtracking line search, tight tolerances.
SNES_OPTIONS: dict[str, Any] = {
    "snes_type": "newtonls",
    "snes_linesearch_type": "bt",
    "snes_rtol": 1e-12,
    "snes_atol": 1e-14,
    "snes_max_it": 50,
}

#: Krylov tolerance of each Newton step (true residual relative to ‖F‖): inexact steps
#: converge linearly at this rate, so two steps past the quadratic phase reach the SNES
#: tolerance.
NEWTON_KSP_RTOL: float = 1e-10

#: The Krylov settings of the iterative Newton default (any block structure).
KRYLOV_OPTIONS: dict[str, Any] = {
    "ksp_type": "gmres",
    "ksp_pc_side": "right",
    "ksp_gmres_restart": 100,
    "ksp_rtol": NEWTON_KSP_RTOL,
    "ksp_atol": 1e-50,
    "ksp_max_it": 1000,
}

#: Field names of the monolithic x_A–T system, in the order of the fieldsplit (T first).
SPLIT_FIELDS: tuple[str, str] = ("temperature", "species")


def _split_options() -> dict[str, Any]:
    options: dict[str, Any] = {"pc_type": "fieldsplit", "pc_fieldsplit_type": "multiplicative"}
    for field in SPLIT_FIELDS:
        options |= {f"fieldsplit_{field}_ksp_type": "preonly"}
        options |= {f"fieldsplit_{field}_pc_type": "gamg"}
        options |= {f"fieldsplit_{field}_{k}": v for k, v in GAMG_OPTIONS.items()}
    return options


def newton_petsc_options(
    n_dofs: int, user: Mapping[str, Any] | None = None, *, split: bool = False, blocks: int = 1
) -> dict[str, Any]:
    """SNES + KSP options of a Newton solve: defaults with the user's options on top.

    Args:
        n_dofs: Global number of unknowns of the Newton system (all fields).
        user: The user's ``[solver] petsc_options``.
        split: The monolithic x_A–T system (blocks ordered x_A, T): the T-first fieldsplit
            (set its index sets with :func:`split_fields`); else the user's field-split
            options are left out (:func:`~emcd_fem.solvers.defaults.single_field_options`).
        blocks: Number of species blocks (films): several get the direct solve, as the
            linear path's film block system.

    Returns:
        A fresh options dictionary.
    """
    user = dict(user or {}) if split else single_field_options(user)
    options = dict(SNES_OPTIONS)
    if "ksp_type" in user or "pc_type" in user:
        if user.get("ksp_type") != "preonly":  # the tolerances only (any Krylov method)
            options |= {k: KRYLOV_OPTIONS[k] for k in ("ksp_rtol", "ksp_atol", "ksp_max_it")}
        if user.get("pc_type") == "gamg" and not any(k.startswith("mg_levels") for k in user):
            options |= GAMG_OPTIONS
        if split and user.get("pc_type") == "fieldsplit":  # the T-first blocks, unless given
            options |= _split_options()
    elif n_dofs <= DIRECT_SOLVER_MAX_DOFS or blocks > 1:
        options |= DIRECT_OPTIONS
    elif split:
        options |= KRYLOV_OPTIONS | _split_options()
    else:
        options |= KRYLOV_OPTIONS | {"pc_type": "gamg", **GAMG_OPTIONS}
    return options | user


def in_sequence(n_dofs: int, user: Mapping[str, Any] | None = None) -> bool:
    """True when a monolithic x_A–T problem is solved as T first, then Newton for x_A.

    That is the default above :data:`DIRECT_SOLVER_MAX_DOFS` unknowns (x_A and T) unless
    the user picks a method (``ksp_type``/``pc_type``): J = [[J_xx, J_xT], [0, J_TT]] is
    block triangular, so the sequence is the coupled solution (to the solver tolerances),
    and it assembles and preconditions the T system (discontinuous with contact
    resistances: many more unknowns than x_A) once instead of in every Newton iteration.
    Measured on the Soret benchmark case: see benchmarks/README.md ("Soret 3D").
    """
    user = user or {}
    return n_dofs > DIRECT_SOLVER_MAX_DOFS and not ("ksp_type" in user or "pc_type" in user)


def global_size(functions: Sequence[Any]) -> int:
    """Global number of unknowns of the given DOLFINx Functions (scalar spaces)."""
    return sum(u.function_space.dofmap.index_map.size_global for u in functions)


def split_fields(
    snes: PETSc.SNES, A: PETSc.Mat, sizes: Sequence[int], options: Mapping[str, Any]
) -> None:
    """Give a fieldsplit preconditioner the x_A and T index sets (collective; else no-op).

    Args:
        snes: The SNES of a ``kind="mpi"`` problem with blocks (x_A, T).
        A: Its Jacobian matrix (owned rows: x_A's, then T's).
        sizes: Owned sizes of the two blocks on this rank (x_A first).
        options: The problem's PETSc options: the ``fieldsplit_*`` ones are put back into
            the options database under the SNES prefix (DOLFINx removes every option after
            ``SNES.setFromOptions``, but the blocks' solvers read theirs at the first solve).
    """
    pc = snes.getKSP().getPC()
    if pc.getType() != PETSc.PC.Type.FIELDSPLIT:
        return
    start = A.getOwnershipRange()[0]
    comm = A.getComm()
    n_x, n_T = sizes
    x_set = PETSc.IS().createStride(n_x, first=start, step=1, comm=comm)
    T_set = PETSc.IS().createStride(n_T, first=start + n_x, step=1, comm=comm)
    pc.setFieldSplitIS((SPLIT_FIELDS[0], T_set), (SPLIT_FIELDS[1], x_set))
    database = PETSc.Options(snes.getOptionsPrefix())
    for name, value in options.items():
        if name.startswith("fieldsplit_"):
            database[name] = value


__all__ = [
    "KRYLOV_OPTIONS",
    "NEWTON_KSP_RTOL",
    "SNES_OPTIONS",
    "SPLIT_FIELDS",
    "global_size",
    "in_sequence",
    "newton_petsc_options",
    "split_fields",
]
