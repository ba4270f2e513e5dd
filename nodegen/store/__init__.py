"""The metrics store (SQLite by default, PostgreSQL by URL); see metrics_store.MetricsStore."""

from nodegen.store.metrics_store import MIGRATIONS_DIR, MetricsStore, normalize_url
from nodegen.store.schema import STAGE_METRIC_COLUMNS, metadata

__all__ = ["MIGRATIONS_DIR", "STAGE_METRIC_COLUMNS", "MetricsStore", "metadata", "normalize_url"]
