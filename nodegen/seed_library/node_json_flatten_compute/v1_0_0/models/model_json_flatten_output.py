"""Output of node_json_flatten_compute."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelJsonFlattenOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flat: dict[str, Any]
