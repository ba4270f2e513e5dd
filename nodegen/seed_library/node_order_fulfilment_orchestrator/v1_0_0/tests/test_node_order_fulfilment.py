"""Tests of node_order_fulfilment_orchestrator."""

import asyncio

import pytest

from ..models.model_order_fulfilment_input import ModelOrderFulfilmentInput
from ..node import NodeOrderFulfilmentOrchestrator, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_next_step():
    data = ModelOrderFulfilmentInput(order_id="o", completed=["reserve_inventory"])
    out = run(NodeOrderFulfilmentOrchestrator(), data)
    assert out.actions == [{"action": "charge_payment", "order_id": "o"}]


def test_compensation_in_reverse():
    data = ModelOrderFulfilmentInput(
        order_id="o",
        completed=["reserve_inventory", "charge_payment"],
        failed_step="create_shipment",
    )
    out = run(NodeOrderFulfilmentOrchestrator(), data)
    assert out.status == "compensating"
    assert [a["action"] for a in out.actions] == ["refund_payment", "release_inventory"]


def test_out_of_order():
    with pytest.raises(OnexError):
        run(
            NodeOrderFulfilmentOrchestrator(),
            ModelOrderFulfilmentInput(order_id="o", completed=["charge_payment"]),
        )
