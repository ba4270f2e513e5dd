"""Output of node_order_status_reducer."""

from pydantic import BaseModel, ConfigDict


class ModelOrderStatusOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: str
    status: str
    history: list[str]
    intents: list[dict[str, str]]
