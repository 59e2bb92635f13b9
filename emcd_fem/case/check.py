"""The semantic case check: names, references and combinations the schema cannot see."""

from pathlib import Path

from emcd_fem.case.check_geometry import inclusion_problems as _inclusion_problems
from emcd_fem.case.check_geometry import located_boundary_problems as _located_boundary_problems
from emcd_fem.case.check_geometry import mesh_option_problems as _mesh_option_problems
from emcd_fem.case.check_geometry import shell_problems as _shell_problems
from emcd_fem.case.check_multicomponent import multicomponent_problems as _mc_problems
from emcd_fem.case.check_ranges import profile_problems as _profile_problems
from emcd_fem.case.check_ranges import range_problems as _range_problems
from emcd_fem.case.check_reactions import flux_only
from emcd_fem.case.check_reactions import reaction_problems as _reaction_problems
from emcd_fem.case.check_thermal import material_problems as _material_problems
from emcd_fem.case.check_thermal import thermal_problems as _thermal_problems
from emcd_fem.case.check_time import time_problems as _time_problems
from emcd_fem.case.check_tools import size_problems as _size_problems
from emcd_fem.case.check_tools import suggest as _suggest
from emcd_fem.case.check_validity import validity_problems as _validity_problems
from emcd_fem.case.geometry import (
    CylinderShells,
    Inclusions,
    LayeredSlab,
    MeshFile,
    SphereShells,
    StomatalPore,
)
from emcd_fem.case.schema import Case


def semantic_problems(case: Case) -> list[tuple[str, str]]:
    """Problems the schema cannot see: names, references, combinations of sections."""
    problems = []
    geometry = case.geometry
    if isinstance(geometry, LayeredSlab):
        names = geometry.region_names()
        for i, layer in enumerate(geometry.layers):
            if names.count(layer.name) > 1 and names.index(layer.name) != i:
                problems.append(
                    (f"geometry.layers[{i}].name", f"duplicate layer name {layer.name!r}")
                )
            material = geometry.region_material(layer.name)
            if material not in case.materials and case.multicomponent is None:
                key = "material" if layer.material else "name"
                problems.append(
                    (
                        f"geometry.layers[{i}].{key}",
                        f"no material {material!r} in [materials]; "
                        f"{_suggest(material, list(case.materials))}",
                    )
                )
        if geometry.mesher == "gmsh" and geometry.size is None:
            problems.append(("geometry.size", "required with mesher = 'gmsh'"))
        if geometry.mesher == "gmsh" and geometry.dim == 1:
            problems.append(("geometry.mesher", "gmsh slabs are 2D or 3D; use 'builtin' in 1D"))
    if isinstance(geometry, Inclusions):
        problems += _inclusion_problems(geometry)
    problems += _size_problems(geometry)
    if isinstance(geometry, CylinderShells | SphereShells):
        problems += _shell_problems(geometry)
    if isinstance(geometry, MeshFile):
        suffix = Path(geometry.path).suffix.lower()
        if suffix not in (".msh", ".geo"):
            problems.append(
                ("geometry.path", f"expected a gmsh .msh or .geo file, got {geometry.path!r}")
            )
        elif not Path(geometry.path).is_file():
            problems.append(("geometry.path", f"mesh file {geometry.path!r} not found"))
        problems += _located_boundary_problems(geometry) + _mesh_option_problems(geometry)
    problems += _validity_problems(case)
    if case.multicomponent is not None:  # an n-species gas: its own section only
        return problems + _mc_problems(case)
    for key in ("materials", "boundaries"):
        if not getattr(case, key):
            problems.append((key, "missing (required unless [multicomponent] describes the gas)"))
    problems += _material_problems(case)
    problems += _thermal_problems(case)
    problems += _time_problems(case)
    if case.analysis.effective_diffusivity and not isinstance(geometry, Inclusions):
        problems.append(
            ("analysis.effective_diffusivity", "needs an 'inclusions' geometry (a composite cell)")
        )
    has_films = any(spec.film is not None for spec in case.interfaces)
    if has_films and case.physics.inventory_mole_fraction is not None:
        problems.append(
            (
                "physics.inventory_mole_fraction",
                "flux-only problems are not available with films: the inventory constraint "
                "couples the potentials of all blocks (each film makes μ jump), which the "
                "block solve does not impose; give a mole_fraction or mass_transfer boundary",
            )
        )
    seen: dict[frozenset[str], int] = {}
    for i, interface in enumerate(case.interfaces):
        pair = frozenset(interface.materials)
        if pair in seen:
            problems.append(
                (
                    f"interfaces[{i}].materials",
                    f"the pair {interface.materials} is already given in interfaces[{seen[pair]}]"
                    " (in either order): give each material pair once",
                )
            )
        seen.setdefault(pair, i)
        if len(pair) == 1 and interface.partition not in (None, 1.0):
            problems.append(
                (
                    f"interfaces[{i}].partition",
                    "a material is in equilibrium with itself at K = 1: leave partition out",
                )
            )
        if (
            interface.partition is None
            and interface.film is None
            and (interface.contact_resistance is None)
        ):
            problems.append((f"interfaces[{i}]", "give partition, film and/or contact_resistance"))
        for j, name in enumerate(interface.materials):
            if name not in case.materials:
                problems.append(
                    (
                        f"interfaces[{i}].materials[{j}]",
                        f"unknown material {name!r}; {_suggest(name, list(case.materials))}",
                    )
                )
    if isinstance(geometry, StomatalPore) and geometry.cell_radius <= geometry.pore_radius:
        problems.append(("geometry.cell_radius", "must exceed pore_radius"))
    regions = geometry.region_names()
    if regions is not None:
        for region in case.regions:
            if region not in regions:
                problems.append(
                    (
                        f"regions.{region}",
                        f"not a region of the geometry; {_suggest(region, regions)}",
                    )
                )
        if not isinstance(geometry, LayeredSlab):
            for region in regions:
                material = case.material_of(region)
                if material not in case.materials:
                    problems.append(
                        (
                            f"regions.{region}" if region in case.regions else "materials",
                            f"no material {material!r} for region {region!r}; "
                            f"{_suggest(material, list(case.materials))}",
                        )
                    )
            for key in getattr(geometry, "region_sizes", {}):
                if key not in regions:
                    problems.append(
                        (f"geometry.region_sizes.{key}", f"not a region; {_suggest(key, regions)}")
                    )
    boundary_names = geometry.boundary_names()
    if boundary_names is not None:
        for name in case.boundaries:
            if name not in boundary_names:
                problems.append(
                    (
                        f"boundaries.{name}",
                        f"not a boundary of this {geometry.dim}D {geometry.kind}; "
                        f"{_suggest(name, boundary_names)}",
                    )
                )
    # with [time]: the storage term fixes x_A (case.check_time: closed runs); first-order
    # reactions fix it too (case.check_reactions)
    if (
        flux_only(case)
        and case.time is None
        and case.physics.inventory_mole_fraction is None
        and not case.reactions
    ):
        problems.append(
            (
                "physics.inventory_mole_fraction",
                "required: every boundary prescribes a flux, so x_A is fixed only up to a "
                "constant (or make one boundary mole_fraction or mass_transfer)",
            )
        )
    fields = case.output.fields or []
    if "mass_average_velocity" in fields and case.species is None:
        problems.append(
            ("output.fields", "mass_average_velocity needs molar masses: add a [species] section")
        )
    for i, profile in enumerate(case.output.profiles):
        for key in ("start", "end"):
            if geometry.dim is not None and len(getattr(profile, key)) != geometry.dim:
                problems.append(
                    (
                        f"output.profiles[{i}].{key}",
                        f"needs {geometry.dim} coordinate(s) for a {geometry.dim}D geometry",
                    )
                )
    problems += _profile_problems(case)
    problems += _range_problems(case)
    problems += _reaction_problems(case)
    return problems


#: Temperatures a case may give [K]: outside, a value is a typo (5e-324, 1.8e308), not data.
