"""Output of node_http_get_json_effect."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelHttpGetJsonOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status_code: int
    body: Any
