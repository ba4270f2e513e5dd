"""Dagster assets, checks and jobs wiring the nodegen domain."""
