"""Output of node_user_onboarding_orchestrator."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelUserOnboardingOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actions: list[dict[str, Any]]
