"""Studies that run models for a derived answer.

Effective diffusivity from cell problems (``effective``) and the ``emcd verify`` ladder
against exact references (``verification``).
"""
