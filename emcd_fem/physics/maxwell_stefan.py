"""n-species Maxwell–Stefan fluxes of an isothermal, isobaric ideal gas, as UFL.

Maxwell–Stefan relations (Taylor & Krishna, *Multicomponent Mass Transfer*, 1993, eq. 2.1.16),
c uniform per material:

    −c ∇x_i = Σ_{j≠i} (x_j N_i − x_i N_j)/Đ_ij,   i = 1..n,   Σ_i x_i = 1.

Only n − 1 of them are independent; a **bootstrap relation** closes the fluxes:

    Σ_i ν_i N_i = 0   (:class:`Bootstrap`):
    zero net molar flux ν_i = 1 (EMCD's generalisation), a stagnant species k ν_i = δ_ik,
    Graham's law ν_i = √M_i, or given flux ratios (any ν).

**Formulation.** One species e with ν_e ≠ 0 (the *closing* species: ``Bootstrap.closing``
when given — the case file picks the most abundant one, see :func:`closing_index` — else the
largest |ν|, the last on a tie) is eliminated: its flux N_e = −Σ_{k≠e} (ν_k/ν_e) N_k, its
mole fraction x_e = 1 − Σ_{k≠e} x_k.
The unknowns are the n − 1 other mole fractions x (one vector-valued Lagrange field).
Substituting N_e into the n − 1 relations gives −c ∇x = [B] N with (generalised
Toor/Krishna matrix, Taylor & Krishna eq. 2.1.21 for ν_i = 1)

    B_ii = Σ_{j≠i} x_j/Đ_ij + x_i ν_i/(ν_e Đ_ie),
    B_ik = −x_i (1/Đ_ik − ν_k/(ν_e Đ_ie)),   k ≠ i,

so N = −c [B]^{-1} ∇x with ``ufl.inv`` (closed form up to 4 × 4: n ≤ 5 species). The
residual is Σ_i ∫ −N_i·∇w_i dx = 0 for i ≠ e: nonlinear in x (Newton), the natural
boundary condition is no flux of every species.

**Which species closes.** The discrete solution does not depend on e (the trial space
{Σ x_i = 1} and the tested balances are the same for every e: the balance of e is
−Σ (ν_k/ν_e) × the others), but round-off and the solver tolerance do: x_e = 1 − Σ x_k and
N_e = −Σ (ν_k/ν_e) N_k lose the digits that cancel, so a trace species (x ~ 1e-6) must not
close. :func:`closing_index` picks the most abundant species (ties by name), independent of
the order the species are listed in.

**FFCx compile time** (measured here, DOLFINx 0.11, cold cache, 2-core machine): residual
+ Jacobian in 3D P2 tetrahedra: n = 3 species 4 s, n = 4 10.5 s, n = 5 33 s
(``docs/multicomponent.md``); a warm cache < 0.5 s.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ufl

from emcd_fem.errors import EmcdInputError

#: Largest number of species: the n − 1 independent fluxes need ``ufl.inv`` of an
#: (n − 1) × (n − 1) matrix, which UFL has in closed form up to 4 × 4.
MAX_SPECIES: int = 5


@dataclass(frozen=True)
class Bootstrap:
    """The bootstrap relation Σ_i ν_i N_i = 0 that closes the Maxwell–Stefan fluxes.

    Attributes:
        kind: ``"zero_net_flux"``, ``"stagnant"``, ``"graham"`` or ``"flux_ratios"``.
        weights: ν_i per species (same order as the species), finite, not all zero.
        closing: Index of the species that closes Σ x_i = 1 (ν_closing ≠ 0); None: the
            largest |ν|, the last on a tie (:func:`closing_index` chooses robustly).
    """

    kind: str
    weights: tuple[float, ...]
    closing: int | None = None

    def __post_init__(self) -> None:
        w = tuple(float(v) for v in self.weights)
        object.__setattr__(self, "weights", w)
        if len(w) < 2 or not all(math.isfinite(v) for v in w) or not any(w):
            raise EmcdInputError(
                f"bootstrap {self.kind!r}: weights ν_i must be ≥ 2 finite numbers, not all "
                f"zero, got {list(self.weights)}"
            )
        if self.closing is not None and not (0 <= self.closing < len(w) and w[self.closing] != 0):
            raise EmcdInputError(
                f"bootstrap {self.kind!r}: the closing species (index {self.closing}) must be "
                f"one with ν ≠ 0 (its flux follows from Σ ν_i N_i = 0), got weights {list(w)}"
            )

    @property
    def eliminated(self) -> int:
        """Index e of the species whose flux and mole fraction are eliminated (ν_e ≠ 0)."""
        if self.closing is not None:
            return self.closing
        size = [abs(v) for v in self.weights]
        top = max(size)
        return max(k for k, v in enumerate(size) if v == top)

    @property
    def independent(self) -> list[int]:
        """Indices of the species whose mole fractions are the unknowns (all but e)."""
        return [k for k in range(len(self.weights)) if k != self.eliminated]

    def reaction_problem(
        self, species: Sequence[str], net: Mapping[str, float], tolerance: float = 1e-12
    ) -> str | None:
        """Why a reaction breaks this bootstrap, or None when Σ ν_i s_i = 0.

        With ∇·N_i = s_i r (on a wall N_i·n = −s_i r_s), Σ ν_i N_i = 0 holds only if
        Σ ν_i s_i = 0. The reason is the one of this bootstrap: zero net flux needs Δν = 0,
        a stagnant species may take no part, Graham's law needs Σ √M_i s_i = 0, given
        flux ratios need Σ ν_i s_i = 0.

        Args:
            species: Species names in the order of ``weights``.
            net: Species → net stoichiometric coefficient s_i (> 0 produced).
            tolerance: Largest |Σ ν_i s_i| / Σ |ν_i s_i| taken as zero (roundoff of ν_i).
        """
        nu = dict(zip(species, self.weights, strict=True))
        terms = [nu[s] * v for s, v in net.items() if s in nu]
        total = sum(terms)
        if abs(total) <= tolerance * max(sum(abs(t) for t in terms), 1.0):
            return None
        pressure = (
            'or use the dusty-gas model for porous media ([multicomponent] model = "dusty_gas"), '
            "which carries the pressure"
        )
        head = f"Σ ν_i s_i = {total:.6g} ≠ 0: "
        if self.kind == "stagnant":
            (name,) = [s for s, v in nu.items() if v]
            return head + (
                f"under bootstrap = 'stagnant' species {name!r} does not move (N_{name} = 0 "
                f"everywhere), but this reaction produces or consumes it (s_{name} = "
                f"{net.get(name, 0.0):+g}): choose a stagnant species that takes no part in "
                f"the reaction, another bootstrap, {pressure}"
            )
        if self.kind == "graham":
            return head + (
                f"under bootstrap = 'graham' (Graham's law Σ √M_i N_i = 0) a reaction must "
                f"keep Σ √M_i s_i = 0; this one gives {total:.6g} √(kg/mol): use "
                f"bootstrap = 'zero_net_flux' if it keeps the number of moles, {pressure}"
            )
        if self.kind == "flux_ratios":
            given = ", ".join(f"{s} = {v:g}" for s, v in nu.items())
            return head + (
                f"under bootstrap = 'flux_ratios' (Σ ν_i N_i = 0 with {given}) a reaction "
                f"must keep Σ ν_i s_i = 0; this one gives {total:.6g}: give flux ratios with "
                f"Σ ν_i s_i = 0 for its stoichiometry, {pressure}"
            )
        return head + (
            f"under bootstrap = 'zero_net_flux' (Σ N_i = 0) a reaction must keep the number "
            f"of moles (Δν = Σ s_i = 0, e.g. A + B <=> C + D); this one has Δν = {total:+g}: "
            f"{pressure.removeprefix('or ')}"
        )


def closing_index(
    bootstrap: Bootstrap, species: Sequence[str], compositions: Sequence[Sequence[float]]
) -> int:
    """The species that should close Σ x_i = 1: the most abundant one with ν ≠ 0.

    Abundance is the mean mole fraction over the given compositions (boundaries, initial
    states); ties go to the name that sorts first, so the choice does not depend on the
    order of ``species``. A trace species never closes (its x = 1 − Σ x_k and flux
    N = −Σ (ν_k/ν_e) N_k would cancel to round-off and the solver tolerance).

    Args:
        bootstrap: The bootstrap (only species with ν ≠ 0 can close).
        species: Species names, in the order of the weights.
        compositions: Mole fractions of every species, in the same order, per composition
            (none: the choice is by name alone).

    Returns:
        The index into ``species``.
    """
    n = len(species)
    if len(bootstrap.weights) != n or any(len(c) != n for c in compositions):
        raise EmcdInputError("closing_index: species, weights and compositions sizes differ")
    abundance = [sum(float(c[k]) for c in compositions) for k in range(n)]
    allowed = [k for k in range(n) if bootstrap.weights[k] != 0]
    return min(allowed, key=lambda k: (-abundance[k], species[k]))


def with_closing(bootstrap: Bootstrap, closing: int) -> Bootstrap:
    """The same bootstrap relation with species ``closing`` closing Σ x_i = 1."""
    return Bootstrap(bootstrap.kind, bootstrap.weights, closing)


def zero_net_flux(n: int) -> Bootstrap:
    """Σ N_i = 0: equimolar counterdiffusion generalised to n species."""
    return Bootstrap("zero_net_flux", (1.0,) * n)


def stagnant(n: int, k: int) -> Bootstrap:
    """N_k = 0: species k is stagnant (Stefan tube)."""
    if not 0 <= k < n:
        raise EmcdInputError(f"stagnant species index {k} is not in 0..{n - 1}")
    return Bootstrap("stagnant", tuple(1.0 if i == k else 0.0 for i in range(n)))


def graham(molar_masses: Sequence[float]) -> Bootstrap:
    """Σ N_i √M_i = 0 (Graham's law), M_i [kg/mol] > 0."""
    if any(not (math.isfinite(m) and m > 0) for m in molar_masses):
        raise EmcdInputError(f"Graham bootstrap: molar masses must be > 0, got {molar_masses}")
    return Bootstrap("graham", tuple(math.sqrt(m) for m in molar_masses))


def flux_ratios(weights: Sequence[float]) -> Bootstrap:
    """Σ ν_i N_i = 0 with given ν_i (e.g. a reaction's stoichiometry at a catalytic wall)."""
    return Bootstrap("flux_ratios", tuple(weights))


def all_mole_fractions(x: ufl.core.expr.Expr, bootstrap: Bootstrap) -> list:
    """The n mole fractions as UFL scalars from the n − 1 unknowns (x_e = 1 − Σ x_k)."""
    ind = bootstrap.independent
    parts = [x[m] for m in range(len(ind))]
    full = [None] * len(bootstrap.weights)
    for m, k in enumerate(ind):
        full[k] = parts[m]
    full[bootstrap.eliminated] = 1 - sum(parts)
    return full


def ms_matrix(
    x: ufl.core.expr.Expr,
    diffusivity: Mapping[tuple[int, int], ufl.core.expr.Expr],
    bootstrap: Bootstrap,
) -> ufl.core.expr.Expr:
    """The (n−1) × (n−1) matrix [B] of −c ∇x = [B] N [s/m^2] (see the module docstring).

    Args:
        x: The n − 1 unknown mole fractions (vector-valued UFL expression).
        diffusivity: (i, j) with i < j → Đ_ij [m^2/s] (UFL, e.g. a DG0 field).
        bootstrap: The bootstrap relation.
    """
    nu, e, ind = bootstrap.weights, bootstrap.eliminated, bootstrap.independent
    xs = all_mole_fractions(x, bootstrap)
    n = len(nu)

    def inv_d(i: int, j: int) -> ufl.core.expr.Expr:
        return 1 / diffusivity[(min(i, j), max(i, j))]

    rows = []
    for i in ind:
        row = []
        for k in ind:
            if k == i:
                value = sum(xs[j] * inv_d(i, j) for j in range(n) if j != i)
                value = value + xs[i] * (nu[i] / nu[e]) * inv_d(i, e)
            else:
                value = -xs[i] * (inv_d(i, k) - (nu[k] / nu[e]) * inv_d(i, e))
            row.append(value)
        rows.append(row)
    return ufl.as_matrix(rows)


def molar_fluxes(
    x: ufl.core.expr.Expr,
    concentration: ufl.core.expr.Expr,
    diffusivity: Mapping[tuple[int, int], ufl.core.expr.Expr],
    bootstrap: Bootstrap,
) -> list:
    """Molar flux N_i of every species (list of n UFL vectors) [mol/(m^2 s)].

    N_ind = −c [B]^{-1} ∇x for the n − 1 unknowns, N_e = −Σ_{k≠e} (ν_k/ν_e) N_k. This is
    the one place the constitutive law is written: the residual and every flux
    post-processing use it.
    """
    return driven_fluxes(x, concentration, diffusivity, bootstrap, ufl.grad(x))


def driven_fluxes(
    x: ufl.core.expr.Expr,
    concentration: ufl.core.expr.Expr,
    diffusivity: Mapping[tuple[int, int], ufl.core.expr.Expr],
    bootstrap: Bootstrap,
    driving: ufl.core.expr.Expr,
) -> list:
    """Molar fluxes N_i [mol/(m^2 s)] of a given driving force: −c d = [B] N.

    ``driving`` is the (n−1) × gdim driving force d of the independent species [1/m]
    (∇x for isothermal diffusion, ∇x + k_T ∇ln T with thermal diffusion:
    :mod:`emcd_fem.physics.thermal_maxwell_stefan`). N is linear in d at a given x, so the
    fluxes of the parts of d add up to the flux of d (the Fick/Soret split).
    """
    nu, e, ind = bootstrap.weights, bootstrap.eliminated, bootstrap.independent
    if len(nu) > MAX_SPECIES:
        raise EmcdInputError(
            f"the Maxwell–Stefan model takes at most {MAX_SPECIES} species (UFL inverts "
            f"the (n − 1) × (n − 1) flux matrix in closed form up to 4 × 4), got {len(nu)}: "
            "lump minor species together, or use the mixture-averaged model"
        )
    B = ms_matrix(x, diffusivity, bootstrap)
    if len(ind) == 1:
        n_ind = [-concentration * driving[0, :] / B[0, 0]]
    else:
        flux = -concentration * ufl.dot(ufl.inv(B), driving)
        n_ind = [flux[m, :] for m in range(len(ind))]
    full = [None] * len(nu)
    for m, k in enumerate(ind):
        full[k] = n_ind[m]
    full[e] = -sum((nu[k] / nu[e]) * n_ind[m] for m, k in enumerate(ind))
    return full


def species_residual(
    fluxes: Sequence[ufl.core.expr.Expr],
    w: ufl.core.expr.Expr,
    bootstrap: Bootstrap,
    dx: ufl.Measure,
) -> ufl.Form:
    """Steady residual Σ_{i≠e} ∫ −N_i·∇w_i dx of any flux law (no-flux natural condition)."""
    return (
        sum(-ufl.inner(fluxes[k], ufl.grad(w[m])) for m, k in enumerate(bootstrap.independent)) * dx
    )


def residual(
    x: ufl.core.expr.Expr,
    w: ufl.core.expr.Expr,
    concentration: ufl.core.expr.Expr,
    diffusivity: Mapping[tuple[int, int], ufl.core.expr.Expr],
    bootstrap: Bootstrap,
    dx: ufl.Measure,
) -> ufl.Form:
    """Steady Maxwell–Stefan residual Σ_{i≠e} ∫ −N_i·∇w_i dx (no sources)."""
    fluxes = molar_fluxes(x, concentration, diffusivity, bootstrap)
    return species_residual(fluxes, w, bootstrap, dx)


__all__ = [
    "MAX_SPECIES",
    "Bootstrap",
    "all_mole_fractions",
    "closing_index",
    "driven_fluxes",
    "flux_ratios",
    "graham",
    "molar_fluxes",
    "ms_matrix",
    "residual",
    "species_residual",
    "stagnant",
    "with_closing",
    "zero_net_flux",
]
