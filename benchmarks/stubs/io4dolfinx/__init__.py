"""Stand-in for ``io4dolfinx`` (benchmarks only).

FESTIM 2.1 imports it at module level for checkpoint export and import, which the
benchmarks do not use (ADIOS2's Python bindings cannot be installed here).
"""


def __getattr__(name: str):
    """Any helper: not available in the stand-in."""
    raise NotImplementedError(f"io4dolfinx.{name}: not available in the benchmark stand-in")
