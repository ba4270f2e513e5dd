"""Output of node_cached_http_get_effect."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelCachedHttpGetOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Any
    cache_hit: bool
