"""The report and alerts on frames read back from a real metrics store (SQLite and PostgreSQL)
through `load_frames`, matching the report on the in-memory frames."""

from __future__ import annotations

import pytest

from nodegen.reports import build_quality_report, detect_degradation
from nodegen.reports.notebook_data import load_frames
from nodegen.store import MetricsStore

from .conftest import NOW, History, populate


def test_load_frames_round_trip(database_url: str, history: History, monkeypatch) -> None:
    store = MetricsStore(database_url)
    store.upgrade()
    try:
        empty = load_frames(database_url)
        assert empty.empty
        populate(store, history)
    finally:
        store.dispose()

    monkeypatch.setenv("NODEGEN_DATABASE_URL", database_url)
    frames = load_frames()  # URL from the environment
    assert len(frames.stage_metrics) == 2400
    assert len(frames.generations) == 300
    assert len(frames.decisions) == 4
    assert str(frames.stage_metrics["timestamp"].dt.tz) == "UTC"

    day = NOW.date()
    from_store = build_quality_report(*frames, day=day, days=10, charts=False)
    in_memory = build_quality_report(
        history.stages, history.generations, history.decisions, day=day, days=10, charts=False
    )
    for field in (
        "total_generations",
        "successes",
        "daily",
        "model_distribution",
        "quality_by_stage",
        "latency_by_stage",
        "pattern_reuse",
    ):
        assert getattr(from_store, field) == getattr(in_memory, field), field
    assert from_store.success_rate == pytest.approx(in_memory.success_rate)
    assert [d.decision_id for d in from_store.migrations] == ["d-contract", "d-prd"]

    alerts = detect_degradation(frames.stage_metrics, frames.decisions, NOW)
    assert [(a.stage, a.recommended_action) for a in alerts] == [
        ("contract", "roll back stage contract from small to big"),
        ("business_logic", "investigate model gpt on stage business_logic"),
    ]
