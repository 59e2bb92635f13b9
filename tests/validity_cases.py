"""Cases of the "is EMCD valid here?" tests (serial and MPI)."""


def free_gas_2d(**extra):
    """Two layers, x_A fixed on the left and on the bottom (a 2D flux), a source A → B."""
    data = {
        "geometry": {
            "kind": "layered_slab",
            "dim": 2,
            "width": 0.5,
            "cells_across": 6,
            "layers": [
                {"name": "a", "thickness": 0.4, "cells": 6},
                {"name": "b", "thickness": 0.6, "cells": 8},
            ],
        },
        "materials": {"a": {"D": 2.0e-5, "c": 40.9}, "b": {"D": 5.0e-6, "c": 35.0}},
        "boundaries": {
            "left": {"type": "mole_fraction", "value": 0.8},
            "bottom": {"type": "mole_fraction", "value": 0.3},
            "right": {"type": "zero_flux"},
        },
        # equal molar masses (CO/N2-like): nothing in the gas breaks the equimolar exchange
        "species": {
            "A": {"name": "A", "molar_mass": 0.028},
            "B": {"name": "B", "molar_mass": 0.028},
        },
        "physics": {"source": -1.0e-5},  # R_A = −R_B: mole-balanced (A → B)
        "discretisation": {"degree": 2},
        "analysis": {"emcd_validity": True},
    }
    for key, value in extra.items():
        data[key] = value
    return data


def soret_slab(**extra):
    """demos/soret_slab_1d.toml: x_A 0.6 → 0.4, T 300 → 312 K over 0.5 m, S_T = 0.012 1/K."""
    return {
        "geometry": {
            "kind": "layered_slab",
            "dim": 1,
            "layers": [{"name": "gas", "thickness": 0.5, "cells": 40}],
        },
        "materials": {
            "gas": {
                "D": 2.0e-5,
                "c": 40.9,
                "thermal_conductivity": 0.026,
                "soret_coefficient": 0.012,
            }
        },
        "boundaries": {
            "left": {"type": "mole_fraction", "value": 0.6},
            "right": {"type": "mole_fraction", "value": 0.4},
        },
        "thermal": {
            "boundaries": {
                "left": {"type": "temperature", "value": 300.0},
                "right": {"type": "temperature", "value": 312.0},
            }
        },
        "discretisation": {"degree": 2},
        "analysis": {"emcd_validity": True},
    } | extra


STEFAN = {
    "geometry": {
        "kind": "layered_slab",
        "dim": 1,
        "layers": [{"name": "film", "thickness": 1.0e-3, "cells": 30}],
    },
    "materials": {"film": {"D": 1.0e-5, "c": 40.0}},
    "boundaries": {
        "left": {"type": "mole_fraction", "value": 0.8},
        "right": {"type": "mole_fraction", "value": 0.1},
    },
    "physics": {"flux_model": "stefan"},
    "reactions": [{"equation": "A -> 0.5 B", "kind": "surface", "boundary": "right"}],
    "analysis": {"emcd_validity": True},
}


def porous_pellet(pore_diameter, gases=("H2", "N2"), **extra):
    """A cylindrical pellet's porous shell (2D annulus, r 1 → 1.5 mm), x_A 0.05 in, 0.95 out.

    H2/N2 at 600 K and 1 atm, ε/τ = 0.4/3, Bosanquet D in the EMCD run: 100 µm pores give
    Kn ≈ 0.002, 20 nm pores Kn ≈ 8 (the theory's notes).
    """
    return {
        "geometry": {
            "kind": "cylinder_shells",
            "dim": 2,
            "radii": [1.0e-3, 1.5e-3],
            "names": ["shell"],
            "size": 0.12e-3,
            "order": 2,
        },
        "materials": {
            "shell": {
                "gases": list(gases),
                "T": 600.0,
                "P": 101325.0,
                "porosity": 0.4,
                "tortuosity": 3.0,
                "pore_diameter": pore_diameter,
                "knudsen": "bosanquet",
            }
        },
        "boundaries": {
            "inner": {"type": "mole_fraction", "value": 0.05},
            "outer": {"type": "mole_fraction", "value": 0.95},
        },
        "discretisation": {"degree": 2},
        "analysis": {"emcd_validity": True},
    } | extra
