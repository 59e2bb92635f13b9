"""Solver control.

PETSc option checks (``petsc_options``) and the linear solve with its defaults, scaled
Dirichlet rows, true-residual judgement and direct fallback (``linear``); Newton (SNES)
solves of the composed model are in ``emcd_fem.models.newton``.
"""
