"""The composition matrix of issue 17 on all ranks of COMM_WORLD (``make test-mpi``).

Each combination is run from its case dict (``tests/composition_cases.py``) through
:func:`emcd_fem.run_case` twice in the same process: on COMM_SELF (the serial answer) and
on COMM_WORLD (distributed). Direct LU solves and Newton iterations driven to
round-off (residual ~1e-14 in the thermal runs), so only rounding separates them: boundary
fluxes to 1e-10 relative and x_A to 1e-10 (as tests/mpi/test_rank_order.py). The
distributed answer must also match the independent reference with the serial tolerances
of tests/test_composition.py (exact cases 1e-10 / 1e-11; Soret on h = 0.05 with P2:
2e-7 / 2e-8, order-4 errors measured 1.7e-8 / 1.1e-9).
"""

import copy
import sys
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

from emcd_fem.pipeline.run import run_case
from emcd_fem.post.sampling import evaluate_at_points

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import composition_cases as cc

EXACT = (1e-10, 1e-11)  # flux (relative), x_A (absolute): FE holds the exact solution
SORET = (2e-7, 2e-8)  # O(h^4) on h = 0.05, see tests/test_composition.py


def solve(case: dict, comm: MPI.Comm, dim: int = 1) -> tuple[dict[str, float], np.ndarray]:
    """Boundary fluxes and x_A at the probes (on every rank; collective on ``comm``)."""
    result = run_case(copy.deepcopy(case), comm=comm)
    values = evaluate_at_points(result.fields["mole_fraction"], cc.probes(dim))
    values = comm.bcast(values, root=0)
    return result.summary["boundary_flux"], values[:, 0]


def check(kind: str, thermal: str, source: bool, dim: int = 1, **options):
    case = cc.case_dict(kind, thermal, source, dim=dim, **options)
    serial = solve(case, MPI.COMM_SELF, dim)
    parallel = solve(case, MPI.COMM_WORLD, dim)
    scale = max(abs(v) for v in serial[0].values())
    for side in serial[0]:
        assert abs(parallel[0][side] - serial[0][side]) <= 1e-10 * scale, side
    assert np.abs(parallel[1] - serial[1]).max() < 1e-10
    ref = cc.reference(kind, thermal, source)
    return parallel, ref


def test_world_has_several_ranks():
    assert MPI.COMM_WORLD.size >= 2, "run this suite with mpiexec -n 2"


@pytest.mark.parametrize(
    ("kind", "thermal", "source"),
    [
        cc.combo("plain", "solved", False),
        cc.combo("partition", "isothermal", True),
        cc.combo("film", "isothermal", False),
        cc.combo("film", "isothermal", True),
        cc.combo("partition", "prescribed", True),
        cc.combo("film", "solved", True),
    ],
)
def test_composition_matrix_on_all_ranks(kind, thermal, source):
    (flux, values), ref = check(kind, thermal, source)
    flux_tol, x_tol = EXACT if thermal == "isothermal" else SORET
    assert cc.mismatch(flux, ref) < flux_tol
    assert np.abs(values - ref.profile(cc.PROBES_Z)).max() < x_tol


@pytest.mark.parametrize(("kind", "thermal", "source"), [cc.combo("film", "solved", True)])
def test_richest_combination_2d_on_all_ranks(kind, thermal, source):
    """The 2D instance of tests/test_composition.py (bounds from its convergence check)."""
    (flux, values), ref = check(kind, thermal, source, dim=2, cells=(3, 4, 3), cells_across=1)
    assert cc.mismatch(flux, ref) < 1e-6
    assert np.abs(values - ref.profile(cc.PROBES_Z)).max() < 1e-4
