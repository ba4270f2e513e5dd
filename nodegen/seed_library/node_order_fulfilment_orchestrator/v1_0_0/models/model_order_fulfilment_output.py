"""Output of node_order_fulfilment_orchestrator."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelOrderFulfilmentOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str
    actions: list[dict[str, Any]]
