"""Input of node_cached_http_get_effect."""

from pydantic import BaseModel, ConfigDict, Field


class ModelCachedHttpGetInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^https?://")
