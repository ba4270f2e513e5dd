"""Input of node_webhook_post_effect."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ModelWebhookPostInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^https?://")
    event: dict[str, Any]
    idempotency_key: str | None = None
