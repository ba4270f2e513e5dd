"""Input of node_notification_router_orchestrator."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ModelNotificationRouterInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1)
    severity: Literal["info", "warning", "critical"]
    hour_utc: int = Field(ge=0, le=23)
    recipients: list[dict[str, Any]] = Field(
        description="{id, channels: [...], min_severity, quiet_hours: [start, end]}"
    )
