"""Input of node_password_strength_compute."""

from pydantic import BaseModel, ConfigDict, Field


class ModelPasswordStrengthInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024)
