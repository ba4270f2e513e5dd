"""Input of node_inventory_levels_reducer."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ModelInventoryLevelsInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    levels: dict[str, int] = Field(default_factory=dict)
    reorder_points: dict[str, int] = Field(default_factory=dict)
    events: list[dict[str, Any]]
