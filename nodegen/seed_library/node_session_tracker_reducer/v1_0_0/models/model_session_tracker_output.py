"""Output of node_session_tracker_reducer."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelSessionTrackerOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sessions: dict[str, list[dict[str, Any]]]
    intents: list[dict[str, Any]]
