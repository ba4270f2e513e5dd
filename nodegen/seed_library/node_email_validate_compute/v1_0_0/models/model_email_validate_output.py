"""Output of node_email_validate_compute."""

from pydantic import BaseModel, ConfigDict


class ModelEmailValidateOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    valid: list[str]
    invalid: dict[str, str]
