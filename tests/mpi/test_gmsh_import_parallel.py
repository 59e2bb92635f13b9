"""The gmsh import route on N ranks: the same tags as the vertex-matching route, and the
exact slab flux (issue 21)."""

import sys
from pathlib import Path

from mpi4py import MPI

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gmsh_import_reference import check_same_tags_as_before, exact_slab_flux, slab_flux


def test_same_tags_as_the_vertex_matching_route(tmp_path):
    checked = check_same_tags_as_before(MPI.COMM_WORLD, tmp_path)
    # ghost cells counted on each rank that holds them: at least every cell once
    assert checked > 0


@pytest.mark.parametrize("dim", [2, 3])
def test_same_flux_as_the_exact_slab(dim):
    # exact for P1 on layer-conforming cells; rtol 1e-10 of CG + GAMG is what is left
    assert slab_flux(MPI.COMM_WORLD, dim) == pytest.approx(exact_slab_flux(), rel=1e-10)


def test_meshing_failure_same_message_on_every_rank(monkeypatch):
    """gmsh (rank 0 only) leaves the volumes empty: every rank raises the meshing error."""
    import gmsh
    import numpy as np

    from emcd_fem.errors import EmcdMeshingError
    from emcd_fem.geometry import matrix_with_inclusions

    real = gmsh.model.mesh.generate
    monkeypatch.setattr(gmsh.model.mesh, "generate", lambda dim=3: real(min(dim, 2)))
    centers = np.array([[0.25, 0.5, 0.5], [0.75, 0.5, 0.5]])
    with pytest.raises(EmcdMeshingError) as raised:
        matrix_with_inclusions((1.0, 1.0, 1.0), centers, 0.2, kind="sphere", size=0.3)
    message = str(raised.value)
    assert (
        "at cell size 0.3 m" in message
        and "narrowest gap between two inclusions is 0.1 m" in message
    )
    assert MPI.COMM_WORLD.allgather(message) == [message] * MPI.COMM_WORLD.size


def test_refined_inclusions_run_on_every_rank_count():
    """Refinement keeps a ghost layer: the sphere array (an interior interface, dS
    integrals) refined once runs on N ranks with the serial measures and fluxes.

    DOLFINx's plaza refinement splits the inner octahedron of a tetrahedron along a
    diagonal chosen by global vertex numbers, which depend on the partition: on N ranks a
    few cells near the partition boundary (89 of 5464 here) take another of the three
    diagonals. Both meshes are conforming refinements of the same mesh, so volumes and
    interface areas agree to rounding, and fluxes to the discretisation error of those
    cells (2.4e-8 relative here, LU): 1e-6 bounds it with room.
    """
    import numpy as np
    import ufl
    from dolfinx import fem

    import emcd_fem as ef
    from emcd_fem.geometry import matrix_with_inclusions
    from emcd_fem.post.integrals import integrate

    centers = np.array([[0.3, 0.5, 0.5], [0.7, 0.5, 0.5]])
    materials = {"matrix": ef.Material(1.0), "inclusion": ef.Material(10.0)}
    bcs = {"left": ef.MoleFraction(1.0), "right": ef.MoleFraction(0.0)}
    lu = {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}
    results = []
    for comm in (MPI.COMM_SELF, MPI.COMM_WORLD):
        domain = matrix_with_inclusions(
            (1.0, 1.0, 1.0), centers, 0.15, kind="sphere", size=0.25, refine=1, comm=comm
        )
        if comm.size > 1:  # the ghost layer that interior-facet integrals need
            assert comm.allreduce(domain.mesh.topology.index_map(3).num_ghosts) > 0
        interface = domain.interfaces["interface"]
        measures = [integrate(fem.form(1.0 * domain.dx(t))) for t in domain.regions.values()]
        dS = ufl.Measure("dS", domain=domain.mesh, subdomain_data=domain.facet_tags)
        measures.append(integrate(fem.form(1.0 * dS(interface))))
        solution = ef.solve_emcd(domain, materials, bcs, petsc_options=lu)
        results.append((measures, solution.boundary_flux["right"]))
    (m1, f1), (m2, f2) = results
    assert m2 == pytest.approx(m1, rel=1e-12)
    assert f2 == pytest.approx(f1, rel=1e-6)
