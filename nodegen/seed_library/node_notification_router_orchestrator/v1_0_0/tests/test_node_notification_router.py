"""Tests of node_notification_router_orchestrator."""

import asyncio

import pytest

from ..models.model_notification_router_input import ModelNotificationRouterInput
from ..node import NodeNotificationRouterOrchestrator, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


PEOPLE = [
    {"id": "ann", "channels": ["slack"], "quiet_hours": [22, 7]},
    {"id": "bob", "channels": ["email", "sms"], "min_severity": "critical"},
]


def test_quiet_hours_and_min_severity():
    data = ModelNotificationRouterInput(
        message="disk", severity="warning", hour_utc=23, recipients=PEOPLE
    )
    out = run(NodeNotificationRouterOrchestrator(), data)
    assert out.actions == [] and out.skipped == ["ann", "bob"]


def test_critical_pages_everyone():
    data = ModelNotificationRouterInput(
        message="down", severity="critical", hour_utc=23, recipients=PEOPLE
    )
    out = run(NodeNotificationRouterOrchestrator(), data)
    sent = [(a["to"], a["action"]) for a in out.actions]
    assert sent == [
        ("ann", "send_slack"),
        ("ann", "send_pager"),
        ("bob", "send_email"),
        ("bob", "send_sms"),
        ("bob", "send_pager"),
    ]


def test_bad_recipient():
    with pytest.raises(OnexError):
        run(
            NodeNotificationRouterOrchestrator(),
            ModelNotificationRouterInput(message="m", severity="info", hour_utc=1, recipients=[{}]),
        )
