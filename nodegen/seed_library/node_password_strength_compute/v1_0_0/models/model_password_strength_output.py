"""Output of node_password_strength_compute."""

from pydantic import BaseModel, ConfigDict, Field


class ModelPasswordStrengthOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=0, le=4)
    reasons: list[str]
