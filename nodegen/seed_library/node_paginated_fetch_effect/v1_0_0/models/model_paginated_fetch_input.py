"""Input of node_paginated_fetch_effect."""

from pydantic import BaseModel, ConfigDict, Field


class ModelPaginatedFetchInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^https?://")
    max_pages: int = Field(default=100, ge=1, le=10_000)
    page_size: int = Field(default=100, ge=1, le=1000)
