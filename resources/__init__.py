"""Dagster resources around the domain's stores and providers."""

from resources.nodegen_resource import NodegenResource

__all__ = ["NodegenResource"]
