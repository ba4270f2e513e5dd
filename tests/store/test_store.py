"""MetricsStore against SQLite and PostgreSQL: schema, idempotent writes, routing, decisions."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from nodegen.errors import StoreError
from nodegen.metrics_summary import model_performance_summary
from nodegen.records import (
    DecisionKind,
    EventEnvelope,
    EventType,
    GenerationRecord,
    GenerationStatus,
    ModelSelectionDecision,
)
from nodegen.store import MetricsStore, metadata, normalize_url

from .helpers import NOW, metric

TABLES = {"generations", "stage_metrics", "model_selection_decisions", "routing_versions",
          "events"}


def test_migrations_create_the_schema_that_the_code_expects(store_target):
    url, schema = store_target
    store = MetricsStore(url, schema=schema)
    assert store.current_revision() is None
    with pytest.raises(StoreError, match="upgrade"):
        store.count("stage_metrics")
    store.upgrade()
    store.upgrade()  # a second upgrade is a no-op
    assert store.current_revision() == "0001_initial"
    with store.engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names(schema=schema))
        assert TABLES <= names
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("stage_metrics", schema=schema)}
        assert {"ix_stage_metrics_timestamp", "ix_stage_metrics_stage_model_ts"} <= indexes
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if d[0] != "remove_table"] == []
    store.dispose()


def test_record_stage_call_is_idempotent_and_transactional(store):
    m = metric(patterns_used=["p1", "p2"], node_kind="compute", cache_read_tokens=7)
    event = EventEnvelope(event_type=EventType.CONTRACT_BUILT, correlation_id="c1",
                          payload_type="NodeContract", payload={"name": "node_x_compute"})
    assert store.record_stage_call(m, [event]) is True
    # A replay with fresh envelopes adds nothing: the stage call is already known.
    replay_event = EventEnvelope(event_type=EventType.CONTRACT_BUILT, correlation_id="c1",
                                 payload_type="NodeContract")
    assert store.record_stage_call(m, [replay_event]) is False
    assert store.count("stage_metrics") == 1
    assert store.count("events") == 1
    assert store.next_attempt("c1", "contract") == 2
    assert store.next_attempt("c1", "prd_analysis") == 1

    frame = store.stage_metrics_frame()
    row = frame.iloc[0]
    assert row["patterns_used"] == ["p1", "p2"]
    assert row["node_kind"] == "compute" and row["cache_read_tokens"] == 7
    assert row["timestamp"] == pd.Timestamp(m.timestamp)
    assert bool(row["success"]) is True

    replaced = metric(quality_score=0.5)
    assert store.record_stage_call(replaced, on_conflict="replace") is False
    assert store.count("stage_metrics") == 1
    assert store.stage_metrics_frame()["quality_score"].tolist() == [0.5]

    assert store.events_for("c1")[0] == event


def test_a_failed_event_write_rolls_back_the_stage_call(store):
    good = EventEnvelope(event_type=EventType.PROMPT_PARSED, correlation_id="c9",
                         payload_type="PrdAnalysis")
    assert store.append_event(good) is True
    assert store.append_event(good) is False  # same envelope twice is one row
    # Break the events table for real: the stage row written first must be rolled back with it.
    with store.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE events RENAME TO events_gone")
    with pytest.raises(StoreError, match="upgrade"):
        store.record_stage_call(metric("c9"), [good.model_copy(update={"envelope_id": "e2"})])
    assert store.count("stage_metrics") == 0
    assert store.record_stage_call(metric("c9")) is True  # without events it still works


def test_generations_start_and_finish(store):
    rec = GenerationRecord(correlation_id="g1", request_id="r1", node_name="csv_reader",
                           node_kind="effect", domain="data", status=GenerationStatus.RUNNING,
                           created_at=NOW)
    store.start_generation(rec)
    store.start_generation(rec)  # upsert, not a second row
    store.finish_generation("g1", "succeeded", 0.93, True, 0.012, 5400.0, "/out/node", None,
                            finished_at=NOW + timedelta(seconds=6))
    got = store.generation("g1")
    assert got is not None
    assert got.status == GenerationStatus.SUCCEEDED and got.success and got.quality_score == 0.93
    assert got.created_at == NOW and got.finished_at == NOW + timedelta(seconds=6)
    assert store.count("generations") == 1
    assert len(store.generations_frame(since=NOW - timedelta(hours=1))) == 1
    with pytest.raises(LookupError):
        store.finish_generation("nope", "failed", 0, False, 0, 0)


def _running(store, correlation_id, request_id="r1", minutes_ago=60.0):
    store.start_generation(GenerationRecord(
        correlation_id=correlation_id, request_id=request_id, node_name="n", node_kind="effect",
        domain="d", status=GenerationStatus.RUNNING, created_at=NOW - timedelta(minutes=minutes_ago)))


def test_abandoned_generations_are_closed_with_their_totals(store):
    _running(store, "dead")  # its run was killed after two stage calls
    store.record_stage_call(metric("dead", "prd_analysis", hours_ago=50 / 60, cost_usd=0.01))
    store.record_stage_call(metric("dead", "intelligence", hours_ago=45 / 60, latency_ms=100.0))
    _running(store, "busy")  # a slow model call, but its last stage finished 5 minutes ago
    store.record_stage_call(metric("busy", "prd_analysis", hours_ago=5 / 60))
    _running(store, "never-started", request_id="r2", minutes_ago=40)  # died before any stage
    _running(store, "done", minutes_ago=90)
    store.finish_generation("done", "succeeded", 1.0, True, 0.0, 1.0, finished_at=NOW)

    idle = timedelta(minutes=30)
    assert store.fail_abandoned_generations(idle, request_id="r2", now=NOW) == ["never-started"]
    assert store.fail_abandoned_generations(idle, now=NOW) == ["dead"]
    assert store.fail_abandoned_generations(idle, now=NOW) == []  # closing twice is a no-op

    dead = store.generation("dead")
    assert dead is not None and dead.status == GenerationStatus.FAILED and not dead.success
    assert dead.error is not None and dead.error.startswith("abandoned:")
    assert dead.total_cost_usd == pytest.approx(0.012) and dead.total_latency_ms == 350.0
    assert dead.finished_at == NOW
    failed = [e for e in store.events_for("dead") if e.event_type == EventType.NODE_GENERATION_FAILED]
    assert len(failed) == 1 and failed[0].payload["request_id"] == "r1"
    assert store.generation("busy").status == GenerationStatus.RUNNING
    assert store.generation("done").status == GenerationStatus.SUCCEEDED

    # A failed run closes its request's generations at once, but only those it started.
    assert store.fail_abandoned_generations(
        timedelta(0), request_id="r1", created_after=NOW - timedelta(minutes=10), now=NOW) == []
    assert store.fail_abandoned_generations(
        timedelta(0), request_id="r1", created_after=NOW - timedelta(minutes=61), now=NOW) == ["busy"]


def test_routing_versions_history_and_restore(store):
    assert store.current_routing() is None
    old = store.add_routing_version({"contract": "big"}, "initial",
                                    created_at=NOW - timedelta(days=30))
    v2 = store.add_routing_version({"contract": "mid"}, "cheaper", created_at=NOW - timedelta(days=20))
    decision = ModelSelectionDecision(stage="contract", previous_model="mid", new_model="small",
                                      kind=DecisionKind.MIGRATE, reason="saves 60%",
                                      evidence={"samples": [120, 60], "p": 0.01}, timestamp=NOW)
    assert store.record_decision(decision) is True
    assert store.record_decision(decision) is False
    v3 = store.add_routing_version({"contract": "small"}, "migrate", decision.decision_id,
                                   created_at=NOW - timedelta(days=1))
    assert (old.version, v2.version, v3.version) == (1, 2, 3)
    assert store.current_routing() == v3

    history = store.routing_history(now=NOW)
    # v2 was in force when the 14-day window began, so it is restorable; v1 is not.
    assert [v.version for v in history] == [2, 3]
    with pytest.raises(ValueError, match="last 14 days"):
        store.restore_routing(1, "too old", now=NOW)
    restored = store.restore_routing(2, "quality dropped", now=NOW)
    assert restored.version == 4 and restored.routing == {"contract": "mid"}
    assert store.current_routing().routing == {"contract": "mid"}

    with pytest.raises(StoreError, match="refused"):
        store.add_routing_version({"contract": "x"}, "bad decision id", decision_id="missing")

    store.update_decision_status(decision.decision_id, "rolled_back")
    (got,) = store.decisions(stage="contract")
    assert got.status == "rolled_back" and got.evidence == {"samples": [120, 60], "p": 0.01}
    assert got.timestamp == NOW
    assert store.decisions(kind="rollback") == []
    assert store.decisions_frame()["evidence"].iloc[0]["p"] == 0.01
    with pytest.raises(LookupError):
        store.update_decision_status("missing", "x")


def test_sql_summary_matches_the_pandas_summary(store):
    rows = []
    for i in range(60):
        rows.append(metric(f"c{i}", "contract", model="big" if i % 3 else "small",
                           hours_ago=(i * 3.1) % 200, latency_ms=100.0 + (i * 37) % 91,
                           quality_score=0.5 + (i % 7) / 14, success=i % 5 != 0,
                           cost_usd=0.001 * (1 + i % 4)))
        rows.append(metric(f"c{i}", "prd_analysis", model="big", hours_ago=(i * 1.7) % 30,
                           latency_ms=float(i)))
    rows.append(metric("future", hours_ago=-1))  # after `now`: in no window
    rows.append(metric("edge", hours_ago=24))  # exactly 24 h old: out of 24h, in 7d
    assert store.record_stage_calls(rows) == len(rows)
    assert store.record_stage_calls(rows) == 0
    sql = store.stage_summary(NOW)
    frame = store.stage_metrics_frame()
    pandas = model_performance_summary(frame, NOW)
    pd.testing.assert_frame_equal(sql, pandas, check_exact=False, rtol=1e-9)
    assert set(sql["window"]) == {"24h", "7d"}
    assert sql["samples"].sum() == pandas["samples"].sum()
    assert store.stage_summary(NOW - timedelta(days=365)).empty


def test_postgres_urls_use_psycopg2_and_bad_urls_are_clear_errors():
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg2"
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg2"
    with pytest.raises(StoreError, match="unsupported"):
        MetricsStore("mysql://u@h/db")
    with pytest.raises(StoreError, match="schema"):
        MetricsStore("sqlite:///x.db", schema="s")
    store = MetricsStore("postgresql://u@h/db?options=-csearch_path%3Dtenant_a")
    assert store.schema == "tenant_a"


def test_an_unreachable_database_is_a_store_error():
    store = MetricsStore("postgresql://postgres@127.0.0.1:1/none", retries=1)
    with pytest.raises(StoreError, match="unavailable"):
        store.upgrade()


def test_sqlite_in_an_unwritable_place_is_a_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError):
        MetricsStore(f"sqlite:///{blocker}/sub/metrics.db").upgrade()
