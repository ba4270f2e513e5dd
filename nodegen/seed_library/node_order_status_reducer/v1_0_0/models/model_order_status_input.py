"""Input of node_order_status_reducer."""

from typing import Literal

from pydantic import BaseModel, ConfigDict


class ModelOrderStatusInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: str
    status: str = "created"
    events: list[Literal["pay", "ship", "deliver", "cancel", "refund"]]
