"""Input of node_order_fulfilment_orchestrator."""

from pydantic import BaseModel, ConfigDict, Field


class ModelOrderFulfilmentInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: str = Field(min_length=1)
    completed: list[str] = Field(default_factory=list)
    failed_step: str | None = None
