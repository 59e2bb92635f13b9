"""The bad-input campaign: every bad input ends with its exit code, a message naming the
culprit (its key path or option), no traceback and nothing written.

Most inputs run in-process through ``emcd check`` (``cli.main``: the full CLI path, fast);
``--sweep`` abuse goes through ``emcd run`` (every sweep point is validated before any
work); a representative subset runs as a subprocess (``test_subprocess_subset``).
"""

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from emcd_fem import cli

ROOT = Path(__file__).resolve().parents[1]
DEMOS = ROOT / "demos"
EMCD = str(Path(sys.executable).parent / "emcd")

INVALID, INADMISSIBLE = cli.EXIT_INVALID, cli.EXIT_INADMISSIBLE


@dataclass(frozen=True)
class Bad:
    """One bad input.

    Attributes:
        name: Test id.
        culprit: Text the error message must contain (a key path, an option, a value).
        base: Demo case the input starts from.
        sets: ``--set`` overrides.
        text: Replacement case text (``{base}`` is the base text), when not None.
        raw: Replacement case bytes, when not None.
        sweeps: ``--sweep`` arguments (run through ``emcd run``).
        extra: Extra CLI arguments.
        code: Expected exit code.
    """

    name: str
    culprit: str
    base: str = "slab_1d"
    sets: tuple[str, ...] = ()
    text: str | None = None
    raw: bytes | None = None
    sweeps: tuple[str, ...] = ()
    extra: tuple[str, ...] = field(default=())
    code: int = INVALID


def S(name: str, culprit: str, *sets: str, base: str = "slab_1d", code: int = INVALID) -> Bad:
    """A bad ``--set`` input."""
    return Bad(name, culprit, base=base, sets=sets, code=code)


def T(name: str, culprit: str, text: str, base: str = "slab_1d", code: int = INVALID) -> Bad:
    """A bad case text."""
    return Bad(name, culprit, base=base, text=text, code=code)


def P(name: str, culprit: str, option: str, value: str) -> Bad:
    """A bad PETSc option in the case (TOML value syntax)."""
    return Bad(
        name,
        culprit,
        text=f'{{base}}\n[solver.petsc_options]\n"{option}" = {value}\n',
        code=cli.EXIT_SOLVER,
    )


SOR = "soret_slab_1d"
CYL = "cylinder_shells_2d"
INC = "effective_square_array"
RND = "inclusions_random_2d"
GEO = "mesh_file_geo"
STO = "stomatal_pore"
SL2 = "slab_2d"
NEST = 1000

CASES = [
    # -- syntax -------------------------------------------------------------------------
    T("syntax_unclosed_array", "TOML syntax error", "[geometry]\nlayers = [\n"),
    T("syntax_unterminated_string", "TOML syntax error", '[geometry]\nkind = "layered\n'),
    T("syntax_duplicate_key", "TOML syntax error", "{base}\n[physics]\nsource = 1\nsource = 2\n"),
    T("syntax_duplicate_table", "TOML syntax error", "{base}\n[materials.coating]\nD = 1.0\n"),
    T("syntax_leading_dot_number", "TOML syntax error", "{base}\n[physics]\nsource = .5\n"),
    T("syntax_key_with_space", "TOML syntax error", "{base}\nbad key = 1\n"),
    T("syntax_missing_key", "TOML syntax error", "{base}\n= 3\n"),
    T("syntax_missing_value", "TOML syntax error", "{base}\n[physics]\nsource =\n"),
    T("syntax_python_none", "TOML syntax error", "{base}\n[physics]\nsource = None\n"),
    T("syntax_nested_arrays", "nested too deeply", "a = " + "[" * NEST + "]" * NEST + "\n"),
    T("syntax_nested_tables", "nested too deeply", "a = " + "{b=" * NEST + "1" + "}" * NEST),
    T("syntax_dotted_depth", "nested deeper", "{base}\n" + ".".join(["x"] * 40) + " = 1\n"),
    Bad("bytes_latin1_comment", "not UTF-8 text: byte 0xe9 at line", raw=b"# caf\xe9\n{base}"),
    Bad("bytes_utf16", "not UTF-8", raw="[geometry]\n".encode("utf-16")),
    Bad("bytes_binary", "not UTF-8", raw=b"\x00\xff\xfe\x80garbage"),
    Bad("bytes_nul", "TOML syntax error", raw=b"[geometry]\x00\n"),
    T("empty_file", "materials: missing", ""),
    # -- types ---------------------------------------------------------------------------
    S("type_dim_string", "geometry.dim", "geometry.dim='two'"),
    S("type_thickness_string", "geometry.layers[0].thickness", "geometry.layers.0.thickness='x'"),
    S("type_D_string", "materials.coating.D", "materials.coating.D='fast'"),
    S("type_D_numeric_string", "materials.coating.D", "materials.coating.D='2e-5'"),
    S(
        "type_value_true",
        "boundaries.left.value: must be a number, got a boolean",
        "boundaries.left.value=true",
    ),
    S("type_value_false", "boundaries.left.value", "boundaries.left.value=false"),
    S("type_cells_float", "geometry.layers[0].cells", "geometry.layers.0.cells=2.5"),
    S(
        "type_cells_bool",
        "geometry.layers[0].cells: must be an integer",
        "geometry.layers.0.cells=true",
    ),
    S("type_c_array", "materials.coating.c", "materials.coating.c=[1, 2]"),
    S("type_pictures_int", "output.pictures", "output.pictures=1"),
    S("type_points_bool", "output.profiles[0].points", "output.profiles.0.points=true"),
    S("type_layers_number", "geometry.layers", "geometry.layers=5"),
    S("type_degree_3", "discretisation.degree", "discretisation.degree=3"),
    S("type_bc_type_number", "boundaries.left", "boundaries.left.type=3"),
    S("type_source_bool", "physics.source", "physics.source=true"),
    S("type_fields_string", "output.fields", "output.fields='mole_fraction'"),
    S("type_layer_name_number", "geometry.layers[0].name", "geometry.layers.0.name=1"),
    S("type_radii_bool", "geometry.radii[1]", "geometry.radii=[0.5, true, 1.0]", base=CYL),
    S("type_extents_string", "geometry.extents", "geometry.extents='1mm'", base=INC),
    S("type_materials_list", "materials", "materials=[1]"),
    # -- unknown names -------------------------------------------------------------------
    T("unknown_section", "foo: unknown key", "{base}\n[foo]\nx = 1\n"),
    S(
        "unknown_key_Dd",
        "materials.coating.Dd: unknown key; did you mean 'D'",
        "materials.coating.Dd=1",
    ),
    S("unknown_boundary", "boundaries.rigth", "boundaries.rigth={type='zero_flux'}"),
    S("unknown_gas", "materials.coating.gases[1]", "materials.coating.gases=['He', 'Xe']"),
    S(
        "unknown_layer_material",
        "geometry.layers[1].material",
        "geometry.layers.1.material='membrain'",
    ),
    S("unknown_region", "regions.core", "regions.core='wall'", base=CYL),
    S(
        "unknown_bc_type",
        "boundaries.left: unknown type 'dirichlet'",
        "boundaries.left.type='dirichlet'",
    ),
    S("unknown_geometry_kind", "unknown type 'slab'", "geometry.kind='slab'"),
    S("unknown_field", "output.fields[0]", "output.fields=['concentration']"),
    S("unknown_format", "output.format", "output.format='vtu'"),
    S(
        "unknown_thermal_boundary",
        "thermal.boundaries.leftt",
        "thermal.boundaries.leftt={type='insulated'}",
        base=SOR,
    ),
    S(
        "unknown_interface_material",
        "interfaces[0].materials[0]",
        "interfaces=[{materials=['x','coating'], partition=1.0}]",
    ),
    S(
        "unknown_region_size",
        "geometry.region_sizes.foo",
        "geometry.region_sizes.foo=0.1",
        base=CYL,
    ),
    S("unknown_knudsen_model", "materials.coating.knudsen", "materials.coating.knudsen='on'"),
    # -- physics out of range --------------------------------------------------------------
    S("range_D_negative", "materials.coating.D: must be > 0", "materials.coating.D=-1e-5"),
    S("range_D_zero", "materials.coating.D: must be > 0", "materials.coating.D=0.0"),
    S("range_D_inf", "materials.coating.D: must be a finite number", "materials.coating.D=inf"),
    S("range_D_nan", "materials.coating.D: must be a finite number", "materials.coating.D=nan"),
    S("range_D_denormal", "materials.coating.D: 1e-320", "materials.coating.D=1e-320"),
    S("range_D_huge", "materials.coating.D: 1e+300", "materials.coating.D=1e300"),
    S(
        "range_D_overflow_literal",
        "materials.coating.D: must be a finite number",
        "materials.coating.D=1e400",
    ),
    S("range_c_zero", "materials.coating.c: must be > 0", "materials.coating.c=0"),
    S("range_x_above_one", "boundaries.left.value: must be <= 1", "boundaries.left.value=1.5"),
    S("range_x_negative", "boundaries.left.value: must be >= 0", "boundaries.left.value=-0.1"),
    S("range_porosity_zero", "materials.coating.porosity", "materials.coating.porosity=0.0"),
    S("range_porosity_above_one", "materials.coating.porosity", "materials.coating.porosity=1.5"),
    S(
        "range_tortuosity_below_one",
        "materials.coating.tortuosity",
        "materials.coating.tortuosity=0.5",
    ),
    S("range_thickness_zero", "geometry.layers[0].thickness", "geometry.layers.0.thickness=0.0"),
    S(
        "range_thickness_negative",
        "geometry.layers[1].thickness",
        "geometry.layers.1.thickness=-0.3",
    ),
    S("range_source_huge", "physics.source", "physics.source=1e200"),
    S(
        "range_inventory_above_one",
        "physics.inventory_mole_fraction",
        "physics.inventory_mole_fraction=2.0",
    ),
    S(
        "range_mass_transfer_negative",
        "boundaries.left.coefficient",
        "boundaries.left={type='mass_transfer', coefficient=-1.0, ambient=0.5}",
    ),
    S(
        "range_molar_mass_zero",
        "species.A.molar_mass",
        "species={A={molar_mass=0.0}, B={molar_mass=0.04}}",
    ),
    S(
        "range_partition_zero",
        "interfaces[0].partition",
        "interfaces.0.partition=0.0",
        base="coated_membrane_partition",
    ),
    S(
        "range_T_denormal",
        "thermal.boundaries.left.value: temperature 5e-324",
        "thermal.boundaries.left.value=5e-324",
        base=SOR,
    ),
    S(
        "range_T_overflow",
        "thermal.boundaries.left.value: must be a finite number",
        "thermal.boundaries.left.value=1.8e308",
        base=SOR,
    ),
    S(
        "range_T_huge",
        "thermal.boundaries.right.value: temperature 1000000.0 K",
        "thermal.boundaries.right.value=1e6",
        base=SOR,
    ),
    S(
        "range_T_zero",
        "thermal.boundaries.left.value: must be > 0",
        "thermal.boundaries.left.value=0.0",
        base=SOR,
    ),
    S(
        "range_T_bool",
        "thermal.boundaries.left.value: must be a number, got a boolean",
        "thermal.boundaries.left.value=true",
        base=SOR,
    ),
    S(
        "range_material_T_denormal",
        "materials.gas.T: temperature 5e-324",
        "materials.gas.T=5e-324",
        base=SOR,
    ),
    S(
        "range_coupling_tolerance_zero",
        "thermal.coupling_tolerance",
        "thermal.coupling_tolerance=0.0",
        base=SOR,
    ),
    S(
        "range_soret_huge",
        "materials.gas.soret_coefficient",
        "materials.gas.soret_coefficient=1e200",
        base=SOR,
    ),
    S(
        "expr_div_zero",
        "thermal.temperature: expression '1/0'",
        "thermal.boundaries={}",
        "thermal.temperature='1/0'",
        base=SOR,
    ),
    S(
        "expr_overflow",
        "thermal.temperature: expression '10**400'",
        "thermal.boundaries={}",
        "thermal.temperature='10**400'",
        base=SOR,
    ),
    S(
        "expr_log_zero",
        "thermal.temperature: expression 'log(0)'",
        "thermal.boundaries={}",
        "thermal.temperature='log(0)'",
        base=SOR,
    ),
    S(
        "expr_log_x",
        "thermal.temperature: expression '300 + log(x)' reaches",
        "thermal.boundaries={}",
        "thermal.temperature='300 + log(x)'",
        base=SOR,
    ),
    S(
        "expr_negative",
        "thermal.temperature: expression '300 - 1000*x'",
        "thermal.boundaries={}",
        "thermal.temperature='300 - 1000*x'",
        base=SOR,
        code=INADMISSIBLE,
    ),
    S(
        "expr_sqrt_negative",
        "thermal.temperature: expression 'sqrt(-1)'",
        "thermal.boundaries={}",
        "thermal.temperature='sqrt(-1)'",
        base=SOR,
    ),
    S(
        "expr_exp_overflow",
        "thermal.temperature: expression 'exp(1000)'",
        "thermal.boundaries={}",
        "thermal.temperature='exp(1000)'",
        base=SOR,
    ),
    S(
        "expr_code",
        "thermal.temperature: expression \"__import__('os')\"",
        "thermal.boundaries={}",
        "thermal.temperature=\"__import__('os')\"",
        base=SOR,
    ),
    S(
        "expr_syntax",
        "thermal.temperature: expression '300 +'",
        "thermal.boundaries={}",
        "thermal.temperature='300 +'",
        base=SOR,
    ),
    S(
        "expr_unknown_name",
        "unknown name 'y'",
        "thermal.boundaries={}",
        "thermal.temperature='300 + y'",
        base=SOR,
    ),
    S(
        "expr_number_inf",
        "thermal.temperature: must be a finite number",
        "thermal.boundaries={}",
        "thermal.temperature=inf",
        base=SOR,
    ),
    # -- inadmissible data (exit 3) ----------------------------------------------------------
    S(
        "inadmissible_flux_flux",
        "boundaries",
        "boundaries.left={type='flux', value=-1e-4}",
        "boundaries.right={type='flux', value=2e-4}",
        "physics.inventory_mole_fraction=0.5",
        code=INADMISSIBLE,
    ),
    S(
        "inadmissible_flux_beyond_bound",
        "boundaries.left, boundaries.right",
        "boundaries.right={type='flux', value=1.0}",
        code=INADMISSIBLE,
    ),
    # -- geometry nonsense ---------------------------------------------------------------------
    S(
        "geometry_radii_decreasing",
        "geometry.radii[1]: radii must increase",
        "geometry.radii=[0.5, 0.2, 0.1]",
        base=CYL,
    ),
    S("geometry_radius_zero", "geometry.radii[0]", "geometry.radii=[0.0, 0.8, 1.0]", base=CYL),
    S("geometry_radii_equal", "geometry.radii[1]", "geometry.radii=[0.5, 0.5, 1.0]", base=CYL),
    S("geometry_one_radius", "geometry.radii", "geometry.radii=[0.5]", base=CYL),
    S("geometry_names_count", "geometry.names", "geometry.names=['wall']", base=CYL),
    S("geometry_sphere_2d", "geometry.dim", "geometry.dim=2", base="sphere_shells"),
    S("geometry_inclusion_too_big", "geometry.radius", "geometry.radius=1.0", base=INC),
    S("geometry_random_too_big", "geometry.radius", "geometry.radius=1.0", base=RND),
    S("geometry_extents_count", "geometry.extents", "geometry.extents=[1e-3]", base=INC),
    S(
        "geometry_circle_3d",
        "geometry.shape",
        "geometry.dim=3",
        "geometry.extents=[1e-3,1e-3,1e-3]",
        base=INC,
    ),
    S(
        "geometry_pore_wider_than_cell",
        "geometry.cell_radius",
        "geometry.cell_radius=1e-9",
        base=STO,
    ),
    S("geometry_no_layers", "geometry.layers", "geometry.layers=[]"),
    S("geometry_duplicate_layer", "geometry.layers[1].name", "geometry.layers.1.name='coating'"),
    S("geometry_dim_4", "geometry.dim", "geometry.dim=4"),
    S("geometry_gmsh_1d", "geometry.mesher", "geometry.mesher='gmsh'", "geometry.size=0.1"),
    S("geometry_gmsh_without_size", "geometry.size", "geometry.mesher='gmsh'", base=SL2),
    S("geometry_width_zero", "geometry.width", "geometry.width=0.0", base=SL2),
    S("geometry_mesh_missing", "geometry.path: mesh file", "geometry.path='nothere.msh'", base=GEO),
    S(
        "geometry_mesh_suffix",
        "geometry.path: expected a gmsh",
        "geometry.path='plate.stl'",
        base=GEO,
    ),
    S("geometry_refine_negative", "geometry.refine", "geometry.refine=-1", base=CYL),
    S("geometry_order_3", "geometry.order", "geometry.order=3", base=CYL),
    S(
        "profile_outside",
        "output.profiles[0].end: leaves the domain",
        "output.profiles.0.end=[2.0]",
    ),
    S("profile_start_outside", "output.profiles[0].start", "output.profiles.0.start=[-1.0]"),
    S(
        "profile_through_hole",
        "output.profiles[0]",
        "output.profiles=[{name='p', start=[-0.9, 0.0], end=[0.9, 0.0]}]",
        base=CYL,
    ),
    S("profile_wrong_dim", "output.profiles[0].start", "output.profiles.0.start=[0.0, 0.0]"),
    S("profile_one_point", "output.profiles[0].points", "output.profiles.0.points=1"),
    # -- --set abuse ------------------------------------------------------------------------
    S("set_no_equals", "expected key.path=value", "novalue"),
    S("set_empty_key", "expected key.path=value", "=1"),
    S("set_through_number", "materials.coating.D.x", "materials.coating.D.x=1"),
    S("set_index_out_of_range", "geometry.layers.9.thickness", "geometry.layers.9.thickness=1"),
    S("set_empty_value", "materials.coating.D", "materials.coating.D="),
    S("set_unknown_section", "foo: unknown key", "foo.bar=1"),
    S("set_geometry_list", "geometry", "geometry=[1]"),
    S("set_deep_value", "nested", "physics.source=" + "[" * 30 + "]" * 30),
    # -- --sweep abuse (through emcd run: validated before any work) ------------------------
    Bad(
        "sweep_repeated_key",
        "swept twice",
        sweeps=("materials.coating.D=1e-5,2e-5", "materials.coating.D=3e-5"),
    ),
    Bad("sweep_no_equals", "expected key.path=v1,v2", sweeps=("materials.coating.D",)),
    Bad("sweep_empty_values", "expected key.path=v1,v2", sweeps=("materials.coating.D=",)),
    Bad("sweep_bad_second_value", "materials.coating.D", sweeps=("materials.coating.D=1e-5,abc",)),
    Bad(
        "sweep_negative_value",
        "materials.coating.D: must be > 0",
        sweeps=("materials.coating.D=1e-5,-1",),
    ),
    Bad("sweep_unknown_key", "foo: unknown key", sweeps=("foo.bar=1,2",)),
    Bad(
        "sweep_boolean",
        "boundaries.left.value: must be a number",
        sweeps=("boundaries.left.value=true,0.5",),
    ),
    # -- solver options ---------------------------------------------------------------------
    P(
        "petsc_ksp_typo",
        "solver.petsc_options.ksp_type: unknown value 'cgg'; did you mean 'cg'",
        "ksp_type",
        '"cgg"',
    ),
    P("petsc_pc_typo", "solver.petsc_options.pc_type: unknown value 'gamgg'", "pc_type", '"gamgg"'),
    P(
        "petsc_max_it_text",
        "solver.petsc_options.ksp_max_it: must be an integer",
        "ksp_max_it",
        '"x"',
    ),
    P("petsc_max_it_bool", "solver.petsc_options.ksp_max_it", "ksp_max_it", "true"),
    P("petsc_max_it_fraction", "solver.petsc_options.ksp_max_it", "ksp_max_it", "2.5"),
    P(
        "petsc_rtol_text",
        "solver.petsc_options.ksp_rtol: must be a finite number",
        "ksp_rtol",
        '"abc"',
    ),
    Bad(  # refused by the schema already (no NaN anywhere): exit 2
        "petsc_rtol_nan",
        "solver.petsc_options.ksp_rtol",
        text="{base}\n[solver.petsc_options]\nksp_rtol = nan\n",
    ),
    P(
        "petsc_solver_package",
        "solver.petsc_options.pc_factor_mat_solver_type",
        "pc_factor_mat_solver_type",
        '"mumpss"',
    ),
    P("petsc_snes_typo", "solver.petsc_options.snes_type", "snes_type", '"newtn"'),
    P(
        "petsc_family",
        "solver.petsc_options.options_file: not an option of the solvers",
        "options_file",
        '"other.opts"',
    ),
    P("petsc_log_view", "solver.petsc_options.log_view", "log_view", '":log.txt"'),
    P("petsc_name_spaces", "solver.petsc_options.Ksp Type", "Ksp Type", '"cg"'),
    P(
        "petsc_python_ksp",
        "solver.petsc_options.ksp_python_type: unsafe PETSc option",
        "ksp_python_type",
        '"evil.py:Solver"',
    ),
    P(
        "petsc_python_pc",
        "solver.petsc_options.pc_python_type: unsafe",
        "pc_python_type",
        '"evil.py:PC"',
    ),
    P("petsc_python_type", "solver.petsc_options.pc_type: unsafe", "pc_type", '"python"'),
    P(
        "petsc_view_file",
        "solver.petsc_options.ksp_view: unsafe",
        "ksp_view",
        '"binary:/tmp/A.dat"',
    ),
    P("petsc_view_binary_default", "solver.petsc_options.mat_view: unsafe", "mat_view", '"binary"'),
    P(
        "petsc_monitor_file",
        "solver.petsc_options.ksp_monitor: unsafe",
        "ksp_monitor",
        '"ascii:/tmp/log.txt"',
    ),
    P(
        "petsc_reason_file",
        "solver.petsc_options.ksp_converged_reason: unsafe",
        "ksp_converged_reason",
        '"ascii:reason.txt"',
    ),
    P(
        "petsc_draw",
        "solver.petsc_options.ksp_monitor_lg_residualnorm: unsafe",
        "ksp_monitor_lg_residualnorm",
        '""',
    ),
    P("petsc_view_draw", "solver.petsc_options.mat_view: unsafe", "mat_view", '"draw"'),
    P(
        "petsc_prefixed_options_file",
        "solver.petsc_options.ksp_options_file: unsafe",
        "ksp_options_file",
        '"x"',
    ),
    P(
        "petsc_view_bool",
        "solver.petsc_options.ksp_view: a viewer option takes a viewer",
        "ksp_view",
        "true",
    ),
    P(
        "petsc_rejected_by_petsc",
        "solver.petsc_options.ksp_gmres_cgs_refinement_type: PETSc rejects",
        "ksp_gmres_cgs_refinement_type",
        '"zzz"',
    ),
    Bad(
        "petsc_with_other_problems",
        "materials.coating.D: must be > 0",
        text='{base}\n[solver.petsc_options]\nksp_type = "cgg"\n',
        sets=("materials.coating.D=-1.0",),
    ),
]


def _write(tmp_path: Path, bad: Bad) -> Path:
    base = (DEMOS / f"{bad.base}.toml").read_text()
    path = tmp_path / "case" / f"{bad.base}.toml"
    path.parent.mkdir()
    # relative paths of the base (mesh files) keep working from the copy
    base = base.replace('"../meshes/', f'"{ROOT / "meshes"}/')
    if bad.raw is not None:
        path.write_bytes(bad.raw.replace(b"{base}", base.encode()))
    elif bad.text is not None:
        path.write_text(bad.text.replace("{base}", base), encoding="utf-8")
    else:
        path.write_text(base, encoding="utf-8")
    return path


def _arguments(bad: Bad, path: Path, out: Path) -> list[str]:
    sets = [item for s in bad.sets for item in ("--set", s)]
    if bad.sweeps:
        sweeps = [item for s in bad.sweeps for item in ("--sweep", s)]
        return ["run", str(path), "--out", str(out), *sets, *sweeps, *bad.extra]
    return ["check", str(path), *sets, *bad.extra]


def test_campaign_size():
    assert len(CASES) >= 100
    assert len({bad.name for bad in CASES}) == len(CASES)


@pytest.mark.parametrize("bad", CASES, ids=[b.name for b in CASES])
def test_bad_input(bad, tmp_path, capsys):
    path = _write(tmp_path, bad)
    out = tmp_path / "out"
    code = cli.main(_arguments(bad, path, out))
    captured = capsys.readouterr()
    assert code == bad.code, captured.err
    assert bad.culprit in captured.err, captured.err
    assert "Traceback" not in captured.err + captured.out
    assert "internal error" not in captured.err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]


SUBSET = [
    "bytes_latin1_comment",
    "type_value_true",
    "expr_div_zero",
    "profile_outside",
    "sweep_repeated_key",
    "petsc_ksp_typo",
    "petsc_python_ksp",
]


@pytest.mark.parametrize("name", SUBSET)
@pytest.mark.parametrize("command", ["check", "run"])
def test_subprocess_subset(name, command, tmp_path):
    """The same verdicts through the installed command, for check and run."""
    bad = next(b for b in CASES if b.name == name)
    path = _write(tmp_path, bad)
    out = tmp_path / "out"
    args = _arguments(bad, path, out)
    if command == "run" and args[0] == "check":
        args = ["run", str(path), "--out", str(out), *args[2:]]
    elif command == "check" and args[0] == "run":
        pytest.skip("--sweep is a run option")
    result = subprocess.run([EMCD, *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == bad.code, result.stderr
    assert bad.culprit in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists()


def test_solver_options_that_do_not_solve(tmp_path, capsys):
    """Valid PETSc options that do not solve the system (one Jacobi sweep reported as
    converged) are caught by the true-residual check: the solve falls back to MUMPS, says so
    on stderr and in summary.json, and the answer is right — never a wrong answer with
    exit 0 (solver.solve_linear)."""
    out = tmp_path / "out"
    sets = ["solver.petsc_options.ksp_type='preonly'", "solver.petsc_options.pc_type='jacobi'"]
    args = ["run", str(DEMOS / "slab_1d.toml"), "--out", str(out)]
    code = cli.main(args + [item for s in sets for item in ("--set", s)])
    captured = capsys.readouterr()
    assert code == cli.EXIT_OK, captured.err
    assert "direct (MUMPS) after preonly/jacobi" in captured.err
    assert "Traceback" not in captured.err + captured.out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["solver"]["fallback"].startswith("direct (MUMPS) after preonly/jacobi")
    assert summary["analytic"]["max_relative_error"] < 1e-10
