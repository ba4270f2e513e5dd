"""The degradation sensor: after each new `model_performance_summary` materialization, compare
every stage's last 24 h with the 7 days before and alert on new drops.

An alert fires once per (stage, migration) or, unexplained, per (stage, day): the `AlertState`
of what was already sent lives in the cursor beside the last materialization seen. Each new
alert is appended to the metrics store's event log as QUALITY_DEGRADED (idempotently, keyed by
the alert) and sent through `AlertSinkResource`. A failed delivery leaves the alert pending and
the materialization unconsumed, so the next tick tries again.
"""

import uuid
from datetime import UTC, datetime
from typing import Self

from dagster import (
    DefaultSensorStatus,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)
from pydantic import BaseModel, Field

from nodegen.records import EventEnvelope, EventType
from nodegen.reports import AlertState, QualityAlert, detect_degradation, send_all
from nodegen.reports.degradation import BASELINE, RECENT
from nodegen_assets.reports import DROP_THRESHOLD, MIN_SAMPLES, PERFORMANCE_SUMMARY
from resources import AlertSinkResource, NodegenResource


class DegradationCursor(BaseModel):
    """What the sensor has consumed: the last summary materialization and the alerts sent."""

    materialization_id: int = Field(default=-1, description="event-log storage id")
    alerts: AlertState = Field(default_factory=AlertState)

    @classmethod
    def load(cls, cursor: str | None) -> Self:
        return cls.model_validate_json(cursor) if cursor else cls()

    def dump(self) -> str:
        return self.model_dump_json()


def degradation_event(alert: QualityAlert, now: datetime) -> EventEnvelope:
    """The QUALITY_DEGRADED event of an alert; its id derives from the alert's key, so writing it
    again (after a failed delivery) adds nothing."""
    return EventEnvelope(
        envelope_id=uuid.uuid5(uuid.NAMESPACE_URL, f"nodegen:quality-degraded:{alert.key}").hex,
        event_type=EventType.QUALITY_DEGRADED,
        correlation_id=alert.key[:128],
        timestamp=now,
        payload_type="QualityAlert",
        payload=alert.model_dump(mode="json"),
        source="sensors.quality_degradation_sensor",
    )


@sensor(
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Alerts once per stage whose last-24 h quality fell below its 7-day baseline.",
)
def quality_degradation_sensor(
    context: SensorEvaluationContext, nodegen: NodegenResource, alert_sink: AlertSinkResource
) -> SensorResult:
    cursor = DegradationCursor.load(context.cursor)
    records = context.instance.fetch_materializations(PERFORMANCE_SUMMARY, limit=1).records
    latest = records[0] if records else None
    if latest is None or latest.storage_id <= cursor.materialization_id:
        return SensorResult(
            skip_reason=SkipReason(f"no new {PERFORMANCE_SUMMARY.to_user_string()} materialization"),
            cursor=cursor.dump(),
        )

    now = datetime.now(UTC)
    store = nodegen.metrics_store()
    since = now - RECENT - BASELINE
    alerts = detect_degradation(
        store.stage_metrics_frame(since=since, parse_patterns=False),
        store.decisions_frame(since=since),
        now,
        min_samples=MIN_SAMPLES,
        threshold=DROP_THRESHOLD,
    )
    pending = cursor.alerts.pending(alerts, now)
    for alert in pending:
        store.append_event(degradation_event(alert, now))
    failures = send_all(alert_sink.sink(), pending)
    failed_keys = {alert.key for alert, _ in failures}
    for alert in pending:
        if alert.key not in failed_keys:
            cursor.alerts.mark_sent(alert, now)
    for alert, error in failures:
        context.log.error(f"alert for stage {alert.stage} not delivered, retrying next tick: {error}")
    if not failures:
        cursor.materialization_id = latest.storage_id

    sent = [alert for alert in pending if alert.key not in failed_keys]
    if sent:
        context.log.warning(
            f"sent {len(sent)} quality alert(s) to {alert_sink.describe()}: "
            + "; ".join(alert.message() for alert in sent)
        )
    if failures:
        reason = f"{len(failures)} alert(s) not delivered: " + "; ".join(e for _, e in failures)
    elif sent:
        return SensorResult(cursor=cursor.dump())
    elif alerts:
        reason = f"{len(alerts)} degraded stage(s), all already alerted"
    else:
        reason = "no stage degraded"
    return SensorResult(skip_reason=SkipReason(reason), cursor=cursor.dump())
