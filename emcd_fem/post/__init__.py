"""Post-processing of a solution.

Integrals and reaction fluxes (``integrals``), derived fields, sampling, admissibility
and result checks, the mesh report. All MPI reductions happen inside these helpers.
"""
