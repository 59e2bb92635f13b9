"""Geometry that cannot exist is refused before meshing, naming the key (exit 2).

Overlapping inclusions (2 × 2 circles of radius 0.3 in a unit cell: nominal volume
fraction 1.13), an inclusion touching its own periodic image, centres outside the cell,
non-positive extents, zero-size layers and shells.
"""

from pathlib import Path

import numpy as np
import pytest

from emcd_fem import cli
from emcd_fem.case import load_case
from emcd_fem.errors import EmcdInputError
from emcd_fem.geometry import matrix_with_inclusions
from emcd_fem.geometry.inclusions import layout_problems

DEMOS = Path(__file__).resolve().parent.parent / "demos"
SQUARE = DEMOS / "effective_square_array.toml"


def refused(path, overrides, key, fragment, capsys=None):
    with pytest.raises(EmcdInputError) as info:
        load_case(path, overrides)
    message = str(info.value)
    assert key in message and fragment in message, message
    return message


def test_overlapping_periodic_inclusions_refused(capsys):
    # the case: fraction 4 π 0.3² = 1.13
    overrides = [
        "geometry.extents=[1.0, 1.0]",
        "geometry.counts=[2, 2]",
        "geometry.radius=0.3",
        "geometry.size=0.1",
    ]
    message = refused(SQUARE, overrides, "geometry.radius", "overlap")
    assert "1.13" in message
    assert cli.main(["check", str(SQUARE), *(a for o in overrides for a in ("--set", o))]) == 2
    assert "geometry.radius" in capsys.readouterr().err


def test_inclusion_touching_its_own_image_refused():
    refused(SQUARE, ["geometry.radius=0.5e-3"], "geometry.radius", "own periodic image")
    refused(SQUARE, ["geometry.radius=0.6e-3"], "geometry.radius", "own periodic image")
    load_case(SQUARE, ["geometry.radius=0.49e-3"])  # fits: accepted


def test_sphere_and_fibre_arrays():
    sphere = [
        "geometry.dim=3",
        'geometry.shape="sphere"',
        "geometry.extents=[1.0, 1.0, 2.0]",
        "geometry.counts=[1, 1, 2]",
        "geometry.radius=0.45",
        "geometry.size=0.2",
    ]
    # spacing along z is 1.0: 0.45 fits, 0.55 overlaps the neighbour along z
    load_case(SQUARE, sphere)
    refused(
        SQUARE,
        [*sphere[:-2], "geometry.radius=0.55", "geometry.size=0.2"],
        "geometry.radius",
        "overlap",
    )
    fibre = [
        "geometry.dim=3",
        'geometry.shape="fibre"',
        "geometry.extents=[1.0, 0.5, 3.0]",
        "geometry.counts=[2, 1]",
        "geometry.radius=0.26",
        "geometry.size=0.2",
    ]
    refused(SQUARE, fibre, "geometry.radius", "own periodic image")


def test_non_positive_extent_refused():
    refused(SQUARE, ["geometry.extents=[1.0e-3, 0.0]"], "geometry.extents[1]", "positive")


def test_zero_size_layer_and_shell_refused():
    refused(
        DEMOS / "slab_1d.toml",
        ["geometry.layers.1.thickness=1e-15"],
        "geometry.layers[1].thickness",
        "zero-size layer",
    )
    refused(
        DEMOS / "cylinder_shells_2d.toml",
        ["geometry.radii=[0.01, 0.02, 0.02]"],
        "geometry.radii[2]",
        "must increase",
    )
    refused(
        DEMOS / "sphere_shells.toml",
        ["geometry.radii=[0.02, 0.01, 0.03]"],
        "geometry.radii[1]",
        "must increase",
    )
    refused(
        DEMOS / "sphere_shells.toml",
        ["geometry.radii=[0.0, 0.01, 0.03]"],
        "geometry.radii[0]",
        "> 0",
    )


def test_python_api_refuses_before_meshing():
    with pytest.raises(EmcdInputError, match="overlap"):
        matrix_with_inclusions((1.0, 1.0), [[0.3, 0.5], [0.7, 0.5]], 0.25, size=0.1)
    with pytest.raises(EmcdInputError, match="outside the cell"):
        matrix_with_inclusions((1.0, 1.0), [[1.2, 0.5]], 0.1, size=0.1)
    # minimum image: centres near opposite faces are neighbours across the boundary
    assert layout_problems("circle", (1.0, 1.0), np.array([[0.05, 0.5], [0.95, 0.5]]), 0.06)
    assert not layout_problems("circle", (1.0, 1.0), np.array([[0.05, 0.5], [0.95, 0.5]]), 0.04)
    assert not layout_problems("circle", (1.0, 1.0), np.array([[0.5, 0.5]]), 0.49)
