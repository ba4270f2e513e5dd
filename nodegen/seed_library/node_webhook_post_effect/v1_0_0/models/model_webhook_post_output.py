"""Output of node_webhook_post_effect."""

from pydantic import BaseModel, ConfigDict


class ModelWebhookPostOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delivered: bool
    status_code: int
    idempotency_key: str
