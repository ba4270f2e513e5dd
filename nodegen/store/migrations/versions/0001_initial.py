"""Initial metrics-store schema: generations, stage_metrics, decisions, routing versions, events.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types at the time of this revision (migrations must not follow later edits).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "generations",
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
        _ts("created_at"),
        _ts("finished_at", nullable=True),
    )
    op.create_index("ix_generations_created_at", "generations", ["created_at"])
    op.create_index("ix_generations_request_id", "generations", ["request_id"])

    op.create_table(
        "stage_metrics",
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
        _ts("timestamp"),
        sa.UniqueConstraint("correlation_id", "stage", "attempt", name="uq_stage_metrics_call"),
    )
    op.create_index("ix_stage_metrics_timestamp", "stage_metrics", ["timestamp"])
    op.create_index(
        "ix_stage_metrics_stage_model_ts", "stage_metrics", ["stage", "model_used", "timestamp"]
    )
    op.create_index(
        "ix_stage_metrics_summary",
        "stage_metrics",
        ["stage", "model_used", "latency_ms", "timestamp", "success", "quality_score", "cost_usd"],
    )

    op.create_table(
        "model_selection_decisions",
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
        _ts("timestamp"),
    )
    op.create_index("ix_decisions_timestamp", "model_selection_decisions", ["timestamp"])
    op.create_index("ix_decisions_stage_ts", "model_selection_decisions", ["stage", "timestamp"])

    op.create_table(
        "routing_versions",
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
        _ts("created_at"),
    )
    op.create_index("ix_routing_versions_created_at", "routing_versions", ["created_at"])

    op.create_table(
        "events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("envelope_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("correlation_id", sa.String(128), nullable=False),
        _ts("timestamp"),
        sa.Column("payload_type", sa.String(128), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.UniqueConstraint("envelope_id", name="uq_events_envelope_id"),
    )
    op.create_index("ix_events_timestamp", "events", ["timestamp"])
    op.create_index("ix_events_correlation_id", "events", ["correlation_id"])
    op.create_index("ix_events_type_ts", "events", ["event_type", "timestamp"])


def downgrade() -> None:
    for table in ("events", "routing_versions", "model_selection_decisions", "stage_metrics"):
        op.drop_table(table)
    op.drop_table("generations")
