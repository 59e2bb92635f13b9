"""Cases of the restricted flux residual (``models.residual_cells``, issue 21), shared by
tests/test_residual_cells.py and its 2-rank twin tests/mpi/test_residual_cells_parallel.py.

Each case builds a ``SpeciesTransportModel``, sets its potentials to a smooth non-trivial
field (so the residual is not ~0 in the interior: every cell term weighs), and compares
the reaction fluxes from the model's restricted residual with those from the whole
residual assembled over every cell (the reference, compiled here from
``models.assembly.residuals``), boundary by boundary and DOF by DOF.
"""

import itertools

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem, la

import emcd_fem as ef
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.models.assembly import measured_forms, residuals
from emcd_fem.models.blocks import boundary_dofs
from emcd_fem.models.derived import boundary_fluxes
from emcd_fem.models.residual_cells import boundary_dof_cells
from emcd_fem.models.transport import SpeciesTransportModel

THICK = [0.3, 0.4, 0.3]
NAMES = ["a", "b", "c"]
MATS = {"a": ef.Material(1.0, 2.0), "b": ef.Material(0.1, 1.0), "c": ef.Material(0.5, 1.5)}


def wavy_slab(dim: int, comm: MPI.Comm = MPI.COMM_WORLD, interfaces: bool = False) -> ef.Domain:
    """The 3-layer slab with its nodes moved along x inside each layer (flat boundaries and
    interfaces, named "a|b", "b|c" with ``interfaces``).

    The shift is a function of the coordinates, so the same mesh on any number of ranks.
    """
    domain = ef.layered_slab(
        THICK,
        region_names=NAMES,
        dim=dim,
        cells_per_layer=[3, 4, 3],
        cells_across=3,
        comm=comm,
        interfaces=interfaces,
    )
    x = domain.mesh.geometry.x
    edges = np.concatenate([[0.0], np.cumsum(THICK)])
    for lo, hi in itertools.pairwise(edges):
        inside = (x[:, 0] > lo + 1e-12) & (x[:, 0] < hi - 1e-12)
        bump = np.sin(np.pi * (x[inside, 0] - lo) / (hi - lo))
        x[inside, 0] += 0.2 * (hi - lo) / 4 * bump * np.cos(3.0 * x[inside, 1])
    return domain


CASES = {
    # Dirichlet left only: regions b and c do not reach it; Robin bottom next to it
    "3d_p1_source_robin": dict(
        dim=3,
        degree=1,
        bcs={
            "left": ef.MoleFraction(0.9),
            "bottom": ef.MassTransfer(0.7, 0.2),
            "right": ef.MolarFlux(0.05),
        },
        source=0.3,
    ),
    "2d_p2_both_ends_source": dict(
        dim=2,
        degree=2,
        bcs={
            "left": ef.MoleFraction(0.9),
            "right": ef.MoleFraction(0.1),
            "top": ef.MassTransfer(0.4, 0.5),
        },
        source="x",
    ),
    "3d_p2_two_dirichlet_faces": dict(
        dim=3,
        degree=2,
        bcs={"left": ef.MoleFraction(0.9), "bottom": ef.MoleFraction(0.4)},
        source=0.0,
    ),
    "2d_p1_films": dict(
        dim=2,
        degree=1,
        bcs={"left": ef.MoleFraction(0.9), "right": ef.MoleFraction(0.1)},
        films={("a", "b"): 2.0, ("b", "c"): 5.0},
        source=0.2,
    ),
    "3d_p2_films": dict(
        dim=3,
        degree=2,
        bcs={"left": ef.MoleFraction(0.9), "right": ef.MassTransfer(0.3, 0.6)},
        films={("b", "c"): 2.0},  # blocks a|b (Dirichlet) and c (Robin only)
        source=0.0,
    ),
    # a reacting interface (dS terms) meeting the Dirichlet faces bottom and top
    "2d_p2_interface_reaction": dict(
        dim=2,
        degree=2,
        bcs={"bottom": ef.MoleFraction(0.8), "top": ef.MoleFraction(0.2)},
        source=0.0,
        reactions=[
            Reaction("A <=> B", kind="surface", boundary="a|b", k_f=0.4, k_b=0.05, side="b")
        ],
    ),
}


def build(case: dict, comm: MPI.Comm = MPI.COMM_WORLD) -> SpeciesTransportModel:
    """The case's model, its potentials set to a smooth field that varies in x, y (and z)."""
    domain = wavy_slab(case["dim"], comm, interfaces="reactions" in case)
    source = case["source"]
    if source == "x":  # a source that varies in space
        source = 0.5 + ufl.SpatialCoordinate(domain.mesh)[0]
    model = SpeciesTransportModel(
        domain,
        MATS,
        case["bcs"],
        films=case.get("films"),
        reactions=case.get("reactions", ()),
        source=source,
        degree=case["degree"],
    )
    for u in model.potentials:
        u.interpolate(lambda p: 0.3 + 0.2 * p[0] ** 2 + 0.1 * np.sin(2 * p[1]) - 0.05 * p[2])
        u.x.scatter_forward()
    return model


def compare(model: SpeciesTransportModel) -> dict:
    """Restricted against whole residual: fluxes and per-DOF entries (collective).

    Returns:
        {"fluxes": (restricted, full) boundary → q, "entries": the largest |difference|
        of the residual over the mole-fraction DOFs relative to its largest |entry| there,
        "kept": cells kept by the restrictions (all blocks) / cells of the mesh}.
    """
    inputs, domain = model.form_inputs, model.domain
    restricted = measured_forms(inputs)["residuals"]
    full = [fem.form(f, entity_maps=inputs.entity_maps) for f in residuals(inputs, None)]
    fluxes = [
        boundary_fluxes(
            domain,
            model.blocks,
            model.conditions,
            inputs.block_of_boundary,
            r,
            model.data_flux_forms,
        )
        for r in (restricted, full)
    ]
    worst, largest, kept = 0.0, 0.0, 0
    for i, block in enumerate(model.blocks):
        names = [
            (n, domain.boundaries[n])
            for n, bc in model.conditions.items()
            if bc.is_dirichlet and inputs.block_of_boundary[n] == i
        ]
        kept += boundary_dof_cells(domain, block, [t for _, t in names]).size
        if not names:
            continue
        vectors = []
        for form in (restricted[i], full[i]):
            vector = fem.assemble_vector(form)
            vector.scatter_reverse(la.InsertMode.add)
            vectors.append(vector.array.copy())
        for dofs in boundary_dofs(block, names).values():
            worst = max(worst, float(np.abs(vectors[0][dofs] - vectors[1][dofs]).max(initial=0)))
            largest = max(largest, float(np.abs(vectors[1][dofs]).max(initial=0)))
    comm = domain.comm
    tdim = domain.mesh.topology.dim
    worst, largest = comm.allreduce(worst, op=MPI.MAX), comm.allreduce(largest, op=MPI.MAX)
    total = domain.mesh.topology.index_map(tdim).size_global
    return {
        "fluxes": tuple(fluxes),
        "entries": worst / largest,
        "kept": comm.allreduce(kept, op=MPI.SUM) / total,
    }
