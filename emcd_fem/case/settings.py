"""The `[physics]`, `[discretisation]`, `[solver]`, `[analysis]` and `[output]` sections."""

from typing import Literal

from pydantic import Field

from emcd_fem.case.base import Section as _Section


# -- physics, discretisation, solver, output ------------------------------------------------
class Physics(_Section):
    """Sources and constraints of the species problem."""

    source: float = Field(default=0.0, description="Production rate of A, R_A [mol/(m^3 s)].")
    inventory_mole_fraction: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Mean ∫c x_A dx / ∫c dx [-]; required when every boundary is a flux one.",
    )
    flux_model: Literal["emcd", "stefan"] = Field(
        default="emcd",
        description="`emcd` (N_A + N_B = 0) or `stefan`: a 1D film of one layer with a "
        "surface reaction A -> ν B on its wall (N_B = −ν N_A; README: Reactions).",
    )


class Discretisation(_Section):
    """Finite-element discretisation."""

    degree: Literal[1, 2] = Field(
        default=1,
        description="Lagrange degree of x_A. On a second-order (curved) mesh use 2: P1 "
        "does not contain linear fields on curved cells, and the run warns with the error "
        "it measures on the mesh (RMS gradient error of a linear field: 6e-3 and 6e-2 on "
        "the cylinder and sphere shell demos).",
    )


class Solver(_Section):
    """Linear solver; defaults: MUMPS LU up to 20k DOFs, else CG + GAMG (rtol 1e-10).

    Every solve (cell problems and heat problems included) uses these options; results are
    checked by their true residual against the flux scale, with a MUMPS fallback (reported
    in summary.json → solver.fallback) and a refusal of noise (exit code 4).
    """

    petsc_options: dict[str, str | int | float | bool] = Field(
        default_factory=dict,
        description="PETSc options of the solvers (`ksp_*`, `pc_*`, `snes_*`, `mat_*`, "
        "`mg_*`, `fieldsplit_*`: the x_A–T split of a monolithic Soret Newton only), e.g. "
        '`{ ksp_type = "cg", pc_type = "gamg" }`; checked against PETSc\'s own lists. Options '
        "that write files, load code or read other files need `--allow-unsafe-petsc-options`.",
    )


FieldName = Literal[
    "mole_fraction", "molar_flux", "mass_average_velocity", "temperature", "thermal_fraction"
]


class Profile(_Section):
    """A straight sampling line for profiles.csv."""

    name: str = Field(description="Profile label in profiles.csv.")
    start: list[float] = Field(min_length=1, max_length=3, description="Start point [m].")
    end: list[float] = Field(min_length=1, max_length=3, description="End point [m].")
    points: int = Field(default=101, ge=2, description="Number of equispaced samples.")


class Analysis(_Section):
    """Extra analyses run after the solve."""

    effective_diffusivity: bool = Field(
        default=False,
        description="Inclusion cells: D_eff diagonal (face-to-face cell problems) next to the "
        "Wiener/Hashin–Shtrikman bounds and Rayleigh's value.",
    )
    emcd_validity: bool = Field(
        default=False,
        description="Is EMCD valid here? Re-solve with the fuller model that applies "
        "(Soret with [thermal], Stefan flow, the dusty-gas model in porous regions, binary "
        "Maxwell–Stefan) and report per boundary the deviation, a verdict and the regime "
        "numbers (summary.json → validity; README: Is EMCD valid here?). Steady binary runs.",
    )


class Output(_Section):
    """What is written to the output directory."""

    format: Literal["vtkhdf", "vtx", "xdmf"] = Field(
        default="vtkhdf",
        description="Field files: fields.vtkhdf is always written (pyvista, ParaView, "
        "DOLFINx, emcd_fem.load_result); 'vtx' (ADIOS2 .bp) or 'xdmf' adds that format.",
    )
    fields: list[FieldName] | None = Field(
        default=None,
        description="Fields to write (default: all available; mass_average_velocity needs "
        "[species]).",
    )
    profiles: list[Profile] = Field(
        default_factory=list, description="Lines sampled into profiles.csv."
    )
    pictures: bool = Field(
        default=False,
        description="Render mole_fraction.png, molar_flux.png, profiles.png (as `emcd plot`).",
    )
