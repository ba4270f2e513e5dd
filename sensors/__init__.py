"""Dagster sensors: the request inbox, quality degradation, crash recovery."""
