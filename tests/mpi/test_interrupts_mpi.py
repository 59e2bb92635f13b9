"""Signals on some ranks only: every rank reaches the same decision (``make test-mpi``).

Under ``mpiexec`` the launcher forwards a signal to every rank, but each rank receives its
copy at its own moment; here only the last rank receives it (``signal.raise_signal``).
"""

import shutil
import signal
import tempfile
from pathlib import Path

from mpi4py import MPI

import pytest

from emcd_fem import agreement
from emcd_fem.interrupts import Interrupted, StopOnSignal, signals_as_exceptions
from emcd_fem.pipeline import output
from emcd_fem.pipeline.run import run_case

DEMOS = Path(__file__).resolve().parents[2] / "demos"


def test_a_signal_on_one_rank_stops_the_march_on_every_rank():
    comm = MPI.COMM_WORLD
    with signals_as_exceptions():
        with StopOnSignal(comm) as stop:
            assert not stop()
            if comm.rank == comm.size - 1:
                signal.raise_signal(signal.SIGTERM)
            assert stop()  # the same step on every rank
        # the other ranks' late copies, while the outputs are written: ignored
        if comm.rank != comm.size - 1:
            signal.raise_signal(signal.SIGTERM)
        comm.Barrier()


def test_an_interrupt_on_one_rank_is_agreed_as_an_interrupt():
    # before the fix it travelled as RuntimeError("Interrupted: SIGTERM"): "internal error"
    comm = MPI.COMM_WORLD
    own = Interrupted(signal.SIGTERM) if comm.rank == comm.size - 1 else None
    verdict = agreement.agree(agreement.private(comm), own)
    assert type(verdict.error) is Interrupted and verdict.error.signum == signal.SIGTERM
    assert verdict.rank == comm.size - 1


@pytest.mark.parametrize("where", ["mesh_report", "write_result_fields"])
def test_a_signal_on_one_rank_before_a_collective_ends_every_rank_alike(where, monkeypatch):
    # the last rank gets SIGTERM just before a collective of the post-processing (the mesh
    # report's reductions) or of the output writing (the field file): it must not leave the
    # others in that collective (then MPI_Abort after the agreement's timeout); the signal
    # is held until the next checkpoint, where every rank raises the same Interrupted, the
    # staging directory is removed and the earlier results are unchanged
    comm = MPI.COMM_WORLD
    original = getattr(output, where)

    def signalled(*args, **kwargs):
        if comm.rank == comm.size - 1:
            signal.raise_signal(signal.SIGTERM)
        return original(*args, **kwargs)

    monkeypatch.setattr(output, where, signalled)
    parent = Path(comm.bcast(tempfile.mkdtemp(prefix="emcd-mpi-") if comm.rank == 0 else None))
    try:
        with pytest.raises(Interrupted) as caught:
            run_case(DEMOS / "slab_1d.toml", parent / "out", comm=comm)
        assert caught.value.signum == signal.SIGTERM
        assert agreement.verdict_of(caught.value).rank == comm.size - 1  # agreed, not local
        comm.Barrier()
        assert sorted(p.name for p in parent.iterdir()) == []  # no staging, nothing written
    finally:
        comm.Barrier()
        if comm.rank == 0:
            shutil.rmtree(parent, ignore_errors=True)


def test_a_signal_on_one_rank_after_the_commit_checkpoint_loses_nothing(monkeypatch, caplog):
    # the last rank gets SIGTERM after every rank agreed to commit: the results are moved
    # into place, so every rank returns them (no Interrupted on one rank only) and the
    # rank that got the signal says where the results are
    import logging

    from emcd_fem.io import output as io_output

    comm = MPI.COMM_WORLD
    original = io_output.checkpoint

    def signalled(c, name=""):
        original(c, name)
        if name == "commit" and comm.rank == comm.size - 1:
            signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(io_output, "checkpoint", signalled)
    parent = Path(comm.bcast(tempfile.mkdtemp(prefix="emcd-mpi-") if comm.rank == 0 else None))
    try:
        with caplog.at_level(logging.WARNING, logger="emcd_fem"):
            result = run_case(DEMOS / "slab_1d.toml", parent / "out", comm=comm)
        assert result.summary["status"] == "ok" and (parent / "out" / "summary.json").is_file()
        late = [r for r in caplog.records if "after the results were written" in r.getMessage()]
        assert len(late) == (1 if comm.rank == comm.size - 1 else 0)
    finally:
        comm.Barrier()
        if comm.rank == 0:
            shutil.rmtree(parent, ignore_errors=True)
