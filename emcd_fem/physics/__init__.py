"""Physics as UFL forms, kept apart from meshing, solving and output."""
