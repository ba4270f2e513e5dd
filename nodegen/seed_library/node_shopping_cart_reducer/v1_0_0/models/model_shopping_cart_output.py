"""Output of node_shopping_cart_reducer."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelShoppingCartOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: dict[str, dict[str, Any]]
    total: float
    intents: list[dict[str, Any]]
