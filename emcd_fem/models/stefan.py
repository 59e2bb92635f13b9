"""Stefan flow in a 1D film: the non-equimolar model for a surface reaction A → ν B.

A film 0 ≤ z ≤ L (one region, c and D constant) with x_A = x_0 at the open end and a
reacting wall at the other end where A → ν B, so the stoichiometry fixes N_B = −ν N_A and the
net molar flux N = N_A + N_B = (1 − ν) N_A is not zero (unless ν = 1, the EMCD limit). The
flux law N_A = x_A (N_A + N_B) − c D dx_A/dz gives N_A = −c D x_A' / (1 − a x_A), a = 1 − ν,
and ∇·N_A = 0. The finite-element form is this ODE:

    F(x; v) = ∫ c D x'/(1 − a x) v' dz + ∫_wall c k_s x v ds = 0,

with x = x_0 at the open end and at the wall either a prescribed x_L (a fast reaction, or a
measured surface state) or the first-order rate N_A·n = c k_s x_A (k_s [m/s]). The flux term
is nonlinear in x: Newton (PETSc SNES) with the exact Jacobian (``ufl.derivative``), started
from the linear (EMCD) profile. N_A is the residual tested with the open end's shape
function (the consistent flux). Closed forms: ``emcd_fem.analytic.reactions.stefan_flux``.
"""

from dataclasses import dataclass

from mpi4py import MPI

import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem

from emcd_fem.analytic.reactions import stefan_flux
from emcd_fem.errors import EmcdInputError
from emcd_fem.interrupts import deferred_call
from emcd_fem.materials import Material
from emcd_fem.mesh.domain import Domain
from emcd_fem.models.newton import newton_solve
from emcd_fem.models.thermal_support import NEWTON_OPTIONS
from emcd_fem.post.integrals import integrate, owned_range

_count = iter(range(10**9))


@dataclass(frozen=True)
class StefanSolution:
    """Result of :class:`StefanFilm` (fluxes along +z, from the open end to the wall).

    Attributes:
        mole_fraction: x_A (Lagrange Function).
        flux_A: N_A [mol/(m^2 s)]. flux_B: N_B = −ν N_A. net_flux: N = N_A + N_B.
        emcd_flux: c D (x_0 − x_L)/L: what EMCD gives for the same end states.
        ratio: N_A / emcd_flux (None when the EMCD flux is 0).
        x_wall: x_A at the wall.
        iterations: Newton iterations.
    """

    mole_fraction: fem.Function
    flux_A: float
    flux_B: float
    net_flux: float
    emcd_flux: float
    ratio: float | None
    x_wall: float
    iterations: int

    def as_dict(self) -> dict[str, float | int | None]:
        """The numbers for a summary."""
        return {
            k: getattr(self, k)
            for k in ("flux_A", "flux_B", "net_flux", "emcd_flux", "ratio", "x_wall", "iterations")
        }


class StefanFilm:
    """The 1D Stefan-flow film (module text).

    Args:
        domain: A 1D domain with one region and boundaries ``open_end`` and ``wall``.
        material: c [mol/m^3], D [m^2/s].
        nu: Moles of B per mole of A at the wall (A → ν B), ≥ 0.
        x_0: x_A at the open end [-].
        open_end: Boundary name of the open end.
        wall: Boundary name of the reacting wall.
        x_wall: Prescribed x_A at the wall, or None to use ``k_s``.
        k_s: First-order wall rate constant [m/s] (N_A·n = c k_s x_A) when x_wall is None.
        degree: Lagrange degree.

    Raises:
        EmcdInputError: not 1D, not one region, unknown boundaries, bad numbers.
    """

    def __init__(
        self,
        domain: Domain,
        material: Material,
        nu: float,
        x_0: float,
        *,
        open_end: str = "left",
        wall: str = "right",
        x_wall: float | None = None,
        k_s: float | None = None,
        degree: int = 1,
    ) -> None:
        if domain.mesh.topology.dim != 1 or len(domain.regions) != 1:
            raise EmcdInputError("the Stefan-flow model is a 1D film of one region (dim = 1)")
        for name in (open_end, wall):
            domain.boundary_tag(name)
        if not (np.isfinite(nu) and nu >= 0):
            raise EmcdInputError(f"ν (moles of B per mole of A) must be ≥ 0, got {nu!r}")
        if (x_wall is None) == (k_s is None):
            raise EmcdInputError("give the wall mole fraction x_wall or its rate k_s, not both")
        a = 1.0 - nu
        for key, x in (("x_0", x_0), ("x_wall", x_wall)):
            if x is not None and not (0 <= x <= 1 and 1 - a * x > 0):
                raise EmcdInputError(f"{key} = {x!r}: need 0 ≤ x ≤ 1 and 1 − (1 − ν) x > 0")
        if k_s is not None and not (np.isfinite(k_s) and k_s >= 0):
            raise EmcdInputError(f"k_s must be finite and ≥ 0, got {k_s!r}")
        self.domain, self.material, self.nu, self.x_0 = domain, material, float(nu), float(x_0)
        self.x_wall, self.k_s = x_wall, k_s
        msh = domain.mesh
        V = fem.functionspace(msh, ("Lagrange", degree))
        self.x = fem.Function(V, name="mole_fraction_A")
        v = ufl.TestFunction(V)
        cD = fem.Constant(msh, material.concentration * material.diffusivity)
        self._a = fem.Constant(msh, a)
        x = self.x
        F = cD * x.dx(0) / (1 - self._a * x) * v.dx(0) * domain.dx
        if k_s is not None:
            c_k = fem.Constant(msh, material.concentration * k_s)
            F += c_k * x * v * domain.ds(domain.boundaries[wall])
        msh.topology.create_connectivity(0, 1)
        self._dofs = {
            n: fem.locate_dofs_topological(V, 0, domain.facet_tags.find(domain.boundaries[n]))
            for n in (open_end, wall)
        }
        bcs = [fem.dirichletbc(float(x_0), self._dofs[open_end], V)]
        if x_wall is not None:
            bcs.append(fem.dirichletbc(float(x_wall), self._dofs[wall], V))
        self._bcs = bcs
        comm, coords = msh.comm, msh.geometry.x[:, 0]
        self._z0 = comm.allreduce(float(coords.min(initial=np.inf)), op=MPI.MIN)
        self._length = comm.allreduce(float(coords.max(initial=-np.inf)), op=MPI.MAX) - self._z0
        self.problem = deferred_call(
            dolfinx.fem.petsc.NonlinearProblem,
            F,
            x,
            bcs=bcs,
            petsc_options_prefix=f"emcd_stefan_{next(_count)}_",
            petsc_options=dict(NEWTON_OPTIONS),
        )
        self.problem.solver.setConvergenceHistory()
        shape = fem.Function(V)  # 1 at the open end, 0 elsewhere: tests the residual there
        shape.x.array[self._dofs[open_end]] = 1.0
        self._flux_form = fem.form(ufl.replace(F, {v: shape}))
        self._x_wall_form = fem.form(x * domain.ds(domain.boundaries[wall]))
        self._wall_measure = fem.form(fem.Constant(msh, 1.0) * domain.ds(domain.boundaries[wall]))
        n = ufl.FacetNormal(msh)  # N_A into the film at the open end, from the gradient
        gradient = cD * ufl.dot(ufl.grad(x), n) / (1 - self._a * x)
        self._gradient_form = fem.form(gradient * domain.ds(domain.boundaries[open_end]))

    def solve(self) -> StefanSolution:
        """Newton from the EMCD (linear) profile; fluxes and the EMCD ratio (collective)."""
        L = self._length
        z, z0 = self.x.function_space.tabulate_dof_coordinates()[:, 0], self._z0
        x_end = self.x_wall if self.x_wall is not None else self.x_0
        self.x.x.array[:] = self.x_0 + (x_end - self.x_0) * (z - z0) / L
        for bc in self._bcs:
            bc.set(self.x.x.array)
        iterations, _, _ = newton_solve(
            self.problem,
            self.domain.comm,
            what="the Stefan-flow (Newton) solve",
            advice="check that 1 − (1 − ν) x_A stays > 0 between the end states, refine the mesh",
        )
        self.x.x.scatter_forward()
        flux_a = integrate(self._flux_form)
        x_wall = integrate(self._x_wall_form) / integrate(self._wall_measure)
        m = self.material
        emcd = m.concentration * m.diffusivity * (self.x_0 - x_wall) / L
        return StefanSolution(
            mole_fraction=self.x,
            flux_A=flux_a,
            flux_B=-self.nu * flux_a,
            net_flux=(1 - self.nu) * flux_a,
            emcd_flux=emcd,
            ratio=flux_a / emcd if emcd != 0 else None,
            x_wall=x_wall,
            iterations=iterations,
        )

    def gradient_flux(self) -> float:
        """N_A at the open end from the gradient of the solved x_A [mol/(m^2 s)] (collective).

        −c D ∇x_A·n/(1 − (1 − ν) x_A) into the film: it converges like the gradient (h^p),
        the consistent ``flux_A`` like h^(2p); their difference measures the discretisation
        error (``emcd_fem.post.result_checks.reference_tolerance``).
        """
        return integrate(self._gradient_form)

    def closed_form_flux(self, x_wall: float) -> float:
        """N_A of the closed form for this film and a wall state x_wall [mol/(m^2 s)]."""
        m = self.material
        return stefan_flux(m.concentration, m.diffusivity, self._length, self.x_0, x_wall, self.nu)

    def x_range(self) -> tuple[float, float]:
        """(min, max) of the solved x_A (collective)."""
        return owned_range(self.x)


__all__ = ["StefanFilm", "StefanSolution"]
