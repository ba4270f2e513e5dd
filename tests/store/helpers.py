"""Builders shared by the store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nodegen.records import GenerationMetrics

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def metric(correlation_id: str = "c1", stage: str = "contract", attempt: int = 1,
           model: str = "model-a", hours_ago: float = 1.0, **kw: object) -> GenerationMetrics:
    values: dict[str, object] = {
        "correlation_id": correlation_id, "stage": stage, "attempt": attempt, "model_used": model,
        "provider": "anthropic", "tokens_input": 120, "tokens_output": 80, "latency_ms": 250.0,
        "cost_usd": 0.002, "quality_score": 0.9, "success": True,
        "timestamp": NOW - timedelta(hours=hours_ago),
    }
    values.update(kw)
    return GenerationMetrics.model_validate(values)


STAGES = ("prd_analysis", "contract", "business_logic", "refined_code")


def parallel_writer(url: str, schema: str | None, worker: int, calls: int) -> int:
    """Runs in a spawned process: records `calls` stage calls, each with one event.

    Workers w and w + 4 write the same keys, so the store sees every call twice.
    """
    from nodegen.records import EventEnvelope, EventType
    from nodegen.store import MetricsStore

    store = MetricsStore(url, schema=schema)
    new = 0
    stage = STAGES[worker % 4]
    for j in range(calls):
        m = metric(f"c{j}", stage, model=f"m{worker}", hours_ago=j / 10)
        event = EventEnvelope(envelope_id=f"{stage}-c{j}", event_type=EventType.CODE_GENERATED,
                              correlation_id=f"c{j}", payload_type="x", payload={"w": worker})
        new += store.record_stage_call(m, [event])
    store.dispose()
    return new
