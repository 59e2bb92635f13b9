"""Models: physics terms (``emcd_fem.physics``) assembled into solvable problems.

:class:`~emcd_fem.models.transport.SpeciesTransportModel` is the one species-transport
model: constitutive flux (Fick/EMCD in the potential form, plus the Soret term when a
temperature is given), boundary conditions, volumetric source, partition coefficients and
film resistances, on blocks of film-free connected regions.
"""
