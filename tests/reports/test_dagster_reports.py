"""The reports group on a real Dagster instance and a real SQLite metrics store: the quality
report asset, the per-stage degradation checks, the degradation sensor, the alert sink resource
and the report schedule. Only the webhook's remote end is faked (respx)."""

from __future__ import annotations

import base64
import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
from dagster import (
    AssetKey,
    DagsterInstance,
    EnvVar,
    RunRequest,
    SensorResult,
    build_schedule_context,
    build_sensor_context,
    materialize,
)

from nodegen.reports import LogAlertSink, WebhookAlertSink
from nodegen.reports.charts import PNG_SIGNATURE
from nodegen.settings import Settings
from nodegen.store import MetricsStore
from nodegen_assets.metrics import model_performance_summary
from nodegen_assets.partitions import daily_partitions
from nodegen_assets.reports import quality_degradation_checks, quality_report, report_path
from resources import AlertSinkResource, NodegenResource
from schedules.report_schedules import quality_report_schedule
from sensors.degradation_sensor import DegradationCursor, quality_degradation_sensor

from . import dagster_store as ds

HOOK = "https://hooks.example.test/services/T000/B000/secret"
DATA_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


@pytest.fixture
def constructed(nodegen_env: Settings) -> ds.ConstructedStore:
    return ds.build_store(nodegen_env.home)


@pytest.fixture
def nodegen(nodegen_env: Settings) -> NodegenResource:
    return NodegenResource(home=str(nodegen_env.home))


def _report_metadata(instance: DagsterInstance, day: str) -> dict[str, object]:
    event = instance.get_latest_materialization_event(AssetKey("quality_report"))
    assert event is not None and event.asset_materialization is not None
    assert event.asset_materialization.partition == day
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


# ------------------------------------------------------------------------------ quality report


def test_quality_report_numbers_charts_and_html(
    constructed: ds.ConstructedStore, instance, nodegen, nodegen_env: Settings
) -> None:
    day = constructed.now.date().isoformat()
    result = materialize(
        [quality_report], partition_key=day, instance=instance, resources={"nodegen": nodegen}
    )
    assert result.success
    meta = _report_metadata(instance, day)

    assert meta["total_generations"] == ds.GENERATIONS
    assert meta["success_rate"] == pytest.approx(ds.SUCCESS_RATE)
    assert meta["cost_per_generation"] == pytest.approx(ds.COST_PER_GENERATION)
    assert meta["pattern_reuse_rate"] == pytest.approx(ds.PATTERN_REUSE_RATE)
    assert (meta["migrations"], meta["rollbacks"]) == (1, 1)

    markdown = meta["report"]
    assert "| contract | big | small |" in markdown.replace("  ", " ")  # the known migration
    charts = DATA_PNG.findall(markdown)
    assert len(charts) == meta["charts"] >= 5
    for chart in charts:
        png = base64.b64decode(chart, validate=True)
        assert png.startswith(PNG_SIGNATURE)
        assert len(png) < 60_000  # small enough for event-log metadata

    path = Path(meta["html_report"])
    assert path == report_path(nodegen_env.home, constructed.now.date())
    assert path.is_file()
    html = path.read_text(encoding="utf-8")
    srcs = re.findall(r'src="([^"]*)"', html)
    assert len(srcs) == meta["charts"]
    assert all(src.startswith("data:image/png;base64,") for src in srcs)
    assert not re.search(r"<link|<script|url\(|https?://", html), "HTML must be self-contained"
    assert f"<td class=\"n\">{ds.GENERATIONS}</td>" in html


def test_quality_report_backfills_a_past_day(
    constructed: ds.ConstructedStore, instance, nodegen
) -> None:
    """A past partition covers only the days up to it: yesterday's report leaves out today."""
    yesterday = constructed.now.date() - timedelta(days=1)
    cut = datetime.combine(constructed.now.date(), datetime.min.time(), tzinfo=UTC)
    before = [g for g in constructed.generations if g.created_at < cut]
    materialize(
        [quality_report],
        partition_key=yesterday.isoformat(),
        instance=instance,
        resources={"nodegen": nodegen},
    )
    meta = _report_metadata(instance, yesterday.isoformat())
    assert meta["total_generations"] == len(before)
    assert meta["success_rate"] == pytest.approx(sum(g.success for g in before) / len(before))
    assert meta["cost_per_generation"] == pytest.approx(
        sum(g.total_cost_usd for g in before) / len(before)
    )
    assert Path(meta["html_report"]).name == f"quality_{yesterday.isoformat()}.html"

    # a day before any data still materializes, as an empty report
    empty_day = (constructed.now - timedelta(days=60)).date().isoformat()
    materialize(
        [quality_report], partition_key=empty_day, instance=instance, resources={"nodegen": nodegen}
    )
    meta = _report_metadata(instance, empty_day)
    assert meta["total_generations"] == 0
    assert meta["success_rate"] is None
    assert "No generations in this window yet" in meta["report"]


# ------------------------------------------------------------------------------ degradation checks


def test_degradation_checks_fail_only_on_the_degraded_stage(
    constructed: ds.ConstructedStore, instance, nodegen
) -> None:
    result = materialize(
        [model_performance_summary, quality_degradation_checks],
        instance=instance,
        resources={"nodegen": nodegen},
    )
    assert result.success  # WARN checks do not fail the run
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert len(evaluations) == 8
    assert {e.asset_key for e in evaluations.values()} == {AssetKey("model_performance_summary")}
    failed = sorted(name for name, e in evaluations.items() if not e.passed)
    assert failed == ["quality_holds_contract"]

    contract = evaluations["quality_holds_contract"]
    assert contract.severity.value == "WARN"
    meta = {k: v.value for k, v in contract.metadata.items()}
    assert meta["stage"] == "contract"
    assert meta["recent_mean_quality"] == pytest.approx(0.75)
    assert meta["baseline_mean_quality"] == pytest.approx(0.9)
    assert meta["drop"] == pytest.approx(0.15)
    assert (meta["recent_samples"], meta["baseline_samples"]) == (24, 168)
    assert meta["recent_migration"].startswith("d-contract: big -> small")
    assert meta["recommended_action"] == "roll back stage contract from small to big"

    business = {k: v.value for k, v in evaluations["quality_holds_business_logic"].metadata.items()}
    assert business["drop"] == pytest.approx(0.03)  # under the threshold: passes
    refined = evaluations["quality_holds_refined_code"]
    assert refined.passed
    assert refined.metadata["recent_samples"].value == ds.RECENT_REFINEMENTS
    assert "too few calls" in refined.description


# ------------------------------------------------------------------------------ sensor and sink


def _tick(instance, cursor: str | None, nodegen, sink: AlertSinkResource) -> SensorResult:
    context = build_sensor_context(
        instance=instance, cursor=cursor, resources={"nodegen": nodegen, "alert_sink": sink}
    )
    result = quality_degradation_sensor(context)
    assert isinstance(result, SensorResult)
    assert result.cursor is not None
    assert not result.run_requests
    return result


def _summarize(instance, nodegen) -> None:
    materialize([model_performance_summary], instance=instance, resources={"nodegen": nodegen})


def _degraded_events(url: str) -> list[dict]:
    store = MetricsStore(url)
    try:
        return list(store.events_frame(event_type="QUALITY_DEGRADED")["payload"])
    finally:
        store.dispose()


def test_sensor_alerts_once_across_ticks(
    constructed: ds.ConstructedStore, instance, nodegen, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The webhook URL comes from the environment; the hook answers 500 and 503 before taking
    the alert. A second summary with the drop still there sends nothing with the first cursor."""
    monkeypatch.setenv("NODEGEN_ALERT_WEBHOOK_URL", HOOK)
    sink = AlertSinkResource(webhook_url=EnvVar("NODEGEN_ALERT_WEBHOOK_URL"), backoff_s=0.01)
    with respx.mock(assert_all_called=False) as mock:
        hook = mock.post(HOOK).mock(
            side_effect=[httpx.Response(500), httpx.Response(503), httpx.Response(200)]
        )
        idle = _tick(instance, None, nodegen, sink)
        assert "no new model_performance_summary" in idle.skip_reason.skip_message
        assert hook.call_count == 0

        _summarize(instance, nodegen)
        first = _tick(instance, idle.cursor, nodegen, sink)
        assert first.skip_reason is None
        assert hook.call_count == 3  # one alert, retried on 5xx until delivered

        _summarize(instance, nodegen)
        second = _tick(instance, first.cursor, nodegen, sink)
        assert hook.call_count == 3
        assert "1 degraded stage(s), all already alerted" in second.skip_reason.skip_message

    payload = json.loads(hook.calls.last.request.read())
    assert payload["event_type"] == "QUALITY_DEGRADED"
    assert payload["key"] == "contract|migration:d-contract"
    assert payload["alert"]["stage"] == "contract"
    assert payload["alert"]["recent_migration"]["decision_id"] == "d-contract"
    assert payload["alert"]["recommended_action"] == "roll back stage contract from small to big"

    cursors = [DegradationCursor.load(r.cursor) for r in (first, second)]
    assert cursors[1].materialization_id > cursors[0].materialization_id
    assert list(cursors[1].alerts.sent) == ["contract|migration:d-contract"]
    assert [e["stage"] for e in _degraded_events(constructed.url)] == ["contract"]


def test_undelivered_alert_is_retried_next_tick(
    constructed: ds.ConstructedStore, instance, nodegen
) -> None:
    _summarize(instance, nodegen)
    sink = AlertSinkResource(webhook_url=HOOK, retries=1, backoff_s=0.01)
    with respx.mock() as mock:
        down = mock.post(HOOK).mock(return_value=httpx.Response(500, text="upstream down"))
        failed = _tick(instance, None, nodegen, sink)
    assert down.call_count == 2  # first try + 1 retry
    assert "not delivered" in failed.skip_reason.skip_message
    assert "HTTP 500" in failed.skip_reason.skip_message
    assert DegradationCursor.load(failed.cursor).alerts.sent == {}

    with respx.mock() as mock:
        up = mock.post(HOOK).mock(return_value=httpx.Response(204))
        delivered = _tick(instance, failed.cursor, nodegen, sink)
    assert up.call_count == 1
    assert delivered.skip_reason is None
    # the event was written once, not once per try
    assert len(_degraded_events(constructed.url)) == 1


def test_log_sink_by_default(
    constructed: ds.ConstructedStore, instance, nodegen, caplog: pytest.LogCaptureFixture
) -> None:
    sink = AlertSinkResource()
    assert isinstance(sink.sink(), LogAlertSink)
    assert sink.describe() == "log (nodegen.alerts)"
    _summarize(instance, nodegen)
    with caplog.at_level(logging.WARNING, logger="nodegen.alerts"):
        _tick(instance, None, nodegen, sink)
    lines = [r.getMessage() for r in caplog.records if r.name == "nodegen.alerts"]
    assert len(lines) == 1
    assert lines[0].startswith("QUALITY_DEGRADED quality of stage contract dropped by 0.150")


def test_webhook_resource_builds_the_domain_sink() -> None:
    resource = AlertSinkResource(webhook_url=HOOK, timeout_s=2.0, retries=1)
    sink = resource.sink()
    assert isinstance(sink, WebhookAlertSink)
    assert (sink.url, sink.timeout_s, sink.retries) == (HOOK, 2.0, 1)
    assert resource.describe() == "webhook on hooks.example.test"  # no token in logs


# ------------------------------------------------------------------------------ schedule


def test_schedule_reports_on_the_finished_day() -> None:
    context = build_schedule_context(
        scheduled_execution_time=datetime(2026, 3, 5, 0, 40, tzinfo=UTC)
    )
    request = quality_report_schedule(context)
    assert isinstance(request, RunRequest)
    assert request.partition_key == "2026-03-04"
    assert request.partition_key in daily_partitions.get_partition_keys(
        current_time=datetime(2026, 3, 5, 0, 40, tzinfo=UTC)
    )
