"""Outputs under mpiexec -n 2 / 3: one field file, load_result on any rank count, --out
refused on every rank (run with mpiexec)."""

from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem

import emcd_fem
from emcd_fem.io.output import OutputError
from emcd_fem.pipeline.run import run_case

ROOT = Path(__file__).resolve().parents[2]
COMM = MPI.COMM_WORLD


def integrals(function: fem.Function) -> np.ndarray:
    msh = function.function_space.mesh
    x = ufl.SpatialCoordinate(msh)
    shape = function.ufl_shape
    parts = [function] if not shape else [function[i] for i in range(shape[0])]
    values = []
    for c in parts:
        for expr in (c, c * c, c * x[0]):
            values.append(
                msh.comm.allreduce(fem.assemble_scalar(fem.form(expr * ufl.dx)), op=MPI.SUM)
            )
    return np.array(values)


@pytest.mark.parametrize(
    "case,overrides",
    [("cylinder_shells_2d", []), ("slab_2d", ["discretisation.degree=2"]), ("slab_1d", [])],
)
def test_load_result_round_trip_in_parallel(case, overrides, shared_dir):
    """Written on every rank, read back on every rank and on one rank: the same fields."""
    out = shared_dir / case
    result = run_case(ROOT / "demos" / f"{case}.toml", out, overrides, comm=COMM)
    expected = {f.name: integrals(f) for f in result.fields.values()}
    loaded = emcd_fem.load_result(out, comm=COMM)
    for name, values in expected.items():
        again = integrals(loaded.fields[name])
        assert np.allclose(again, values, rtol=1e-11, atol=1e-14 * np.abs(values).max()), name
    if COMM.rank == 0:  # the same file read on one rank
        alone = emcd_fem.load_result(out, comm=MPI.COMM_SELF)
        for name, values in expected.items():
            again = integrals(alone.fields[name])
            assert np.allclose(again, values, rtol=1e-11, atol=1e-14 * np.abs(values).max())
    COMM.Barrier()


def test_bad_out_is_refused_on_every_rank(shared_dir):
    """--out naming a file: the same OutputError on every rank, before solving (no hang)."""
    target = shared_dir / "a_file"
    if COMM.rank == 0:
        target.write_text("x")
    COMM.Barrier()
    with pytest.raises(OutputError, match="existing file"):
        run_case(ROOT / "demos" / "slab_1d.toml", target, comm=COMM)
    assert target.read_text() == "x"
