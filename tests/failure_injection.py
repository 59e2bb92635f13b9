"""Failure injection for the MPI error-propagation tests (run under ``mpiexec``).

Usage: ``python tests/failure_injection.py MODE RANK -- EMCD ARGUMENTS...``

Injects one failure on rank ``RANK`` only (the other ranks run normally), then runs the
``emcd`` command in-process and exits with its code (each rank prints
``failure_injection: rank R exits with CODE`` on stderr):

* ``none``: nothing injected;
* ``solve_exception``: an exception when the mole-fraction solve starts;
* ``ksp_monitor``: an exception in the KSP residual monitor (``-v``) at iteration 1;
* ``post_processing``: an exception in the first post-processing stage (the flux field);
* ``output_writing``: summary.json cannot be written on that rank (PermissionError);
* ``newton_monitor``: an exception in the Soret Newton monitor at its second call;
* ``newton_residual``: an exception at the end of the third Soret residual evaluation
  (after its assembly, so every rank has finished the collective part);
* ``newton_residual_early``: an exception at the start of the third Soret residual
  evaluation: the other ranks wait inside the assembly's ghost exchange, a collective the
  failed rank never enters (the timeout + ``MPI_Abort`` class).
* ``nan_data``: NaN in the diffusivity on that rank's cells;
* ``unreadable_case``: ``*.toml`` files are unreadable on that rank (PermissionError);
* ``invisible_mesh``: ``*.msh`` files do not exist on that rank (a node that cannot see
  the directory of the mesh).
"""

# isort: off
import emcd_fem._runtime  # noqa: F401  (MPI/PETSc loading order: before mpi4py)

# isort: on
import builtins
import sys

from mpi4py import MPI


def inject(mode: str, rank: int) -> None:
    """Install the failure on ``rank`` (no-op on the other ranks)."""
    if MPI.COMM_WORLD.rank != rank or mode == "none":
        return
    if mode == "solve_exception":
        import emcd_fem.models.transport as transport  # every run's species solve

        def broken(*args, **kwargs):
            raise RuntimeError(f"injected failure inside the solve on rank {rank}")

        transport.solve_linear = broken
    elif mode == "ksp_monitor":
        import emcd_fem.solvers.linear as solver

        def monitor_factory(what: str, active: bool):
            def monitor(ksp, iteration: int, norm: float) -> None:
                if iteration >= 1:
                    raise RuntimeError(f"injected failure in a KSP monitor on rank {rank}")

            return monitor

        solver._residual_monitor = monitor_factory
    elif mode == "post_processing":
        import emcd_fem.pipeline.model_run as model_run  # every run's post-processing

        def broken_space(*args, **kwargs):  # the space of the flux fields: the first stage
            raise RuntimeError(f"injected failure in post-processing on rank {rank}")

        model_run.flux_space = broken_space
    elif mode == "output_writing":
        import emcd_fem.pipeline.summary_file as summary_file

        def refuse_json(path, *args, **kwargs):
            raise PermissionError(13, "Permission denied (injected)", str(path))

        summary_file.write_json = refuse_json  # summary.json is written there
    elif mode == "newton_monitor":
        import emcd_fem.progress as progress

        real_bar = progress.bar

        def failing_bar(*args, **kwargs):
            bar = real_bar(*args, **kwargs)
            if kwargs.get("desc") == "Newton":
                calls = []

                def set_postfix_str(*_args, **_kwargs):
                    calls.append(1)
                    if len(calls) == 2:
                        raise RuntimeError(f"injected failure in the Newton monitor on rank {rank}")

                bar.set_postfix_str = set_postfix_str
            return bar

        progress.bar = failing_bar
    elif mode in ("newton_residual", "newton_residual_early"):
        import dolfinx.fem.petsc

        real_residual = dolfinx.fem.petsc.assemble_residual
        calls = []
        early = mode == "newton_residual_early"

        def failing_residual(*args, **kwargs):
            calls.append(1)
            if early and len(calls) == 3:
                raise RuntimeError(f"injected failure before the Newton residual on rank {rank}")
            real_residual(*args, **kwargs)
            if len(calls) == 3:
                raise RuntimeError(f"injected failure in the Newton residual on rank {rank}")

        dolfinx.fem.petsc.assemble_residual = failing_residual
    elif mode == "nan_data":
        import numpy as np

        import emcd_fem.models.transport as transport  # every run's material fields

        original = transport.assign_materials

        def poisoned(*args, **kwargs):
            fields = original(*args, **kwargs)
            fields.diffusivity.x.array[:] = np.nan
            return fields

        transport.assign_materials = poisoned
    elif mode in ("unreadable_case", "invisible_mesh"):
        import pathlib

        suffix = ".toml" if mode == "unreadable_case" else ".msh"

        def hidden(path: object) -> bool:
            return str(path).endswith(suffix)

        def refuse(path: object) -> None:
            if hidden(path):
                raise PermissionError(13, "Permission denied (injected)", str(path))

        real_open, real_read = builtins.open, pathlib.Path.read_bytes
        real_is_file, real_exists = pathlib.Path.is_file, pathlib.Path.exists

        def guarded_open(file, *args, **kwargs):
            if isinstance(file, str | pathlib.Path):
                refuse(file)
            return real_open(file, *args, **kwargs)

        def guarded_read(self):
            refuse(self)
            return real_read(self)

        builtins.open = guarded_open
        pathlib.Path.read_bytes = guarded_read
        if mode == "invisible_mesh":  # the file does not exist on this rank's node
            pathlib.Path.is_file = lambda self: False if hidden(self) else real_is_file(self)
            pathlib.Path.exists = lambda self, **kw: (
                False if hidden(self) else real_exists(self, **kw)
            )
    else:
        raise SystemExit(f"unknown mode {mode!r}")


def main() -> None:
    """Parse the arguments, inject, run ``emcd``."""
    import gc

    mode, rank, separator, *argv = sys.argv[1:]
    assert separator == "--"
    inject(mode, int(rank))
    from emcd_fem import cli

    code = cli.main(argv)
    gc.collect()
    MPI.COMM_WORLD.Barrier()
    # each rank's own exit code, for the tests (mpiexec reports only one)
    print(f"failure_injection: rank {MPI.COMM_WORLD.rank} exits with {code}", file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
