"""Mesh and tags.

The :class:`~emcd_fem.mesh.domain.Domain` record (mesh, cell/facet tags, names ↔ tags,
measures) and the quadrature rules shared by the solve and its post-processing.
"""
