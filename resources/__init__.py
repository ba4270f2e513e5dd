"""Dagster resources around the domain's stores, providers and alert sinks."""

from resources.alert_sink import AlertSinkResource
from resources.nodegen_resource import NodegenResource

__all__ = ["AlertSinkResource", "NodegenResource"]
