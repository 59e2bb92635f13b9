"""Shared set-up of the transient tests: the 1D/2D/3D slab of tests/test_transient.py."""

import numpy as np

import emcd_fem as ef
from emcd_fem.models.march import TimeSettings, march
from emcd_fem.models.transient import TransientModel
from emcd_fem.models.transport import SpeciesTransportModel

C, D, L, X0, X1 = 2.0, 0.5, 1.0, 0.1, 0.9


def slab_run(cells, dt, t_end, scheme, *, dim=1, outputs=(), degree=1, **kw):
    """March the slab (uniform X0, both ends X1); returns (records, {t: (z, x)}, model)."""
    domain = ef.layered_slab(
        [L], region_names=["s"], dim=dim, cells_per_layer=cells, cells_across=2
    )
    model = SpeciesTransportModel(
        domain,
        {"s": ef.Material(D, C)},
        {"left": ef.MoleFraction(X1), "right": ef.MoleFraction(X1)},
        degree=degree,
    )
    transient = TransientModel(model, scheme=scheme, **kw)
    model.potentials[0].x.array[:] = X0
    state = transient.initial_state(0.0, dt)
    profiles = {}

    def keep(record, at_output):
        if at_output:
            u = model.potentials[0]
            z = u.function_space.tabulate_dof_coordinates()[:, 0]
            n = u.function_space.dofmap.index_map.size_local
            profiles[record.t] = (z[:n].copy(), u.x.array[:n].copy())

    settings = TimeSettings(0.0, t_end, dt, output_times=outputs)
    march(transient, state, settings, on_step=keep)
    return state.records, profiles, model


def flux_at(records, t):
    """Left-boundary outward flow at time t (an accepted step must end there)."""
    (record,) = [r for r in records if abs(r.t - t) < 1e-12]
    return record.boundary_flux["left"]


def max_error(profile, t):
    from emcd_fem.analytic.transient import slab_fourier

    z, x = profile
    ref = slab_fourier(z, t, length=L, diffusivity=D, x_initial=X0, x_ends=X1)
    return float(np.abs(x - ref).max())
