"""The 3-layer slab through emcd_fem's Python API (``layered_slab`` + ``EMCDProblem``).

Phases: import, mesh, setup (the problem: forms, solver), assembly and solve (inside
``solve()``: timed around emcd_fem's linear-problem assembly when that method is found),
post (the rest of ``solve()`` after emcd_fem's checked linear solve: fluxes, balance,
checks). No output files.
Usage: ``python slab_api.py n=30 petsc='{...}'``.
"""

import common

phases = common.Phases()
with phases("import"):
    from mpi4py import MPI

    import emcd_fem as ef

args = common.parse_args()
n = int(args.get("n", 20))
comm = MPI.COMM_WORLD


def timed(owner, name: str, phase: str) -> None:
    """Add the time spent in ``owner.name`` to ``phase`` (skipped if it does not exist)."""
    original = getattr(owner, name, None)
    if original is None:
        return

    def wrapper(*a, **k):
        with phases(phase):
            return original(*a, **k)

    setattr(owner, name, wrapper)


with phases("import"):  # the modules a solve needs (DOLFINx with them): part of the import
    try:  # assembly inside solve(): emcd_fem's linear problem (other versions: skipped)
        from emcd_fem.models import transport
        from emcd_fem.solvers import linear

        timed(linear.ScaledLinearProblem, "assemble", "assembly")
        timed(transport, "solve_linear", "linear")  # the linear solve with its checks
    except (ImportError, AttributeError):
        pass

with phases("mesh"):
    domain = ef.layered_slab(
        list(common.THICKNESS),
        cells_per_layer=common.layer_cells(n),
        dim=3,
        region_names=list(common.NAMES),
        width=common.WIDTH,
        depth=common.WIDTH,
        cells_across=n,
        comm=comm,
    )

with phases("setup"):
    materials = {
        name: ef.Material(diffusivity=d, concentration=common.C)
        for name, d in zip(common.NAMES, common.D, strict=True)
    }
    bcs = {"left": ef.MoleFraction(common.X_LEFT), "right": ef.MoleFraction(common.X_RIGHT)}
    problem = ef.EMCDProblem(domain, materials, bcs, petsc_options=args["petsc"])

with phases("solve_total"):
    solution = problem.solve()
times = phases.times
total = times.pop("solve_total")
linear_time = times.pop("linear", total)
times["solve"] = linear_time - times.get("assembly", 0.0)
times["post"] = total - linear_time
exact = common.exact_flux()
flux = solution.boundary_flux["right"]
common.report(
    comm,
    {
        "variant": "api",
        "phases": times,
        "dofs": solution.mole_fraction.function_space.dofmap.index_map.size_global,
        "iterations": solution.solver.iterations,
        "flux": flux,
        "flux_error": abs(flux - exact) / abs(exact),
    },
)
