"""The 3-layer slab in FESTIM 2.1 (steady ``HydrogenTransportProblem``, one species).

FESTIM solves for the concentration u = c x_A [mol/m³] with D per layer (E_D = 0); with
uniform c this is the EMCD problem. The same mesh and tags as ``slab_raw.py``, the same
PETSc options for the linear solves (FESTIM wraps them in a Newton solver: one Newton step
for this linear problem), flux from FESTIM's own ``SurfaceFlux`` export. FESTIM is
installed with ``--no-deps`` (benchmarks/README.md); ``stubs/`` stands in for scifem and
io4dolfinx. Usage: ``python slab_festim.py n=30 petsc='{...}'``.
"""

import common

phases = common.Phases()
with phases("import"):
    common.early_import()
    from mpi4py import MPI

    import festim as F

args = common.parse_args()
n = int(args.get("n", 20))
comm = MPI.COMM_WORLD

with phases("mesh"):
    msh, cell_tags, facet_tags = common.slab_mesh(comm, n)

with phases("setup"):
    problem = F.HydrogenTransportProblem()
    problem.mesh = F.Mesh(msh)
    problem.volume_meshtags, problem.facet_meshtags = cell_tags, facet_tags
    H = F.Species("H")
    problem.species = [H]
    volumes = [
        F.VolumeSubdomain(id=i + 1, material=F.Material(D_0=d, E_D=0.0))
        for i, d in enumerate(common.D)
    ]
    left, right = F.SurfaceSubdomain(id=1), F.SurfaceSubdomain(id=2)
    problem.subdomains = [*volumes, left, right]
    problem.temperature = 300.0
    problem.boundary_conditions = [
        F.FixedConcentrationBC(subdomain=left, value=common.C * common.X_LEFT, species=H),
        F.FixedConcentrationBC(subdomain=right, value=common.C * common.X_RIGHT, species=H),
    ]
    flux_export = F.SurfaceFlux(field=H, surface=right)
    problem.exports = [flux_export]
    # the Newton wrapper: converged after its one step when the linear solve is (rtol of
    # the residual ≥ the KSP's), no line search
    problem.settings = F.Settings(atol=1e-30, rtol=1e-9, transient=False)
    problem.petsc_options = dict(args["petsc"])
    problem.show_progress_bar = False
    problem.initialise()
    # FESTIM 2.1's SNES monitor takes a collective vector norm on rank 0 only (festim/
    # helpers.py SnesMonitor): on 2 ranks the solve deadlocks. The monitors only log, so
    # they are removed (on every rank count alike; the solve is unchanged).
    problem.solver.solver.cancelMonitor()
    problem.solver.solver.getKSP().cancelMonitor()

with phases("solve"):  # Newton: assembly, KSP solve, residual check; then the export
    problem.run()

snes = problem.solver.solver
flux = flux_export.data[-1]
exact = common.exact_flux()
common.report(
    comm,
    {
        "variant": "festim",
        "phases": phases.times,
        "dofs": problem.u.function_space.dofmap.index_map.size_global,
        "iterations": snes.getLinearSolveIterations(),
        "newton_iterations": snes.getIterationNumber(),
        "flux": flux,
        "flux_error": abs(flux - exact) / abs(exact),
    },
)
