"""nodegen: turn natural-language node requests into validated ONEX nodes.

This package is the domain: it has no Dagster imports so it can be used from plain Python.
"""

__version__ = "0.1.0"
GENERATOR_NAME = "nodegen"
