"""Input of node_session_tracker_reducer."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ModelSessionTrackerInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sessions: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    events: list[dict[str, Any]] = Field(description="{user, ts (epoch s), page}")
    timeout_s: float = Field(default=1800, gt=0)
