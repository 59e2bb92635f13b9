"""What ``emcd`` prints: results on stdout, errors on stderr, rank 0 only."""

import argparse
import sys


def say(message: str, *, error: bool = False) -> None:
    """Print on rank 0: stdout, or stderr for an error."""
    from mpi4py import MPI  # on use: `emcd --help` loads no MPI

    if MPI.COMM_WORLD.rank == 0:
        print(message, file=sys.stderr if error else sys.stdout, flush=True)


def result(args: argparse.Namespace, message: str) -> None:
    """A result line on stdout (rank 0), silenced by ``-q``."""
    if not args.quiet:
        say(message)
