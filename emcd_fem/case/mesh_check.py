"""Mesh files against the case: groups, names, cell types, materials and boundaries.

``emcd check`` opens the mesh on rank 0 (runs a ``.geo`` through gmsh, reads a ``.msh``)
with :func:`inspect_mesh_file`, so a mesh that cannot be solved is refused before a
cluster job queues; ``emcd run`` checks the distributed domain with
:func:`check_domain_groups`. Both report every problem at once, with its key path.
"""

import difflib
from collections.abc import Mapping
from typing import Any

from mpi4py import MPI

import numpy as np

from emcd_fem.case import Case, CaseError, MeshFile
from emcd_fem.case.check_geometry import partition_boundary_problems
from emcd_fem.case.check_tools import missing_material
from emcd_fem.errors import EmcdMeshError
from emcd_fem.mesh.domain import Domain


def mapping_problems(
    case: Case,
    regions: Mapping[str, Any],
    boundaries: Mapping[str, Any],
    interfaces: Mapping[str, Any],
    excluded: Mapping[str, str],
) -> list[tuple[str, str]]:
    """Problems of the case's region, material and boundary names against a mesh's groups."""
    problems = []

    def why(kind: str, name: str, known: Mapping[str, Any]) -> str:
        if name in excluded:
            return f"the mesh's physical group {name!r} is {excluded[name]}"
        if kind == "boundary" and name in interfaces:
            return (
                f"{name!r} lies inside the mesh (every facet between two cells): conditions "
                "apply to exterior boundaries only"
            )
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"the mesh has {sorted(known)}"
        return f"not a {kind} of the mesh; {hint}"

    spec = case.multicomponent
    if spec is not None:  # an n-species gas: its regions and boundaries by name
        for key, names, known, kind in (
            ("regions", spec.regions, regions, "region"),
            ("boundaries", spec.boundaries, boundaries, "boundary"),
        ):
            for name in sorted(names):
                if name not in known:
                    problems.append((f"multicomponent.{key}.{name}", why(kind, name, known)))
        for region in sorted(set(regions) - set(spec.regions)):
            problems.append(("multicomponent.regions", f"give the gas of mesh region {region!r}"))
        return problems
    for region in case.regions:
        if region not in regions:
            problems.append((f"regions.{region}", why("region", region, regions)))
    for region in sorted(regions):
        material = case.material_of(region)
        if material not in case.materials:
            problems.append(
                (f"regions.{region}", missing_material(region, material, list(case.materials)))
            )
    sections = [("boundaries", case.boundaries)]
    if case.thermal is not None:
        sections.append(("thermal.boundaries", case.thermal.boundaries))
    for key, conditions in sections:
        for name in conditions:
            if name not in boundaries:
                problems.append((f"{key}.{name}", why("boundary", name, boundaries)))
    return problems


def check_domain_groups(case: Case, domain: Domain) -> None:
    """Refuse a case whose names do not fit the domain's groups (same verdict on every rank).

    Raises:
        CaseError: every problem with its key path.
    """
    problems = mapping_problems(
        case, domain.regions, domain.boundaries, domain.interfaces, domain.excluded
    )
    if problems:
        raise CaseError(problems, "case against its mesh")


def _located_counts(
    arrays: Any, where: Mapping[str, str], gdim: int
) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """Exterior faces each located boundary selects (gmsh rank; same rules as the run).

    Returns:
        Name → number of faces, and name → their face keys.
    """
    from emcd_fem.expressions import evaluate_condition
    from emcd_fem.geometry.gmsh_groups import FACET_CORNERS, face_keys
    from emcd_fem.geometry.locate import EXTERIOR

    exterior = arrays.exterior
    keys = face_keys(exterior, arrays.x.shape[0])
    corners = FACET_CORNERS[arrays.cell_name]
    tagged = (
        face_keys(arrays.facets[:, :corners], arrays.x.shape[0]) if arrays.facets.size else keys[:0]
    )
    owner = np.full(keys.size, "", dtype=object)
    names_of = {t: n for n, t in arrays.boundaries.items()}
    if tagged.size:
        order = np.argsort(tagged)
        position = np.minimum(np.searchsorted(tagged[order], keys), tagged.size - 1)
        hit = tagged[order][position] == keys
        values = arrays.facet_values[order][position]
        owner[hit] = [names_of.get(int(v), "") for v in values[hit]]
    counts, selected = {}, {}
    ordered = [n for n in where if where[n] != EXTERIOR] + [
        n for n in where if where[n] == EXTERIOR
    ]
    for name in ordered:
        if name in arrays.regions or name in arrays.boundaries or name in arrays.interfaces:
            raise EmcdMeshError(
                f"geometry.boundaries.{name}: the mesh already has a physical group {name!r}; "
                "choose another name"
            )
        if where[name] == EXTERIOR:
            chosen = owner == ""
        else:
            points = arrays.x[exterior][:, :, :gdim]
            held = evaluate_condition(where[name], points.reshape(-1, gdim).T, gdim)
            chosen = held.reshape(points.shape[:2]).all(axis=1)
        clash = sorted({str(n) for n in owner[chosen] if n})
        if clash:
            listed = ", ".join(f"{int(np.sum(owner[chosen] == c))} with '{c}'" for c in clash)
            raise EmcdMeshError(
                f"geometry.boundaries.{name} = {where[name]!r} selects {int(chosen.sum())} "
                f"exterior facets, of which {listed}: a facet takes one condition only; "
                "narrow the condition (e.g. add 'and y > ...')"
            )
        if not chosen.any():
            low, high = arrays.x.min(axis=0), arrays.x.max(axis=0)
            span = ", ".join(f"{'xyz'[i]} in [{low[i]:.6g}, {high[i]:.6g}]" for i in range(gdim))
            raise EmcdMeshError(
                f"geometry.boundaries.{name} = {where[name]!r} selects no exterior facet (a "
                f"facet is selected when the condition holds at all its vertices); the mesh "
                f"spans {span}"
            )
        owner[chosen] = name
        counts[name] = int(chosen.sum())
        selected[name] = keys[chosen]
    return counts, selected


def _region_contacts(
    arrays: Any, located: Mapping[str, np.ndarray]
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Regions each boundary bounds, and the region pairs sharing faces (gmsh rank).

    ``located``: the located boundaries' face keys (name → keys), next to the groups.
    """
    from emcd_fem.geometry.gmsh_arrays import LOCAL_FACETS
    from emcd_fem.geometry.gmsh_groups import FACET_CORNERS, face_keys

    n = arrays.x.shape[0]
    local = np.asarray(LOCAL_FACETS[arrays.cell_name])
    keys = face_keys(arrays.cells[:, local].reshape(-1, local.shape[1]), n)
    owner = np.repeat(arrays.cell_values, local.shape[0])
    order = np.argsort(keys, kind="stable")
    keys, owner = keys[order], owner[order]
    name_of = {t: name for name, t in arrays.regions.items()}
    twice = np.flatnonzero(keys[1:] == keys[:-1])
    pairs = {
        tuple(sorted((name_of[int(a)], name_of[int(b)])))
        for a, b in zip(owner[twice], owner[twice + 1], strict=True)
        if a != b
    }
    corners = FACET_CORNERS[arrays.cell_name]
    facets = face_keys(arrays.facets[:, :corners], n) if arrays.facets.size else keys[:0]
    faces = {name: facets[arrays.facet_values == tag] for name, tag in arrays.boundaries.items()}
    touching = {}
    for name, wanted in sorted((faces | dict(located)).items()):
        hit = np.isin(keys, wanted)
        touching[name] = sorted({name_of[int(t)] for t in np.unique(owner[hit])})
    return touching, sorted(pairs)


def inspect_mesh_file(
    geometry: MeshFile,
    *,
    allow_unsafe_geo: bool = False,
    contacts: bool = False,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> dict[str, Any]:
    """Open a case's mesh file on rank 0 and report its groups (collective).

    Runs the safety scan, gmsh (meshing a ``.geo`` as the run would) and the group
    validation of :func:`~emcd_fem.geometry.gmsh_arrays.extract`, then locates the
    ``[geometry.boundaries]``.

    Returns:
        ``cell_type``, ``geometric_order``, ``cells``, ``regions`` and ``boundaries``
        (name → cells/facets), ``interfaces``, ``ignored_groups`` (name → reason),
        ``warnings``; with ``contacts``: ``touching`` (boundary group → regions it
        bounds) and ``adjacent`` (region pairs sharing faces).

    Raises:
        EmcdMeshError: on every rank, with the same message.
    """
    from pathlib import Path

    from emcd_fem.geometry.files import mesh_gmsh_file
    from emcd_fem.geometry.geo_safety import check_mesh_file
    from emcd_fem.geometry.gmsh_arrays import dimension_error, extract
    from emcd_fem.geometry.gmsh_model import run_on_root, start_gmsh

    def inspect() -> dict[str, Any]:
        import gmsh

        path = Path(geometry.path)
        if path.suffix.lower() not in (".msh", ".geo"):
            raise EmcdMeshError(f"{str(path)!r}: expected a .msh or .geo file")
        if not path.is_file():
            raise EmcdMeshError(f"mesh file {str(path)!r} not found")
        if path.stat().st_size == 0:
            raise EmcdMeshError(f"mesh file {str(path)!r} is empty")
        check_mesh_file(path, allow_unsafe_geo=allow_unsafe_geo)
        start_gmsh()
        try:
            mesh_gmsh_file(
                path,
                size=geometry.size,
                order=geometry.order,
                refine=geometry.refine,
                allow_unsafe_geo=allow_unsafe_geo,
            )
            arrays = extract()
        finally:
            gmsh.clear()
        error = dimension_error(arrays, geometry.dim)
        if error is not None:
            raise EmcdMeshError(error)
        gdim = geometry.dim or arrays.tdim
        located, selected = _located_counts(arrays, geometry.boundaries, gdim)
        counts = arrays.counts
        touching, adjacent = _region_contacts(arrays, selected) if contacts else ({}, [])
        return {
            "cell_type": arrays.cell_name,
            "geometric_order": arrays.degree,
            "cells": int(arrays.cells.shape[0]),
            "regions": {n: counts[n] for n in arrays.regions},
            "boundaries": {**{n: counts[n] for n in arrays.boundaries}, **located},
            "interfaces": {n: counts[n] for n in arrays.interfaces},
            "ignored_groups": dict(arrays.excluded),
            "warnings": list(arrays.warnings),
        } | ({"touching": touching, "adjacent": adjacent} if contacts else {})

    return run_on_root(inspect, comm)


def check_case_mesh(
    case: Case, *, allow_unsafe_geo: bool = False, comm: MPI.Comm = MPI.COMM_WORLD
) -> dict[str, Any] | None:
    """For a ``mesh_file`` case: inspect the mesh and check the case's names against it.

    Returns:
        The mesh report of :func:`inspect_mesh_file`, or None for other geometries.

    Raises:
        EmcdMeshError: an unusable mesh. CaseError: names that do not fit its groups.
    """
    if not isinstance(case.geometry, MeshFile):
        return None
    contacts = any(spec.partition is not None for spec in case.interfaces)
    report = inspect_mesh_file(
        case.geometry, allow_unsafe_geo=allow_unsafe_geo, contacts=contacts, comm=comm
    )
    touching, adjacent = report.pop("touching", {}), report.pop("adjacent", [])
    problems = mapping_problems(
        case,
        report["regions"],
        report["boundaries"],
        report["interfaces"],
        report["ignored_groups"],
    )
    if not problems and contacts:  # the run refuses these when it builds the model
        problems = partition_boundary_problems(case, sorted(report["regions"]), touching, adjacent)
    if problems:
        raise CaseError(problems, "case against its mesh")
    return report
