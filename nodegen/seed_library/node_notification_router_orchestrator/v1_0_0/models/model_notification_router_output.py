"""Output of node_notification_router_orchestrator."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelNotificationRouterOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actions: list[dict[str, Any]]
    skipped: list[str]
