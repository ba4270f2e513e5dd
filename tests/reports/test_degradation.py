"""Degradation alerts on the constructed history: right stages, right advice, fired once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pandas as pd
import pytest

from nodegen.reports import (
    AlertState,
    LogAlertSink,
    QualityAlert,
    detect_degradation,
    new_alerts,
)

from .conftest import CONTRACT_MIGRATION, NOW, History


def test_alerts_name_the_degraded_stages(history: History) -> None:
    alerts = detect_degradation(history.stages, history.decisions, NOW)
    assert [a.stage for a in alerts] == ["contract", "business_logic"]
    contract, business = alerts

    # recent window (2025-03-09 12:00, 2025-03-10 12:00]: 15 + 15 calls; baseline 7 x 30
    assert contract.samples == 30 and contract.baseline_samples == 210
    assert contract.recent_mean == pytest.approx(0.75)
    assert contract.baseline_mean == pytest.approx(0.9)
    assert contract.drop == pytest.approx(0.15)
    assert contract.current_model == "small"
    assert contract.recent_migration is not None
    assert contract.recent_migration.decision_id == "d-contract"
    assert contract.recent_migration.timestamp == CONTRACT_MIGRATION
    assert contract.recommended_action == "roll back stage contract from small to big"

    assert business.drop == pytest.approx(0.1)
    assert business.recent_migration is None
    assert business.recommended_action == "investigate model gpt on stage business_logic"
    assert "business_logic" in business.message()


def test_migration_without_drop_does_not_alert(history: History) -> None:
    # prd_analysis migrated on 2025-03-06 at unchanged quality
    alerts = detect_degradation(history.stages, history.decisions, NOW)
    assert "prd_analysis" not in {a.stage for a in alerts}


def test_thresholds_and_min_samples(history: History) -> None:
    assert detect_degradation(history.stages, history.decisions, NOW, min_samples=31) == []
    only_big = detect_degradation(history.stages, history.decisions, NOW, threshold=0.12)
    assert [a.stage for a in only_big] == ["contract"]
    # before anything degraded there is nothing to report
    assert detect_degradation(history.stages, history.decisions, NOW - timedelta(days=2)) == []


def test_rollback_after_migration_removes_the_explanation(history: History) -> None:
    rollback = pd.DataFrame(
        [
            {
                "decision_id": "d-rb",
                "stage": "contract",
                "previous_model": "small",
                "new_model": "big",
                "kind": "rollback",
                "reason": "manual",
                "timestamp": CONTRACT_MIGRATION + timedelta(hours=1),
            }
        ]
    )
    decisions = pd.concat([history.decisions, rollback], ignore_index=True)
    contract = detect_degradation(history.stages, decisions, NOW)[0]
    assert contract.recent_migration is None
    assert contract.recommended_action == "investigate model small on stage contract"


def test_alert_fires_once_per_key(history: History) -> None:
    state = AlertState()
    first = state.select_new(detect_degradation(history.stages, history.decisions, NOW), NOW)
    assert [a.stage for a in first] == ["contract", "business_logic"]

    later = NOW + timedelta(hours=1)
    again = detect_degradation(history.stages, history.decisions, later)
    assert [a.stage for a in again] == ["contract", "business_logic"]  # still degraded...
    assert state.select_new(again, later) == []  # ...but not re-sent

    # the state survives a sensor cursor round trip
    restored = AlertState.from_cursor(state.to_cursor())
    assert restored.select_new(again, later) == []

    # next window-start day: the unexplained drop is alerted again, the migration one is not
    next_day = NOW + timedelta(hours=13)
    third = detect_degradation(history.stages, history.decisions, next_day)
    assert {a.stage for a in third} == {"contract", "business_logic"}
    assert [a.stage for a in restored.select_new(third, next_day)] == ["business_logic"]


def test_pending_then_mark_sent_keeps_failed_alerts_pending(history: History) -> None:
    alerts = detect_degradation(history.stages, history.decisions, NOW)
    state = AlertState()
    pending = state.pending(alerts, NOW)
    state.mark_sent(pending[0], NOW)  # pretend the second delivery failed
    assert [a.stage for a in state.pending(alerts, NOW)] == ["business_logic"]


def test_old_keys_are_forgotten(history: History) -> None:
    alerts = detect_degradation(history.stages, history.decisions, NOW)
    state = AlertState()
    state.select_new(alerts, NOW)
    assert len(state.sent) == 2
    assert len(state.select_new([], NOW + timedelta(days=15))) == 0
    assert state.sent == {}


def test_new_alerts_is_pure(history: History) -> None:
    alerts = detect_degradation(history.stages, history.decisions, NOW)
    assert new_alerts(alerts, []) == alerts
    assert new_alerts(alerts, [alerts[0].key]) == [alerts[1]]
    assert new_alerts(alerts + alerts, []) == alerts


def test_naive_now_is_rejected(history: History) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        detect_degradation(history.stages, history.decisions, datetime(2025, 3, 10, 12))


def test_log_sink_writes_one_warning(history: History, caplog: pytest.LogCaptureFixture) -> None:
    alert: QualityAlert = detect_degradation(history.stages, history.decisions, NOW)[0]
    logger = logging.getLogger("test.nodegen.alerts")
    with caplog.at_level(logging.WARNING, logger="test.nodegen.alerts"):
        LogAlertSink(logger).send(alert)
    assert len(caplog.records) == 1
    record = caplog.records[0]
    assert "QUALITY_DEGRADED" in record.getMessage()
    assert "roll back stage contract from small to big" in record.getMessage()
    assert record.nodegen_alert["stage"] == "contract"
