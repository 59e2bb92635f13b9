"""``python -m emcd_fem.cli``: the ``emcd`` command."""

from emcd_fem.cli import entry_point

entry_point()
