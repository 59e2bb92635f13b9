"""Models: physics terms (``emcd_fem.physics``) assembled into solvable problems.

:class:`~emcd_fem.models.transport.SpeciesTransportModel` is the one species-transport
model: constitutive flux (Fick/EMCD in the potential form, plus the Soret term when a
temperature is given), boundary conditions, volumetric source, partition coefficients and
film resistances, flux-only data with an inventory, on blocks of film-free connected
regions. ``EMCDProblem``, ``FilmEMCDProblem`` and ``SoretProblem`` are facades over it.

Modules: ``blocks`` (film-free region groups, submeshes, interface entities),
``transport`` (the model: terms → residuals, linear/SNES solve, fluxes, balance, checks),
``assembly`` (its forms), ``derived`` (its post-solve quantities), ``dirichlet``
(mole-fraction data on the potentials), ``inventory`` (flux-only problems),
``newton`` (SNES with progress, the staggered T–x_A iteration), ``solution`` (the result
records), ``thermal_support`` (Newton options, temperature checks, Soret diagnostics),
the facades ``problem`` (``EMCDProblem``: isothermal, plain and partition), ``films`` and
``soret``, and ``thermal`` (heat conduction). The
case → model step of ``emcd run`` is ``emcd_fem.pipeline.model_run``.
"""
