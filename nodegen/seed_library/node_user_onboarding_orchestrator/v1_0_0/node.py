"""Orchestrator: onboarding actions chosen from the user's plan."""

from __future__ import annotations

from typing import Any

from .models.model_user_onboarding_input import ModelUserOnboardingInput
from .models.model_user_onboarding_output import ModelUserOnboardingOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeUserOnboardingOrchestrator:
    """Orchestrator: onboarding actions chosen from the user's plan."""

    async def process(self, input_data: ModelUserOnboardingInput) -> ModelUserOnboardingOutput:
        uid = input_data.user_id
        actions: list[dict[str, Any]] = [
            {"action": "create_account", "user_id": uid, "plan": input_data.plan},
            {
                "action": "send_email",
                "template": f"welcome_{input_data.locale}",
                "to": input_data.email,
            },
        ]
        if input_data.plan == "team":
            actions.append({"action": "provision_workspace", "user_id": uid, "seats": 5})
        if input_data.plan != "free":
            actions.append({"action": "start_billing", "user_id": uid})
        actions.append({"action": "schedule_reminder", "user_id": uid, "delay_hours": 72})
        return ModelUserOnboardingOutput(actions=actions)
