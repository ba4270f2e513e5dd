"""Records that cross the metrics-store boundary (DESIGN.md, Metrics store)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nodegen.stages import Stage


def utcnow() -> datetime:
    return datetime.now(UTC)


class GenerationMetrics(BaseModel):
    """One stage call (the seed's ModelGenerationMetrics, plus attempt/provider/patterns/error)."""

    model_config = ConfigDict(extra="forbid")

    correlation_id: str
    stage: Stage
    attempt: int = Field(default=1, ge=1)
    model_used: str
    provider: str
    tokens_input: int = Field(default=0, ge=0)
    tokens_output: int = Field(default=0, ge=0)
    cache_read_tokens: int = Field(default=0, ge=0)
    cache_write_tokens: int = Field(default=0, ge=0)
    latency_ms: float = Field(default=0.0, ge=0.0)
    cost_usd: float = Field(default=0.0, ge=0.0)
    quality_score: float = Field(default=0.0, ge=0.0, le=1.0)
    success: bool
    patterns_used: list[str] = Field(default_factory=list)
    error: str | None = None
    node_kind: str | None = None
    timestamp: datetime = Field(default_factory=utcnow)


class GenerationStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class GenerationRecord(BaseModel):
    """One request's generation (the `generations` table)."""

    model_config = ConfigDict(extra="forbid")

    correlation_id: str
    request_id: str
    node_name: str
    node_kind: str
    domain: str
    status: GenerationStatus
    quality_score: float = 0.0
    success: bool = False
    total_cost_usd: float = 0.0
    total_latency_ms: float = 0.0
    output_path: str | None = None
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class EventType(StrEnum):
    NODE_GENERATION_REQUESTED = "NODE_GENERATION_REQUESTED"
    PROMPT_PARSED = "PROMPT_PARSED"
    INTELLIGENCE_GATHERED = "INTELLIGENCE_GATHERED"
    CONTRACT_BUILT = "CONTRACT_BUILT"
    BUSINESS_LOGIC_WRITTEN = "BUSINESS_LOGIC_WRITTEN"
    CODE_GENERATED = "CODE_GENERATED"
    VALIDATION_COMPLETED = "VALIDATION_COMPLETED"
    CODE_REFINED = "CODE_REFINED"
    NODE_GENERATED = "NODE_GENERATED"
    NODE_GENERATION_FAILED = "NODE_GENERATION_FAILED"
    GENERATION_METRICS_RECORDED = "GENERATION_METRICS_RECORDED"
    MODEL_MIGRATED = "MODEL_MIGRATED"
    MODEL_ROLLED_BACK = "MODEL_ROLLED_BACK"
    QUALITY_DEGRADED = "QUALITY_DEGRADED"


class EventEnvelope(BaseModel):
    """An entry of the append-only `events` log."""

    model_config = ConfigDict(extra="forbid")

    envelope_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    event_type: EventType
    correlation_id: str
    timestamp: datetime = Field(default_factory=utcnow)
    payload_type: str
    payload: dict[str, Any] = Field(default_factory=dict)
    source: str = "nodegen"


class DecisionKind(StrEnum):
    MIGRATE = "migrate"
    ROLLBACK = "rollback"
    CANARY = "canary"


class ModelSelectionDecision(BaseModel):
    """A row of `model_selection_decisions`."""

    model_config = ConfigDict(extra="forbid")

    decision_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    stage: Stage
    node_kind: str | None = None
    previous_model: str
    new_model: str
    kind: DecisionKind
    reason: str
    expected_quality: float | None = None
    expected_cost_savings_pct: float | None = None
    evidence: dict[str, Any] = Field(default_factory=dict)
    status: str = "applied"
    timestamp: datetime = Field(default_factory=utcnow)


class RoutingVersion(BaseModel):
    """A row of `routing_versions`: the stage -> model map in force from `created_at`."""

    model_config = ConfigDict(extra="forbid")

    version: int
    routing: dict[str, str] = Field(description="stage -> model name (optionally 'stage:kind' keys)")
    reason: str
    decision_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
