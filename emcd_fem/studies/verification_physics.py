"""The verification checks of thermal diffusion, heat conduction and porous media."""

from mpi4py import MPI

from emcd_fem import analytic
from emcd_fem.materials import Material
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.problem import solve_emcd
from emcd_fem.physics.conditions import MoleFraction
from emcd_fem.studies.verification_record import Check
from emcd_fem.studies.verification_record import convergence_rate as _rate


def check_thermal(comm: MPI.Comm, quick: bool) -> list[Check]:
    """Conduction (with and without contact resistance) and Soret flux convergence."""
    from emcd_fem.materials import kinetic_theory as kt
    from emcd_fem.models.soret import SoretProblem, TemperatureDependence
    from emcd_fem.models.thermal import Convective, HeatConductionProblem, Temperature

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
