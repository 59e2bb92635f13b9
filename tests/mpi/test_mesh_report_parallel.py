"""The mesh report on 1 and N ranks: the same quality statistics and measures (issue 21).

The per-cell statistics (NumPy from the corners, ``Domain.cell_statistics``) and the
corner-measured facets count every owned cell and facet once: the values agree with one
rank's up to the round-off of the sums' order. The domain volume of ``Domain.extent``
comes from the same cell sums.
"""

from mpi4py import MPI

import pytest

import emcd_fem as ef
from emcd_fem.geometry import annulus
from emcd_fem.post.mesh_report import mesh_report


def _slab(comm):
    return ef.layered_slab(
        [0.3, 0.4, 0.3],
        region_names=["a", "b", "c"],
        dim=3,
        cells_per_layer=[3, 4, 3],
        cells_across=3,
        interfaces=True,
        comm=comm,
    )


def _annulus(comm):
    return annulus([0.5, 0.8, 1.0], size=0.1, order=1, comm=comm)


@pytest.mark.parametrize("builder", [_slab, _annulus])
def test_same_report_on_one_and_all_ranks(builder):
    domains = [builder(comm) for comm in (MPI.COMM_SELF, MPI.COMM_WORLD)]
    if MPI.COMM_WORLD.size > 1:  # the cells are shared out: no rank holds them all
        n_owned = domains[1].mesh.topology.index_map(domains[1].mesh.topology.dim).size_local
        assert (
            MPI.COMM_WORLD.allreduce(n_owned, op=MPI.MAX)
            < domains[0].mesh.topology.index_map(domains[0].mesh.topology.dim).size_local
        )
    (volume_one, diameter_one), (volume_all, diameter_all) = (d.extent for d in domains)
    assert volume_all == pytest.approx(volume_one, rel=1e-12)
    assert diameter_all == diameter_one
    one, all_ranks = (mesh_report(d) for d in domains)
    for key in ("cells", "vertices"):
        assert all_ranks[key] == one[key]
    for key in ("quality_min", "quality_mean"):
        assert all_ranks[key] == pytest.approx(one[key], rel=1e-12), key
    for key in ("region_measures", "boundary_measures", "interface_measures"):
        assert all_ranks[key].keys() == one[key].keys(), key
        for name, value in one[key].items():
            assert all_ranks[key][name] == pytest.approx(value, rel=1e-12), (key, name)
    if builder is _slab:  # exact for the box: each interface facet once, not per rank
        assert all_ranks["interface_measures"] == pytest.approx({"a|b": 1.0, "b|c": 1.0})
        assert all_ranks["region_measures"] == pytest.approx({"a": 0.3, "b": 0.4, "c": 0.3})
