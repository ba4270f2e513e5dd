"""Output of node_hmac_signature_compute."""

from pydantic import BaseModel, ConfigDict


class ModelHmacSignatureOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signature: str
    valid: bool | None = None
