"""Input of node_http_get_json_effect."""

from pydantic import BaseModel, ConfigDict, Field


class ModelHttpGetJsonInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^https?://")
    headers: dict[str, str] = Field(default_factory=dict)
