"""Markdown reference of the case-file schema, generated from the pydantic models.

``python -m emcd_fem.case.reference README.md`` rewrites the block between the markers
``<!-- case-reference:start -->`` and ``<!-- case-reference:end -->``; a test keeps README
in sync.
"""

import re
import sys
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from emcd_fem import case as schema
from emcd_fem.case.dusty_gas import DustyGasSpec, PorousSpec
from emcd_fem.case.multicomponent_interfaces import InterfaceMixSpec

START, END = "<!-- case-reference:start -->", "<!-- case-reference:end -->"

_SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ('[geometry] (kind = "layered_slab")', schema.LayeredSlab),
    ("[[geometry.layers]] (each layer)", schema.Layer),
    ('[geometry] (kind = "cylinder_shells")', schema.CylinderShells),
    ('[geometry] (kind = "sphere_shells")', schema.SphereShells),
    ('[geometry] (kind = "mesh_file")', schema.MeshFile),
    ('[geometry] (kind = "inclusions")', schema.Inclusions),
    ('[geometry] (kind = "stomatal_pore")', schema.StomatalPore),
    ("[materials.<name>]", schema.MaterialSpec),
    ("[species] (optional; A and B are tables)", schema.SpeciesSpec),
    ("[[interfaces]] (each material pair)", schema.InterfaceSpec),
    ('[boundaries.<name>] type = "mole_fraction"', schema.MoleFractionBC),
    ('[boundaries.<name>] type = "flux"', schema.FluxBC),
    ('[boundaries.<name>] type = "mass_transfer"', schema.MassTransferBC),
    ('[boundaries.<name>] type = "zero_flux"', schema.ZeroFluxBC),
    ("[[reactions]] (each reaction)", schema.ReactionSpec),
    ("[physics]", schema.Physics),
    ("[thermal] (temperature field for thermal diffusion)", schema.Thermal),
    ('[thermal.boundaries.<name>] type = "temperature"', schema.TemperatureBC),
    ('[thermal.boundaries.<name>] type = "heat_flux"', schema.HeatFluxBC),
    ('[thermal.boundaries.<name>] type = "convective"', schema.ConvectiveBC),
    ('[thermal.boundaries.<name>] type = "insulated"', schema.InsulatedBC),
    ("[time] (transient run)", schema.Time),
    ('[time] initial = { from = "DIR" }', schema.InitialFrom),
    (
        "[multicomponent] (n-species gas, instead of [materials]/[boundaries])",
        schema.MulticomponentSpec,
    ),
    ("[multicomponent.regions.<region>]", schema.MixtureSpec),
    ("[multicomponent.boundaries.<name>]", schema.CompositionSpec),
    ("[[multicomponent.interfaces]] (each region pair)", InterfaceMixSpec),
    ('[multicomponent.dusty_gas] (model = "dusty_gas")', DustyGasSpec),
    ("[multicomponent.dusty_gas.media.<region>]", PorousSpec),
    ("[discretisation]", schema.Discretisation),
    ("[solver]", schema.Solver),
    ("[analysis]", schema.Analysis),
    ("[output]", schema.Output),
    ("[[output.profiles]] (each profile)", schema.Profile),
]


def _type_name(annotation: Any) -> str:
    text = getattr(annotation, "__name__", None) if not get_args(annotation) else None
    text = text or str(annotation)
    text = text.replace("typing.", "")
    text = re.sub(r"emcd_fem\.case\.(?:[a-z_]+\.)?", "", text)  # the schema's own modules
    return text.replace("|", "or").replace("NoneType", "none")


def _default(field: Any) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "required"
    value = field.default_factory() if field.default_factory is not None else field.default
    if isinstance(value, BaseModel):
        return "(table)"
    return f"`{value!r}`" if value not in (None, [], {}) else f"`{value}`"


def _constraints(field: Any) -> str:
    parts = []
    for item in field.metadata:
        for attr, symbol in (
            ("gt", ">"),
            ("ge", ">="),
            ("lt", "<"),
            ("le", "<="),
            ("min_length", "len >="),
            ("max_length", "len <="),
        ):
            value = getattr(item, attr, None)
            if value is not None:
                parts.append(f"{symbol} {value}")
    return ", ".join(parts)


def markdown() -> str:
    """The case-file reference as Markdown tables."""
    lines = []
    for title, model in _SECTIONS:
        doc = (model.__doc__ or "").strip().splitlines()[0]
        lines += [
            f"#### `{title}`",
            "",
            doc,
            "",
            "| key | type | default | constraint | description |",
            "|---|---|---|---|---|",
        ]
        for name, field in model.model_fields.items():
            lines.append(
                f"| `{field.alias or name}` | {_type_name(field.annotation)} | {_default(field)} | "
                f"{_constraints(field)} | {field.description or ''} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def update_readme(path: str | Path) -> bool:
    """Rewrite the reference block of a README; return True if it changed."""
    path = Path(path)
    text = path.read_text()
    if START not in text or END not in text:
        raise ValueError(f"{path} lacks the markers {START} and {END}")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    new = f"{head}{START}\n{markdown()}{END}{tail}"
    if new != text:
        path.write_text(new)
        return True
    return False


if __name__ == "__main__":
    changed = update_readme(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    print("updated" if changed else "up to date")
