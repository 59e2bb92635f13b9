"""The verification checks of reactions: isomerization slab, effectiveness factor, Stefan flow."""

from mpi4py import MPI

from emcd_fem.analytic import reactions as exact
from emcd_fem.materials import Material
from emcd_fem.materials.stoichiometry import Reaction
from emcd_fem.mesh.domain import layered_slab
from emcd_fem.models.stefan import StefanFilm
from emcd_fem.models.transport import SpeciesTransportModel
from emcd_fem.physics.conditions import MoleFraction
from emcd_fem.studies.verification_record import Check
from emcd_fem.studies.verification_record import convergence_rate as _rate

_L, _C, _D, _KF, _KB = 1e-3, 40.0, 1e-5, 50.0, 20.0


def _slab(n: int, comm: MPI.Comm, conditions: dict) -> dict:
    domain = layered_slab([_L], region_names=["cat"], cells_per_layer=n, comm=comm)
    return SpeciesTransportModel(
        domain,
        {"cat": Material(_D, _C)},
        conditions,
        reactions=[Reaction("A <=> B", k_f=_KF, k_b=_KB)],
    ).solve()


def check_reactions(comm: MPI.Comm, quick: bool) -> list[Check]:
    """Isomerization slab flux and η (O(h²)), and the Stefan film for ν = 0, ½, 2."""
    k, x_eq = _KF + _KB, _KB / (_KF + _KB)
    cells = [10, 20, 40] if quick else [10, 20, 40, 80, 160]
    sizes = [_L / n for n in cells]
    checks = []
    q_exact = -exact.isomerization_slab_flux(0.0, _C, _L, 0.9, 0.1, k, _D, x_eq)
    flux_errors, eta_errors = [], []
    eta = exact.effectiveness_factor("slab", exact.thiele_modulus(_L, k, _D))
    for n in cells:
        ends = _slab(n, comm, {"left": MoleFraction(0.9), "right": MoleFraction(0.1)})
        flux_errors.append(abs(ends.boundary_flux["left"] - q_exact) / abs(q_exact))
        half = _slab(n, comm, {"left": MoleFraction(0.9)})  # closed at x = l
        eta_errors.append(abs(half.reactions["thiele"]["cat"]["eta_observed"] - eta) / eta)
    for name, errors in (("flux", flux_errors), ("effectiveness", eta_errors)):
        checks.append(
            Check(
                f"isomerization A <=> B slab, {name} (P1)",
                "analytic.reactions "
                + ("isomerization_slab" if name == "flux" else "η = tanh φ/φ"),
                errors[-1],
                1e-3,  # P1 at h = L/40: O(h²) with the constants of φ ≈ 2.6
                orders={name: _rate(errors, sizes)},
                expected_orders={name: 2.0},
                series={name: (sizes, errors)},
            )
        )
    for nu in (0.0, 0.5, 2.0):
        target = exact.stefan_flux(_C, _D, _L, 0.8, 0.1, nu)
        errors = []
        for n in cells:
            domain = layered_slab([_L], cells_per_layer=n, comm=comm)
            film = StefanFilm(domain, Material(_D, _C), nu, 0.8, x_wall=0.1).solve()
            errors.append(abs(film.flux_A - target) / target)
        checks.append(
            Check(
                f"Stefan film A -> {nu:g} B (P1)",
                "analytic.reactions.stefan_flux",
                errors[-1],
                1e-3,  # P1 at h = L/40: 1.2e-4 at ν = 0 (the steepest profile)
                orders={f"ν={nu:g}": _rate(errors, sizes)},
                expected_orders={f"ν={nu:g}": 2.0},
                series={f"Stefan ν={nu:g}": (sizes, errors)},
            )
        )
    checks.append(_interface_check(comm))
    return checks


def _interface_check(comm: MPI.Comm) -> Check:
    """A ⇌ B on a film interface between two layers, rate on side b: P1 is exact."""
    domain = layered_slab(
        [_L, 2 * _L], region_names=["a", "b"], cells_per_layer=[4, 6], comm=comm, interfaces=True
    )
    sol = SpeciesTransportModel(
        domain,
        {"a": Material(_D, _C), "b": Material(3 * _D, _C / 2)},
        {"left": MoleFraction(0.9), "right": MoleFraction(0.1)},
        films={("a", "b"): 0.3},
        partitions={("a", "b"): 0.8},
        reactions=[
            Reaction("A <=> B", kind="surface", boundary="a|b", k_f=0.02, k_b=0.01, side="b")
        ],
    ).solve()
    ref = exact.interface_reaction_slab(
        (_L, 2 * _L),
        (_D, 3 * _D),
        (_C, _C / 2),
        0.9,
        0.1,
        k_s=0.03,
        x_eq=1 / 3,
        kappa=0.8 * 2,
        film=0.3,
        side="b",
    )  # κ = K c_a/c_b
    error = (
        max(
            abs(-sol.boundary_flux["left"] - ref.flux_1),
            abs(sol.boundary_flux["a|b"] - ref.consumption),
        )
        / ref.flux_1
    )
    return Check(
        "interface reaction A <=> B on a film + partition (P1)",
        "analytic.reactions.interface_reaction_slab",
        error,
        1e-10,  # piecewise-linear profile: P1 exact, round-off only
    )


__all__ = ["check_reactions"]
