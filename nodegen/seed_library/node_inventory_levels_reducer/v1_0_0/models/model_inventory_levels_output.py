"""Output of node_inventory_levels_reducer."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelInventoryLevelsOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    levels: dict[str, int]
    intents: list[dict[str, Any]]
