"""DG0 fields filled cell by cell equal ``Function.interpolate`` on N ranks: the owned
cells are evaluated, the ghosts come from the scatter (the serial test, run here)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_cell_fields import (
    test_dg0_fill_equals_interpolate,
    test_dg0_fill_in_chunks_in_place_or_scattered,
)

__all__ = ["test_dg0_fill_equals_interpolate", "test_dg0_fill_in_chunks_in_place_or_scattered"]
