"""The gmsh import route (issue 21): the same tags and fluxes as the vertex-matching route.

The region tags now travel by ``original_cell_index`` and the cells are handed out in
blocks before ``create_mesh``; face keys are packed integers. These tests compare with the
previous route (tests/gmsh_import_reference.py) on a small mesh; the MPI twin is
tests/mpi/test_gmsh_import_parallel.py.
"""

from mpi4py import MPI

import numpy as np
import pytest
from gmsh_import_reference import check_same_tags_as_before, exact_slab_flux, slab_flux

from emcd_fem.geometry.gmsh_groups import face_keys


def test_same_tags_as_the_vertex_matching_route(tmp_path):
    assert check_same_tags_as_before(MPI.COMM_SELF, tmp_path) > 0


@pytest.mark.parametrize("dim", [2, 3])
def test_same_flux_as_the_exact_slab(dim):
    # P1 holds the piecewise-linear profile exactly on cells conforming to the layers: only
    # the CG tolerance (rtol 1e-10 and below) is left; a wrong region tag changes it by O(1)
    assert slab_flux(MPI.COMM_SELF, dim) == pytest.approx(exact_slab_flux(), rel=1e-10)


def test_packed_face_keys_match_the_byte_keys():
    """Packed int64 keys are equal exactly when the byte keys (any large mesh) are."""
    rng = np.random.default_rng(3)
    rows = rng.integers(0, 50, size=(4000, 3))
    rows[2000:] = rng.permuted(rows[:2000], axis=1)  # the same faces, corners shuffled
    packed = face_keys(rows, 50)
    as_bytes = face_keys(rows, 2**40)  # 2**120 overflows int64: the byte keys
    assert packed.dtype == np.int64 and as_bytes.dtype.kind == "V"
    assert np.array_equal(packed[:2000], packed[2000:])
    _, first_p, inverse_p = np.unique(packed, return_index=True, return_inverse=True)
    _, first_b, inverse_b = np.unique(as_bytes, return_index=True, return_inverse=True)
    assert np.array_equal(np.sort(first_p), np.sort(first_b))
    assert np.array_equal(first_p[inverse_p.ravel()], first_b[inverse_b.ravel()])


RANDOM_SPHERES = """
[geometry]
kind = "inclusions"
dim = 3
shape = "sphere"
extents = [1.0e-3, 1.0e-3, 1.0e-3]
radius = 0.15e-3
arrangement = "random"
volume_fraction = 0.2
seed = 3
size = 0.25e-3

[materials.matrix]
D = 1.0e-9
c = 40.9

[materials.inclusion]
D = 1.0e-8
c = 40.9

[boundaries.left]
type = "mole_fraction"
value = 1.0

[boundaries.right]
type = "mole_fraction"
value = 0.0
"""


@pytest.mark.parametrize("failure", ["empty_volumes", "gmsh_error"])
def test_a_packing_gmsh_cannot_mesh_names_the_size(failure, tmp_path, capsys, monkeypatch):
    """gmsh's 3D mesher failing on a random packing: the size and what to try, nothing written.

    The failure is injected where gmsh fails (its 3D step): either it raises (HXT:
    "Invalid boundary mesh (overlapping facets)") or it leaves volumes without cells.
    """
    import gmsh

    from emcd_fem import cli

    real = gmsh.model.mesh.generate

    def failing(dim=3):
        real(min(dim, 2))  # points, curves, surfaces: fine
        if dim == 3 and failure == "gmsh_error":
            raise Exception("Invalid boundary mesh (overlapping facets) on surface 7 surface 12")

    monkeypatch.setattr(gmsh.model.mesh, "generate", failing)
    case = tmp_path / "spheres.toml"
    case.write_text(RANDOM_SPHERES)
    out = tmp_path / "out"
    assert cli.main(["run", str(case), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "meshing failed" in err and "invalid case" not in err
    assert "at cell size 0.00025 m (geometry.size)" in err
    assert "narrowest gap between two inclusions" in err and "set refine = 1" in err
    expected = "overlapping facets" if failure == "gmsh_error" else "volumes got no cells"
    assert expected in err
    assert not out.exists()


def _box_model(duplicate: bool = False):
    """A meshed unit box (gmsh session left open): optionally one tetrahedron twice."""
    import gmsh

    from emcd_fem.geometry.gmsh_model import start_gmsh

    start_gmsh()
    gmsh.model.occ.addBox(0, 0, 0, 1, 1, 1)
    gmsh.model.occ.synchronize()
    gmsh.option.setNumber("Mesh.MeshSizeMax", 0.3)
    gmsh.model.mesh.generate(3)
    volumes = [1]
    if duplicate:
        types, _, nodes = gmsh.model.mesh.getElements(3, 1)
        copy = gmsh.model.addDiscreteEntity(3)
        gmsh.model.mesh.addElementsByType(copy, int(types[0]), [], nodes[0][:4])
        volumes.append(copy)
    gmsh.model.addPhysicalGroup(3, volumes, 1, name="box")
    faces = [t for _, t in gmsh.model.getEntities(2)]
    gmsh.model.addPhysicalGroup(2, faces, 2, name="skin")


def test_simplex_faces_match_the_general_route():
    """Exterior faces and face counts of the packed route = those of all face rows."""
    import gmsh

    from emcd_fem.geometry.gmsh_arrays import LOCAL_FACETS, extract

    _box_model()
    arrays = extract()
    gmsh.clear()
    faces = arrays.cells[:, np.asarray(LOCAL_FACETS["tetrahedron"])].reshape(-1, 3)
    rows, counts = np.unique(np.sort(faces, axis=1), axis=0, return_counts=True)
    assert counts.max() == 2
    expected = rows[counts == 1]
    got = np.unique(np.sort(arrays.exterior, axis=1), axis=0)
    assert np.array_equal(got, expected)
    assert arrays.counts["skin"] == expected.shape[0]  # the whole skin is exterior


def test_a_cell_twice_is_refused():
    import gmsh

    from emcd_fem.errors import EmcdMeshError
    from emcd_fem.geometry.gmsh_arrays import extract

    _box_model(duplicate=True)
    with pytest.raises(EmcdMeshError, match="some cells appear twice"):
        extract()
    gmsh.clear()


def test_unique_helpers_match_numpy():
    """The sort-based replacements of np.unique in extract give NumPy's answers."""
    from emcd_fem.geometry.gmsh_groups import face_keys, sorted_unique, unique_with_counts

    rng = np.random.default_rng(3)
    for values in (rng.integers(0, 50, 1000), np.array([7]), np.empty(0, np.int64)):
        assert np.array_equal(sorted_unique(values), np.unique(values))
        keys, index, counts = unique_with_counts(values)
        ref_keys, _, ref_counts = np.unique(values, return_index=True, return_counts=True)
        assert np.array_equal(keys, ref_keys) and np.array_equal(counts, ref_counts)
        assert np.array_equal(values[index], keys)  # an occurrence of each key
    rows = face_keys(np.array([[3, 2, 1], [1, 2, 3], [4, 5, 6]]), 2**40)  # row bytes
    assert rows.dtype.kind == "V" and sorted_unique(rows).size == 2
