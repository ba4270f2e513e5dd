"""Input of node_shopping_cart_reducer."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ModelShoppingCartInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="sku -> {qty, price}"
    )
    events: list[dict[str, Any]]
