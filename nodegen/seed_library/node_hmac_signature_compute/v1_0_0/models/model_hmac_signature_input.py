"""Input of node_hmac_signature_compute."""

from pydantic import BaseModel, ConfigDict, Field


class ModelHmacSignatureInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payload: str
    secret: str = Field(min_length=8)
    signature: str | None = Field(default=None, description="hex digest to verify")
