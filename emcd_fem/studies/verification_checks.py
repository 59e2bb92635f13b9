"""The verification checks: slabs, manufactured solutions, shells, interfaces, effective media."""

import math

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem

from emcd_fem import analytic
from emcd_fem.geometry import annulus, gmsh_layered_slab, matrix_with_inclusions
from emcd_fem.materials import Material, assign_materials
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.films import FilmEMCDProblem
from emcd_fem.models.problem import EMCDProblem, solve_emcd
from emcd_fem.physics.conditions import MassTransfer, MolarFlux, MoleFraction
from emcd_fem.post.integrals import integrate
from emcd_fem.studies.effective import effective_diffusivity
from emcd_fem.studies.verification_record import MATS, NAMES, THICK, Check
from emcd_fem.studies.verification_record import convergence_rate as _rate


def check_slabs(comm: MPI.Comm) -> list[Check]:
    """3-layer slab in 1D/2D/3D and every boundary-condition pair vs the series solution."""
    checks = []
    pairs = {
        "mole fraction / mole fraction": (MoleFraction(0.9), MoleFraction(0.1)),
        "mole fraction / flux": (MoleFraction(0.9), MolarFlux(0.1)),
        "mole fraction / Robin": (MoleFraction(0.9), MassTransfer(2.0, 0.05)),
        "Robin / Robin": (MassTransfer(3.0, 0.8), MassTransfer(0.5, 0.1)),
        "flux / Robin": (MolarFlux(-0.02), MassTransfer(1.0, 0.3)),
    }
    for label, (left, right) in pairs.items():
        ref = analytic.composite_slab(THICK, list(MATS.values()), left, right)
        for dim in (1, 2, 3):
            domain = layered_slab(
                THICK, region_names=NAMES, dim=dim, cells_per_layer=[3, 4, 3], comm=comm
            )
            q = solve_emcd(domain, MATS, {"left": left, "right": right}).boundary_flux["right"]
            checks.append(
                Check(
                    f"slab {dim}D, {label}",
                    "analytic.composite_slab",
                    abs(q - ref.flux) / abs(ref.flux),
                    1e-8,
                )
            )
    return checks


def check_mms(comm: MPI.Comm, quick: bool) -> list[Check]:
    """Manufactured solution, two materials, unstructured gmsh square: L2/H1 orders."""
    checks = []
    a, b, c = 0.5, 0.04, 2.0
    mats = {"west": Material(1.0, c), "east": Material(0.25, c)}
    for degree in (1, 2):
        sizes = [0.2, 0.1, 0.05] if quick else [0.2, 0.1, 0.05, 0.025, 0.0125]
        l2, h1 = [], []
        for h in sizes:
            domain = gmsh_layered_slab(
                [0.5, 0.5], size=h, dim=2, region_names=["west", "east"], comm=comm
            )
            fields = assign_materials(domain, mats)  # the DG0 D of the exact solution
            X = ufl.SpatialCoordinate(domain.mesh)
            d = fields.diffusivity
            u = a + b * ufl.sin(2 * ufl.pi * (X[0] - 0.5)) * ufl.exp(X[1]) / d
            flux = -fields.concentration * d * ufl.grad(u)

            def exact(x, _h=h):
                dd = np.where(x[0] < 0.5, 1.0, 0.25)
                return a + b * np.sin(2 * np.pi * (x[0] - 0.5)) * np.exp(x[1]) / dd

            bcs = {n: MoleFraction(exact) for n in ("left", "right", "top")}
            bcs["bottom"] = MolarFlux(ufl.dot(flux, ufl.FacetNormal(domain.mesh)))
            problem = EMCDProblem(domain, mats, bcs, degree=degree, source=ufl.div(flux))
            problem.solve()
            e = problem.potential - u
            dx = ufl.dx(metadata={"quadrature_degree": 2 * degree + 6})
            l2.append(math.sqrt(integrate(fem.form(e * e * dx))))
            h1.append(math.sqrt(integrate(fem.form(ufl.inner(ufl.grad(e), ufl.grad(e)) * dx))))
        checks.append(
            Check(
                f"manufactured solution P{degree}",
                "exact u (two materials, gmsh square)",
                l2[-1],
                1e-2,
                orders={"L2": _rate(l2[-2:], sizes[-2:]), "H1": _rate(h1[-2:], sizes[-2:])},
                expected_orders={"L2": degree + 1, "H1": degree},
                series={"L2": (sizes, l2), "H1": (sizes, h1)},
            )
        )
    return checks


def check_shells(comm: MPI.Comm, quick: bool) -> list[Check]:
    """Annulus, P2 on order-2 geometry vs the log-resistance series: observed order."""
    mats = {"shell1": Material(1.0), "shell2": Material(0.2)}
    bcs = {"inner": MoleFraction(0.9), "outer": MoleFraction(0.1)}
    ref = analytic.concentric_shells(
        "cylinder", [0.5, 0.8, 1.0], list(mats.values()), bcs["inner"], bcs["outer"]
    )
    sizes = [0.2, 0.1, 0.05] if quick else [0.2, 0.1, 0.05, 0.025, 0.0125]
    errors = []
    for h in sizes:
        q = solve_emcd(
            annulus([0.5, 0.8, 1.0], size=h, order=2, comm=comm), mats, bcs, degree=2
        ).boundary_flux["outer"]
        errors.append(abs(q - ref.rate) / ref.rate)
    return [
        Check(
            "annulus P2 / order-2 geometry",
            "analytic.concentric_shells",
            errors[-1],
            1e-5,
            orders={"flux": _rate(errors, sizes)},
            expected_orders={"flux": 3.3},
            series={"flux": (sizes, errors)},
        )
    ]


def check_interfaces(comm: MPI.Comm) -> list[Check]:
    """Partition coefficient and film resistances vs the resistance network."""
    mats = {"a": Material(1.0, 2.0), "b": Material(0.2, 1.0)}
    bcs = {"left": MoleFraction(0.6), "right": MoleFraction(0.1)}
    ref = analytic.composite_slab(
        [0.4, 0.6], list(mats.values()), bcs["left"], bcs["right"], solubilities=[1.0, 0.5]
    )
    domain = layered_slab(
        [0.4, 0.6], region_names=["a", "b"], dim=2, cells_per_layer=[2, 3], comm=comm
    )
    q = solve_emcd(domain, mats, bcs, partitions={("a", "b"): 0.25}).boundary_flux["right"]
    flux, _ = analytic.film_slab(THICK, list(MATS.values()), 0.9, 0.1, [2.0, 5.0])
    domain3 = layered_slab(THICK, region_names=NAMES, dim=2, cells_per_layer=[3, 4, 3], comm=comm)
    film = FilmEMCDProblem(
        domain3,
        MATS,
        {"left": MoleFraction(0.9), "right": MoleFraction(0.1)},
        films={("a", "b"): 2.0, ("b", "c"): 5.0},
    ).solve()
    return [
        Check(
            "partition coefficient, 2-layer slab",
            "series with solubilities",
            abs(q - ref.flux) / ref.flux,
            1e-8,
        ),
        Check(
            "film resistances, 3-layer slab",
            "analytic.film_slab",
            abs(film.boundary_flux["right"] - flux) / flux,
            1e-8,
        ),
    ]


def check_effective(comm: MPI.Comm) -> list[Check]:
    """Square array of circles vs Rayleigh/Perrins (φ = 0.3, contrast 10)."""
    r = math.sqrt(0.3 / math.pi)
    domain = matrix_with_inclusions((1.0, 1.0), [[0.5, 0.5]], r, size=r / 6, order=2, comm=comm)
    mats = {"matrix": Material(1.0), "inclusion": Material(10.0)}
    d = effective_diffusivity(domain, mats, (1.0, 1.0), axes=[0])[0]
    ref = analytic.rayleigh_square_cylinders(0.3, 1.0, 10.0)
    return [
        Check(
            "effective diffusivity, square array", "Rayleigh/Perrins 1979", abs(d - ref) / ref, 3e-5
        )
    ]
