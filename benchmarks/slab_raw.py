"""The 3-layer slab as a hand-written DOLFINx 0.11 script (the baseline of the benchmarks).

The same mesh as ``emcd_fem.layered_slab`` (``create_box`` with the layer nodes mapped onto
x, ghost mode shared_facet), P1, the same PETSc options as the API (``petsc=`` argument,
CG + GAMG at emcd_fem's default rtol and GAMG smoother), flux −∫ c D ∇x·n ds on ``right``.
No output files. Usage: ``python slab_raw.py n=30 petsc='{...}'``.
"""

import common

phases = common.Phases()
with phases("import"):
    common.early_import()
    from mpi4py import MPI

    import numpy as np
    import ufl
    from dolfinx import fem
    from dolfinx.fem.petsc import LinearProblem

args = common.parse_args()
n = int(args.get("n", 20))
comm = MPI.COMM_WORLD

with phases("mesh"):
    msh, cell_tags, facet_tags = common.slab_mesh(comm, n)
    tdim = msh.topology.dim
    left, right = facet_tags.find(1), facet_tags.find(2)

with phases("setup"):
    V = fem.functionspace(msh, ("Lagrange", 1))
    Q = fem.functionspace(msh, ("DG", 0))
    cD = fem.Function(Q)
    cD.x.array[cell_tags.indices] = common.C * np.asarray(common.D)[cell_tags.values - 1]
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    a = cD * ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx
    L = fem.Constant(msh, 0.0) * v * ufl.dx
    msh.topology.create_connectivity(tdim - 1, tdim)
    bcs = [
        fem.dirichletbc(value, fem.locate_dofs_topological(V, tdim - 1, f), V)
        for value, f in ((common.X_LEFT, left), (common.X_RIGHT, right))
    ]
    problem = LinearProblem(a, L, bcs=bcs, petsc_options_prefix="raw_", petsc_options=args["petsc"])
    ds = ufl.Measure("ds", domain=msh, subdomain_data=facet_tags)
    n_vec = ufl.FacetNormal(msh)
    flux_form = fem.form(-cD * ufl.inner(ufl.grad(problem.u), n_vec) * ds(2))

with phases("assembly"):
    from petsc4py import PETSc

    import dolfinx.fem.petsc as fpetsc

    problem.A.zeroEntries()
    fpetsc.assemble_matrix(problem.A, problem.a, bcs=problem.bcs)
    problem.A.assemble()
    with problem.b.localForm() as b_local:
        b_local.set(0.0)
    fpetsc.assemble_vector(problem.b, problem.L)
    fpetsc.apply_lifting(problem.b, [problem.a], bcs=[problem.bcs])
    problem.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    fpetsc.set_bc(problem.b, problem.bcs)

with phases("solve"):
    problem.solver.solve(problem.b, problem.x)
    problem.x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
    fpetsc.assign(problem.x, problem.u)
    if problem.solver.getConvergedReason() <= 0:
        raise RuntimeError(f"KSP failed: {problem.solver.getConvergedReason()}")

with phases("post"):
    flux = comm.allreduce(fem.assemble_scalar(flux_form), op=MPI.SUM)

exact = common.exact_flux()
common.report(
    comm,
    {
        "variant": "raw",
        "phases": phases.times,
        "dofs": V.dofmap.index_map.size_global,
        "iterations": problem.solver.getIterationNumber(),
        "flux": flux,
        "flux_error": abs(flux - exact) / abs(exact),
    },
)
