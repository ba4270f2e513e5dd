"""A real SQLite metrics store filled with a constructed week, relative to the current time.

The Dagster layer judges "the last 24 h" against the wall clock (checks and sensors have no
other notion of now), so the history is laid out backwards from `now`:
- one generation per hour, k = 0..191, created at now - (k + 0.5) h;
  success when k % 4 != 0 (rate 0.75); total cost 0.01 on even k, 0.03 on odd (mean 0.02);
- eight stage rows per generation, quality 0.9, except:
  contract: big -> small by migration `d-contract` at now - 23h55m, quality 0.9 -> 0.75 (alert);
  business_logic: 0.87 in the last 24 h (drop 0.03, under the 0.05 threshold: no alert);
  refined_code: 0.5 in the last 24 h but only 5 calls (too few to judge: no alert);
- intelligence used pattern "p1" on even k (pattern reuse 0.5);
- decisions: the contract migration, and a prd_analysis rollback 20 days ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nodegen.records import GenerationMetrics, GenerationRecord, ModelSelectionDecision
from nodegen.stages import STAGE_ORDER
from nodegen.store import MetricsStore

GENERATIONS = 192
RECENT_REFINEMENTS = 5
SUCCESS_RATE = 0.75
COST_PER_GENERATION = 0.02
PATTERN_REUSE_RATE = 0.5


@dataclass
class ConstructedStore:
    url: str
    now: datetime
    generations: list[GenerationRecord]
    migration_at: datetime


def _stage_row(stage: str, k: int, ts: datetime) -> GenerationMetrics | None:
    recent = k < 24
    model, quality, patterns = "local-rules", 0.9, []
    if stage == "contract":
        model, quality = ("small", 0.75) if recent else ("big", 0.9)
    elif stage == "business_logic":
        model, quality = "gpt", 0.87 if recent else 0.9
    elif stage == "refined_code" and recent:
        if k >= RECENT_REFINEMENTS:
            return None
        quality = 0.5
    elif stage == "intelligence" and k % 2 == 0:
        patterns = ["p1"]
    return GenerationMetrics(
        correlation_id=f"c-{k}", stage=stage, model_used=model, provider="test",
        tokens_input=100, tokens_output=40, latency_ms=100.0 + k, cost_usd=0.001,
        quality_score=quality, success=quality >= 0.7, patterns_used=patterns,
        node_kind="compute", timestamp=ts,
    )


def build_store(home: Path, now: datetime | None = None) -> ConstructedStore:
    """Create `<home>/metrics.db` (the layout `NodegenResource(home=...)` reads) and fill it."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    home.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{home / 'metrics.db'}"
    store = MetricsStore(url)
    store.upgrade()
    generations, stage_rows = [], []
    for k in range(GENERATIONS):
        ts = now - timedelta(hours=k + 0.5)
        ok = k % 4 != 0
        record = GenerationRecord(
            correlation_id=f"c-{k}", request_id=f"r-{k}", node_name="thing", node_kind="compute",
            domain="test", status="succeeded" if ok else "failed", quality_score=0.9 if ok else 0.4,
            success=ok, total_cost_usd=0.01 if k % 2 == 0 else 0.03, total_latency_ms=1000.0,
            created_at=ts, finished_at=ts + timedelta(seconds=30),
        )
        generations.append(record)
        store.start_generation(record)
        stage_rows += [r for s in STAGE_ORDER if (r := _stage_row(s.value, k, ts)) is not None]
    store.record_stage_calls(stage_rows)
    migration_at = now - timedelta(hours=23, minutes=55)
    for decision in (
        ModelSelectionDecision(
            decision_id="d-contract", stage="contract", previous_model="big", new_model="small",
            kind="migrate", reason="cheaper at equal quality", timestamp=migration_at,
        ),
        ModelSelectionDecision(
            decision_id="d-prd-rollback", stage="prd_analysis", previous_model="small",
            new_model="big", kind="rollback", reason="quality fell",
            timestamp=now - timedelta(days=20),
        ),
    ):
        store.record_decision(decision)
    store.dispose()
    return ConstructedStore(url, now, generations, migration_at)
