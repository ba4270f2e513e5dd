"""Output of node_paginated_fetch_effect."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelPaginatedFetchOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[Any]
    pages: int
    complete: bool
