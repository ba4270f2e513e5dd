"""Input of node_email_validate_compute."""

from pydantic import BaseModel, ConfigDict, Field


class ModelEmailValidateInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    emails: list[str] = Field(max_length=10_000)
