"""Orchestrator: fulfilment workflow with compensation actions."""

from __future__ import annotations

from .models.model_order_fulfilment_input import ModelOrderFulfilmentInput
from .models.model_order_fulfilment_output import ModelOrderFulfilmentOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


STEPS = ("reserve_inventory", "charge_payment", "create_shipment", "notify_customer")
COMPENSATIONS = {
    "reserve_inventory": "release_inventory",
    "charge_payment": "refund_payment",
    "create_shipment": "cancel_shipment",
}


class NodeOrderFulfilmentOrchestrator:
    """Orchestrator: fulfilment workflow with compensation actions."""

    async def process(self, input_data: ModelOrderFulfilmentInput) -> ModelOrderFulfilmentOutput:
        for step in [*input_data.completed, input_data.failed_step]:
            if step is not None and step not in STEPS:
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", f"unknown step {step!r}")
        if list(input_data.completed) != list(STEPS[: len(input_data.completed)]):
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "completed steps out of order")
        oid = input_data.order_id
        if input_data.failed_step is not None:
            actions = [
                {"action": COMPENSATIONS[step], "order_id": oid}
                for step in reversed(input_data.completed)
                if step in COMPENSATIONS
            ]
            return ModelOrderFulfilmentOutput(status="compensating", actions=actions)
        remaining = STEPS[len(input_data.completed) :]
        if not remaining:
            return ModelOrderFulfilmentOutput(status="fulfilled", actions=[])
        return ModelOrderFulfilmentOutput(
            status="in_progress", actions=[{"action": remaining[0], "order_id": oid}]
        )
