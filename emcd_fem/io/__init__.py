"""Input/output of results.

The output directory and atomic writes (``output``), the VTKHDF field file
(``field_file``), reading results back (``results``), provenance records (``provenance``).
"""
