"""Table definitions of the metrics store (DESIGN.md, Metrics store).

These Core tables are what the queries use; the database itself is only ever created and changed by
the Alembic revisions in ``nodegen/store/migrations`` (a test checks both agree).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData()

#: SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps everywhere.

    SQLite has no time zones and stores the wall-clock digits it is given, so values are converted to
    UTC before they are bound (naive values are taken as UTC) and get UTC attached when read back.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


generations = sa.Table(
    "generations",
    metadata,
    sa.Column("correlation_id", sa.String(128), primary_key=True),
    sa.Column("request_id", sa.String(128), nullable=False),
    sa.Column("node_name", sa.String(128), nullable=False),
    sa.Column("node_kind", sa.String(32), nullable=False),
    sa.Column("domain", sa.String(128), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("quality_score", sa.Float(), nullable=False, server_default="0"),
    sa.Column("success", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("total_cost_usd", sa.Float(), nullable=False, server_default="0"),
    sa.Column("total_latency_ms", sa.Float(), nullable=False, server_default="0"),
    sa.Column("output_path", sa.Text(), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Index("ix_generations_created_at", "created_at"),
    sa.Index("ix_generations_request_id", "request_id"),
)

stage_metrics = sa.Table(
    "stage_metrics",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("correlation_id", sa.String(128), nullable=False),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("attempt", sa.Integer(), nullable=False),
    sa.Column("model_used", sa.String(128), nullable=False),
    sa.Column("provider", sa.String(64), nullable=False),
    sa.Column("node_kind", sa.String(32), nullable=True),
    sa.Column("tokens_input", sa.Integer(), nullable=False),
    sa.Column("tokens_output", sa.Integer(), nullable=False),
    sa.Column("cache_read_tokens", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("cache_write_tokens", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("latency_ms", sa.Float(), nullable=False),
    sa.Column("cost_usd", sa.Float(), nullable=False),
    sa.Column("quality_score", sa.Float(), nullable=False),
    sa.Column("success", sa.Boolean(), nullable=False),
    sa.Column("patterns_used", sa.Text(), nullable=False, server_default="[]"),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("timestamp", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("correlation_id", "stage", "attempt", name="uq_stage_metrics_call"),
    sa.Index("ix_stage_metrics_timestamp", "timestamp"),
    sa.Index("ix_stage_metrics_stage_model_ts", "stage", "model_used", "timestamp"),
    # Covering index for MetricsStore.stage_summary (aggregates and percentiles read only it).
    sa.Index(
        "ix_stage_metrics_summary",
        "stage", "model_used", "latency_ms", "timestamp", "success", "quality_score", "cost_usd",
    ),
)

model_selection_decisions = sa.Table(
    "model_selection_decisions",
    metadata,
    sa.Column("decision_id", sa.String(64), primary_key=True),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("node_kind", sa.String(32), nullable=True),
    sa.Column("previous_model", sa.String(128), nullable=False),
    sa.Column("new_model", sa.String(128), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("expected_quality", sa.Float(), nullable=True),
    sa.Column("expected_cost_savings_pct", sa.Float(), nullable=True),
    sa.Column("evidence", sa.Text(), nullable=False, server_default="{}"),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("timestamp", UTCDateTime(), nullable=False),
    sa.Index("ix_decisions_timestamp", "timestamp"),
    sa.Index("ix_decisions_stage_ts", "stage", "timestamp"),
)

routing_versions = sa.Table(
    "routing_versions",
    metadata,
    sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("routing", sa.Text(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column(
        "decision_id",
        sa.String(64),
        sa.ForeignKey(
            "model_selection_decisions.decision_id", name="fk_routing_versions_decision"
        ),
        nullable=True,
    ),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_routing_versions_created_at", "created_at"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("envelope_id", sa.String(64), nullable=False),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("correlation_id", sa.String(128), nullable=False),
    sa.Column("timestamp", UTCDateTime(), nullable=False),
    sa.Column("payload_type", sa.String(128), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("source", sa.String(64), nullable=False),
    sa.UniqueConstraint("envelope_id", name="uq_events_envelope_id"),
    sa.Index("ix_events_timestamp", "timestamp"),
    sa.Index("ix_events_correlation_id", "correlation_id"),
    sa.Index("ix_events_type_ts", "event_type", "timestamp"),
)

#: The stage_metrics columns, in the order of DESIGN.md (plus node_kind and cache tokens).
STAGE_METRIC_COLUMNS: tuple[str, ...] = tuple(c.name for c in stage_metrics.columns)
