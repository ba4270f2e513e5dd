"""Input of node_json_flatten_compute."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ModelJsonFlattenInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: dict[str, Any]
    separator: str = Field(default=".", min_length=1, max_length=3)
    max_depth: int = Field(default=32, ge=1, le=256)
