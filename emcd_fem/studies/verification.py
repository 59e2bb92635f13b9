"""The built-in verification set behind ``emcd verify``.

Every analytic reference in :mod:`emcd_fem.analytic` against the solver, and convergence
studies with observed orders; ``quick`` keeps the meshes small (what CI runs), the full set
refines further. Each check returns a :class:`Check`; :func:`write_report` writes a
Markdown report with convergence plots.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem

from emcd_fem import analytic
from emcd_fem.films import FilmEMCDProblem
from emcd_fem.geometry import annulus, gmsh_layered_slab, matrix_with_inclusions
from emcd_fem.materials import Material, assign_materials
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.physics.conditions import MassTransfer, MolarFlux, MoleFraction
from emcd_fem.post.integrals import integrate
from emcd_fem.problem import EMCDProblem, solve_emcd
from emcd_fem.studies.effective import effective_diffusivity


@dataclass
class Check:
    """One verification case: an error against a tolerance, or observed orders."""

    name: str
    reference: str
    error: float
    tolerance: float
    orders: dict[str, float] = field(default_factory=dict)
    expected_orders: dict[str, float] = field(default_factory=dict)
    series: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Error within tolerance and every observed order within 0.3 of the expected."""
        ok = self.error <= self.tolerance
        for key, expected in self.expected_orders.items():
            ok &= self.orders.get(key, -1.0) >= expected - 0.3
        return bool(ok)


THICK = [0.3, 0.4, 0.3]
NAMES = ["a", "b", "c"]
MATS = {"a": Material(1.0, 2.0), "b": Material(0.1, 1.0), "c": Material(0.5, 1.5)}


def _rate(errors: list[float], sizes: list[float]) -> float:
    return float(np.polyfit(np.log(sizes), np.log(errors), 1)[0])


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


def check_thermal(comm: MPI.Comm, quick: bool) -> list[Check]:
    """Conduction (with and without contact resistance) and Soret flux convergence."""
    from emcd_fem.materials import kinetic_theory as kt
    from emcd_fem.soret import SoretProblem, TemperatureDependence
    from emcd_fem.thermal import Convective, HeatConductionProblem, Temperature

    checks = []
    ends = {"left": Temperature(350.0), "right": Convective(25.0, 290.0)}
    for contact in (None, 2e-3):
        ref = analytic.conduction_slab(
            [0.1, 0.2],
            [1.5, 0.3],
            ("temperature", 350.0),
            ("convective", 25.0, 290.0),
            [contact or 0.0],
        )
        domain = layered_slab(
            [0.1, 0.2], region_names=["a", "b"], dim=2, cells_per_layer=[3, 4], comm=comm
        )
        heat = HeatConductionProblem(
            domain,
            {"a": 1.5, "b": 0.3},
            ends,
            contact_resistance={("a", "b"): contact} if contact else None,
        ).solve()
        checks.append(
            Check(
                "heat conduction 2D" + (", contact resistance (SIPG)" if contact else ""),
                "analytic.conduction_slab",
                abs(heat.heat_flow["right"] - ref.heat_flux) / ref.heat_flux,
                1e-10,
            )
        )
    gas = Material(2e-5, 40.9)
    species = {"left": MoleFraction(0.6), "right": MoleFraction(0.4)}
    ref = analytic.soret_slab(0.5, gas, 0.012, (300.0, 312.0), (0.6, 0.4))
    p_atm = 101325.0
    he_ar = Material(
        kt.chapman_enskog("He", "Ar", 300.0, p_atm), kt.ideal_gas_concentration(300.0, p_atm)
    )
    law = TemperatureDependence(
        diffusivity="chapman_enskog",
        reference_temperature=300.0,
        gases=("He", "Ar"),
        concentration="ideal_gas",
        pressure=p_atm,
    )
    numeric, _ = analytic.soret_slab_numerical(
        0.5,
        lambda t: (
            kt.chapman_enskog("He", "Ar", float(t), p_atm)
            * kt.ideal_gas_concentration(float(t), p_atm)
        ),
        lambda t: 0.3 / t,
        (300.0, 400.0),
        (0.6, 0.4),
    )
    cells = [5, 10, 20] if quick else [5, 10, 20, 40, 80]
    sizes = [0.5 / n for n in cells]
    for label, material, options, t_right, exact in (
        ("Soret, linear T", gas, {"soret": {"gas": 0.012}}, 312.0, ref.flux),
        (
            "Soret, T-dependent c, D, S_T (He-Ar)",
            he_ar,
            {"thermal_diffusion_factor": {"gas": 0.3}, "temperature_dependence": {"gas": law}},
            400.0,
            numeric,
        ),
    ):
        for degree in (1, 2):
            errors = []
            for n in cells:
                domain = layered_slab([0.5], region_names=["gas"], cells_per_layer=n, comm=comm)
                heat = HeatConductionProblem(
                    domain,
                    {"gas": 0.026},
                    {"left": Temperature(300.0), "right": Temperature(t_right)},
                )
                q = (
                    SoretProblem(
                        domain,
                        {"gas": material},
                        species,
                        temperature=heat,
                        degree=degree,
                        **options,
                    )
                    .solve()
                    .boundary_flux["right"]
                )
                errors.append(abs(q - exact) / exact)
            checks.append(
                Check(
                    f"{label} P{degree}",
                    "analytic.soret_slab" if t_right == 312.0 else "analytic.soret_slab_numerical",
                    errors[-1],
                    3e-5 if degree == 1 else 1e-9,  # P1 on 20 cells: 9e-6 (T-dependent)
                    orders={"flux": _rate(errors[-2:], sizes[-2:])},
                    expected_orders={"flux": 2 * degree},
                    series={"flux": (sizes, errors)},
                )
            )
    return checks


def check_porous(comm: MPI.Comm) -> list[Check]:
    """EMCD + Bosanquet against the isobaric dusty-gas model (``analytic.dusty_gas_rate``).

    A porous slab (H2/N2, 600 K, 20 nm pores, ε/τ = 0.4/3) in 1D, P1 (exact for the linear
    profile). With equal molar masses the two models coincide: round-off. With the real
    masses they coincide only in the Knudsen limit: at 100 Pa (Kn ≈ 8500) the model gap
    is 2.5e-5 (it grows to 36 % at 100 bar, demos/demo_catalyst_pellet.py).
    """
    from emcd_fem.materials import kinetic_theory as kt
    from emcd_fem.materials.properties import MaterialModel, resolve

    length, x_left, x_right = 0.5e-3, 0.95, 0.05
    m_a, m_b = kt.gas("H2").molar_mass, kt.gas("N2").molar_mass
    domain = layered_slab([length], region_names=["shell"], dim=1, cells_per_layer=[8], comm=comm)
    bcs = {"left": MoleFraction(x_left), "right": MoleFraction(x_right)}
    checks = []
    for pressure, masses, label, tolerance in (
        (1.0e5, (m_a, m_a), "equal molar masses, 1 bar", 1e-12),
        (100.0, (m_a, m_b), "H2/N2 Knudsen limit, 100 Pa", 1e-4),
    ):
        model = resolve(
            "shell",
            MaterialModel(
                gases=("H2", "N2"),
                T=600.0,
                P=pressure,
                porosity=0.4,
                tortuosity=3.0,
                pore_diameter=20e-9,
                knudsen="bosanquet",
            ),
        )
        flux = solve_emcd(domain, {"shell": model.material}, bcs).boundary_flux["right"]
        reference = analytic.dusty_gas_rate(
            "slab",
            0.0,
            length,
            concentration=model.material.concentration,
            d_molecular=model.diagnostics["D_AB_chapman_enskog"],
            d_knudsen_a=model.diagnostics["D_knudsen_A"],
            molar_mass_a=masses[0],
            molar_mass_b=masses[1],
            x_in=x_left,
            x_out=x_right,
            porosity_over_tortuosity=model.diagnostics["porosity_over_tortuosity"],
        )
        checks.append(
            Check(
                f"porous slab, EMCD + Bosanquet vs dusty gas: {label}",
                "analytic.dusty_gas_rate",
                abs(flux - reference) / abs(reference),
                tolerance,
            )
        )
    return checks


CHECKS: dict[str, Callable] = {
    "slabs": lambda comm, quick: check_slabs(comm),
    "manufactured": check_mms,
    "shells": check_shells,
    "interfaces": lambda comm, quick: check_interfaces(comm),
    "effective": lambda comm, quick: check_effective(comm),
    "porous": lambda comm, quick: check_porous(comm),
    "thermal": check_thermal,
}


def run_verification(quick: bool = True, comm: MPI.Comm = MPI.COMM_WORLD) -> list[Check]:
    """All checks (collective)."""
    from emcd_fem import progress

    checks = []
    with progress.bar(desc="verify", total=len(CHECKS), unit="group", comm=comm) as groups:
        for name, run in CHECKS.items():
            groups.set_postfix_str(name)
            checks += run(comm, quick)
            groups.update(1)
    return checks


def write_report(checks: list[Check], directory: str | Path, *, quick: bool) -> Path:
    """``report.md`` with a pass/fail table and ``convergence.png`` (call on rank 0)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    studies = [c for c in checks if c.series]
    fig, ax = plt.subplots(figsize=(6.4, 4.6), dpi=150)
    for check in studies:
        for key, (sizes, errors) in check.series.items():
            ax.loglog(
                sizes,
                errors,
                "o-",
                label=f"{check.name}: {key} (order {check.orders.get(key, float('nan')):.2f})",
            )
    ax.set_xlabel("mesh size h [m]")
    ax.set_ylabel("error")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    fig.savefig(directory / "convergence.png")
    plt.close(fig)
    lines = [
        f"# emcd_fem verification ({'quick' if quick else 'full'})",
        "",
        f"{sum(c.passed for c in checks)} of {len(checks)} checks passed.",
        "",
        "| check | reference | error | tolerance | observed orders (expected) | result |",
        "|---|---|---|---|---|---|",
    ]
    for c in checks:
        orders = ", ".join(
            f"{k} {v:.2f} ({c.expected_orders.get(k, float('nan')):g})" for k, v in c.orders.items()
        )
        lines.append(
            f"| {c.name} | {c.reference} | {c.error:.2e} | {c.tolerance:.0e} | "
            f"{orders} | {'pass' if c.passed else '**FAIL**'} |"
        )
    lines += ["", "![convergence](convergence.png)", ""]
    path = directory / "report.md"
    path.write_text("\n".join(lines))
    return path
