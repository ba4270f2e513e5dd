"""Tests of node_user_onboarding_orchestrator."""

import asyncio

from ..models.model_user_onboarding_input import ModelUserOnboardingInput
from ..node import NodeUserOnboardingOrchestrator, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def names(out):
    return [a["action"] for a in out.actions]


def test_team_plan():
    data = ModelUserOnboardingInput(user_id="u1", email="a@b.co", plan="team")
    out = run(NodeUserOnboardingOrchestrator(), data)
    assert names(out) == [
        "create_account",
        "send_email",
        "provision_workspace",
        "start_billing",
        "schedule_reminder",
    ]


def test_free_plan():
    out = run(
        NodeUserOnboardingOrchestrator(), ModelUserOnboardingInput(user_id="u", email="a@b.co")
    )
    assert names(out) == ["create_account", "send_email", "schedule_reminder"]
    assert OnexError("C", "m").code == "C"
