"""Input of node_user_onboarding_orchestrator."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ModelUserOnboardingInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    plan: Literal["free", "pro", "team"] = "free"
    locale: str = "en"
