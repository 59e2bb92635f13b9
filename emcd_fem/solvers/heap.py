"""Give the C heap's free memory back to the operating system before a large solve.

Setting up a model frees large temporaries (the sparsity pattern of the matrix, packed
coefficients, the mesh's construction buffers). glibc keeps most of that freed memory in the
process (below its mmap threshold, which grows after the first large ``free``), so it stays
resident next to the preconditioner the solve then builds (GAMG's hierarchy): the peak
resident memory is the two together. ``malloc_trim(0)`` returns the free pages at the top
of the heap and every whole free page inside it; later allocations reuse the address space
as before. Nothing that is alive is touched, so the results are the same to the last bit.

Measured on the 3-layer slab (``benchmarks/``): 230 k DOFs, 1 rank, 96 MiB freed before the
solve, peak 611 → 573 MiB (the hand-written script: 562); see ``benchmarks/README.md`` for
1 M DOFs.
"""

import ctypes
import functools
import sys
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """The C library's ``malloc_trim`` (glibc), or None (another C library or system)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the process already uses
    except (OSError, AttributeError):  # e.g. musl, which has no malloc_trim
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return the process's free C-heap memory to the operating system (glibc only).

    Local to the calling process (no communication). Costs a walk over the heap (tens of
    milliseconds at a million unknowns).

    Returns:
        True if memory was released, False if none was or the C library cannot do it.
    """
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False


__all__ = ["release_free_memory"]
