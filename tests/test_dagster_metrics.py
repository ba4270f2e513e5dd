"""The metrics assets on a real temporary Dagster instance over a seeded SQLite metrics store:
daily parquet partitions (one run over a range, and the CLI backfill), the rolling per-model
summary and the per-day generation KPIs. One slow test runs a whole generation and these assets with
both the metrics store and the Dagster instance on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from dagster import AssetKey, AssetRecordsFilter, DagsterInstance, build_sensor_context, materialize

from nodegen.records import GenerationMetrics, GenerationRecord, GenerationStatus
from nodegen.settings import Settings
from nodegen.store import MetricsStore, normalize_url
from nodegen_assets.generation import generation_assets
from nodegen_assets.metrics import (
    daily_path,
    generation_kpis,
    model_performance_summary,
    stage_metrics_daily,
)
from nodegen_assets.partitions import requests_partitions
from resources import NodegenResource
from sensors.request_sensor import request_inbox_sensor

from .conftest import EXAMPLES, PROJECT_ROOT
from .store.conftest import PG_URL, require_postgres

RANGE_TAGS = {
    "dagster/asset_partition_range_start": "2026-02-10",
    "dagster/asset_partition_range_end": "2026-02-12",
}
ROWS_PER_DAY = {"2026-02-09": 3, "2026-02-10": 4, "2026-02-11": 7, "2026-02-12": 2, "2026-02-13": 5}


def call(cid: str, stage: str, model: str, ts: datetime, **kw: object) -> GenerationMetrics:
    values: dict[str, object] = {
        "correlation_id": cid, "stage": stage, "model_used": model, "provider": "test",
        "tokens_input": 100, "tokens_output": 50, "latency_ms": 200.0, "cost_usd": 0.01,
        "quality_score": 0.9, "success": True, "timestamp": ts,
    }
    values.update(kw)
    return GenerationMetrics.model_validate(values)


@pytest.fixture
def store(resource: NodegenResource) -> MetricsStore:
    return resource.metrics_store()


@pytest.fixture
def seeded_days(store: MetricsStore) -> dict[str, int]:
    """ROWS_PER_DAY stage calls per UTC day, two per request, the last one of a day at 23:59:59.9."""
    rows = []
    for day, n in ROWS_PER_DAY.items():
        start = datetime.fromisoformat(day).replace(tzinfo=UTC)
        for i in range(n):
            ts = start + timedelta(hours=2 * i) if i < n - 1 else start + timedelta(hours=23, minutes=59, seconds=59.9)
            rows.append(call(f"{day}-g{i // 2}", ("contract", "prd_analysis")[i % 2],
                             ("big", "small")[i % 2], ts, success=i != 1, cost_usd=0.01 * (i + 1)))
    assert store.record_stage_calls(rows) == sum(ROWS_PER_DAY.values())
    return ROWS_PER_DAY


def _records(instance: DagsterInstance, asset: str, partition: str | None = None):
    return instance.fetch_materializations(
        AssetRecordsFilter(asset_key=AssetKey(asset),
                           asset_partitions=[partition] if partition else None), limit=10
    ).records


def test_backfill_of_three_days_writes_one_parquet_per_day(
    instance: DagsterInstance, resource: NodegenResource, nodegen_env: Settings, seeded_days
) -> None:
    result = materialize([stage_metrics_daily], instance=instance, resources={"nodegen": resource},
                         tags=RANGE_TAGS)

    assert result.success
    written = sorted(p.name for p in (nodegen_env.home / "metrics" / "stage_metrics").iterdir())
    assert written == ["2026-02-10.parquet", "2026-02-11.parquet", "2026-02-12.parquet"]
    for day in ("2026-02-10", "2026-02-11", "2026-02-12"):
        frame = pd.read_parquet(daily_path(nodegen_env.home, day))
        assert len(frame) == seeded_days[day], day
        assert (frame["timestamp"].dt.strftime("%Y-%m-%d") == day).all()
        assert {"correlation_id", "stage", "model_used", "cost_usd", "patterns_used"} <= set(frame.columns)
        [record] = _records(instance, "stage_metrics_daily", day)
        metadata = record.asset_materialization.metadata
        assert metadata["rows"].value == 4 + 7 + 2  # one run: the range's totals
        assert day in metadata["days"].value
    days_md = metadata["days"].value
    assert "| 2026-02-11 | 7 | 4 |" in days_md  # rows, generations
    assert "| big |" in metadata["stage_models"].value and "| small |" in metadata["stage_models"].value

    # One partition on its own: that day's numbers and its path.
    single = materialize([stage_metrics_daily], partition_key="2026-02-11", instance=instance,
                         resources={"nodegen": resource})
    assert single.success
    metadata = _records(instance, "stage_metrics_daily", "2026-02-11")[0].asset_materialization.metadata
    assert metadata["rows"].value == 7
    assert metadata["generations"].value == 4
    assert metadata["success_rate"].value == pytest.approx(6 / 7, abs=1e-4)
    assert metadata["cost_usd"].value == pytest.approx(sum(0.01 * (i + 1) for i in range(7)))
    assert metadata["path"].value == str(daily_path(nodegen_env.home, "2026-02-11"))


def test_a_day_without_calls_writes_an_empty_file(
    instance: DagsterInstance, resource: NodegenResource, nodegen_env: Settings, seeded_days
) -> None:
    result = materialize([stage_metrics_daily], partition_key="2026-01-20", instance=instance,
                         resources={"nodegen": resource})
    assert result.success
    assert pd.read_parquet(daily_path(nodegen_env.home, "2026-01-20")).empty
    metadata = _records(instance, "stage_metrics_daily", "2026-01-20")[0].asset_materialization.metadata
    assert metadata["rows"].value == 0
    assert metadata["stage_models"].value == "_no rows_"


@pytest.mark.slow
def test_cli_partition_range_backfill(nodegen_env: Settings, tmp_path: Path, seeded_days) -> None:
    """`dagster asset materialize --partition-range` against the real code location."""
    dagster_home = tmp_path / "cli_dagster_home"
    dagster_home.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "asset", "materialize",
         "-m", "nodegen_assets.definitions", "--select", "stage_metrics_daily",
         "--partition-range", "2026-02-11...2026-02-13"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for day in ("2026-02-11", "2026-02-12", "2026-02-13"):
        assert len(pd.read_parquet(daily_path(nodegen_env.home, day))) == seeded_days[day]
    assert not daily_path(nodegen_env.home, "2026-02-10").exists()


def test_model_performance_summary_over_rolling_windows(
    instance: DagsterInstance, resource: NodegenResource, store: MetricsStore
) -> None:
    now = datetime.now(UTC)
    rows = [call(f"r{i}", "contract", "big", now - timedelta(hours=1, minutes=i),
                 latency_ms=100.0 * (i + 1), quality_score=0.8 + 0.01 * i, cost_usd=0.02,
                 success=i != 0) for i in range(10)]
    rows += [call(f"o{i}", "contract", "big", now - timedelta(days=3, minutes=i), cost_usd=0.02)
             for i in range(5)]
    rows += [call(f"s{i}", "contract", "small", now - timedelta(days=2, minutes=i), cost_usd=0.001)
             for i in range(4)]
    rows += [call("old", "contract", "big", now - timedelta(days=8))]  # outside both windows
    store.record_stage_calls(rows)

    result = materialize([model_performance_summary], instance=instance, resources={"nodegen": resource})

    summary = result.asset_value(AssetKey("model_performance_summary"))
    by = summary.set_index(["window", "stage", "model_used"])
    day = by.loc[("24h", "contract", "big")]
    assert day["samples"] == 10
    assert day["success_rate"] == pytest.approx(0.9)
    assert day["mean_quality"] == pytest.approx(0.845)
    assert day["p50_latency_ms"] == pytest.approx(550.0)
    assert day["p95_latency_ms"] == pytest.approx(955.0)
    assert day["total_cost_usd"] == pytest.approx(0.2)
    assert ("24h", "contract", "small") not in by.index
    assert by.loc[("7d", "contract", "big"), "samples"] == 15
    assert by.loc[("7d", "contract", "small"), "mean_cost_usd"] == pytest.approx(0.001)
    metadata = _records(instance, "model_performance_summary")[0].asset_materialization.metadata
    assert metadata["samples_24h"].value == 10
    assert metadata["samples_7d"].value == 19
    table = metadata["summary"].value
    assert table.startswith("| window | stage | model_used | samples |")
    assert "| 7d | contract | small | 4 |" in table


def test_generation_kpis_per_day(
    instance: DagsterInstance, resource: NodegenResource, store: MetricsStore
) -> None:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    days = [today - timedelta(days=2), today - timedelta(days=1)]
    outcomes = [[(True, 0.04, 1000.0), (False, 0.02, 3000.0)],
                [(True, 0.01, 500.0), (True, 0.03, 700.0), (False, 0.02, 900.0)]]
    for d, (day, gens) in enumerate(zip(days, outcomes, strict=True)):
        for i, (ok, cost, latency) in enumerate(gens):
            cid = f"d{d}g{i}"
            created = day + timedelta(hours=1 + i)
            store.start_generation(GenerationRecord(
                correlation_id=cid, request_id=cid, node_name=f"n{i}", node_kind="compute",
                domain="test", status=GenerationStatus.RUNNING, created_at=created))
            store.finish_generation(cid, GenerationStatus.SUCCEEDED if ok else GenerationStatus.FAILED,
                                    0.9, ok, cost, latency, finished_at=created + timedelta(minutes=1))
            store.record_stage_calls([
                call(cid, "intelligence", "retrieval", created, patterns_used=["p1"] if i == 0 else []),
                call(cid, "contract", "big", created + timedelta(seconds=5)),
            ])

    result = materialize([generation_kpis], instance=instance, resources={"nodegen": resource})

    kpis = result.asset_value(AssetKey("generation_kpis"))
    assert list(kpis["generations"]) == [2, 3]
    assert list(kpis["success_rate"]) == pytest.approx([0.5, 2 / 3])
    assert list(kpis["cost_per_generation_usd"]) == pytest.approx([0.03, 0.02])
    assert list(kpis["latency_per_generation_ms"]) == pytest.approx([2000.0, 700.0])
    assert list(kpis["pattern_reuse_rate"]) == pytest.approx([1 / 4, 1 / 6])
    metadata = _records(instance, "generation_kpis")[0].asset_materialization.metadata
    assert metadata["latest_day"].value == str(days[1].date())
    assert metadata["generations"].value == 3
    assert metadata["success_rate"].value == pytest.approx(2 / 3, abs=1e-5)
    assert metadata["cost_per_generation_usd"].value == pytest.approx(0.02)
    assert metadata["pattern_reuse_rate"].value == pytest.approx(1 / 6, abs=1e-5)
    assert metadata["kpis"].value.count("\n") == 3  # header, rule, two days


@pytest.mark.postgres
@pytest.mark.slow
def test_generation_and_metrics_with_store_and_instance_on_postgres(
    nodegen_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Metrics store in a fresh schema (NODEGEN_DATABASE_URL) and the Dagster instance in a fresh
    database, from config/dagster.postgres.yaml as shipped."""
    require_postgres()
    server = normalize_url(PG_URL)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    database, schema = f"nodegen_dagster_{uuid.uuid4().hex[:10]}", f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
    monkeypatch.setenv("NODEGEN_DATABASE_URL", server.update_query_dict(
        {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False))
    for name, value in (("HOST", server.host or "127.0.0.1"), ("PORT", str(server.port or 5432)),
                        ("USER", server.username or "postgres"), ("PASSWORD", server.password or ""),
                        ("DB", database)):
        monkeypatch.setenv(f"DAGSTER_PG_{name}", value)
    dagster_home = tmp_path / "dagster_pg_home"
    dagster_home.mkdir()
    shutil.copy(PROJECT_ROOT / "config" / "dagster.postgres.yaml", dagster_home / "dagster.yaml")
    resource = NodegenResource()  # everything from the NODEGEN_* environment
    try:
        with DagsterInstance.from_config(str(dagster_home)) as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
            shutil.copy(EXAMPLES / "exchange_rates.json", nodegen_env.inbox / "exchange_rates.json")
            past = time.time() - 5
            os.utime(nodegen_env.inbox / "exchange_rates.json", (past, past))
            tick = request_inbox_sensor(build_sensor_context(instance=instance, resources={"nodegen": resource}))
            (key,) = tick.dynamic_partitions_requests[0].partition_keys
            instance.add_dynamic_partitions(requests_partitions.name, [key])

            generated = materialize(generation_assets, partition_key=key, instance=instance,
                                    resources={"nodegen": resource})

            assert generated.success
            store = resource.metrics_store()
            assert (store.dialect, store.schema) == ("postgresql", schema)
            assert list(store.generations_frame()["status"]) == ["succeeded"]
            calls = store.stage_metrics_frame()
            assert set(calls["stage"]) == {a.key.to_user_string() for a in generation_assets}
            day = calls["timestamp"].min().strftime("%Y-%m-%d")
            on_day = int((calls["timestamp"].dt.strftime("%Y-%m-%d") == day).sum())

            assert materialize([stage_metrics_daily], partition_key=day, instance=instance,
                               resources={"nodegen": resource}).success
            summary = materialize([model_performance_summary, generation_kpis], instance=instance,
                                  resources={"nodegen": resource})

            assert len(pd.read_parquet(daily_path(nodegen_env.home, day))) == on_day
            assert _records(instance, "stage_metrics_daily", day)[0].asset_materialization.metadata[
                "generations"].value == 1
            by_window = summary.asset_value(AssetKey("model_performance_summary")).groupby("window")
            assert by_window["samples"].sum().to_dict() == {"24h": len(calls), "7d": len(calls)}
            assert list(summary.asset_value(AssetKey("generation_kpis"))["success_rate"]) == [1.0]
            assert instance.get_runs_count() == 3
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()
