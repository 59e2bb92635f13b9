"""Solver control.

PETSc option checks (``petsc_options``); the linear/nonlinear solve (``emcd_fem/solver.py``
today) moves here when the model rewrite lands.
"""
