"""Boundary conditions, applied by boundary name.

Sign convention, everywhere in emcd_fem: the boundary flux is q = N_A·n with n the
*outward* unit normal; q > 0 means species A leaves the domain.

Each condition knows its own weak-form terms (:meth:`lhs`, :meth:`rhs`) and, where the
flux is data, the outward flux it prescribes (:meth:`outward_flux`). The weak form of
∇·N_A = R with N_A = −c D ∇x_A reads

    ∫ c D ∇x_A·∇w dx + ∫_∂Ω (N_A·n) w ds = ∫ R w dx,

so a prescribed flux q adds ∫ q w ds to the right-hand side with a minus sign, and a
mass-transfer (Robin) law N_A·n = k_c (x_A − x_∞) adds ∫ k_c x_A w ds to the left and
∫ k_c x_∞ w ds to the right.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import ClassVar

import ufl
from dolfinx import fem

from emcd_fem.errors import AdmissibilityError, EmcdInputError


def finite_number(owner: str, key: str, value: object) -> float:
    """``value`` as a float, or :class:`EmcdInputError` naming ``owner.key`` (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EmcdInputError(f"{owner}.{key} must be a finite number, got {value!r}")
    return float(value)


def _mole_fraction(owner: str, key: str, value: object) -> float:
    value = finite_number(owner, key, value)
    if not 0.0 <= value <= 1.0:
        raise AdmissibilityError(
            f"{owner}.{key} = {value:g} is not a mole fraction: it must lie in [0, 1]"
        )
    return value


class BoundaryCondition:
    """Base class: a condition on one named boundary (zero flux unless overridden)."""

    kind: ClassVar[str] = "zero_flux"
    is_dirichlet: ClassVar[bool] = False
    prescribes_flux: ClassVar[bool] = False  # outward flux independent of the solution

    def bind(
        self, V: fem.FunctionSpace
    ) -> dict[str, "fem.Constant | fem.Function | ufl.core.expr.Expr"]:
        """The condition's values as form coefficients on the space of the unknown.

        Numbers become ``fem.Constant`` (a new value never recompiles a form), callables
        ``f(x)`` are interpolated into ``V``, UFL expressions are used as they are.
        """
        bound = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int | float):
                bound[f.name] = fem.Constant(V.mesh, float(value))
            elif isinstance(value, ufl.core.expr.Expr):
                bound[f.name] = value
            else:
                function = fem.Function(V, name=f"{self.kind}_{f.name}")
                function.interpolate(value)
                bound[f.name] = function
        return bound

    def lhs(
        self, x: ufl.core.expr.Expr, w: ufl.Argument, ds: ufl.Measure, k: dict
    ) -> ufl.Form | None:
        """Bilinear-form contribution on the boundary (None when there is none)."""
        return None

    def rhs(self, w: ufl.Argument, ds: ufl.Measure, k: dict) -> ufl.Form | None:
        """Linear-form contribution on the boundary (None when there is none)."""
        return None

    def outward_flux(self, x: ufl.core.expr.Expr, k: dict) -> ufl.core.expr.Expr | None:
        """Outward flux N_A·n [mol/(m^2 s)] given by the data; None on Dirichlet boundaries."""
        return ufl.as_ufl(0.0) * x

    def describe(self) -> str:
        """Short text for messages."""
        values = ", ".join(f"{f.name}={_text(getattr(self, f.name))}" for f in fields(self))
        return f"{self.kind}({values})"


def _text(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) else getattr(value, "__name__", "<expr>")


@dataclass(frozen=True)
class ZeroFlux(BoundaryCondition):
    """Impermeable boundary, N_A·n = 0 (the default on every unnamed boundary)."""

    kind: ClassVar[str] = "zero_flux"
    prescribes_flux: ClassVar[bool] = True


@dataclass(frozen=True)
class MoleFraction(BoundaryCondition):
    """Dirichlet condition: prescribed mole fraction of A.

    Attributes:
        value: x_A on the boundary [-], in [0, 1]: a number, or a callable ``f(x)`` of the
            coordinates (array of shape (3, n) in m) returning n values, interpolated into
            the finite-element space (its nodal values on the boundary are checked).
    """

    value: float | Callable
    kind: ClassVar[str] = "mole_fraction"
    is_dirichlet: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not callable(self.value):
            _mole_fraction("mole_fraction", "value", self.value)

    def outward_flux(self, x, k):  # noqa: D102
        return None


@dataclass(frozen=True)
class PrescribedOutwardFlux(BoundaryCondition):
    """A prescribed outward flux q·n of the solved quantity (base of the flux conditions).

    Attributes:
        value: The outward flux (> 0 leaves the domain): a number, a callable ``f(x)``
            (interpolated into the solution space) or a UFL expression on the mesh.
    """

    value: "float | Callable | ufl.core.expr.Expr"
    prescribes_flux: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not (callable(self.value) or isinstance(self.value, ufl.core.expr.Expr)):
            finite_number(self.kind, "value", self.value)

    def rhs(self, w, ds, k):  # noqa: D102
        return -k["value"] * w * ds

    def outward_flux(self, x, k):  # noqa: D102
        return k["value"] + 0.0 * x


@dataclass(frozen=True)
class LinearExchange(BoundaryCondition):
    """Outward flux h (u − u_∞) to a surrounding fluid (base of the Robin conditions).

    Attributes:
        coefficient: The transfer coefficient h, > 0 (checked by the subclass).
        ambient: The surrounding fluid's value u_∞.
    """

    coefficient: float
    ambient: float

    def lhs(self, x, w, ds, k):  # noqa: D102
        return k["coefficient"] * x * w * ds

    def rhs(self, w, ds, k):  # noqa: D102
        return k["coefficient"] * k["ambient"] * w * ds

    def outward_flux(self, x, k):  # noqa: D102
        return k["coefficient"] * (x - k["ambient"])


@dataclass(frozen=True)
class MolarFlux(PrescribedOutwardFlux):
    """Prescribed outward molar flux of A, N_A·n.

    Attributes:
        value: N_A·n [mol/(m^2 s)]; > 0 means A leaves the domain (and B enters at the
            same molar rate: the flux of B is −N_A in EMCD). A number, a callable ``f(x)``
            (interpolated into the solution space) or a UFL expression on the mesh.
    """

    kind: ClassVar[str] = "flux"


@dataclass(frozen=True)
class MassTransfer(LinearExchange):
    """Convective (Robin) condition N_A·n = k_c (x_A − x_∞).

    Attributes:
        coefficient: Mass-transfer coefficient k_c [mol/(m^2 s)] (a molar-concentration
            based coefficient k [m/s] times c), > 0.
        ambient: Mole fraction x_∞ of A in the surrounding fluid [-], in [0, 1].
    """

    kind: ClassVar[str] = "mass_transfer"

    def __post_init__(self) -> None:
        value = finite_number("mass_transfer", "coefficient", self.coefficient)
        if value <= 0:
            raise AdmissibilityError(
                f"mass_transfer.coefficient must be > 0, got {value:g} (use a flux condition "
                "for an impermeable or prescribed-flux boundary)"
            )
        _mole_fraction("mass_transfer", "ambient", self.ambient)
