"""Reducer: order status state machine with transition validation."""

from __future__ import annotations

from .models.model_order_status_input import ModelOrderStatusInput
from .models.model_order_status_output import ModelOrderStatusOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


TRANSITIONS: dict[tuple[str, str], str] = {
    ("created", "pay"): "paid",
    ("created", "cancel"): "cancelled",
    ("paid", "ship"): "shipped",
    ("paid", "cancel"): "refund_pending",
    ("refund_pending", "refund"): "refunded",
    ("shipped", "deliver"): "delivered",
}


class NodeOrderStatusReducer:
    """Reducer: order status state machine with transition validation."""

    async def process(self, input_data: ModelOrderStatusInput) -> ModelOrderStatusOutput:
        status = input_data.status
        history = [status]
        intents: list[dict[str, str]] = []
        for event in input_data.events:
            nxt = TRANSITIONS.get((status, event))
            if nxt is None:
                raise OnexError(
                    "ONEX_CORE_001_INVALID_PARAMETER", f"cannot {event} an order that is {status}"
                )
            status = nxt
            history.append(status)
            intents.append(
                {"type": "notify_customer", "order_id": input_data.order_id, "status": status}
            )
        return ModelOrderStatusOutput(
            order_id=input_data.order_id, status=status, history=history, intents=intents
        )
