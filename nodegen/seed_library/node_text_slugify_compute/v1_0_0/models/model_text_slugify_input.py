"""Input of node_text_slugify_compute."""

from pydantic import BaseModel, ConfigDict, Field


class ModelTextSlugifyInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    max_length: int = Field(default=60, ge=8, le=200)
