"""Materials: what each region is made of.

``material`` holds the :class:`Material` record and its assignment to regions (DG0 fields);
``kinetic_theory`` gas diffusivities (Chapman–Enskog, Fuller, Knudsen); ``properties``
material models resolved from kinetic theory or porous-medium data; ``partition`` the
partition-coefficient scaling of the mole fraction across regions.
"""

from emcd_fem.materials.material import Material, MaterialFields, assign_materials, check_regions

__all__ = ["Material", "MaterialFields", "assign_materials", "check_regions"]
