"""The run pipeline behind ``emcd run`` and :func:`emcd_fem.run_case`.

``run`` (``run_case``, sweeps: load case → check → domain → materials → model → solve →
post-process → write, one route for every case), ``check`` (``check_case``), ``setup``
(case → domain, materials, boundary conditions, interface pairs), ``model_run`` (case →
the composed model, its solve, post-processing and summary), ``references`` (the run's
analytic references), ``thermal_case`` (the ``[thermal]`` case helpers: conditions,
contact resistances, the Soret slab reference) and ``output`` (the run record, summary,
checks against the run's own references, writing).
"""
